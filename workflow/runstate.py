"""The state a `workflow translate` run leaves for the next: what it did, so a re-run skips unchanged work.

It only saves work: without it (deleted, damaged, from another version) everything is simply re-checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from workflow.project import Project
from workflow.storage import check_replaceable, read_file

STATE_NAME = ".translate-state.json"
# 3: segments come from the document tree; a state written by the old reader must not skip an article
# whose bytes are unchanged but whose segments (HTML-block text, hard breaks) are new.
STATE_VERSION = 3


@dataclass
class RunState:
    """What the last run did: lets a re-run skip work whose inputs have not changed.

    `catalogs`: "slug/locale" -> the stamp (article, catalog, glossary, model) the catalog was written under.
    `files`: article path -> its sha, slug and segment count, so an unchanged file is not even parsed.
    `memory`: the translation memory's reviewed pairs of each catalog under its sha (memory.cache_entries).
    """

    catalogs: dict[str, dict[str, str]] = field(default_factory=dict)
    files: dict[str, dict] = field(default_factory=dict)
    memory: dict[str, dict] = field(default_factory=dict)


def load_state(project: Project) -> RunState:
    path = project.locales_dir / STATE_NAME
    # A directory, FIFO or link where the state belongs is refused now, not after the catalogs are written.
    check_replaceable(path)
    try:
        data = json.loads(read_file(path).decode("utf-8"))
    except (FileNotFoundError, ValueError):
        # The state only lets a re-run skip unchanged work; without it everything is simply re-checked.
        return RunState()
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return RunState()
    catalogs, files, cached = data.get("catalogs"), data.get("files"), data.get("memory")
    return RunState(
        catalogs if isinstance(catalogs, dict) else {},
        files if isinstance(files, dict) else {},
        cached if isinstance(cached, dict) else {},
    )


def dump_state(state: RunState) -> str:
    data = {"version": STATE_VERSION, "catalogs": state.catalogs, "files": state.files, "memory": state.memory}
    return json.dumps(data, indent=1, sort_keys=True) + "\n"
