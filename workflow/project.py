"""The project config `workflow.toml`: languages and where articles, glossary, catalogs and editions live."""

from __future__ import annotations

import contextlib
import difflib
import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.languages import get_territory_language_info
from babel.localedata import locale_identifiers

from workflow.errors import InputError
from workflow.storage import check_inside, decode_utf8, read_file

CONFIG_NAME = "workflow.toml"

# The workflow.toml `workflow init` writes: a data file, as its target languages are the newsroom's choice.
DEFAULT_CONFIG = (Path(__file__).parent / "starter.toml").read_text(encoding="utf-8")

EXAMPLE_SLUG = "example-city-opens-library"
EXAMPLE_ARTICLE = """\
---
title: City opens a new public library
date: 2026-01-15
slug: example-city-opens-library
authors:
  - Newsroom
---

An example article made by `workflow init`: replace it with your own, or delete it.

The city opened a new public library on Monday. It has more than ten thousand books in three languages.

> "Everyone is welcome," the librarian said.
"""


def starter_locales() -> tuple[str, ...]:
    """The target locales of the starter config `workflow init` writes."""
    return tuple(tomllib.loads(DEFAULT_CONFIG)["workflow"]["target_locales"])


def starter_files() -> dict[str, str]:
    """What `workflow init` puts in a new project besides workflow.toml: {relative path: text}."""
    return {f"articles/{EXAMPLE_SLUG}.md": EXAMPLE_ARTICLE}

# A locale code is a path component (locales/<lang>/...), so it must never be able to name another place.
_LOCALE_SHAPE = re.compile(r"^[a-z]{2,3}(?:_[A-Z][a-z]{3})?(?:_(?:[A-Z]{2}|\d{3}))?$")
_SLUG_SHAPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A slug names files, the longest being a write's temp `.<slug>.html.<random>.tmp`: 200 keeps that
# under the 255 bytes a file name may have, so a long slug is refused before anything is written.
MAX_SLUG = 200
# No quotes, spaces, angle brackets or controls: nothing that could leave an attribute or a URL.
_WEB_ADDRESS = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~!$&()*+,;=:@%/{}-]*)?$")


@dataclass(frozen=True)
class MemorySettings:
    """[memory] in workflow.toml: how the translation memory serves new sentences."""

    offer: int = 75  # a match this similar (rapidfuzz normalized, 0-100) is shown to the translator
    draft: int = 90  # ... and this similar becomes the draft instead of the model's
    accept_exact: bool = False  # exact matches land reviewed, not fuzzy


@dataclass(frozen=True)
class Project:
    """A newsroom checkout: its root and what workflow.toml says."""

    root: Path
    source_locale: str
    locales: tuple[str, ...]
    articles_dir: Path
    glossary_path: Path
    locales_dir: Path
    public_dir: Path
    models_dir: Path | None = None  # paths.models: argos packages kept with the project, if set
    beam_size: int = 2
    batch_size: int = 16
    backend: str = "local"  # translate.backend: where inference runs (workflow/backends/)
    device: str = "auto"  # translate.device: the local engine's CTranslate2 device
    # [translate.<backend>] tables as written; each backend module validates its own settings.
    backend_settings: dict = field(default_factory=dict, hash=False, compare=False, repr=False)
    memory: MemorySettings = MemorySettings()

    site_url: str | None = None  # site.url: where the output directory is served, ending in "/"
    original_url: str | None = None  # site.original: the English original's URL, with "{slug}"

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    def po_path(self, slug: str, locale: str) -> Path:
        return self.inside(self.locales_dir / check_locale(locale) / "LC_MESSAGES" / f"{check_slug(slug)}.po")

    def pot_path(self, slug: str) -> Path:
        return self.inside(self.locales_dir / "templates" / f"{check_slug(slug)}.pot")

    def inside(self, path: Path) -> Path:
        """`path`, refused (StorageError) if a symbolic link leads it out of the project."""
        return check_inside(path, self.root)

    def relative(self, path: Path) -> str:
        """A path as users see it in messages and PO references: relative to the project root."""
        if ".." not in path.parts:
            # As named, not where links lead: a message about a link must name the link.
            with contextlib.suppress(ValueError):
                return path.relative_to(self.root).as_posix()
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def reference(self, path: Path, line: int | None = None) -> str:
        """`path:line` relative to the project: a PO `#:` reference, or where to look in a catalog."""
        where = self.relative(path)
        return f"{where}:{line}" if line else where


