"""The document tree: one CommonMark + GFM parse of an article's body, read by segmentation and rendering.

`parse` gives the markdown-it token tree and, for every place that holds prose (a paragraph's, heading's,
list item's, table cell's or footnote's inline text; a text run or alt/title attribute inside an HTML
block), a `Prose` with its raw source text and where each of its lines sits in the article; the alt/title
values of inline HTML tags inside prose and the titles of reference definitions are runs of their own
(`Tree.inner`). Segmentation (articles.py) cuts that text into sentences; substitution.py renders the
editions from the same tree with each segment's translation substituted as text.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

# The source is the newsroom's own text, so its HTML blocks are kept; translations never reach this parser.
MD = MarkdownIt("commonmark", {"html": True, "maxNesting": 40}).enable("table").use(footnote_plugin)
# markdown-it silently drops what lies deeper than maxNesting; such an article is refused instead.
MAX_DEPTH = 32

HEADING, PARAGRAPH, BLOCKQUOTE, LIST_ITEM, HTML_TEXT = "heading", "paragraph", "blockquote", "list_item", "html_text"
# An alt/title value of an inline HTML tag inside prose, and the title of a reference definition.
ATTRIBUTE, LINK_TITLE = "attribute", "link_title"
_CELL_BAR = re.compile(r"(?<!\\)\|")
_SKIPPED_HTML = {"script", "style", "pre", "code", "textarea", "svg", "math"}
# One attribute of a start tag: name, then a double-quoted, single-quoted or unquoted value (HTML's three forms).
_ATTRIBUTE = re.compile(r"""\s+([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TEXT_NAMES = {"alt", "title"}
_TAG_START = re.compile(r"<[A-Za-z][A-Za-z0-9-]*")
# A start tag as markdown-it's inline HTML rule reads one (its values may hold "<" and ">").
START_TAG = re.compile(
    r"""<[A-Za-z][A-Za-z0-9-]*(?:\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\s*=\s*(?:[^"'=<>`\x00-\x20]+|'[^']*'|"[^"]*"))?)*\s*/?>"""
)


def _text_attributes(tag: str) -> list[tuple[int, int, bool]]:
    """(start, end, quoted) in `tag` (a start tag as written) of each alt/title value."""
    name = _TAG_START.match(tag)
    out = []
    for m in _ATTRIBUTE.finditer(tag, name.end() if name else 0):
        group = next((g for g in (2, 3, 4) if m.group(g) is not None), None)
        if group is not None and m.group(1).lower() in _TEXT_NAMES:
            out.append((*m.span(group), group != 4))
    return out



class DocumentError(ValueError):
    """Prose the tree cannot place in the source; `line` is 0-based within the body."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Prose:
    """One run of prose in the tree, with the source offset where each of its lines starts."""

    token: int  # index in Tree.tokens of its inline or html_block token
    kind: str
    content: str  # the raw source text without block markers, lines joined by "\n"
    lines: tuple[tuple[int, int], ...]  # (offset in content, offset in the article) of each line's start
    line: int  # 0-based body line of the first character
    html: bool = False  # inside an HTML block: translations go in HTML-escaped, never as Markdown
    at: int = 0  # for text in an HTML block or an inline tag: where `content` starts in the token's (prose's) content
    tag: tuple[int, int] | None = None  # an inline tag's alt/title: the tag's span in its prose run's content
    quoted: bool = True  # an attribute value written in quotes (an unquoted one gets them when translated)
    label: str | None = None  # a reference definition's title: the label links use (None: a duplicate, never shown)

    def offset(self, i: int) -> int:
        """The article offset of content[i] (for a segment's first and last characters, never whitespace)."""
        k = bisect.bisect_right(self.lines, (i, float("inf"))) - 1
        c, s = self.lines[k]
        return s + (i - c)

    def index(self, offset: int) -> int:
        """The content index of the article offset `offset` (the inverse of `offset`)."""
        k = bisect.bisect_right(self.lines, offset, key=lambda line: line[1]) - 1
        c, s = self.lines[max(k, 0)]
        return c + (offset - s)

    @property
    def start(self) -> int:
        return self.lines[0][1]

    @property
    def end(self) -> int:
        return self.offset(len(self.content) - 1) + 1 if self.content else self.start


@dataclass(frozen=True)
class Tree:
    """The parsed body: markdown-it's tokens, its environment (references, footnotes) and the prose in it."""

    tokens: tuple[Token, ...] = field(repr=False)
    env: dict = field(repr=False, compare=False)
    prose: tuple[Prose, ...]
    starts: tuple[int, ...] = field(default=(), repr=False)  # each prose run's first offset, for bisect
    # Inline tags' alt/title values (inside a prose run) and reference definitions' titles, by start.
    inner: tuple[Prose, ...] = ()
    inner_starts: tuple[int, ...] = field(default=(), repr=False)

    def prose_at(self, offset: int) -> Prose:
        """The prose run holding the article offset `offset` (a segment's start)."""
        return self.prose[bisect.bisect_right(self.starts, offset) - 1]

    def find(self, offset: int) -> Prose:
        """The innermost run holding `offset`: an attribute value or definition title, else its prose run."""
        k = bisect.bisect_right(self.inner_starts, offset) - 1
        if k >= 0 and offset < self.inner[k].end:
            return self.inner[k]
        return self.prose_at(offset)


# --- parsing -------------------------------------------------------------------------------------


def parse(source: str, body_start: int) -> Tree:
    """The tree of source[body_start:], with each prose run located in `source`."""
    # markdown-it ends a line at a lone "\r" too; a space (same length) keeps its line count equal to ours.
    text = re.sub(r"\r(?!\n)", " ", source[body_start:])
    lines = _lines(text, body_start)
    env: dict = {}
    tokens = MD.parse(text, env)
    deep = next((t for t in tokens if t.level > MAX_DEPTH), None)
    if deep is not None:
        line = next((t.map[0] for t in tokens if t.map is not None and t.level >= deep.level - 2), 0)
        raise DocumentError(f"blocks (quotes, lists) nested more than {MAX_DEPTH} levels deep", line)
    prose: list[Prose] = []
    stack: list[str] = []
    rows: dict[int, deque[tuple[int, int]]] = {}
    for i, token in enumerate(tokens):
        if token.nesting == 1:
            stack.append(token.type)
        elif token.nesting == -1 and stack:
            stack.pop()
        if token.type == "inline" and token.map is not None:
            kind = _kind(stack)
            if "td_open" in stack[-1:] or "th_open" in stack[-1:]:
                found = _cell(token, i, kind, lines, rows)
            else:
                found = _inline(token, i, kind, lines)
            if found is not None:
                prose.append(found)
        elif token.type == "html_block" and token.map is not None:
            prose.extend(_html_block(token, i, lines))
    prose.sort(key=lambda p: p.start)
    inner = [a for p in prose if not p.html for a in _inline_attributes(p, tokens[p.token])]
    inner += _definition_titles(env, lines)
    inner.sort(key=lambda p: p.start)
    return Tree(tuple(tokens), env, tuple(prose), tuple(p.start for p in prose), tuple(inner), tuple(p.start for p in inner))


def _lines(body: str, start: int) -> list[tuple[int, str]]:
    """(article offset, text without its line ending) of each body line; only "\n" ends a line."""
    out = []
    pos = start
    for raw in body.split("\n"):
        out.append((pos, raw[:-1] if raw.endswith("\r") else raw))
        pos += len(raw) + 1
    return out


def _kind(stack: list[str]) -> str:
    if stack and stack[-1] == "heading_open":
        return HEADING
    for opened in reversed(stack):
        if opened == "list_item_open":
            return LIST_ITEM
        if opened == "blockquote_open":
            return BLOCKQUOTE
    return PARAGRAPH


def _placed(content: str, first: int, lines: list[tuple[int, str]], heading: bool) -> tuple[tuple[int, int], ...]:
    """Where each line of `content` (markdown-it's inline text) starts in the article."""
    out = []
    c = 0
    for k, part in enumerate(content.split("\n")):
        start, text = lines[first + k]
        stripped = text.rstrip()
        if heading and k == 0:
            at = text.find(part)  # "## Title ##": the text sits between the markers
        elif text.endswith(part):
            at = len(text) - len(part)
        elif stripped.endswith(part):
            at = len(stripped) - len(part)
        else:
            at = text.rfind(part)
        lead = 0
        if at < 0:
            # markdown-it turns a tab in a list or quote's indentation into spaces: place the line by its text.
            stripped = part.lstrip(" \t")
            lead = len(part) - len(stripped)
            at = len(stripped.rstrip()) and (text.rstrip() if not text.endswith(stripped) else text).rfind(stripped)
            if at < 0:
                raise DocumentError("cannot place this line's text in the tree; replace its tabs with spaces", first + k)
        out.append((c + lead, start + at))
        c += len(part) + 1
    return tuple(out)


def _inline(token: Token, i: int, kind: str, lines: list[tuple[int, str]]) -> Prose | None:
    content = token.content
    if not content:
        return None
    first = token.map[0]
    return Prose(i, kind, content, _placed(content, first, lines, kind == HEADING), first)


def _cell(token: Token, i: int, kind: str, lines: list[tuple[int, str]], rows: dict) -> Prose | None:
    # markdown-it unescapes "\|" in a cell's content, so cells are placed by their raw text in the row.
    row = token.map[0]
    if row not in rows:
        start, text = lines[row]
        bars = [-1, *(m.start() for m in _CELL_BAR.finditer(text)), len(text)]
        cells = deque()
        for a, b in zip(bars, bars[1:]):
            raw = text[a + 1 : b]
            if raw.strip():
                lead = len(raw) - len(raw.lstrip())
                cells.append((start + a + 1 + lead, len(raw.strip())))
        rows[row] = cells
    if not token.content.strip() or not rows[row]:
        return None
    at, length = rows[row].popleft()
    raw = lines[row][1][at - lines[row][0] : at - lines[row][0] + length]
    return Prose(i, PARAGRAPH if kind != LIST_ITEM else kind, raw, ((0, at),), row)


def _slice(prose: Prose, a: int, b: int) -> tuple[tuple[int, int], ...]:
    """Where each line of prose.content[a:b] starts in the article, as `Prose.lines` holds it."""
    out = [(0, prose.offset(a))]
    pos = prose.content.find("\n", a, b)
    while pos >= 0:
        out.append((pos + 1 - a, prose.offset(pos + 1)))
        pos = prose.content.find("\n", pos + 1, b)
    return tuple(out)


def _inline_attributes(prose: Prose, token: Token) -> list[Prose]:
    """The alt/title values of the inline HTML tags markdown-it found in a prose run, each a run of its own."""
    found = Counter(c.content for c in token.children or [] if c.type == "html_inline")
    if not found:
        return []
    content = prose.content
    code = [m.span() for m in INLINE_CODE.finditer(content)]
    out = []
    newlines, counted = 0, 0  # counted as we go, so a paragraph of many tags stays linear
    for m in START_TAG.finditer(content):
        k = m.start()
        while k > 0 and content[k - 1] == "\\":
            k -= 1
        inside = bisect.bisect_right(code, (m.start(), float("inf"))) - 1
        if found[m.group()] <= 0 or (m.start() - k) % 2 or (inside >= 0 and m.start() < code[inside][1]):
            continue
        found[m.group()] -= 1
        for a, b, quoted in _text_attributes(m.group()):
            a, b = m.start() + a, m.start() + b
            if any(ch.isalpha() for ch in content[a:b]):
                newlines += content.count("\n", counted, a)
                counted = a
                line = prose.line + newlines
                out.append(Prose(prose.token, ATTRIBUTE, content[a:b], _slice(prose, a, b), line, True, a, m.span(), quoted))
    return out


_TITLE_END = re.compile(r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|\(((?:[^()\\]|\\.)*)\))[ \t]*$""")


def _definition_titles(env: dict, lines: list[tuple[int, str]]) -> list[Prose]:
    """The title of each reference definition (`[r]: url "title"`) as a run of its own, placed in the article."""
    defined = [(label, ref) for label, ref in env.get("references", {}).items()]
    defined += [(None, ref) for ref in env.get("duplicate_refs", [])]
    out = []
    for label, ref in defined:
        title = ref.get("title") or ""
        if not any(ch.isalpha() for ch in title):
            continue
        first, end = ref["map"]
        start, text = lines[end - 1]
        m = _TITLE_END.search(text)
        group = next((g for g in (1, 2, 3) if m is not None and m.group(g) is not None), None)
        if group is None or unescapeAll(m.group(group)) != title:
            raise DocumentError("a link definition's title must be on one line to be translated", first)
        a, b = m.span(group)
        out.append(Prose(-1, LINK_TITLE, text[a:b], ((0, start + a),), end - 1, label=label))
    return out


class _HtmlText(HTMLParser):
    """The text runs and alt/title values of an HTML block, as (start, end, kind) offsets in its content."""

    def __init__(self, content: str) -> None:
        super().__init__(convert_charrefs=True)
        self.starts = [0] + [m.end() for m in re.finditer("\n", content)]
        self.content = content
        self.runs: list[tuple[int, int, str]] = []
        self.skipping: list[str] = []
        self.pending: int | None = None

    def _here(self) -> int:
        line, col = self.getpos()
        return self.starts[line - 1] + col

    def _close_run(self) -> None:
        if self.pending is not None:
            self.runs.append((self.pending, self._here(), HTML_TEXT))
            self.pending = None

    def handle_data(self, data: str) -> None:
        if self.pending is None and not self.skipping:
            self.pending = self._here()

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self._close_run()
        at = self._here()
        raw = self.get_starttag_text() or ""
        self.runs += [(at + a, at + b, "quoted" if q else "bare") for a, b, q in _text_attributes(raw)]
        if tag in _SKIPPED_HTML and not raw.endswith("/>"):
            self.skipping.append(tag)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        self._close_run()
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_startendtag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self._close_run()
        at = self._here()
        self.runs += [(at + a, at + b, "quoted" if q else "bare") for a, b, q in _text_attributes(self.get_starttag_text() or "")]

    def handle_comment(self, data):  # type: ignore[no-untyped-def]
        self._close_run()

    handle_decl = handle_pi = unknown_decl = handle_comment

    def finish(self) -> list[tuple[int, int, str]]:
        self.feed(self.content)
        self.close()
        if self.pending is not None:
            self.runs.append((self.pending, len(self.content), HTML_TEXT))
        return self.runs


def _html_block(token: Token, i: int, lines: list[tuple[int, str]]) -> list[Prose]:
    content = token.content.rstrip("\n")
    if not content:
        return []
    placed = _placed(content, token.map[0], lines, False)
    block = Prose(i, HTML_TEXT, content, placed, token.map[0], html=True)
    out = []
    newlines, counted = 0, 0  # counted as we go, so a huge block stays linear
    for a, b, kind in sorted(_HtmlText(content).finish()):
        text = content[a:b]
        if not any(ch.isalpha() for ch in text):
            continue
        newlines += content.count("\n", counted, a)
        counted = a
        line = token.map[0] + newlines
        if block.offset(b - 1) - block.offset(a) == b - 1 - a:
            out.append(Prose(i, HTML_TEXT, text, ((0, block.offset(a)),), line, html=True, at=a, quoted=kind != "bare"))
            continue
        # A run that crosses a blockquote's "> " markers is not contiguous in the article: each line apart.
        pos = a
        while pos < b:
            end = content.find("\n", pos, b)
            end = b if end < 0 else end
            if any(ch.isalpha() for ch in content[pos:end]):
                line = token.map[0] + newlines + content.count("\n", a, pos)
                out.append(Prose(i, HTML_TEXT, content[pos:end], ((0, block.offset(pos)),), line, html=True, at=pos))
            pos = end + 1
    return out


# --- a translation as one line of visible text (shared by the catalogs and the editions) ---------

# A code span, as far as a sentence's text shows one; what lies in it is never a tag or link.
INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(text: str) -> str:
    # Control characters are shown as their Unicode pictures (or U+FFFD), never passed to a page or terminal.
    return _CONTROL.sub(lambda m: chr(0x2400 + ord(m.group())) if ord(m.group()) < 0x20 else "\ufffd", text)


def one_line(text: str) -> str:
    """Every run of whitespace (line breaks too) as one space, none at the ends: a translation as one line."""
    return " ".join(text.split())


def visible_line(text: str) -> str:
    """A translation as one line of visible text: no line break in it can open a block, no control acts."""
    return _visible(one_line(text))
