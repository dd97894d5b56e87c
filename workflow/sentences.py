"""English sentences: where a run of prose is cut into segments, and what in a sentence is never translated.

pysbd proposes the cuts; rules for newsroom English (titles, times, quotations, numbered items,
abbreviations) correct them. Reading articles and their blocks is articles.py's job.
"""

from __future__ import annotations

import bisect
import re

import pysbd

_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
# Compiled once: pysbd compiles hundreds of patterns and evicts ours from re's cache.
_DOTTED = re.compile(r"(?:[a-z]{1,2}\.)+[a-z]{1,2}")


def join_lines(text: str) -> str:
    """What translators see: line breaks (with the spaces around them) become one space; other spacing stays."""
    return _LINE_BREAK.sub(" ", text) if "\n" in text else text


# --- sentences ---------------------------------------------------------------------------------

_SEGMENTER = pysbd.Segmenter(language="en", clean=False, char_span=True)

# Words that end in a period without ending a sentence (checked case-insensitively, without the dot).
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen col lt sgt capt gov sen rep st jr sr inc ltd co corp vs etc no nos
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e a.m p.m approx dept est fig
    rev hon pres adm maj cpl supt ave blvd mt ft bros""".split()
)
# Titles before a name never end a sentence, whatever follows them.
_TITLES = frozenset("Mr Mrs Ms Dr Prof Gen Col Lt Sgt Capt Gov Sen Rep Rev Hon Pres Adm Maj Cpl Supt".split())
# "9 a.m. Monday" and "5 p.m. GMT" go on; "5 p.m. The next day" does not.
_AFTER_TIME = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|[A-Z]{1,2}[SD]?T|GMT|UTC|MSK)\b"
)
# Inside a quotation pysbd keeps sentences together; a sentence end followed by a capital splits it.
_INNER_END = re.compile(r"(?<=[.!?…])([”’\"']?)(\s+)(?=[“‘\"'(\[]?[A-Z0-9])")
# "(He left. Then he came back.) Next" ends a sentence; pysbd sometimes runs on into the next one.
_BRACKETED_END = re.compile(r"[.!?]\)\s+(?=[“\"(]?[A-Z])")
# A quotation runs to its closing mark, or to the end of the block (a quote may go on in the next paragraph).
_QUOTATION = re.compile(r"“[^”]*”?|«[^»]*»?|\"[^\"]*\"?")


def sentence_spans(content: str) -> list[tuple[int, int]]:
    """Sentence spans of a block's prose, trimmed of surrounding whitespace, none empty."""
    cuts = set(_pysbd_cuts(content)) | set(_quotation_cuts(content)) | {m.end() for m in _BRACKETED_END.finditer(content)}
    items = _numbered_item_cuts(content)
    # No cut inside an item's own number ("1.)" read as a sentence): the number stays on its item.
    markers = {c for a in items for c in range(a + 1, _ITEM_MARKER.match(content, a).end() + 1)}
    cuts = {c for c in cuts if c not in markers} | set(items) | set(_no_space_cuts(content))
    keep = _merged(_inline_markup(content.replace("\n", " ")))  # inline code and emphasis may wrap across lines
    starts = [a for a, _ in keep]
    cuts = {c for c in cuts if not _is_false_end(*_around(content, c)) and not _inside(c, keep, starts)}
    return trimmed(content, [0, *sorted(cuts), len(content)])


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _inside(cut: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether `cut` falls strictly inside one of the sorted, disjoint `spans`."""
    i = bisect.bisect_left(starts, cut) - 1
    return i >= 0 and cut < spans[i][1]


def _around(text: str, cut: int, reach: int = 64) -> tuple[str, str]:
    # Only the words next to a cut matter; bounded slices keep a huge paragraph linear.
    return text[max(0, cut - reach) : cut], text[cut : cut + reach]


def trimmed(content: str, bounds: list[int]) -> list[tuple[int, int]]:
    spans = []
    for a, b in zip(bounds, bounds[1:]):
        while a < b and content[a].isspace():
            a += 1
        while b > a and content[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append((a, b))
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of a plain text, as segments would hold them."""
    return [join_lines(text[a:b]) for a, b in sentence_spans(text)]


def _pysbd_cuts(content: str) -> list[int]:
    # pysbd ends a sentence at every line break, but a soft-wrapped paragraph is one text: give it
    # spaces instead (same length, so offsets still match). Only pysbd's starts are used, so a
    # sentence it fails to locate in the text merges into its neighbour instead of being lost.
    flat = content.replace("\n", " ")
    cuts: list[int] = []
    for a, b in _pieces(flat):
        if _CANDIDATE.search(flat, a, b - 1):
            decided = _rule_cuts(flat, a, b)
            cuts.extend(decided if decided is not None else (a + c for c in _segment_long(flat[a:b])))
        cuts.append(b)
    return cuts[:-1]


def _rule_cuts(text: str, a: int, b: int) -> list[int] | None:
    """The sentence starts in text[a:b] if the rules below decide every possible end in it; None: ask pysbd.

    pysbd costs about 12 µs a character, so 1 MB of "Dr. … Mr. … p.m. … U.S." took seconds; the rules
    settle the common cases (titles, initials, abbreviations before lowercase or a number, plain words)
    exactly as pysbd does, and leave quotations, ellipses and unusual cases to it.
    """
    if _QUOTE_MARK.search(text, a, b):
        return None
    cuts = []
    for m in _CANDIDATE.finditer(text, a, b - 1):
        stop = text[m.start()]
        if m.end() - m.start() > 2 or stop not in ".!?":  # a closing quote or bracket, or an ellipsis
            return None
        before = text[max(a, m.start() - 63) : m.start() + 1]
        following = text[m.end() : m.end() + 64].lstrip()
        if before.endswith("..") or not following:
            return None
        if stop == "." and _is_false_end(before, following):
            continue
        decision = _decide(_last_word(before), following[:1], stop)
        if decision is None:
            return None
        if decision:
            cuts.append(m.end())
    return cuts


def _decide(word: str, following: str, stop: str) -> bool | None:
    """Whether a stop after `word`, then a space and `following`, ends a sentence (None: not sure)."""
    if not following.isupper():
        return None  # lowercase, digits, brackets and quotes after a stop: pysbd's call
    lowered = word.lower()
    if stop != ".":
        return None
    if len(word) == 1 and word.isalpha() and word != "I":
        return False  # an initial: "J. R. R. Tolkien"
    if lowered in ("a.m", "p.m", "no", "nos") or _DOTTED.fullmatch(lowered):
        return True  # "at 5 p.m. The", "He said no. They", "in the U.S. He"
    if lowered in ABBREVIATIONS:
        # pysbd's rule: an abbreviation before a capital ends the sentence unless it precedes a name ("St. Paul").
        return lowered not in _PREPOSITIVE
    if not word.isalnum() or (len(word) < 2 and not word.isdigit()):
        return None
    return True  # "in Almaty. Then", "in 1973. He"


_PREPOSITIVE = frozenset("adm capt col cpl dr fig gen gov lt maj mr mrs ms mt prof rep rev sen sgt st supt vs".split())


def _segment_long(text: str) -> list[int]:
    """pysbd's sentence starts in `text`; a very long text goes to it in pieces, or time grows quadratically."""
    cuts: list[int] = []
    for a, b in _chunks(text):
        cuts.extend(a + piece.start for piece in _SEGMENTER.segment(text[a:b]) if 0 < piece.start < b - a)
        cuts.append(b)
    return cuts[:-1]


_CHUNK = 3000
_ANY_END = re.compile(r"\w[.!?]\s+(?=[A-Z])")


def _chunks(text: str) -> list[tuple[int, int]]:
    # Cut every _CHUNK characters or so at a sentence end after a word that is no abbreviation;
    # an ordinary paragraph is one chunk.
    out = []
    start = 0
    while len(text) - start > _CHUNK:
        ends = _ANY_END.finditer(text, start + _CHUNK)
        end = next((m for m in ends if not _is_abbreviation(_last_word(text[m.start() - 40 : m.start() + 2]))), None)
        if end is None:
            break
        out.append((start, end.end()))
        start = end.end()
    return out + [(start, len(text))]


# A plain sentence end: a lowercase word that is no abbreviation, a stop, a space, a capitalised word.
_PLAIN_END = re.compile(r"\b([a-z]{2,})[.!?]\s+(?=[A-Z][a-z])")
# Anything pysbd may have to decide on: a stop (perhaps closing a quote or bracket) before a space.
_CANDIDATE = re.compile(r"[.!?…][\"”’')\]]*\s")
# Quotations and brackets change where sentences end (see _pieces): pysbd reads those pieces.
_QUOTE_MARK = re.compile(r"[\"“”«»()\[\]]")


def _pieces(text: str) -> list[tuple[int, int]]:
    """The text cut at plain sentence ends outside brackets: cuts pysbd would make anyway.

    pysbd costs a few seconds a megabyte and grows with the square of its input, so it only sees
    the pieces between plain ends that still hold a possible sentence end (abbreviations, quotes).
    """
    # pysbd reads a quotation as a whole (a lone closing mark confuses it), so no cut goes inside one.
    quotes = [q.span() for q in _QUOTATION.finditer(text)]
    quote_starts = [a for a, _ in quotes]
    out = []
    start = depth_from = 0
    depth = 0
    for m in _PLAIN_END.finditer(text):
        depth += text.count("(", depth_from, m.start()) - text.count(")", depth_from, m.start())
        depth_from = m.start()
        inside = bisect.bisect_right(quote_starts, m.start()) - 1
        quoted = inside >= 0 and m.start() < quotes[inside][1]
        if depth <= 0 and not quoted and m.group(1) not in ABBREVIATIONS:
            out.append((start, m.end()))
            start = m.end()
    return out + [(start, len(text))]


def _last_word(before: str) -> str:
    words = before.rsplit(None, 1)
    return words[-1].lstrip("“‘\"'([«").rstrip(".") if words else ""


def _is_abbreviation(word: str) -> bool:
    lowered = word.lower()
    # Initials ("J.") and dotted abbreviations ("U.S.", "Ph.D.") count; "I." is a pronoun ending a sentence.
    initial = len(word) == 1 and word.isalpha() and word != "I"
    return lowered in ABBREVIATIONS or initial or bool(_DOTTED.fullmatch(lowered))


def _is_false_end(before: str, after: str) -> bool:
    """Whether a cut after `before` falls behind an abbreviation that cannot end this sentence."""
    if not before.rstrip().endswith("."):
        return False
    word = _last_word(before)
    following = after.lstrip()
    if word in _TITLES:
        return True
    if word.lower() in ("a.m", "p.m") and (_AFTER_TIME.match(following) or _clause_goes_on(before, following)):
        return True
    return _is_abbreviation(word) and (following[:1].islower() or following[:1].isdigit())


# "At 5 a.m. Mr. Smith went": a clause that opens with a time is still waiting for its verb.
_TIME_OPENER = re.compile(r"(?:At|By|Around|Until|Till|From|Before|After|Since|About|Shortly after|Just after|Just before)\s")
_STARTERS = frozenset(
    "The A An It He She They We I You This That These Those There Then But And So Yet Its His Her Their Our My".split()
)
_STOP_SPACE = re.compile(r"[.!?][\"”’')\]]*\s+")


def _clause_goes_on(before: str, following: str) -> bool:
    """Whether "a.m."/"p.m." ends `before` inside a clause that opened with the time and a name follows."""
    name = following.split(" ", 1)[0].rstrip(".,;:")
    if not name[:1].isupper() or name in _STARTERS:
        return False
    prefix = before.rstrip()[: -len(_last_word(before)) - 1]
    clause = prefix
    for m in reversed(list(_STOP_SPACE.finditer(prefix))):
        if not _is_abbreviation(_last_word(prefix[: m.start() + 1])):
            clause = prefix[m.end() :]
            break
    return bool(_TIME_OPENER.match(clause.lstrip()))


# "1.) The first item 2.) The second item": inline numbered items, cut before each number.
_INLINE_ITEM = re.compile(r"(?<!\S)(\d{1,2})(?:\.\)|\))(?=\s+\S)")
# "Hello world.Today": a full stop with no space after a plain word, before a capitalised word.
_ITEM_MARKER = re.compile(r"\d{1,2}(?:\.\)|\))\s*")
_NO_SPACE_END = re.compile(r"(?<![\w./@:-])([a-z]{2,})[.!?](?=[A-Z][a-z])")


def _numbered_item_cuts(content: str) -> list[int]:
    # Only a run 1, 2, 3... counts, so "scored 2) points" or a lone "(1)" never cuts.
    items = [(m.start(), int(m.group(1))) for m in _INLINE_ITEM.finditer(content)]
    cuts: list[int] = []
    run: list[int] = []
    for at, number in items:
        if number == 1:
            run = [at]
        elif run and number == len(run) + 1:
            run.append(at)
            if len(run) == 2:
                cuts.extend(run)
            else:
                cuts.append(at)
    return cuts


def _no_space_cuts(content: str) -> list[int]:
    return [m.end() for m in _NO_SPACE_END.finditer(content) if m.group(1) not in ABBREVIATIONS]


def _quotation_cuts(content: str) -> list[int]:
    """Sentence ends inside quotations, which pysbd keeps together as one sentence."""
    cuts = []
    for quote in _QUOTATION.finditer(content):
        for m in _INNER_END.finditer(content, quote.start(), min(len(content), quote.end() + 8)):
            before, _ = _around(content, m.start())
            # An ellipsis mid-quotation usually trails off rather than ends the sentence.
            trails_off = before.endswith(("...", "…"))
            if m.start() < quote.end() and not trails_off and not (before.endswith(".") and _is_abbreviation(_last_word(before))):
                cuts.append(m.start(2))
    return cuts


# --- inline Markdown ----------------------------------------------------------------------------

_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
# A link's destination is protected; its title ("(url "Title")") is text to translate, so a titled
# target is protected up to the title: "(url".
_LINK_TARGET = re.compile(r"(?<=\])\((?:[^()\s]|\([^()]*\))+(?:\)|(?=\s+\"[^\"]*\"\)))")
_LINK_LABEL = re.compile(r"(?<=\])\[[^\[\]]+\]|\[\^[^\[\]\s]+\]")  # [text][label] and footnotes [^1]
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>\s]+>")
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\](?:\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)|\[[^\[\]]*\])")
# Bounded, so a line full of unmatched stars stays linear; longer emphasis may be cut like plain text.
_EMPHASIS = re.compile(r"(?<![\w*])(\*\*|\*|__|_)(?=\S).{1,400}?(?<=\S)\1(?![\w*])")


def _code_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _INLINE_CODE.finditer(text)]


def protected(text: str) -> tuple[str, ...]:
    """The parts of a segment copied verbatim, in order: inline code, link targets and labels, autolinks."""
    code = _code_spans(text)
    found = [(a, text[a:b]) for a, b in code]
    for pattern in (_LINK_TARGET, _LINK_LABEL, _AUTOLINK):
        found.extend((m.start(), m.group(0)) for m in pattern.finditer(text) if not any(a <= m.start() < b for a, b in code))
    return tuple(part for _, part in sorted(found))


def _inline_markup(text: str) -> list[tuple[int, int]]:
    """Spans a sentence cut must not fall inside: inline code, whole links, emphasis."""
    return _code_spans(text) + [m.span() for pattern in (_LINK, _EMPHASIS, _AUTOLINK) for m in pattern.finditer(text)]