# Pure and bounded: one value, from Babel's installed data, which does not change while a process runs.
@functools.cache
def _locale_ids() -> tuple[str, ...]:
    return tuple(sorted(locale_identifiers()))


def valid_locales() -> list[str]:
    """Every locale code Babel has data for."""
    return list(_locale_ids())


# Every catalog path checks its locale: without the cache that was a sort of Babel's 1,000 locale
# codes per path (about 1 s of a 1,000-article run). Pure (a code in, Babel's data) and bounded.
@functools.lru_cache(maxsize=512)
def _is_plain_locale(code: str) -> bool:
    if not (_LOCALE_SHAPE.fullmatch(code) and code in frozenset(_locale_ids())):
        return False
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def check_locale(code: str, where: str | Path | None = None, line: int | None = None) -> str:
    """Return `code` if Babel knows it and it is a plain code; otherwise raise naming close matches."""
    if _is_plain_locale(code):
        return code
    known = valid_locales()
    close = _suggestions(code, known)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise InputError(
        f"unknown locale {code!r}{hint} (valid codes are Babel's {len(known)} locales: `workflow locales` lists them)",
        where,
        line,
    )


def _suggestions(code: str, known: list[str]) -> list[str]:
    # "kz" is Kazakhstan's country code: suggest the languages spoken there before look-alike codes.
    spoken = list(get_territory_language_info(code.upper())) if len(code) == 2 else []
    alike = difflib.get_close_matches(code, [k for k in known if "_" not in k], n=3, cutoff=0.5)
    return [c for c in dict.fromkeys(spoken + alike) if c in known][:5]


def check_slug(slug: str, where: str | Path | None = None, line: int | None = None) -> str:
    """Return `slug` if it is lowercase words joined by hyphens, so it can never escape a directory."""
    if len(slug) > MAX_SLUG and _SLUG_SHAPE.fullmatch(slug):
        raise InputError(f"slug is {len(slug)} characters long; at most {MAX_SLUG} (it names files)", where, line)
    if not _SLUG_SHAPE.fullmatch(slug):
        raise InputError(
            f"invalid slug {slug!r}: use lowercase letters, digits and single hyphens (e.g. kazakh-migrant-deported)",
            where,
            line,
        )
    return slug


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def find_root(start: Path) -> Path | None:
    """The nearest directory from `start` upwards that holds workflow.toml (as git finds .git), or None."""
    # Whatever is there by that name marks the project (a FIFO or a link too): reading it then says what is wrong.
    start = Path(start)
    if os.path.lexists(start / CONFIG_NAME):
        return start  # as given, so that messages keep the user's own spelling of the path
    for candidate in start.resolve().parents:
        if os.path.lexists(candidate / CONFIG_NAME):
            return candidate
    return None


