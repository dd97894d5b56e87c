"""Articles: Markdown with YAML front matter, cut into sentence segments with stable ids.

An article's body is kept as its exact text plus the offsets of its segments; everything between
segments (markers, blank lines, spacing) is the skeleton, so `reassemble` rebuilds the file byte for byte.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml

from workflow import document
from workflow.sentences import join_lines, protected, sentence_spans, sentences, trimmed
from workflow.errors import InputError, StorageError
from workflow.project import Project, check_slug
from workflow.storage import decode_utf8, read_file

FRONT_MATTER_KEYS = {"title", "date", "slug", "summary", "authors"}
# Keys Hugo and Jekyll sites use: kept, and never mistaken for a typo of one of ours ("author" is not "authors").
SITE_KEYS = frozenset(
    """author tags tag categories category image images draft description layout lang weight aliases lastmod
    keywords series toc url type permalink published featured_image thumbnail subtitle""".split()
)
REQUIRED_KEYS = ("title", "date", "slug")

# Block kinds, in the words translators see in PO comments.
TITLE, SUMMARY, ATTRIBUTION = "title", "summary", "attribution"
HEADING, PARAGRAPH, BLOCKQUOTE, LIST_ITEM, HTML_TEXT = (
    document.HEADING,
    document.PARAGRAPH,
    document.BLOCKQUOTE,
    document.LIST_ITEM,
    document.HTML_TEXT,  # a text run or alt/title value inside an HTML block (figure captions and the like)
)
# An inline HTML tag's alt/title value inside a sentence; a reference definition's title (`[r]: url "title"`).
ATTRIBUTE, LINK_TITLE = document.ATTRIBUTE, document.LINK_TITLE


@dataclass(frozen=True)
class Segment:
    """One sentence (or heading, title, attribution) to translate."""

    id: str  # stable: derived from the text, plus an occurrence number for repeats
    article: str  # slug
    kind: str
    block: int  # index of the block in the article; title and summary are block 0
    index: int  # sentence index within the block
    line: int  # 1-based line in the article file where the segment starts
    text: str  # what translators see: the raw text with line breaks folded to spaces
    start: int | None = None  # offsets of the raw text in the article; None for front-matter values
    end: int | None = None
    protected: tuple[str, ...] = ()  # link targets and inline code: copied, never translated


@dataclass(frozen=True)
class Article:
    """A parsed article: metadata, exact source text and its segments."""

    path: Path
    slug: str
    title: str
    date: dt.date
    summary: str | None
    authors: tuple[str, ...]
    source: str  # the whole file, decoded
    body_start: int  # offset of the body in `source`
    segments: tuple[Segment, ...] = field(repr=False)
    extra: tuple[tuple[str, object], ...] = ()  # front-matter keys the workflow does not use, in file order
    tree: document.Tree | None = field(default=None, repr=False, compare=False)  # the body's one parse

    @property
    def body_segments(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.start is not None)


# --- loading -----------------------------------------------------------------------------------


def read_article(path: Path, project: Project | None = None) -> Article:
    """Load and segment the article at `path`; raise InputError naming file and line on bad input."""
    return parse_article(_read_text(path, project), Path(path))


def read_slug(path: Path, project: Project | None = None) -> str:
    """The slug in the front matter of the article at `path`, without segmenting its body."""
    path = Path(path)
    source = _read_text(path, project)
    lines = _physical_lines(source[1:] if source.startswith("\ufeff") else source)
    meta, end_line = _front_matter(lines, path)
    return _check_meta(meta, lines, end_line, path)["slug"]


def _read_text(path: Path, project: Project | None) -> str:
    try:
        data = read_file(Path(path), root=project.root if project else None)
    except FileNotFoundError:
        raise InputError("no such article file", path) from None
    except StorageError as exc:
        if exc.message == "is a directory, not a file":
            raise InputError("is a directory, not an article file", path) from None
        raise
    if b"\x00" in data:
        raise InputError("binary file (NUL bytes), not a Markdown article", path, data[: data.index(b"\x00")].count(b"\n") + 1)
    return decode_utf8(data, path, "save the article as UTF-8")


def _physical_lines(text: str) -> list[str]:
    # Only "\n" ends a line, as in editors and `line` numbers; str.splitlines would also break at
    # U+2028, form feeds and the like, which may sit inside a sentence.
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _key_line(lines: list[str], end_line: int, key: str) -> int:
    return next((i + 1 for i in range(1, end_line) if lines[i].startswith(f"{key}:")), 2)


_MAX_DEPTH = 8  # authors: [[...]] 600 deep would exhaust PyYAML's recursive composer


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (exponential "billion laughs"), deep nesting and duplicate keys."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        anchor = event.anchor if isinstance(event, (yaml.AliasEvent, yaml.NodeEvent)) else None
        if anchor is not None:
            prefix = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise _FrontMatterProblem(
                f"YAML anchors and aliases ({prefix}{anchor}) are not allowed in front matter; write the value out", event.start_mark
            )
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > _MAX_DEPTH:
                raise _FrontMatterProblem(f"front matter is nested more than {_MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise _FrontMatterProblem(f"duplicate front matter key {key!r} (first on line {seen[key] + 2})", key_node.start_mark)
            seen.setdefault(key, line) if isinstance(key, (str, int, float, bool)) else None
        return super().construct_mapping(node, deep)


class _FrontMatterProblem(Exception):
    def __init__(self, message: str, mark) -> None:  # type: ignore[no-untyped-def]
        super().__init__(message)
        self.line = mark.line + 2  # the YAML starts on the file's second line


def _front_matter(lines: list[str], path: Path) -> tuple[dict, int]:
    """The front matter mapping and the index of its closing line."""
    if not lines or lines[0].rstrip() != "---":
        raise InputError("missing front matter: the file must start with a '---' line, then title, date and slug", path, 1)
    end_line = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end_line is None:
        raise InputError("front matter is not closed: add a '---' line after it", path, 1)
    meta_text = "".join(lines[1:end_line])
    try:
        meta = yaml.load(meta_text, Loader=_FrontMatterLoader) if meta_text.strip() else None  # noqa: S506 (a SafeLoader)
    except _FrontMatterProblem as exc:
        raise InputError(str(exc), path, exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InputError(f"front matter is not valid YAML: {problem}", path, line) from None
    except ValueError as exc:
        # YAML reads 2026-13-45 as a date and the calendar refuses it; that is the only ValueError safe_load raises.
        line = next((i + 1 for i in range(1, end_line) if re.match(r"\s*\S+:\s*\d{4}-\d\d?-\d\d?\b", lines[i])), 2)
        raise InputError(f"not a real date: {exc}; use YYYY-MM-DD", path, line) from None
    if not isinstance(meta, dict):
        raise InputError("front matter must be key: value lines (title, date, slug)", path, 2)
    return meta, end_line


def _check_date(value: object, path: Path, line: int) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise InputError(f"date {value!r} is not YYYY-MM-DD", path, line) from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise InputError("date must be YYYY-MM-DD", path, line)
    return value


def _check_meta(meta: dict, lines: list[str], end_line: int, path: Path) -> dict:
    """Validated metadata: title, date, slug, summary, authors."""

    def line_of(key: str) -> int:
        return _key_line(lines, end_line, key)

    for key in meta:
        if not isinstance(key, str):
            raise InputError(f"front matter key {key!r} is not a name", path, 2)
        typo = difflib.get_close_matches(key, sorted(FRONT_MATTER_KEYS), n=1, cutoff=0.8)
        if key not in FRONT_MATTER_KEYS and key not in SITE_KEYS and typo:
            raise InputError(f"unknown front matter key {key!r}: did you mean {typo[0]!r}?", path, line_of(key))
    for key in REQUIRED_KEYS:
        if meta.get(key) in (None, ""):
            raise InputError(f"front matter lacks {key!r}", path, line_of(key))
    title = meta["title"]
    if not isinstance(title, str) or not title.strip():
        raise InputError("title must be text", path, line_of("title"))
    summary = meta.get("summary")
    if summary is not None and (not isinstance(summary, str) or not summary.strip()):
        raise InputError("summary must be text", path, line_of("summary"))
    authors = meta.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise InputError("authors must be a list of names", path, line_of("authors"))
    return {
        "title": " ".join(title.split()),
        "slug": check_slug(str(meta["slug"]), path, line_of("slug")),
        "date": _check_date(meta["date"], path, line_of("date")),
        "summary": " ".join(summary.split()) if summary else None,
        "authors": tuple(authors),
        # Site keys (tags, image, draft, ...) go to the templates as they are.
        "extra": tuple((k, v) for k, v in meta.items() if k not in FRONT_MATTER_KEYS),
    }


def parse_article(source: str, path: Path) -> Article:
    """Parse front matter and body of an article's text."""
    # A BOM is skeleton: kept for the round trip, invisible to the parser.
    offset = 1 if source.startswith("\ufeff") else 0
    lines = _physical_lines(source[offset:])
    meta, end_line = _front_matter(lines, path)
    info = _check_meta(meta, lines, end_line, path)
    slug = info["slug"]
    body_start = offset + sum(len(line) for line in lines[: end_line + 1])
    body_line = end_line + 2
    body_segments, tree = _segment_body(source, body_start, body_line, slug, path)
    if not body_segments:
        raise InputError("the article has no body text after its front matter", path, body_line)
    title = info["title"]
    head = [Segment("", slug, TITLE, 0, 0, _key_line(lines, end_line, "title"), title, protected=protected(title))]
    if info["summary"]:
        line = _key_line(lines, end_line, "summary")
        head += [
            Segment("", slug, SUMMARY, 0, i, line, text, protected=protected(text))
            for i, text in enumerate(sentences(info["summary"]))
        ]
    segments = _assign_ids(head + body_segments)
    return Article(path=Path(path), source=source, body_start=body_start, segments=segments, tree=tree, **info)


