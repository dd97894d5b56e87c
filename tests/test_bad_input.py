"""Bad input, table-driven: every malformed file a newsroom can produce is refused the same way.

Each case puts one bad (or unusual but valid) file into a copy of the project and runs the real CLI
as a subprocess. A refusal is exactly one stderr line, `Error: <file>:<line>: <message>`, with the
README's exit code (1 bad input or gate refused, 2 model missing, 3 locked); valid input exits 0. In
every case the project tree is byte-identical before and after: bad input never half-changes a project.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest

from tests.conftest import DATA, REPO, SAMPLE_SLUG, tree_digest
from workflow import articles, catalog
from workflow.project import load_project, valid_locales

BAD = DATA / "bad"
SAMPLE = f"articles/{SAMPLE_SLUG}.md"
PO_RU = f"locales/ru/LC_MESSAGES/{SAMPLE_SLUG}.po"
NOW = dt.datetime(2026, 11, 18, tzinfo=dt.timezone.utc)
N_LOCALES = len(valid_locales())
LOCALE_HELP = f"(valid codes are Babel's {N_LOCALES} locales: `workflow locales` lists them)"
# A huge article must still be handled at reading speed, not refused or left to time out; no case may take longer.
HUGE_BYTES = 5 * 1024 * 1024
HUGE_SECONDS = 40


def cli(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m workflow ARGS` in `root`, as a user would from the project directory."""
    return subprocess.run(
        [sys.executable, "-m", "workflow", *args], cwd=root, capture_output=True, text=True, timeout=timeout
    )


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file with its bytes and every directory (even empty): what `before == after` compares."""
    # The lock file is run machinery (gitignored, rewritten with the pid by every writing command), not project content.
    files = {k: v for k, v in tree_digest(root).items() if k != ".workflow.lock"}
    return files | {p.relative_to(root).as_posix() + "/": None for p in root.rglob("*") if p.is_dir()}


# --- building bad inputs ------------------------------------------------------------------------------


def put(rel: str, source: Path | bytes) -> Callable[[Path], None]:
    """A setup that writes a file (copied from tests/data/bad or given as bytes) into the project."""

    def setup(root: Path) -> None:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source if isinstance(source, bytes) else source.read_bytes())

    return setup


def sample_bytes() -> bytes:
    return (REPO / SAMPLE).read_bytes()


def with_bom(root: Path) -> None:
    (root / "articles" / "bom.md").write_bytes(b"\xef\xbb\xbf" + sample_bytes().replace(SAMPLE_SLUG.encode(), b"bom-sample"))


def with_crlf(root: Path) -> None:
    (root / "articles" / "crlf.md").write_bytes(sample_bytes().replace(b"\n", b"\r\n").replace(SAMPLE_SLUG.encode(), b"crlf-sample"))


def with_huge(root: Path) -> None:
    text = sample_bytes().decode("utf-8").replace(SAMPLE_SLUG, "huge-sample")
    head_end = text.index("\n---\n", 4) + len("\n---\n")
    head, body = text[:head_end], text[head_end:]
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    parts, size, n = [head], len(head.encode()), 0
    while size < HUGE_BYTES:
        # Numbered paragraphs keep the sentences distinct, as in a real long text, not one repeated block.
        p = f"{paragraphs[n % len(paragraphs)]} Update {n}.\n\n"
        parts.append(p)
        size += len(p.encode())
        n += 1
    (root / "articles" / "huge.md").write_text("".join(parts), encoding="utf-8")


def with_duplicate_slug(root: Path) -> None:
    shutil.copy(root / SAMPLE, root / "articles" / "copy-of-sample.md")


def with_catalog(root: Path) -> Path:
    """A real Russian catalog of the sample (fuzzy drafts), written the way `workflow translate` merges it."""
    project = load_project(root)
    article = articles.read_article(root / SAMPLE, project)
    drafts = {s.id: f"ru: {s.text}" for s in article.segments}
    catalog.write_catalog(project, article, "ru", drafts, "translate-en_ru 1.0", None, now=NOW)
    return root / PO_RU


def po_edit(change: Callable[[str], str | bytes]) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        po = with_catalog(root)
        new = change(po.read_text(encoding="utf-8"))
        po.write_bytes(new if isinstance(new, bytes) else new.encode("utf-8"))

    return setup


def first_entry(text: str) -> str:
    start = text.index("# machine")
    return text[start : text.index("\n\n", start)]


def accept_all(po: Path) -> None:
    """What a translator does in Poedit: clear every fuzzy flag. The stand-in drafts ("ru: <English>")
    are English, so each is accepted overriding the language checks on purpose (`# qa-ok:`)."""
    cat = polib.pofile(str(po), wrapwidth=catalog.WRAP_WIDTH)
    for entry in cat:
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        if "qa-ok:" not in entry.tcomment:
            entry.tcomment = "\n".join(filter(None, [entry.tcomment, "qa-ok: untranslated, dates"]))
    cat.save()


LINKED = """---
title: Court hears the case
date: 2026-11-20
slug: court-hears-case
---

