"""The editions' body: the one document tree with each segment's translation substituted as text.

A translation may reuse the source sentence's own links, images, code spans, autolinks, inline HTML tags
and footnote references (by their exact targets), and emphasis; everything else it holds is shown as the
characters typed, in the `.md` edition as in the `.html` one. An inline tag's alt/title and a reference
definition's title show their own segment's translation, escaped as an attribute value or a title. No
translated Markdown is ever parsed as a document.
"""

from __future__ import annotations

import copy
import html
import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token

from workflow.document import INLINE_CODE, LINK_TITLE, MD, START_TAG, Prose, Tree, one_line, visible_line

# All a translation's own characters may mean besides text: emphasis and backslash escapes.
_PLAIN = MarkdownIt("zero").enable(["emphasis", "escape"])


def attribute_value(text: str, quoted: bool = True) -> str:
    """A translation as an HTML attribute value: escaped text, in quotes where the source's value had none."""
    escaped = html.escape(visible_line(text), quote=True)
    return escaped if quoted else f'"{escaped}"'


# --- a translation, read as text -----------------------------------------------------------------

_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\s]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)>")
_FOOTNOTE_REF = re.compile(r"\[\^[^\[\]\s]+\]")
# A start tag as markdown-it reads one (its quoted values may hold "<" and ">"), or an end tag.
_TAG = re.compile(rf"{START_TAG.pattern}|</[A-Za-z][A-Za-z0-9-]*\s*>")
# [text](destination "title") or [text][label]: groups bang, text, destination, title (quoted), label.
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"
    r"(?:\(((?:[^()\s]|\([^()]*\))*)(?:\s+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'))?\)|(\[[^\[\]]*\]))"
)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class _Atoms:
    """What a translation may reuse from its source sentence, with how often."""

    links: Counter  # (bang, target) -> count; target is "(url ...)" or "[label]" as written in the source
    raw: Counter  # code spans, autolinks, footnote refs, inline HTML tags, as written
    tags: dict = field(default_factory=dict)  # an inline tag as written -> as shown (alt/title translated)


def _atoms(source: str, tags: dict[str, str] | None = None) -> _Atoms:
    links: Counter = Counter()
    raw: Counter = Counter()
    code = [m.span() for m in INLINE_CODE.finditer(source)]
    # An atom is matched in a translation, which is one line: a tag or code span written over two lines still is one.
    for m in INLINE_CODE.finditer(source):
        raw[one_line(m.group())] += 1
    for m in _LINK.finditer(source):
        if not any(a <= m.start() < b for a, b in code):
            links[_link_key(m)] += 1
    for pattern in (_AUTOLINK, _FOOTNOTE_REF, _TAG):
        for m in pattern.finditer(source):
            if not any(a <= m.start() < b for a, b in code):
                raw[one_line(m.group())] += 1
    return _Atoms(links, raw, tags if tags is not None else {})


def _link_key(m: re.Match) -> tuple[str, str]:
    # A link is the source's by its destination (or reference label); its title is the translator's text.
    return (m.group(1), f"({m.group(3)})" if m.group(5) is None else m.group(5))


# Nodes of a read translation: ("text", s) | ("mark", type, markup) | ("atom", raw)
#   | ("link", bang, [nodes], target, title): target "(destination)" or "[label]", title the typed text or None


def read_translation(translation: str, source: str, tags: dict[str, str] | None = None) -> list[tuple]:
    """The translation as nodes: the source's own links and atoms where it repeats them, the rest text.

    `tags`: a source inline tag -> the same tag with its alt/title values translated (their own segments).
    """
    atoms = _atoms(source, tags)
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
            out.append(("atom", atoms.tags.get(m.group(), m.group())))
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


_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def title_text(text: str) -> str:
    """A translation as the inside of a reference definition's quoted title: every ASCII punctuation escaped."""
    return _PUNCTUATION.sub(r"\\\1", visible_line(text))


def markdown_of(translation: str, source: str, prose: Prose | None = None, tags: dict[str, str] | None = None) -> str:
    """The Markdown that shows `translation` as text in the place of `source` of `prose` (HTML: escaped HTML)."""
    if prose is not None and prose.kind == LINK_TITLE:
        return title_text(translation)
    if prose is not None and prose.html:
        return attribute_value(translation, prose.quoted)
    out = "".join(_md_nodes(read_translation(translation, source, tags)))
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


