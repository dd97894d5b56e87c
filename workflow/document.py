"""The document tree: one CommonMark + GFM parse of an article's body, read by segmentation and rendering.

`parse` gives the markdown-it token tree and, for every place that holds prose (a paragraph's, heading's,
list item's, table cell's or footnote's inline text; a text run or alt/title attribute inside an HTML
block), a `Prose` with its raw source text and where each of its lines sits in the article. Segmentation
(articles.py) cuts that text into sentences; the editions are rendered from the same tree with each
sentence's text substituted. A translation is text: it may reuse the source sentence's own links,
images, code spans, autolinks, inline HTML tags and footnote references (by their exact targets), and
emphasis; everything else it holds is shown as the characters typed, in the `.md` edition as in the
`.html` one. No translated Markdown is ever parsed as a document.
"""

from __future__ import annotations

import bisect
import copy
import html
import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

# The source is the newsroom's own text, so its HTML blocks are kept; translations never reach this parser.
_MD = MarkdownIt("commonmark", {"html": True, "maxNesting": 40}).enable("table").use(footnote_plugin)
# markdown-it silently drops what lies deeper than maxNesting; such an article is refused instead.
MAX_DEPTH = 32
# All a translation's own characters may mean besides text: emphasis and backslash escapes.
_PLAIN = MarkdownIt("zero").enable(["emphasis", "escape"])

HEADING, PARAGRAPH, BLOCKQUOTE, LIST_ITEM, HTML_TEXT = "heading", "paragraph", "blockquote", "list_item", "html_text"
_CELL_BAR = re.compile(r"(?<!\\)\|")
_SKIPPED_HTML = {"script", "style", "pre", "code", "textarea", "svg", "math"}
_TEXT_ATTRIBUTE = re.compile(r"""\s(alt|title)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


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
    at: int = 0  # for text in an HTML block: where `content` starts in the block's token content

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


@dataclass(frozen=True)
class Tree:
    """The parsed body: markdown-it's tokens, its environment (references, footnotes) and the prose in it."""

    tokens: tuple[Token, ...] = field(repr=False)
    env: dict = field(repr=False, compare=False)
    prose: tuple[Prose, ...]
    starts: tuple[int, ...] = field(default=(), repr=False)  # each prose run's first offset, for bisect

    def prose_at(self, offset: int) -> Prose:
        """The prose run holding the article offset `offset` (a segment's start)."""
        return self.prose[bisect.bisect_right(self.starts, offset) - 1]


# --- parsing -------------------------------------------------------------------------------------


def parse(source: str, body_start: int) -> Tree:
    """The tree of source[body_start:], with each prose run located in `source`."""
    # markdown-it ends a line at a lone "\r" too; a space (same length) keeps its line count equal to ours.
    text = re.sub(r"\r(?!\n)", " ", source[body_start:])
    lines = _lines(text, body_start)
    env: dict = {}
    tokens = _MD.parse(text, env)
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
    return Tree(tuple(tokens), env, tuple(prose), tuple(p.start for p in prose))


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


class _HtmlText(HTMLParser):
    """The text runs and alt/title values of an HTML block, as (start, end) offsets in its content."""

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
        for m in _TEXT_ATTRIBUTE.finditer(raw):
            group = 2 if m.group(2) is not None else 3
            self.runs.append((at + m.start(group), at + m.end(group), HTML_TEXT))
        if tag in _SKIPPED_HTML and not raw.endswith("/>"):
            self.skipping.append(tag)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        self._close_run()
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_startendtag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self._close_run()
        at = self._here()
        for m in _TEXT_ATTRIBUTE.finditer(self.get_starttag_text() or ""):
            group = 2 if m.group(2) is not None else 3
            self.runs.append((at + m.start(group), at + m.end(group), HTML_TEXT))

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
            out.append(Prose(i, kind, text, ((0, block.offset(a)),), line, html=True, at=a))
            continue
        # A run that crosses a blockquote's "> " markers is not contiguous in the article: each line apart.
        pos = a
        while pos < b:
            end = content.find("\n", pos, b)
            end = b if end < 0 else end
            if any(ch.isalpha() for ch in content[pos:end]):
                line = token.map[0] + newlines + content.count("\n", a, pos)
                out.append(Prose(i, kind, content[pos:end], ((0, block.offset(pos)),), line, html=True, at=pos))
            pos = end + 1
    return out


# --- a translation, read as text -----------------------------------------------------------------

_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\s]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)>")
_FOOTNOTE_REF = re.compile(r"\[\^[^\[\]\s]+\]")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
# [text](destination "title") or [text][label]: groups bang, text, destination, title (quoted), label.
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"
    r"(?:\(((?:[^()\s]|\([^()]*\))*)(?:\s+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'))?\)|(\[[^\[\]]*\]))"
)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
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