def load_project(root: Path) -> Project:
    """Read workflow.toml of the project `root` is in (`root` itself or the nearest parent with one), validated."""
    root = Path(root)
    found = find_root(root)
    if found is None:
        raise InputError(
            f"no {CONFIG_NAME} here: run `workflow init` to start a project, or pass --project DIR",
            root,
        )
    root = found
    path = root / CONFIG_NAME
    try:
        text = decode_utf8(read_file(path, root=root), path, f"save {CONFIG_NAME} as UTF-8")
        data = tomllib.loads(text)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(
            f"no {CONFIG_NAME} here: run `workflow init` to start a project, or pass --project DIR",
            root,
        ) from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError has no line attribute; its message ends "(at line N, column M)".
        found = re.search(r"^(.*) \(at line (\d+), column \d+\)$", str(exc))
        message, line = (found.group(1), int(found.group(2))) if found else (str(exc), None)
        raise InputError(f"not valid TOML: {message}", path, line) from None
    known_tables = {"workflow", "paths", "translate", "memory", "site"}
    for key in data:
        if key not in known_tables:
            raise InputError(f"unknown table [{key}] (known: {', '.join(sorted(known_tables))})", path, _line_of(text, key))
    wf = data.get("workflow", {})
    paths = data.get("paths", {})
    tr = data.get("translate", {})
    site = data.get("site", {})
    source = wf.get("source_locale", "en")
    check_locale(source, path, _line_of(text, "source_locale"))
    if "target_locales" not in wf:
        # No built-in default: which languages a newsroom translates into is its own choice.
        raise InputError(
            'no target_locales in [workflow]: name the languages to translate into, e.g. target_locales = ["uz", "tg"]',
            path,
            _line_of(text, "[workflow]"),
        )
    targets = wf["target_locales"]
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise InputError("target_locales must be a non-empty list of locale codes", path, _line_of(text, "target_locales"))
    for code in targets:
        check_locale(code, path, _line_of(text, f'"{code}"') or _line_of(text, "target_locales"))
    if len(set(targets)) != len(targets):
        raise InputError("target_locales lists a locale twice", path, _line_of(text, "target_locales"))

    def sub(key: str, default: str) -> Path:
        value = paths.get(key, default)
        base = os.path.abspath(root)
        if not isinstance(value, str) or os.path.commonpath([base, os.path.abspath(root / value)]) != base:
            raise InputError(f"paths.{key} must stay inside the project", path, _line_of(text, key))
        if not (root / value).resolve().is_relative_to(root.resolve()):
            check_inside(root / value, root)  # inside by name, out through a link: say which link
            raise InputError(f"paths.{key} must stay inside the project", path, _line_of(text, key))
        return root / value

    def positive(key: str, default: int) -> int:
        value = tr.get(key, default)
        if not isinstance(value, int) or value < 1:
            raise InputError(f"translate.{key} must be a positive whole number", path, _line_of(text, key))
        return value

    for key, value in tr.items():
        if isinstance(value, dict) and key not in BACKENDS:
            raise InputError(
                f"unknown table [translate.{key}] (backends: {', '.join(BACKENDS)})", path, _line_of(text, f"translate.{key}")
            )


    mem = data.get("memory", {})
    unknown = sorted(set(mem) - {"offer", "draft", "accept_exact"})
    if unknown:
        raise InputError(f"unknown key memory.{unknown[0]} (known: accept_exact, draft, offer)", path, _line_of(text, unknown[0]))
    for key in ("offer", "draft"):
        value = mem.get(key, getattr(MemorySettings, key))
        if not isinstance(value, int) or isinstance(value, bool) or not 50 <= value <= 99:
            raise InputError(f"memory.{key} must be a whole number from 50 to 99", path, _line_of(text, key))
    if not isinstance(mem.get("accept_exact", False), bool):
        raise InputError("memory.accept_exact must be true or false", path, _line_of(text, "accept_exact"))
    settings = MemorySettings(**mem)
    if settings.draft < settings.offer:
        raise InputError("memory.draft must not be below memory.offer", path, _line_of(text, "draft"))

    def web_address(key: str) -> str | None:
        value = site.get(key)
        if value is None:
            return None
        # Pages, feeds and the sitemap put it in href attributes: only a plain absolute web address will do.
        if not isinstance(value, str) or not _WEB_ADDRESS.match(value) or (key == "original" and "{slug}" not in value):
            want = "an http(s) address with {slug} in it" if key == "original" else "an absolute http(s) address"
            raise InputError(f"site.{key} must be {want}", path, _line_of(text, key))
        return value

    site_url = web_address("url")
    return Project(
        root=root,
        source_locale=source,
        locales=tuple(targets),
        articles_dir=sub("articles", "articles"),
        glossary_path=sub("glossary", "glossary/terms.csv"),
        locales_dir=sub("locales", "locales"),
        public_dir=sub("public", "public"),
        models_dir=sub("models", "") if "models" in paths else None,
        beam_size=positive("beam_size", 2),
        batch_size=positive("batch_size", 16),
        backend=_choice(tr, "backend", BACKENDS, path, text),
        device=_choice(tr, "device", DEVICES, path, text),
        backend_settings={name: tr[name] for name in BACKENDS if isinstance(tr.get(name), dict)},


        memory=settings,
        site_url=(site_url if site_url.endswith("/") else site_url + "/") if site_url else None,
        original_url=web_address("original"),
    )


BACKENDS = ("local", "libretranslate", "ray")
DEVICES = ("auto", "cpu", "cuda")


def _choice(table: dict, key: str, allowed: tuple[str, ...], path: Path, text: str) -> str:
    value = table.get(key, allowed[0])
    if value not in allowed:
        raise InputError(
            f"translate.{key} must be one of {', '.join(map(repr, allowed))} (got {value!r})", path, _line_of(text, key)
        )
    return value


def select_locales(project: Project, requested: list[str] | None) -> tuple[str, ...]:
    """The locales a command works on: those asked for (each checked) or all the project's."""
    if not requested:
        return project.locales
    for code in requested:
        check_locale(code)
        if code not in project.locales:
            raise InputError(
                f"locale {code!r} is not a target of this project (targets: {', '.join(project.locales)})",
                project.root / CONFIG_NAME,
            )
    return tuple(dict.fromkeys(requested))
