"""Articles: Markdown with YAML front matter, cut into sentence segments with stable ids.

An article's body is kept as its exact text plus the offsets of its segments; everything between
segments (markers, blank lines, spacing) is the skeleton, so `reassemble` rebuilds the file byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pysbd
import yaml

from workflow.errors import InputError
from workflow.project import Project, check_slug

FRONT_MATTER_KEYS = {"title", "date", "slug", "summary", "authors"}
REQUIRED_KEYS = ("title", "date", "slug")

# Block kinds, in the words translators see in PO comments.
TITLE, SUMMARY, HEADING, PARAGRAPH, BLOCKQUOTE, LIST_ITEM, ATTRIBUTION = (
    "title",
    "summary",
    "heading",
    "paragraph",
    "blockquote",
    "list_item",
    "attribution",
)


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

    @property
    def body_segments(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.start is not None)


# --- loading -----------------------------------------------------------------------------------

_FENCE = re.compile(r"^(```|~~~)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+")
_QUOTE = re.compile(r"^ {0,3}> ?")
_LIST = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+")
_ATTRIBUTION = re.compile(r"^ {0,3}(?:–|—|--)[ \t]*(?=\S)")
_RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_HTML = re.compile(r"^ {0,3}<")


def read_article(path: Path, project: Project | None = None) -> Article:
    """Load and segment the article at `path`; raise InputError naming file and line on bad input."""
    shown = project.relative(path) if project else str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such article file", shown) from None
    except IsADirectoryError:
        raise InputError("is a directory, not an article file", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", shown) from None
    if b"\x00" in data:
        raise InputError("binary file (NUL bytes), not a Markdown article", shown)
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the article as UTF-8", shown, line) from None
    return parse_article(source, Path(path), shown)


def parse_article(source: str, path: Path, shown: str | None = None) -> Article:
    """Parse front matter and body of an article's text."""
    shown = shown or str(path)
    # A BOM is skeleton: kept for the round trip, invisible to the parser.
    offset = 1 if source.startswith("\ufeff") else 0
    lines = source[offset:].splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise InputError("missing front matter: the file must start with a '---' line, then title, date and slug", shown, 1)
    end_line = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") in ("---", "...")), None)
    if end_line is None:
        raise InputError("front matter is not closed: add a '---' line after it", shown, 1)
    meta_text = "".join(lines[1:end_line])
    try:
        meta = yaml.safe_load(meta_text) if meta_text.strip() else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InputError(f"front matter is not valid YAML: {problem}", shown, line) from None
    if not isinstance(meta, dict):
        raise InputError("front matter must be key: value lines (title, date, slug)", shown, 2)

    def key_line(key: str) -> int:
        for i in range(1, end_line):
            if lines[i].startswith(f"{key}:"):
                return i + 1
        return 2

    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            raise InputError(
                f"unknown front matter key {key!r} (allowed: {', '.join(sorted(FRONT_MATTER_KEYS))})", shown, key_line(str(key))
            )
    for key in REQUIRED_KEYS:
        if meta.get(key) in (None, ""):
            raise InputError(f"front matter lacks {key!r}", shown, 2)
    title = meta["title"]
    if not isinstance(title, str) or not title.strip():
        raise InputError("title must be text", shown, key_line("title"))
    slug = check_slug(str(meta["slug"]), shown, key_line("slug"))
    date = meta["date"]
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise InputError(f"date {date!r} is not YYYY-MM-DD", shown, key_line("date")) from None
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        raise InputError("date must be YYYY-MM-DD", shown, key_line("date"))
    summary = meta.get("summary")
    if summary is not None and (not isinstance(summary, str) or not summary.strip()):
        raise InputError("summary must be text", shown, key_line("summary"))
    authors = meta.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise InputError("authors must be a list of names", shown, key_line("authors"))

    body_start = offset + sum(len(line) for line in lines[: end_line + 1])
    body_line = end_line + 2
    body_segments = _segment_body(source, body_start, body_line, slug)
    if not body_segments:
        raise InputError("the article has no body text after its front matter", shown, body_line)
    head: list[Segment] = []
    for text, kind, line in ((title, TITLE, key_line("title")), (summary, SUMMARY, key_line("summary"))):
        if text:
            for i, sentence in enumerate([title.strip()] if kind == TITLE else _sentences(" ".join(text.split()))):
                stripped, protected = _protected_spans(sentence)
                head.append(Segment("", slug, kind, 0, i, line, sentence, protected=protected))
    return Article(
        path=Path(path),
        slug=slug,
        title=title.strip(),
        date=date,
        summary=" ".join(summary.split()) if summary else None,
        authors=tuple(authors),
        source=source,
        body_start=body_start,
        segments=_assign_ids(head + body_segments),
    )