The ruling is [published online](https://example.org/ruling-2026) and uses the code `KZ-2026-17`.
"""


def with_dropped_link(root: Path) -> None:
    """A fully accepted translation that lost its link target and inline code: the gate must refuse it."""
    (root / "articles" / "court-hears-case.md").write_text(LINKED, encoding="utf-8")
    project = load_project(root)
    article = articles.read_article(root / "articles" / "court-hears-case.md", project)
    drafts = {s.id: "Решение опубликовано" if s.kind != "title" else "Суд слушает дело" for s in article.segments}
    catalog.write_catalog(project, article, "ru", drafts, "translate-en_ru 1.0", None, now=NOW)
    accept_all(project.po_path(article.slug, "ru"))


GLOSSARY = "glossary/terms.csv"
HEADER = "english,kk,ru,kind,gender,note,variants,avoid_kk,avoid_ru\n"
ALMATY = "Almaty,Алматы,Алматы,place,,Largest city,,,\n"
ASTANA = "Astana,Астана,Астана,place,,Capital,,,\n"
# Cells a spreadsheet would run as formulas (CSV injection): the DDE payload and the other trigger characters.
FORMULAS = HEADER + "Almaty,Алматы,Алматы,place,,=cmd|' /C calc'!A0,,,\n" + "+Astana,Астана,-Астана,place,,@SUM(1+1),,,\n"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def glossary_file(text: str | bytes) -> Callable[[Path], None]:
    return put(GLOSSARY, text if isinstance(text, bytes) else text.encode("utf-8"))


def export_is_inert(root: Path, result: subprocess.CompletedProcess) -> None:
    """No exported cell starts a formula, and the payloads are still there (quoted, not dropped)."""
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [r[0] for r in rows[1:]] == ["Almaty", "'+Astana"]
    assert all(not cell.startswith(FORMULA_START) for row in rows for cell in row)
    assert "'=cmd|' /C calc'!A0" in rows[1] and "'-Астана" in rows[2] and "'@SUM(1+1)" in rows[2]


# A package's members as argostranslate lays them out. Model and tokenizer are junk bytes: each case is refused
# before loading them, except model-does-not-load, which is about exactly that.
METADATA = json.dumps({"package_version": "1.0", "from_code": "en", "to_code": "kk", "code": "translate-en_kk", "type": "translate"})
PACKAGE = (("pkg/metadata.json", METADATA), ("pkg/model/model.bin", b"not a model"), ("pkg/sentencepiece.model", b"not a tokenizer"))


def package(name: str, members=PACKAGE, corrupt: Callable[[bytes], bytes] | None = None) -> Callable[[Path], None]:
    """A setup that writes incoming/NAME.argosmodel and an empty models dir to install into."""

    def setup(root: Path) -> None:
        (root / "models").mkdir()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
            for member, data in members:
                zf.writestr(member, data)
        data = buffer.getvalue()
        put(f"incoming/{name}.argosmodel", corrupt(data) if corrupt else data)(root)

    return setup


def symlink_member() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("pkg/passwd")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def flip_model_byte(data: bytes) -> bytes:
    at = data.index(b"not a model")
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def nothing_installed(root: Path, result: subprocess.CompletedProcess) -> None:
    """Not even a staging directory is left in the packages dir."""
    assert list((root / "models").iterdir()) == []


def install(name: str) -> tuple[str, ...]:
    return ("models", "install", f"incoming/{name}.argosmodel", "--models-dir", "models")


def install_error(name: str, message: str) -> str:
    return f"Error: incoming/{name}.argosmodel: {message}"


def with_bad_article_after_the_sample(root: Path) -> None:
    """An article that sorts after the sample: a run must refuse before writing the sample's catalogs."""
    shutil.copy(BAD / "articles" / "typo-key.md", root / "articles" / "zz-typo-key.md")


# --- the matrix ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path], None]
    argv: tuple[str, ...]
    code: int
    # The whole stderr, as one `Error: ...` line (None: stderr must be empty); a callable builds it from the
    # project after setup (for line numbers that depend on generated files); a Pattern must match fully.
    stderr: str | re.Pattern | Callable[[Path], str] | None = None
    check: Callable[[Path, subprocess.CompletedProcess], None] | None = None
    models: bool = False  # needs the copy models installed (the run gets past its model check)
    # Files and folders the good articles' work changes: one bad article or catalog stops only itself.
    proceeds: frozenset[str] = frozenset()


def sample_catalogs(*locales: str, template: bool = True) -> frozenset[str]:
    """What translating the sample into `locales` writes (with the run state)."""
    paths = {"locales/.translate-state.json"} | ({"locales/templates/", f"locales/templates/{SAMPLE_SLUG}.pot"} if template else set())
    for loc in locales:
        paths |= {f"locales/{loc}/", f"locales/{loc}/LC_MESSAGES/", f"locales/{loc}/LC_MESSAGES/{SAMPLE_SLUG}.po"}
    return frozenset(paths)


def same_segments_as_sample(root: Path, result: subprocess.CompletedProcess) -> None:
    """A BOM or CRLF article is the sample's text: same ids, kinds, lines and sentences."""
    plain = json.loads(cli(root, "segment", SAMPLE, "--json").stdout)
    assert json.loads(result.stdout) == plain


def segments_the_huge_article(root: Path, result: subprocess.CompletedProcess) -> None:
    rows = json.loads(result.stdout)
    assert len(rows) > 30_000
    assert rows[-1]["line"] > 15_000


def lists_the_dropped_parts(root: Path, result: subprocess.CompletedProcess) -> None:
    assert "Blocked ru/court-hears-case" in result.stdout
    assert "link target (https://example.org/ruling-2026) missing from the translation" in result.stdout
    assert "inline code `KZ-2026-17` missing from the translation" in result.stdout
    assert not (root / "public").exists()


def line_of(root: Path, rel: str, needle: str, last: bool = False) -> int:
    """The line of a file where `needle` first (or last) occurs."""
    text = (root / rel).read_text(encoding="utf-8", errors="replace")
    at = text.rindex(needle) if last else text.index(needle)
    return text.count("\n", 0, at) + 1


def article_case(name: str, code: int, stderr: str | None, check=None, command: str = "segment") -> Case:
    argv = ("segment", f"articles/{name}.md") if command == "segment" else (command,)
    return Case(f"article-{name}-{command}", put(f"articles/{name}.md", BAD / "articles" / f"{name}.md"), argv, code, stderr, check)


def config_case(name: str, stderr: str | re.Pattern) -> Case:
    return Case(f"config-{name}", put("workflow.toml", BAD / "config" / f"{name}.toml"), ("review",), 1, stderr)


CASES = [
    # Articles: encoding, structure, front matter.
    article_case("latin1", 1, "Error: articles/latin1.md:2: not UTF-8 text (byte 0xe9); save the article as UTF-8"),
    article_case("nul", 1, "Error: articles/nul.md:7: binary file (NUL bytes), not a Markdown article"),
    article_case(
        "empty",
        1,
        "Error: articles/empty.md:1: missing front matter: the file must start with a '---' line, then title, date and slug",
    ),
    article_case(
        "no-front-matter",
        1,
        "Error: articles/no-front-matter.md:1: missing front matter: the file must start with a '---' line, then title, date and slug",
    ),
    article_case("unclosed", 1, "Error: articles/unclosed.md:1: front matter is not closed: add a '---' line after it"),
    article_case(
        "broken-yaml",
        1,
        "Error: articles/broken-yaml.md:6: front matter is not valid YAML: expected ',' or ']', but got '<stream end>'",
    ),
    article_case("typo-key", 1, "Error: articles/typo-key.md:5: unknown front matter key 'tittle': did you mean 'title'?"),
    # Front matter that would exhaust memory or the stack, or hide a second value, is refused in one line.
    article_case(
        "billion-laughs",
        1,
        "Error: articles/billion-laughs.md:4: YAML anchors and aliases (&a) are not allowed in front matter; write the value out",
    ),
    article_case("deep-authors", 1, "Error: articles/deep-authors.md:5: front matter is nested more than 8 levels deep"),
    article_case("duplicate-key", 1, "Error: articles/duplicate-key.md:5: duplicate front matter key 'title' (first on line 2)"),
    article_case(
        "slug-newline",
        1,
        "Error: articles/slug-newline.md:4: invalid slug 'evil-slug\\n': use lowercase letters, digits and single hyphens (e.g. kazakh-migrant-deported)",
    ),
    # Keys a Hugo or Jekyll site uses are kept for the templates, not refused.
    article_case("site-keys", 0, None, command="review"),
    article_case("no-slug", 1, "Error: articles/no-slug.md:2: front matter lacks 'slug'"),
    article_case(
        "impossible-date", 1, "Error: articles/impossible-date.md:3: not a real date: month must be in 1..12; use YYYY-MM-DD"
    ),
    article_case("no-body", 1, "Error: articles/no-body.md:6: the article has no body text after its front matter"),
    article_case(
        "slug-escape",
        1,
        "Error: articles/slug-escape.md:4: invalid slug '../../etc/passwd': use lowercase letters, digits and single hyphens (e.g. kazakh-migrant-deported)",
    ),
    # A project-wide command meets the same bad article among good ones, and refuses before writing anything.
    article_case("typo-key", 1, "Error: articles/typo-key.md:5: unknown front matter key 'tittle': did you mean 'title'?", command="publish"),
    Case(
        "article-duplicate-slug",
        with_duplicate_slug,
        ("review",),
        1,
        f"Error: {SAMPLE}: slug '{SAMPLE_SLUG}' is also used by articles/copy-of-sample.md",
    ),
    # translate reads only the front matter of each file first, and refuses before loading a model.
    Case(
        "article-duplicate-slug-translate",
        with_duplicate_slug,
        ("translate",),
        1,
        f"Error: {SAMPLE}: slug '{SAMPLE_SLUG}' is also used by articles/copy-of-sample.md",
        models=True,
    ),
    Case("article-is-a-directory", lambda root: None, ("segment", "articles"), 1, "Error: articles: is a directory, not an article file"),
    # Valid but unusual articles: accepted, segmented exactly like the plain text, nothing written.
    Case("article-bom-accepted", with_bom, ("segment", "articles/bom.md", "--json"), 0, None, same_segments_as_sample),
    Case("article-crlf-accepted", with_crlf, ("segment", "articles/crlf.md", "--json"), 0, None, same_segments_as_sample),
    Case("article-huge-5mb", with_huge, ("segment", "articles/huge.md", "--json"), 0, None, segments_the_huge_article),
    # Config.
    config_case("unknown-locale", re.compile(r"Error: workflow\.toml:3: unknown locale 'kz'; did you mean [^?]*\bkk\b[^?]*\? " + re.escape(LOCALE_HELP))),
    config_case("locale-escape", f"Error: workflow.toml:3: unknown locale '../../etc' {LOCALE_HELP}"),
    config_case("duplicate-locale", "Error: workflow.toml:2: target_locales lists a locale twice"),
    config_case("not-toml", "Error: workflow.toml: not valid TOML: Unclosed array (at end of document)"),
    config_case("unknown-table", "Error: workflow.toml:5: unknown table [publish] (known: memory, paths, site, translate, workflow)"),
    config_case("path-escape", "Error: workflow.toml:6: paths.public must stay inside the project"),
    config_case("zero-beam", "Error: workflow.toml:5: translate.beam_size must be a positive whole number"),
    config_case("latin1", "Error: workflow.toml:1: not UTF-8 text (byte 0xe9); save workflow.toml as UTF-8"),
    Case("config-missing", lambda root: (root / "workflow.toml").unlink(), ("review",), 1,
         "Error: .: no workflow.toml here: run `workflow init` to start a project, or pass --project DIR"),
    Case("cli-locale-escape", lambda root: None, ("review", "--locale", "../../etc"), 1, f"Error: unknown locale '../../etc' {LOCALE_HELP}"),
    Case(
        "cli-locale-not-a-target",
        lambda root: None,
        ("publish", "--locale", "fr"),
        1,
        "Error: workflow.toml: locale 'fr' is not a target of this project (targets: kk, ru)",
    ),
    # Slugs on the command line name files: anything but lowercase-words-with-hyphens is refused.
    *(
        Case(
            f"slug-{command}-{i}",
            lambda root: None,
            (command, slug),
            1,
            f"Error: invalid slug {slug!r}: use lowercase letters, digits and single hyphens (e.g. kazakh-migrant-deported)",
        )
        for command in ("review", "publish")
        for i, slug in enumerate(("../../etc/passwd", "/tmp/x", "Kazakh Migrant"))
    ),
    Case(
        "slug-unknown",
        lambda root: None,
        ("publish", "no-such-article"),
        1,
        f"Error: articles: no article with slug 'no-such-article' (articles: {SAMPLE_SLUG})",
    ),
    # PO catalogs, as a translator's editor (or a bad merge) might leave them.
    Case(
        "po-syntax-error",
        po_edit(lambda t: t.replace("#. kind: title\n", "#. kind: title\nthis line is not PO\n", 1)),
        ("review",),
        1,
        lambda root: f"Error: {PO_RU}:{line_of(root, PO_RU, 'this line is not PO')}: PO syntax error: unknown keyword 'this'; fix the file in a PO editor or restore it",
    ),
    Case(
        "po-unterminated-string",
        po_edit(lambda t: t.replace('msgstr ""\n"ru: Kazakh migrant', 'msgstr "ru: unterminated\n"ru: Kazakh migrant', 1)),
        ("publish",),
        1,
        lambda root: f"Error: {PO_RU}:{line_of(root, PO_RU, 'ru: unterminated')}: PO syntax error: text must be in double quotes; fix the file in a PO editor or restore it",
    ),
    Case(
        "po-wrong-charset",
        po_edit(lambda t: t.replace("charset=UTF-8", "charset=ISO-8859-5")),
        ("review",),
        1,
        lambda root: f"Error: {PO_RU}:{line_of(root, PO_RU, 'Content-Type:')}: charset is ISO-8859-5, not UTF-8; set 'Content-Type: text/plain; charset=UTF-8' and save as UTF-8",
    ),
    Case(
        "po-not-utf8",
        po_edit(lambda t: t.replace("machine translation, not yet reviewed", "André").encode("latin-1", "replace")),
        ("review",),
        1,
        lambda root: f"Error: {PO_RU}:{line_of(root, PO_RU, 'Last-Translator')}: not UTF-8 text (byte 0xe9); catalogs must be saved as UTF-8",
    ),
    Case(
        "po-duplicate-entry",
        po_edit(lambda t: t + "\n" + first_entry(t) + "\n"),
        ("publish",),
        1,
        lambda root: (
            f"Error: {PO_RU}:{line_of(root, PO_RU, '# machine', last=True)}: duplicate entry for msgid "
            f"'Kazakh migrant says Russian police tortured him f…' (first at line {line_of(root, PO_RU, '# machine')}); keep only one"
        ),
    ),
    Case(
        "po-stale-entry",
        po_edit(lambda t: t.replace('"Ukraine"\nmsgstr', '"Ukraine!"\nmsgstr', 1)),
        ("review",),
        1,
        lambda root: (
            f"Error: {PO_RU}:{line_of(root, PO_RU, '# machine')}: msgid 'Kazakh migrant says Russian police tortured him f…' "
            f"matches no sentence of {SAMPLE}; stale catalog: run `workflow translate {SAMPLE_SLUG}` to merge the article's current text"
        ),
    ),
    # An accepted translation that dropped a link target and inline code is not published: gate refuses, exit 1.
    Case("po-placeholders-removed", with_dropped_link, ("publish", "court-hears-case", "--locale", "ru"), 1, None, lists_the_dropped_parts),
    # A run that meets a bad catalog or article leaves it as it is and reports it; the others proceed.
    Case(
        "po-syntax-error-translate",
        po_edit(lambda t: t.replace("#. kind: title\n", "#. kind: title\nthis line is not PO\n", 1)),
        ("translate", "--quiet"),
        1,
        lambda root: f"Error: {PO_RU}:{line_of(root, PO_RU, 'this line is not PO')}: PO syntax error: unknown keyword 'this'; fix the file in a PO editor or restore it",
        models=True,
        proceeds=sample_catalogs("kk", template=False),
    ),
    Case(
        "article-typo-key-translate",
        with_bad_article_after_the_sample,
        ("translate", "--quiet"),
        1,
        "Error: articles/zz-typo-key.md:5: unknown front matter key 'tittle': did you mean 'title'?",
        models=True,
        proceeds=sample_catalogs("kk", "ru"),
    ),
    Case(
        "slug-translate",
        lambda root: None,
        ("translate", "../../etc/passwd"),
        1,
        "Error: invalid slug '../../etc/passwd': use lowercase letters, digits and single hyphens (e.g. kazakh-migrant-deported)",
        models=True,
    ),
    Case(
        "model-missing",
        lambda root: (root / "models").mkdir(),
        ("translate", "--models-dir", "models"),
        2,
        "Error: no en→kk model installed; install one with: workflow models install PATH.argosmodel (see README 'Getting a Kazakh model')",
    ),
    # Glossary CSV, as a spreadsheet might save it.
    Case(
        "glossary-missing-columns",
        glossary_file("english,kk,ru,kind\nAlmaty,Алматы,Алматы,place\n"),
        ("glossary", "list"),
        1,
        f"Error: {GLOSSARY}:1: missing columns gender, note, variants, avoid_kk, avoid_ru (the header must name: {HEADER.strip().replace(',', ', ')})",
    ),
    Case(
        "glossary-duplicate-term",
        glossary_file(HEADER + ALMATY + ASTANA + ALMATY.replace("Almaty", "ALMATY", 1)),
        ("glossary", "list"),
        1,
        f"Error: {GLOSSARY}:4: duplicate term 'ALMATY' (also on line 2)",
    ),
    Case(
        "glossary-empty-form",
        glossary_file(HEADER + ALMATY + "Astana,Астана,,place,,,,,\n"),
        ("glossary", "list"),
        1,
        f"Error: {GLOSSARY}:3: empty ru form for 'Astana'",
    ),
    Case(
        "glossary-extra-cells",
        glossary_file(HEADER + ALMATY.replace("\n", ",,\n")),
        ("glossary", "list"),
        1,
        f"Error: {GLOSSARY}:2: 11 cells but the header has 9 columns",
    ),
    Case(
        "glossary-not-utf8",
        glossary_file((HEADER + "Almaty,Алматы,Алматы,place,,Caf\u00e9 district,,,\n").encode("cp1251", "replace")),
        ("glossary", "list"),
        1,
        f"Error: {GLOSSARY}:2: not UTF-8 text (byte 0xc0); save the glossary as UTF-8 CSV",
    ),
    # An unclosed quote must not swallow the terms after it into a note.
    Case(
        "glossary-unclosed-quote",
        glossary_file(HEADER + 'Almaty,Алматы,Алматы,place,,"Largest city,,,\n' + ASTANA),
        ("glossary", "list", "--json"),
        1,
        re.compile(rf"Error: {re.escape(GLOSSARY)}:[23]: .*"),
    ),
    Case("glossary-formula-export", glossary_file(FORMULAS), ("glossary", "export", "--format", "csv"), 0, None, export_is_inert),
    # Commands that use the glossary refuse a broken one before they write anything.
    *(
        Case(
            f"glossary-duplicate-term-{args[0]}",
            glossary_file(HEADER + ALMATY + ALMATY),
            args,
            1,
            f"Error: {GLOSSARY}:3: duplicate term 'Almaty' (also on line 2)",
            models=args[0] == "translate",
        )
        for args in (("translate", "--quiet"), ("publish",))
    ),
    # Model packages: everything is checked before a byte is extracted; nothing is left half-installed.
    Case("model-not-a-zip", package("text", corrupt=lambda d: b"hello\n"), install("text"), 1,
         install_error("text", "not a model package: not a zip archive; nothing installed"), nothing_installed),
    Case("model-truncated-zip", package("truncated", corrupt=lambda d: d[: len(d) // 2]), install("truncated"), 1,
         install_error("truncated", "not a model package: not a zip archive; nothing installed"), nothing_installed),
    Case("model-bad-checksum", package("crc", corrupt=flip_model_byte), install("crc"), 1,
         install_error("crc", "corrupt archive: member 'pkg/model/model.bin' fails its checksum; nothing installed"), nothing_installed),
    Case("model-zip-slip", package("slip", PACKAGE + (("pkg/../../evil.txt", b"x"),)), install("slip"), 1,
         install_error("slip", "unsafe member path 'pkg/../../evil.txt' would escape the packages directory; nothing installed"), nothing_installed),
    Case("model-absolute-member", package("absolute", PACKAGE + (("/tmp/evil.txt", b"x"),)), install("absolute"), 1,
         install_error("absolute", "unsafe member path '/tmp/evil.txt' would escape the packages directory; nothing installed"), nothing_installed),
    Case("model-symlink-member", package("symlink", PACKAGE + ((symlink_member(), "/etc/passwd"),)), install("symlink"), 1,
         install_error("symlink", "member 'pkg/passwd' is a symbolic link; nothing installed"), nothing_installed),
    Case("model-missing-metadata", package("nometa", PACKAGE[1:]), install("nometa"), 1,
         install_error("nometa", "not a model package: no pkg/metadata.json; nothing installed"), nothing_installed),
    Case("model-metadata-not-json", package("badmeta", (("pkg/metadata.json", "{not json"), *PACKAGE[1:])), install("badmeta"), 1,
         install_error("badmeta", "pkg/metadata.json is not valid JSON; nothing installed"), nothing_installed),
    Case("model-does-not-load", package("junk"), install("junk"), 1,
         re.compile(re.escape(install_error("junk", "CTranslate2 cannot load the model (")) + r".+\); nothing installed"), nothing_installed),
]


def test_the_matrix_covers_at_least_25_cases():
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_is_refused_with_one_line_and_the_project_is_untouched(project_dir: Path, case: Case, request):
    if case.models:
        request.getfixturevalue("installed_models")
    case.setup(project_dir)
    before = snapshot(project_dir)
    started = time.perf_counter()
    result = cli(project_dir, *case.argv)
    elapsed = time.perf_counter() - started
    if case.stderr is None:
        assert result.stderr == ""
    else:
        expected = case.stderr(project_dir) if callable(case.stderr) else case.stderr
        if isinstance(expected, re.Pattern):
            assert expected.fullmatch(result.stderr.rstrip("\n")), result.stderr
            assert result.stderr.count("\n") == 1
        else:
            assert result.stderr == expected + "\n"
    assert result.returncode == case.code, result.stderr
    after = snapshot(project_dir)
    assert {k for k in before.keys() | after.keys() if before.get(k, b"") != after.get(k, b"")} == case.proceeds
    assert {k: v for k, v in after.items() if k not in case.proceeds} == {k: v for k, v in before.items() if k not in case.proceeds}
    if case.check is not None:
        case.check(project_dir, result)
    assert elapsed < HUGE_SECONDS