@dataclass(frozen=True)
class _Atoms:
    """What a translation may reuse from its source sentence, with how often."""

    links: Counter  # (bang, target) -> count; target is "(url ...)" or "[label]" as written in the source
    raw: Counter  # code spans, autolinks, footnote refs, inline HTML tags, as written


def _atoms(source: str) -> _Atoms:
    links: Counter = Counter()
    raw: Counter = Counter()
    code = [m.span() for m in _INLINE_CODE.finditer(source)]
    for m in _INLINE_CODE.finditer(source):
        raw[m.group()] += 1
    for m in _LINK.finditer(source):
        if not any(a <= m.start() < b for a, b in code):
            links[_link_key(m)] += 1
    for pattern in (_AUTOLINK, _FOOTNOTE_REF, _TAG):
        for m in pattern.finditer(source):
            if not any(a <= m.start() < b for a, b in code):
                raw[m.group()] += 1
    return _Atoms(links, raw)


def _link_key(m: re.Match) -> tuple[str, str]:
    # A link is the source's by its destination (or reference label); its title is the translator's text.
    return (m.group(1), f"({m.group(3)})" if m.group(5) is None else m.group(5))


# Nodes of a read translation: ("text", s) | ("mark", type, markup) | ("atom", raw)
#   | ("link", bang, [nodes], target, title): target "(destination)" or "[label]", title the typed text or None


def read_translation(translation: str, source: str) -> list[tuple]:
    """The translation as nodes: the source's own links and atoms where it repeats them, the rest text."""
    atoms = _atoms(source)
    text = visible_line(translation).replace("\ue000", "\ufffd")
    links = Counter(atoms.links)
    nodes: list[tuple] = []
    pos = 0
    for m in _LINK.finditer(text):
        key = _link_key(m)
        if links[key] <= 0:
            continue
        links[key] -= 1
        title = _ESCAPED.sub(r"\1", m.group(4)[1:-1]) if m.group(4) else None
        nodes.extend(_plain(text[pos : m.start()], atoms))
        nodes.append(("link", m.group(1), _plain(m.group(2), atoms), key[1], title))
        pos = m.end()
    nodes.extend(_plain(text[pos:], atoms))
    return nodes


def _plain(text: str, atoms: _Atoms) -> list[tuple]:
    """Text with the source's raw atoms (used at most as often as the source has them) and emphasis."""
    if not text:
        return []
    wanted = sorted((a for a, n in atoms.raw.items() if n > 0), key=len, reverse=True)
    out: list[tuple] = []
    pos = 0
    if wanted:
        pattern = re.compile("|".join(re.escape(a) for a in wanted))
        for m in pattern.finditer(text):
            if atoms.raw[m.group()] <= 0:
                continue
            atoms.raw[m.group()] -= 1
            out.extend(_emphasis(text[pos : m.start()]))
            out.append(("atom", m.group()))
            pos = m.end()
    out.extend(_emphasis(text[pos:]))
    return out


def _emphasis(text: str) -> list[tuple]:
    if not text:
        return []
    out: list[tuple] = []
    for t in _PLAIN.parseInline(text, {})[0].children or []:
        if t.type in ("text", "text_special"):
            if out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1] + t.content)
            else:
                out.append(("text", t.content))
        elif t.type in ("em_open", "em_close", "strong_open", "strong_close"):
            out.append(("mark", t.type, t.markup))
        else:  # softbreak and the like cannot occur in folded text; keep whatever it is as text
            out.append(("text", t.content))
    return out


# --- rendering: Markdown --------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~#])")
_BLOCK_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)]))")