def find_articles(project: Project) -> list[Path]:
    """The article files of a project, in name order."""
    if not project.articles_dir.is_dir():
        return []
    return sorted(p for p in project.articles_dir.iterdir() if p.suffix == ".md" and p.is_file())


def load_articles(project: Project, slugs: list[str] | None = None) -> list[Article]:
    """Load the project's articles, or only those with the given slugs (each must exist)."""
    articles = [read_article(p, project) for p in find_articles(project)]
    seen: dict[str, Article] = {}
    for article in articles:
        if article.slug in seen:
            raise InputError(
                f"slug {article.slug!r} is also used by {project.relative(seen[article.slug].path)}",
                project.relative(article.path),
            )
        seen[article.slug] = article
    if not slugs:
        return articles
    for slug in slugs:
        check_slug(slug)
        if slug not in seen:
            known = ", ".join(seen) or "none"
            raise InputError(f"no article with slug {slug!r} (articles: {known})", project.relative(project.articles_dir))
    return [seen[s] for s in dict.fromkeys(slugs)]


# --- blocks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    start: int  # offset of the line in the source
    text: str  # without line ending
    number: int


def _split_lines(source: str, start: int, first_number: int) -> list[_Line]:
    out = []
    pos = start
    number = first_number
    for raw in source[start:].splitlines(keepends=True):
        out.append(_Line(pos, raw.rstrip("\r\n"), number))
        pos += len(raw)
        number += 1
    return out