def find_articles(project: Project) -> list[Path]:
    """The article files of a project, in name order."""
    if not project.articles_dir.is_dir():
        return []
    # Anything but a folder: a FIFO or a link out of the project named like an article is refused when read.
    return sorted(p for p in project.articles_dir.iterdir() if p.suffix == ".md" and not p.is_dir())


T = TypeVar("T")


def pick_by_slug(
    project: Project, found: list[tuple[str, Path, T]], slugs: list[str] | None = None
) -> tuple[list[T], list[InputError]]:
    """The items of `found` ((slug, file, item), file order) to work on, and an error for each file left out.

    Two files with one slug would fight over one catalog and one edition, so neither is picked. With
    `slugs`, only the named ones are picked, in the order named; a name no file has is an error.
    """
    first: dict[str, Path] = {}
    clashes: set[str] = set()
    errors: list[InputError] = []
    for slug, path, _ in found:
        if slug in first:
            clashes.add(slug)
            errors.append(InputError(f"slug {slug!r} is also used by {project.relative(first[slug])}", path))
        else:
            first[slug] = path
    unique = {slug: item for slug, _, item in found if slug not in clashes}
    if not slugs:
        return list(unique.values()), errors
    chosen: list[T] = []
    for slug in dict.fromkeys(check_slug(s) for s in slugs):
        if slug in unique:
            chosen.append(unique[slug])
        elif slug not in first:
            known = ", ".join(sorted(unique)) or "none"
            errors.append(InputError(f"no article with slug {slug!r} (articles: {known})", project.articles_dir))
    return chosen, errors