def _md_text(text: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    # Other renderers turn bare URLs into links: break the pattern they look for.
    return escaped.replace("://", "\\://").replace("www.", "www\\.")


def markdown_of(translation: str, source: str, in_html: bool = False) -> str:
    """The Markdown that shows `translation` as text in the place of `source` (an HTML block's text: escaped HTML)."""
    if in_html:
        return html.escape(visible_line(translation), quote=True)
    out = "".join(_md_nodes(read_translation(translation, source)))
    m = _BLOCK_START.match(out)
    if m:  # "- ", "+ ", "= " (setext underline) and "1. " open blocks at a line start
        out = (m.group(1) and "\\" + out) or f"{m.group(2)}\\{out[len(m.group(2)):]}"
    return out


def _md_nodes(nodes: list[tuple]) -> list[str]:
    out = []
    for node in nodes:
        if node[0] == "text":
            out.append(_md_text(node[1]))
        elif node[0] == "mark":
            out.append(node[2])
        elif node[0] == "atom":
            out.append(node[1])
        else:
            target = node[3]
            if node[4] is not None and target.startswith("("):
                title = node[4].replace("\\", "\\\\").replace('"', '\\"')
                target = f'{target[:-1]} "{title}")'
            out.append(f"{node[1]}[{''.join(_md_nodes(node[2]))}]{target}")
    return out


# --- rendering: HTML -----------------------------------------------------------------------------


def render_html(tree: Tree, translations: list[tuple[int, int, str]]) -> str:
    """The body as HTML with each (start, end) article span's source text replaced by a translation.

    Each span lies within one prose run of the tree (a segment's start and end offsets).
    """
    env = copy.deepcopy(tree.env)
    by_token: dict[int, list[tuple[Prose, int, int, str]]] = defaultdict(list)
    for start, end, text in translations:
        prose = tree.prose_at(start)
        by_token[prose.token].append((prose, prose.index(start), prose.index(end - 1) + 1, text))
    tokens = list(tree.tokens)
    for index, spans in by_token.items():
        token = tokens[index]
        if token.type == "html_block":
            tokens[index] = token.copy(content=_html_block_text(token.content, spans))
        else:
            tokens[index] = token.copy(children=_inline_children(token, spans, env))
    return _MD.renderer.render(tokens, _MD.options, env)


def _html_block_text(content: str, spans: list[tuple[Prose, int, int, str]]) -> str:
    out = []
    pos = 0
    for prose, a, b, text in sorted(spans, key=lambda c: c[0].at + c[1]):
        out.append(content[pos : prose.at + a])
        out.append(html.escape(visible_line(text), quote=True))
        pos = prose.at + b
    out.append(content[pos:])
    return "".join(out)


def _inline_children(token: Token, spans: list[tuple[Prose, int, int, str]], env: dict) -> list[Token]:
    # Footnote references keep their original tokens: their ids and back-links were numbered by the parse.
    notes: dict[str, deque[Token]] = defaultdict(deque)
    for child in token.children or []:
        if child.type == "footnote_ref":
            notes[child.meta.get("label", "")].append(child)
    prose = spans[0][0]
    content = prose.content
    out: list[Token] = []
    pos = 0
    for _, a, b, text in sorted(spans, key=lambda s: s[1]):
        out += _source_tokens(content[pos:a], env, notes)
        out += _translated_tokens(read_translation(text, content[a:b]), env, notes)
        pos = b
    out += _source_tokens(content[pos:], env, notes)
    return out


def _source_tokens(text: str, env: dict, notes: dict[str, deque[Token]]) -> list[Token]:
    if not text:
        return []
    out = []
    for t in _MD.parseInline(text, env)[0].children or []:
        if t.type == "footnote_ref" and notes.get(t.meta.get("label", "")):
            t = notes[t.meta["label"]].popleft()
        out.append(t)
    return out


def _translated_tokens(nodes: list[tuple], env: dict, notes: dict[str, deque[Token]]) -> list[Token]:
    out: list[Token] = []
    for node in nodes:
        if node[0] == "text":
            out.append(Token("text", "", 0, content=node[1]))
        elif node[0] == "mark":
            tag = "em" if node[1].startswith("em") else "strong"
            out.append(Token(node[1], tag, 1 if node[1].endswith("open") else -1, markup=node[2]))
        elif node[0] == "atom":
            out += _source_tokens(node[1], env, notes)
        else:
            bang, inner, target, title = node[1], node[2], node[3], node[4]
            parsed = _MD.parseInline(f"{bang}[x]{target}", env)[0].children or []
            opened = parsed[0] if parsed else None
            if opened is not None and title is not None and target.startswith("("):
                opened.attrSet("title", title)  # the translated title; the destination is the source's
            if bang and opened is not None and opened.type == "image":
                alt = _translated_tokens(inner, env, notes)
                out.append(opened.copy(children=alt, content="".join(t.content for t in alt)))
            elif len(parsed) >= 3 and opened is not None and opened.type == "link_open":
                out += [opened, *_translated_tokens(inner, env, notes), parsed[-1]]
            else:
                out.append(Token("text", "", 0, content="".join(_md_nodes([node]))))
    return out


def source_text(tree: Tree, start: int, end: int) -> tuple[str, bool]:
    """The source text of the article span [start, end) as its prose run holds it, and whether that run is HTML."""
    prose = tree.prose_at(start)
    return prose.content[prose.index(start) : prose.index(end - 1) + 1], prose.html
