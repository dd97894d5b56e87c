"""The publish manifest (`<out>/manifest.json`): what every published file was made from, and the log of removals.

Its one job is reading and checking the manifest and making its entries; what to write is site.py's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from workflow.errors import InputError
from workflow.project import check_locale, check_slug
from workflow.storage import read_file

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
INDEX_STEM = "index"
FEED_NAME = "feed.xml"  # <out>/<lang>/feed.xml: the locale's Atom feed (with `[site] url` only)
SITEMAP_NAME = "sitemap.xml"  # <out>/sitemap.xml: every edition with its language versions (with `[site] url` only)
WITHDRAWN = "withdrawn"  # why a file was removed: the editor withdrew the story
SOURCE_DELETED = "source deleted"  # why a file was removed: its article is gone from articles/
NO_SITE = "no site url"  # why a feed or the sitemap was removed: workflow.toml no longer says where the site is


def sha256(data: bytes) -> str:
    """The hex digest the manifest records for a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """The file entries of an existing manifest ({} if there is none); InputError if it is damaged."""
    return load_manifest(path)[0]


_REMOVAL_KEYS = ("file", "slug", "locale", "why", "removed")


def load_manifest(path: Path) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The manifest's `files` and `removed` log, each entry checked; InputError naming the manifest if it is damaged."""
    try:
        raw = read_file(path, root=path.parent)
    except FileNotFoundError:
        return {}, []
    try:
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the publish manifest ({exc}); delete it to republish everything", path) from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
        raise InputError("the publish manifest has no 'files' table; delete it to republish everything", path)
    for name, entry in files.items():
        locale, _, base = name.partition("/")
        if name == SITEMAP_NAME or (base == FEED_NAME and names_ok(locale, "feed")):
            continue
        stem, _, suffix = base.rpartition(".")
        if "/" in base or suffix not in ("md", "html") or not names_ok(locale, stem):
            raise InputError(f"unexpected entry {name!r} in the publish manifest", path)
        if base != "index.html" and not _edition_entry_ok(entry):
            raise InputError(f"entry {name!r} lacks its slug, title or date; delete the manifest to republish everything", path)
        if base != "index.html" and (entry["slug"], entry["locale"]) != (stem, locale):
            # Withdrawal removes the files listed under a slug: a name must be that slug's own file.
            raise InputError(
                f"entry {name!r} is not the file of its slug {entry['slug']!r} in {entry['locale']!r}; "
                "delete the manifest to republish everything",
                path,
            )
    removed = data.get("removed", [])
    if not isinstance(removed, list) or not all(
        isinstance(r, dict) and all(isinstance(r.get(k), str) for k in _REMOVAL_KEYS) for r in removed
    ):
        raise InputError(
            "the publish manifest's 'removed' log is not a list of removals (file, slug, locale, why, removed); "
            "restore it from a backup or delete the key",
            path,
        )
    return files, removed


def is_edition(name: str) -> bool:
    """True for a story's page (`<lang>/<slug>.md` or `.html`); False for an index, a feed or the sitemap."""
    locale, _, base = name.partition("/")
    return bool(base) and base not in (f"{INDEX_STEM}.html", FEED_NAME)


def names_ok(locale: str, stem: str) -> bool:
    try:
        check_locale(locale)
        check_slug(stem)
    except InputError:
        return False
    return True


def _edition_entry_ok(entry: dict[str, Any]) -> bool:
    if not all(isinstance(entry.get(k), str) for k in ("slug", "title", "date")):
        return False
    try:
        dt.date.fromisoformat(entry["date"])
    except ValueError:
        return False
    return isinstance(entry.get("locale"), str) and names_ok(entry["locale"], entry["slug"])


def manifest_entry(old: dict[str, Any] | None, fresh: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """A file's manifest entry: `fresh` facts, published `now` unless they are `old`'s."""
    # An entry whose facts did not change keeps its publish time, so the manifest stays byte-identical.
    # `sentences` follows from the source's sha; a manifest written before it existed keeps its times.
    def facts(entry: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in entry.items() if k not in ("published", "sentences")}

    if old is not None and facts(old) == facts(fresh):
        return {**fresh, "published": old.get("published")}
    return {**fresh, "published": now.isoformat()}


def sentence_key(text: str) -> str:
    """A sentence's key in the manifest: enough to tell which sentences a live edition was made from."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]