def _blocks(lines: list[_Line]) -> list[tuple[str, list[tuple[_Line, int]]]]:
    """Group lines into blocks: (kind, [(line, prefix length)]). Kind None blocks are skeleton."""
    blocks: list[tuple[str, list[tuple[_Line, int]]]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text
        if not text.strip():
            i += 1
            continue
        if _FENCE.match(text.lstrip()):
            fence = _FENCE.match(text.lstrip()).group(1)
            j = i + 1
            while j < len(lines) and not lines[j].text.lstrip().startswith(fence):
                j += 1
            i = min(j + 1, len(lines))
            continue
        if _RULE.match(text) or _HTML.match(text):
            i += 1
            continue
        if m := _HEADING.match(text):
            blocks.append((HEADING, [(line, m.end())]))
            i += 1
            continue
        if _QUOTE.match(text):
            group = []
            while i < len(lines) and lines[i].text.strip() and _QUOTE.match(lines[i].text):
                group.append((lines[i], _QUOTE.match(lines[i].text).end()))
                i += 1
            blocks.append((BLOCKQUOTE, group))
            continue
        if m := _ATTRIBUTION.match(text):
            blocks.append((ATTRIBUTION, [(line, m.end())]))
            i += 1
            continue
        if m := _LIST.match(text):
            group = [(line, m.end())]
            i += 1
            # Continuation lines of an item are indented and are not new items.
            while i < len(lines) and lines[i].text.strip() and lines[i].text[:1] in " \t" and not _LIST.match(lines[i].text):
                indent = len(lines[i].text) - len(lines[i].text.lstrip())
                group.append((lines[i], indent))
                i += 1
            blocks.append((LIST_ITEM, group))
            continue
        group = []
        while i < len(lines) and lines[i].text.strip():
            t = lines[i].text
            if group and (_HEADING.match(t) or _QUOTE.match(t) or _LIST.match(t) or _FENCE.match(t.lstrip()) or _ATTRIBUTION.match(t)):
                break
            indent = len(t) - len(t.lstrip())
            group.append((lines[i], indent))
            i += 1
        blocks.append((PARAGRAPH, group))
    return blocks


def _segment_body(source: str, body_start: int, body_line: int, slug: str) -> list[Segment]:
    segments: list[Segment] = []
    for block_index, (kind, group) in enumerate(_blocks(_split_lines(source, body_start, body_line)), start=1):
        # Content is the block's text without line prefixes; `origin` maps each content char to the source.
        content_parts: list[str] = []
        origin: list[int] = []
        for n, (line, prefix) in enumerate(group):
            text = line.text[prefix:]
            if kind == HEADING:
                text = re.sub(r"[ \t]+#+[ \t]*$", "", text)
            if n:
                content_parts.append("\n")
                origin.append(line.start - 1)
            content_parts.append(text)
            origin.extend(range(line.start + prefix, line.start + prefix + len(text)))
        content = "".join(content_parts)
        spans = [(0, len(content.rstrip()))] if kind in (HEADING, ATTRIBUTION) else _sentence_spans(content)
        for index, (a, b) in enumerate(spans):
            while a < b and content[a].isspace():
                a += 1
            while b > a and content[b - 1].isspace():
                b -= 1
            if a == b:
                continue
            start, end = origin[a], origin[b - 1] + 1
            text = " ".join(content[a:b].split())
            line_number = source.count("\n", 0, start) + 1
            _, protected = _protected_spans(text)
            segments.append(Segment("", slug, kind, block_index, index, line_number, text, start, end, protected))
    return segments


# --- sentences ---------------------------------------------------------------------------------

_SEGMENTER = pysbd.Segmenter(language="en", clean=False, char_span=True)

# Words that end in a period without ending a sentence (checked case-insensitively, without the dot).
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen col lt sgt capt gov sen rep st jr sr inc ltd co corp vs etc no nos
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e a.m p.m approx dept est fig""".split()
)

# Inside a quotation pysbd keeps sentences together; a sentence end followed by a capital splits it.
_INNER_END = re.compile(r"(?<=[.!?…])([”’\"']?)(\s+)(?=[“‘\"'(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"(\S+)$")


def _sentence_spans(content: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for piece in _SEGMENTER.segment(content):
        spans.extend(_split_quotation(content, piece.start, piece.end))
    return _join_broken(content, spans)


def _sentences(text: str) -> list[str]:
    return [text[a:b].strip() for a, b in _sentence_spans(text) if text[a:b].strip()]


def _is_abbreviation(before: str) -> bool:
    m = _LAST_WORD.search(before)
    if not m:
        return False
    word = m.group(1).lstrip("“‘\"'(").rstrip(".").lower()
    # Initials such as "J." and multi-dot abbreviations such as "U.S." never end a sentence here.
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def _split_quotation(content: str, start: int, end: int) -> list[tuple[int, int]]:
    piece = content[start:end]
    if not any(q in piece for q in "“\"‘"):
        return [(start, end)]
    cuts = []
    for m in _INNER_END.finditer(piece):
        before = piece[: m.start()]
        if before.endswith("...") or before.endswith("…"):
            # An ellipsis mid-quotation usually trails off rather than ends the sentence.
            continue
        if _is_abbreviation(before):
            continue
        cuts.append(m.start(2))
    out, a = [], start
    for cut in cuts:
        out.append((a, start + cut))
        a = start + cut
    out.append((a, end))
    return out


def _join_broken(content: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Undo splits after abbreviations that pysbd makes before a lowercase word or a number."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out:
            prev_a, prev_b = out[-1]
            prev = content[prev_a:prev_b].rstrip()
            nxt = content[a:b].lstrip()
            if prev.endswith(".") and _is_abbreviation(prev) and nxt[:1].islower() or not prev.strip():
                out[-1] = (prev_a, b)
                continue
        out.append((a, b))
    return out


# --- inline Markdown ----------------------------------------------------------------------------

_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_LINK_TARGET = re.compile(r"(?<=\])\((?:[^()\s]|\([^()]*\))+(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>\s]+>")


def _protected_spans(text: str) -> tuple[str, tuple[str, ...]]:
    """The parts of a segment that are copied verbatim: inline code, link targets, autolinks."""
    found = []
    for pattern in (_INLINE_CODE, _LINK_TARGET, _AUTOLINK):
        found.extend((m.start(), m.group(0)) for m in pattern.finditer(text))
    found.sort()
    return text, tuple(part for _, part in found)


# --- identity and reassembly --------------------------------------------------------------------


def text_id(text: str) -> str:
    """A short stable id for a sentence's text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _assign_ids(segments: list[Segment]) -> tuple[Segment, ...]:
    # The id depends only on the text and how many identical texts came before it, so editing or
    # inserting elsewhere never changes it; the title is special so it is found even if retitled.
    seen: dict[str, int] = {}
    out = []
    for seg in segments:
        base = seg.kind if seg.kind == TITLE else text_id(seg.text)
        seen[base] = seen.get(base, 0) + 1
        sid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        out.append(Segment(sid, seg.article, seg.kind, seg.block, seg.index, seg.line, seg.text, seg.start, seg.end, seg.protected))
    return tuple(out)


def reassemble(article: Article, replacements: dict[str, str] | None = None) -> str:
    """The article text with each body segment's raw text replaced by `replacements[id]` (if given).

    With no replacements this is the original file, byte for byte.
    """
    replacements = replacements or {}
    out = [article.source[: article.body_start]]
    pos = article.body_start
    for seg in article.body_segments:
        out.append(article.source[pos : seg.start])
        out.append(replacements.get(seg.id, article.source[seg.start : seg.end]))
        pos = seg.end
    out.append(article.source[pos:])
    return "".join(out)


def body_skeleton(article: Article, replacements: dict[str, str]) -> str:
    """The body alone (no front matter) with every segment replaced: the skeleton of a translated edition."""
    return reassemble(article, replacements)[article.body_start :]