def load_articles(project: Project, slugs: list[str] | None = None) -> list[Article]:
    """Load the project's articles, or only those with the given slugs (each must exist)."""
    for slug in slugs or ():
        check_slug(slug)  # a bad argument is refused before anything is read
    articles = [read_article(p, project) for p in find_articles(project)]
    chosen, errors = pick_by_slug(project, [(a.slug, a.path, a) for a in articles], slugs)
    if errors:
        raise errors[0]
    return chosen


def scan_articles(project: Project, slugs: list[str] | None = None) -> tuple[list[Article], list[InputError]]:
    """Like load_articles, but a bad article is returned as an error and the good ones still load.

    Two files with one slug are both left out (either could be meant); a named slug no file has is an error.
    With slugs named, the other files are only asked for their slug, as `translate` does.
    """
    wanted = {check_slug(s) for s in slugs} if slugs else None
    found: list[tuple[str, Path, Article | None]] = []
    errors: list[InputError] = []
    for path in find_articles(project):
        try:
            slug = read_slug(path, project) if wanted is not None else None
            article = read_article(path, project) if wanted is None or slug in wanted else None
            found.append((article.slug if article else slug, path, article))
        except InputError as exc:
            errors.append(exc)
    chosen, more = pick_by_slug(project, found, slugs)
    return [a for a in chosen if a is not None], errors + more


# --- blocks ------------------------------------------------------------------------------------
# The body's blocks come from the one document tree (document.py); this module only cuts its prose.

_ATTRIBUTION = re.compile(r"^ {0,3}(?:–|—|--)[ \t]*(?=\S)")
# A hard line break (CommonMark): a backslash, or two or more spaces, before a line end. It ends a
# segment and stays skeleton, so the break is kept in both editions.
_HARD_BREAK = re.compile(r"(?<!\\)(?:\\\\)*(\\| {2,})\n")


