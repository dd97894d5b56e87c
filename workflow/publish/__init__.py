"""Publish: the gate (only reviewed, unflagged translations pass) and the editions it writes.

Per article and locale a run writes `<out>/<lang>/<slug>.md` and `.html`; per locale an `index.html`
(and, with `[site] url`, a `feed.xml`); and `<out>/manifest.json` recording where every published file
came from. `withdraw` takes a story down and records it in `<project>/withdrawn.toml`.

One job per module: `gating` (what may publish, what blocks it), `interface` (the edition's own words,
dates, language names), `editions` (rendering .md/.html/index in memory), `manifest`, `withdrawals`
(withdrawn.toml), `site` (writing, indexing and removing files), `run` (`publish`), `takedown`
(`withdraw`), `board` (the editors' dashboard), `report` (what a run hands back). This module is the
public surface: callers use `publish.publish(...)`, `publish.gate(...)` and so on.
"""

from __future__ import annotations

from workflow.publish.board import Dashboard, DashboardCell, DashboardRow, dashboard, render_dashboard
from workflow.publish.editions import (
    Alternate,
    Rendered,
    edition_alternates,
    localized_byline,
    page_href,
    render_body,
    render_edition,
    render_index,
)
from workflow.publish.gating import gate
from workflow.publish.interface import count_text, hreflang, language_name, long_date
from workflow.publish.manifest import (
    FEED_NAME,
    INDEX_STEM,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    NO_SITE,
    SITEMAP_NAME,
    SOURCE_DELETED,
    WITHDRAWN,
    is_edition,
    read_manifest,
    sentence_key,
)
from workflow.publish.report import (
    Edition,
    FileResult,
    PendingSegment,
    PublishReport,
    Removal,
    StaleEdition,
    StaleSentence,
)
from workflow.publish.run import publish
from workflow.publish.site import target_path, without_alternates
from workflow.publish.takedown import WithdrawReport, undo_withdrawal, withdraw
from workflow.publish.withdrawals import (
    ALL_LOCALES,
    WITHDRAWN_NAME,
    Withdrawal,
    read_withdrawals,
    render_withdrawals,
    withdrawn_path,
)

__all__ = [
    "ALL_LOCALES", "FEED_NAME", "INDEX_STEM", "MANIFEST_FORMAT", "MANIFEST_NAME", "NO_SITE", "SITEMAP_NAME",
    "SOURCE_DELETED", "WITHDRAWN", "WITHDRAWN_NAME", "Alternate", "Dashboard", "DashboardCell", "DashboardRow",
    "Edition", "FileResult", "PendingSegment", "PublishReport", "Removal", "Rendered", "StaleEdition",
    "StaleSentence", "WithdrawReport", "Withdrawal", "count_text", "dashboard", "edition_alternates", "gate",
    "hreflang", "is_edition", "language_name", "localized_byline", "long_date", "page_href", "publish",
    "read_manifest", "read_withdrawals", "render_body", "render_dashboard", "render_edition", "render_index",
    "render_withdrawals", "sentence_key", "target_path", "undo_withdrawal", "withdraw", "withdrawn_path",
    "without_alternates",
]