def _split(tree: Tree, translations: list[tuple[int, int, str]]) -> tuple[list, dict[int, dict[str, str]], dict[str, str]]:
    """The spans of prose runs; per inline token, each tag as written -> as shown; each definition title as shown."""
    outer = []
    values: dict[tuple[int, tuple[int, int]], list] = defaultdict(list)
    titles: dict[Prose, list] = defaultdict(list)
    for start, end, text in translations:
        run = tree.find(start)
        span = (run.index(start), run.index(end - 1) + 1, text)
        if run.tag is not None:
            values[(run.token, run.tag)].append((run.at + span[0], run.at + span[1], text, run.quoted, run.start))
        elif run.kind == LINK_TITLE:
            titles[run].append(span)
        else:
            outer.append((start, end, text))
    tags: dict[int, dict[str, str]] = defaultdict(dict)
    for (token, (t0, t1)), found in values.items():
        content = tree.prose_at(found[0][4]).content
        shown, pos = [], t0
        for a, b, text, quoted, _ in sorted(found):
            shown += [content[pos:a], attribute_value(text, quoted)]
            pos = b
        written, translated = content[t0:t1], "".join([*shown, content[pos:t1]])
        tags[token].setdefault(written, translated)  # as the source's skeleton holds it
        tags[token].setdefault(one_line(written), one_line(translated))  # as a sentence's translation repeats it
    shown_titles = {}
    for run, spans in titles.items():
        if run.label is not None:
            parts, pos = [], 0
            for a, b, text in sorted(spans):
                parts += [run.content[pos:a], title_text(text)]
                pos = b
            shown_titles[run.label] = unescapeAll("".join([*parts, run.content[pos:]]))
    return outer, tags, shown_titles


def markdown_pieces(tree: Tree, translations: list[tuple[int, int, str]]) -> list[str]:
    """The Markdown of each (start, end, translation) span, in order: what goes in its place in the `.md` edition.

    An inline tag's alt/title is shown inside the tag its sentence's piece holds (the skeleton skips it there).
    """
    _, tags, _ = _split(tree, translations)
    out = []
    for start, end, text in translations:
        run = tree.find(start)
        out.append(markdown_of(text, run.content[run.index(start) : run.index(end - 1) + 1], run, tags.get(run.token)))
    return out


def render_html(tree: Tree, translations: list[tuple[int, int, str]]) -> str:
    """The body as HTML with each (start, end) article span's source text replaced by a translation.

    Each span lies within one run of the tree (a segment's start and end offsets).
    """
    env = copy.deepcopy(tree.env)
    outer, tags, titles = _split(tree, translations)
    for label, title in titles.items():
        env["references"][label]["title"] = title
    by_token: dict[int, list[tuple[Prose, int, int, str]]] = defaultdict(list)
    for start, end, text in outer:
        prose = tree.prose_at(start)
        by_token[prose.token].append((prose, prose.index(start), prose.index(end - 1) + 1, text))
    tokens = list(tree.tokens)
    runs = {p.token: p for p in tree.prose if not p.html}
    # A translated definition title reaches every link that uses it: those paragraphs are read again.
    linked = {i for i, t in enumerate(tokens) if titles and t.type == "inline" and "[" in t.content and i in runs}
    for index in set(by_token) | set(tags) | linked:
        token = tokens[index]
        if token.type == "html_block":
            tokens[index] = token.copy(content=_html_block_text(token.content, by_token[index]))
        else:
            tokens[index] = token.copy(children=_inline_children(token, runs[index], by_token.get(index, []), env, tags.get(index, {})))
    return MD.renderer.render(tokens, MD.options, env)


def _html_block_text(content: str, spans: list[tuple[Prose, int, int, str]]) -> str:
    out = []
    pos = 0
    for prose, a, b, text in sorted(spans, key=lambda c: c[0].at + c[1]):
        out.append(content[pos : prose.at + a])
        out.append(attribute_value(text, prose.quoted))
        pos = prose.at + b
    out.append(content[pos:])
    return "".join(out)


def _inline_children(token: Token, prose: Prose, spans: list, env: dict, tags: dict[str, str]) -> list[Token]:
    # Footnote references keep their original tokens: their ids and back-links were numbered by the parse.
    notes: dict[str, deque[Token]] = defaultdict(deque)
    for child in token.children or []:
        if child.type == "footnote_ref":
            notes[child.meta.get("label", "")].append(child)
    content = prose.content

    def source(text: str) -> list[Token]:
        if tags:
            text = START_TAG.sub(lambda m: tags.get(m.group(), m.group()), text)
        return _source_tokens(text, env, notes)

    out: list[Token] = []
    pos = 0
    for _, a, b, text in sorted(spans, key=lambda s: s[1]):
        out += source(content[pos:a])
        out += _translated_tokens(read_translation(text, content[a:b], tags), env, notes)
        pos = b
    out += source(content[pos:])
    return out


def _source_tokens(text: str, env: dict, notes: dict[str, deque[Token]]) -> list[Token]:
    if not text:
        return []
    out = []
    for t in MD.parseInline(text, env)[0].children or []:
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
            parsed = MD.parseInline(f"{bang}[x]{target}", env)[0].children or []
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