def _prose_spans(prose: document.Prose) -> list[tuple[str, int, int]]:
    """(kind, start, end) of each segment in a prose run's content."""
    content = prose.content
    if prose.kind in (HEADING, ATTRIBUTE, LINK_TITLE):
        return [(prose.kind, a, b) for a, b in trimmed(content, [0, len(content)])]
    # Pieces are cut at hard breaks and around attribution lines ("– Name" under a quotation).
    cuts = [(m.start(1), m.end()) for m in _HARD_BREAK.finditer(content)]
    attributions = []
    if prose.kind in (PARAGRAPH, BLOCKQUOTE):
        line_start = 0
        while line_start < len(content):
            line_end = content.find("\n", line_start)
            line_end = len(content) if line_end < 0 else line_end
            # A quotation's next line may be its attribution (a lazy line in CommonMark); a paragraph's only first.
            if (line_start == 0 or prose.kind == BLOCKQUOTE) and (m := _ATTRIBUTION.match(content[line_start:line_end])):
                attributions.append((line_start, line_start + m.end(), line_end))
                cuts += [(line_start, line_start), (line_end, line_end)]
            line_start = line_end + 1
    out: list[tuple[str, int, int]] = []
    bounds = [(0, 0), *sorted(cuts), (len(content), len(content))]
    starts = {a: (marker, end) for a, marker, end in attributions}
    for (_, a), (b, _) in zip(bounds, bounds[1:]):
        if a >= b:
            continue
        line_start = a + len(content[a:b]) - len(content[a:b].lstrip("\n"))
        if line_start in starts and starts[line_start][1] == b:
            out += [(ATTRIBUTION, x, y) for x, y in trimmed(content, [starts[line_start][0], b])]
        else:
            out += [(prose.kind, a + x, a + y) for x, y in sentence_spans(content[a:b])]
    return out


def _segment_body(source: str, body_start: int, body_line: int, slug: str, path: Path) -> tuple[list[Segment], document.Tree]:
    try:
        tree = document.parse(source, body_start)
    except document.DocumentError as exc:
        raise InputError(str(exc), path, body_line + exc.line) from None
    segments: list[Segment] = []
    # An attribute value or definition title counts as part of the block before it (its tag's own, for a tag).
    runs = [(n, p) for n, p in enumerate(tree.prose, start=1)]
    runs += [(bisect.bisect_right(tree.starts, p.start), p) for p in tree.inner]
    for block_index, prose in sorted(runs, key=lambda r: r[1].start):
        content = prose.content
        # Text without a letter ("1,200", "3.5%", "***") has nothing to translate: it stays skeleton.
        spans = [(k, a, b) for k, a, b in _prose_spans(prose) if any(c.isalpha() for c in content[a:b])]
        newlines, counted = 0, 0  # counted as we go: a megabyte paragraph must stay linear
        for index, (kind, a, b) in enumerate(spans):
            text = join_lines(content[a:b])
            newlines += content.count("\n", counted, a)
            counted = a
            line = body_line + prose.line + newlines
            start, end = prose.offset(a), prose.offset(b - 1) + 1
            segments.append(Segment("", slug, kind, block_index, index, line, text, start, end, () if prose.html or prose.kind == LINK_TITLE else protected(text)))
    return segments, tree


# --- identity and reassembly --------------------------------------------------------------------


def text_id(text: str) -> str:
    """A short stable id for a sentence's text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _assign_ids(segments: list[Segment]) -> tuple[Segment, ...]:
    # The id depends only on the text and how many identical texts came before it, so editing or
    # inserting elsewhere never changes it; the title is special so it is found even if retitled.
    # Attribute values and definition titles (segmented since catalogs were first written) are counted
    # after all other text, so a repeat of a sentence's text among them never renumbers that sentence.
    seen: dict[str, int] = {}
    ids: dict[int, str] = {}
    later = (ATTRIBUTE, LINK_TITLE)
    for n, seg in sorted(enumerate(segments), key=lambda s: s[1].kind in later):
        base = seg.kind if seg.kind == TITLE else text_id(seg.text)
        seen[base] = seen.get(base, 0) + 1
        ids[n] = base if seen[base] == 1 else f"{base}-{seen[base]}"
    return tuple(dataclasses.replace(seg, id=ids[n]) for n, seg in enumerate(segments))


def reassemble(article: Article, replacements: dict[str, str] | None = None) -> str:
    """The article text with each body segment's raw text replaced by `replacements[id]` (if given).

    With no replacements this is the original file, byte for byte.
    """
    replacements = replacements or {}
    out = [article.source[: article.body_start]]
    pos = article.body_start
    for seg in article.body_segments:
        if seg.start < pos:
            continue  # an inline tag's alt/title: its sentence's replacement shows it inside the tag
        out.append(article.source[pos : seg.start])
        out.append(replacements.get(seg.id, article.source[seg.start : seg.end]))
        pos = seg.end
    out.append(article.source[pos:])
    return "".join(out)


def body_skeleton(article: Article, replacements: dict[str, str]) -> str:
    """The body alone (no front matter) with every segment replaced: the skeleton of a translated edition."""
    return reassemble(article, replacements)[article.body_start :]
