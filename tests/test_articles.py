"""Specification of article loading, sentence segmentation, segment identity and the round trip."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workflow.cli
from tests.conftest import DATA, REPO, SAMPLE_SLUG, tree_digest
from workflow.articles import Article, parse_article, read_article, read_slug, reassemble, text_id
from workflow.errors import InputError

HEADER = "---\ntitle: A test article\ndate: 2026-11-20\nslug: test-article\n---\n\n"
AWKWARD = sorted((DATA / "articles").glob("*.md"))
# Articles with every construct that holds prose, hard breaks included (published in test_publish.py).
CORPUS = sorted((DATA / "corpus").glob("*.md"))
REPO_ARTICLES = sorted((REPO / "articles").glob("*.md"))


def article(body: str, header: str = HEADER) -> Article:
    return parse_article(header + body, Path("test-article.md"))


def body_texts(body: str) -> list[str]:
    return [s.text for s in article(body).body_segments]


# --- sentence rules -------------------------------------------------------------------------------

SENTENCE_RULES = [
    # abbreviations
    ("U.S. officials said so. Then they left.", ["U.S. officials said so.", "Then they left."]),
    ("He lives in the U.S. He likes it.", ["He lives in the U.S.", "He likes it."]),
    ("Dr. Smith met Mr. Jones. They talked.", ["Dr. Smith met Mr. Jones.", "They talked."]),
    ("Mr. and Mrs. Smith left. They returned.", ["Mr. and Mrs. Smith left.", "They returned."]),
    ("He met Gen. Petraeus and Sen. Warren. They talked.", ["He met Gen. Petraeus and Sen. Warren.", "They talked."]),
    ("Room No. 5 was empty. Nobody came.", ["Room No. 5 was empty.", "Nobody came."]),
    ("He said no. They left.", ["He said no.", "They left."]),
    ("On Jan. 18 he was called. On Feb. 2 he left.", ["On Jan. 18 he was called.", "On Feb. 2 he left."]),
    ("It was approx. 700 people. Then more came.", ["It was approx. 700 people.", "Then more came."]),
    ("The company Inc. was sold. Apple Inc. was not.", ["The company Inc. was sold.", "Apple Inc. was not."]),
    ("See e.g. the report. It is long.", ["See e.g. the report.", "It is long."]),
    # times
    ("They met at 9 a.m. Monday. They talked.", ["They met at 9 a.m. Monday.", "They talked."]),
    ("It was 5 p.m. GMT when they left. Fine.", ["It was 5 p.m. GMT when they left.", "Fine."]),
    ("They met at 10 a.m. on Monday. Fine.", ["They met at 10 a.m. on Monday.", "Fine."]),
    ("The meeting ended at 5 p.m. The next day began.", ["The meeting ended at 5 p.m.", "The next day began."]),
    # a time then a name: the sentence goes on when the clause opened with the time
    ("At 5 a.m. Mr. Smith went to the bank. He waited.", ["At 5 a.m. Mr. Smith went to the bank.", "He waited."]),
    ("By 7 p.m. President Tokayev had spoken. Then he left.", ["By 7 p.m. President Tokayev had spoken.", "Then he left."]),
    ("Talks ended at 5 p.m. Mr. Smith left.", ["Talks ended at 5 p.m.", "Mr. Smith left."]),
    # numbered items written inline keep their number
    ("1.) The first item 2.) The second item", ["1.) The first item", "2.) The second item"]),
    ("Steps: 1) pack a bag 2) lock the door 3) leave.", ["Steps:", "1) pack a bag", "2) lock the door", "3) leave."]),
    ("He scored 2) points and (1) goal.", ["He scored 2) points and (1) goal."]),
    # no space after the full stop
    ("Hello world.Today is Tuesday.", ["Hello world.", "Today is Tuesday."]),
    ("See www.example.Com or the U.S.Army site.", ["See www.example.Com or the U.S.Army site."]),
    # initials
    ("J. R. R. Tolkien wrote books. He died in 1973.", ["J. R. R. Tolkien wrote books.", "He died in 1973."]),
    ("Prof. A. Smith spoke. He left.", ["Prof. A. Smith spoke.", "He left."]),
    # numbers
    ("Prices rose 3.5% to 1,200 tenge. Sales fell.", ["Prices rose 3.5% to 1,200 tenge.", "Sales fell."]),
    ("It costs $1.5 million. That is a lot.", ["It costs $1.5 million.", "That is a lot."]),
    ("He was born on 12.05.1990 in Almaty. He left.", ["He was born on 12.05.1990 in Almaty.", "He left."]),
    # ellipses
    ("Wait... what? He left.", ["Wait... what?", "He left."]),
    ("He paused... Then he spoke.", ["He paused...", "Then he spoke."]),
    ("“I don't know... maybe tomorrow,” she said. Fine.", ["“I don't know... maybe tomorrow,” she said.", "Fine."]),
    # dashes
    (
        "The war — which began in 2022 — continues. Talks stalled.",
        ["The war — which began in 2022 — continues.", "Talks stalled."],
    ),
    ("He left – and never came back. Then silence.", ["He left – and never came back.", "Then silence."]),
    # questions and exclamations
    ("Is it true? Yes! It is.", ["Is it true?", "Yes!", "It is."]),
    # quotations holding several sentences are split at each sentence end
    (
        "He said: “I am tired. I want to go home. Nobody helps.” Then he left.",
        ["He said: “I am tired.", "I want to go home.", "Nobody helps.”", "Then he left."],
    ),
    (
        "“I am tired. I want to go home,” he said. Then he left.",
        ["“I am tired.", "I want to go home,” he said.", "Then he left."],
    ),
    ("“Why?” he asked. “Because.”", ["“Why?” he asked.", "“Because.”"]),
    ("She said, “No.” He left.", ["She said, “No.”", "He left."]),
    ("“Mr. Smith is here. Dr. Jones left.”", ["“Mr. Smith is here.", "Dr. Jones left.”"]),
    ("“The U.S. Army came. It left.”", ["“The U.S. Army came.", "It left.”"]),
    ("“Neither did I. He left too.”", ["“Neither did I.", "He left too.”"]),
    # brackets
    ("He left (he said so. Then he came back) and stayed. Fine.", ["He left (he said so. Then he came back) and stayed.", "Fine."]),
    ("(He left. Then he came back.) “Why?” he asked.", ["(He left. Then he came back.)", "“Why?” he asked."]),
    ("The vote (held on Jan. 5) failed. Then rain.", ["The vote (held on Jan. 5) failed.", "Then rain."]),
    # soft-wrapped lines are one paragraph; pysbd alone would cut at every line break
    ("The minister said\nnothing at all. His deputy\nsaid less.", ["The minister said nothing at all.", "His deputy said less."]),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCE_RULES, ids=[t[:40] for t, _ in SENTENCE_RULES])
def test_paragraph_is_split_into_sentences_by_news_text_rules(text: str, expected: list[str]) -> None:
    assert body_texts(text + "\n") == expected


def test_a_very_long_paragraph_is_split_like_a_short_one() -> None:
    sentences = [f"Sentence {i} names Mr. Smith of the U.S. embassy, who spoke at {i % 12 + 1} p.m. Monday." for i in range(400)]
    assert body_texts(" ".join(sentences) + "\n") == sentences


PATHOLOGICAL = {
    "unmatched-stars": "*a " * 40000 + "\n",
    "unmatched-backticks": "x " + "`" * 40000 + " a\n",
    "many-links": "The [link](http://x.org) went `a` home. Then *it* rained. " * 2000 + "\n",
    "many-quotes": "He said “it is here. Right.” Then he left. " * 3000 + "\n",
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_markdown_round_trips_in_linear_time(name: str) -> None:
    # Each of these took minutes (or overflowed the stack) when a rule was quadratic or recursive.
    started = time.perf_counter()
    parsed = article(PATHOLOGICAL[name])
    assert reassemble(parsed) == HEADER + PATHOLOGICAL[name]
    assert time.perf_counter() - started < 15


@pytest.mark.parametrize("body", [">" * 3000 + " Deep.\n", "- " * 3000 + "Deep.\n", "> - " * 40 + "Deep.\n"], ids=["quotes", "lists", "mixed"])
def test_blocks_nested_deeper_than_the_tree_holds_are_refused_in_one_line_not_dropped(body: str) -> None:
    # markdown-it stops reading past its nesting limit: the text would vanish from every edition.
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"^test-article.md:7: blocks \(quotes, lists\) nested more than 32 levels deep$"):
        article(body)
    assert time.perf_counter() - started < 15


def test_summary_is_split_into_sentences_after_the_title() -> None:
    header = HEADER.replace("slug:", "summary: Dr. Smith spoke. He left at 9 a.m. Monday.\nslug:")
    segments = article("Body.\n", header).segments
    assert [(s.kind, s.text, s.line) for s in segments[:3]] == [
        ("title", "A test article", 2),
        ("summary", "Dr. Smith spoke.", 4),
        ("summary", "He left at 9 a.m. Monday.", 4),
    ]
    assert segments[1].start is None


# --- blocks ------------------------------------------------------------------------------------

BLOCK_CASES = [
    ("## Closing hashes ##\n", [("heading", "Closing hashes")]),
    ("# Trailing #hashtag\n", [("heading", "Trailing #hashtag")]),
    ("Setext\n======\n", [("heading", "Setext")]),
    ("Setext two\n---\n", [("heading", "Setext two")]),
    ("Text.\n\n---\n\nMore.\n", [("paragraph", "Text."), ("paragraph", "More.")]),
    ("> One. Two.\n> Three.\n", [("blockquote", "One."), ("blockquote", "Two."), ("blockquote", "Three.")]),
    ("> Lazy\ncontinuation.\n", [("blockquote", "Lazy continuation.")]),
    ("> One.\n>\n> Two.\n", [("blockquote", "One."), ("blockquote", "Two.")]),
    ("> > Nested.\n", [("blockquote", "Nested.")]),
    ("> “Quote.”\n— Name\n", [("blockquote", "“Quote.”"), ("attribution", "Name")]),
    ("– Marua Eskendirova\n", [("attribution", "Marua Eskendirova")]),
    ("-- Name\n", [("attribution", "Name")]),
    ("- Item\n  continues.\n- Next.\n", [("list_item", "Item continues."), ("list_item", "Next.")]),
    ("- Item\ncontinues lazily.\n", [("list_item", "Item continues lazily.")]),
    ("1. One.\n2) Two.\n", [("list_item", "One."), ("list_item", "Two.")]),
    # Indented past the item's content by 4 or more, "- Deep." is paragraph text in CommonMark, not a list.
    ("- Outer.\n        - Deep.\n", [("list_item", "Outer."), ("list_item", "- Deep.")]),
    ("- Outer.\n  - Inner.\n", [("list_item", "Outer."), ("list_item", "Inner.")]),
    ("Began in\n2022. Since.\n", [("paragraph", "Began in 2022."), ("paragraph", "Since.")]),
    ("Para.\n1. Item.\n", [("paragraph", "Para."), ("list_item", "Item.")]),
    ("Para.\n> Quote.\n", [("paragraph", "Para."), ("blockquote", "Quote.")]),
    ("```\nCode. Here.\n```\nAfter.\n", [("paragraph", "After.")]),
    ("````\n```\nInside.\n```\n````\nAfter.\n", [("paragraph", "After.")]),
    ("~~~\nunclosed fence. Runs to the end.\n", []),
    ("<div>\nHTML text.\n</div>\n\nAfter.\n", [("html_text", "HTML text."), ("paragraph", "After.")]),
    ("<script>\nvar a = 'Not prose.';\n</script>\n\nAfter.\n", [("paragraph", "After.")]),
    ("<!-- note.\nMore. -->\nAfter.\n", [("paragraph", "After.")]),
    ("<em>Inline</em> starts prose.\n", [("paragraph", "<em>Inline</em> starts prose.")]),
    ("[ref]: https://example.com\n\nAfter.\n", [("paragraph", "After.")]),
    ("Line with\u2028separator. Next.\n", [("paragraph", "Line with\u2028separator."), ("paragraph", "Next.")]),
    ("| A | B |\n|---|:-:|\n| One. Two. | x \\| y |\n", [("paragraph", t) for t in ("A", "B", "One.", "Two.", "x \\| y")]),
    ("Text.\n\n1,200\n\n- 3.5%\n", [("paragraph", "Text.")]),
    ("Text.\n\n    Indented code. Not prose.\n", [("paragraph", "Text.")]),
    ("-\tItem one.\n\tcontinued here.\n", [("list_item", "Item one."), ("list_item", "continued here.")]),
    ("Para\r\nwith\rlone cr.\n", [("paragraph", "Para with lone cr.")]),
    ("Line one  \nline two\\\nline three.\n", [("paragraph", "Line one"), ("paragraph", "line two"), ("paragraph", "line three.")]),
    ("<figure>\n<img src=\"r.jpg\" alt=\"A river\">\n<figcaption>The river. Photo by <b>Jo</b>.</figcaption>\n</figure>\n",
     [("html_text", "A river"), ("html_text", "The river."), ("html_text", "Photo by"), ("html_text", "Jo")]),
    ("Text[^1].\n\n[^1]: A footnote. Two.\n", [("paragraph", "Text[^1]."), ("paragraph", "A footnote."), ("paragraph", "Two.")]),
    ("![A photo of the river](r.jpg)\n", [("paragraph", "![A photo of the river](r.jpg)")]),
    # An inline tag's alt/title value is a segment of its own, after its sentence (which still holds the tag).
    ('The <abbr title="World Health Organization">WHO</abbr> met.\n',
     [("paragraph", 'The <abbr title="World Health Organization">WHO</abbr> met.'), ("attribute", "World Health Organization")]),
    ("A map <img src=m.png alt='Closed roads'> and <img src=m.png alt=Detours>.\n",
     [("paragraph", "A map <img src=m.png alt='Closed roads'> and <img src=m.png alt=Detours>."),
      ("attribute", "Closed roads"), ("attribute", "Detours")]),
    ('Water <abbr title="Above > 3 m">A3</abbr>.\n', [("paragraph", 'Water <abbr title="Above > 3 m">A3</abbr>.'), ("attribute", "Above > 3 m")]),
    ('# The <abbr title="United Nations">UN</abbr>\n', [("heading", 'The <abbr title="United Nations">UN</abbr>'), ("attribute", "United Nations")]),
    ('| A |\n|---|\n| <abbr title="Cell title">CT</abbr> |\n',
     [("paragraph", "A"), ("paragraph", '<abbr title="Cell title">CT</abbr>'), ("attribute", "Cell title")]),
    ('Code `<abbr title="Not prose">` and \\<abbr title="Not a tag">.\n',
     [("paragraph", 'Code `<abbr title="Not prose">` and \\<abbr title="Not a tag">.')]),
    ('<img src="1.png" alt="12"> and <abbr title="">x</abbr> hold no prose to translate.\n',
     [("paragraph", '<img src="1.png" alt="12"> and <abbr title="">x</abbr> hold no prose to translate.')]),
    # A reference definition's title, in any of its three quotings, is a segment; so is one inside a quote.
    ('See [it][r].\n\n[r]: https://example.com "The report"\n', [("paragraph", "See [it][r]."), ("link_title", "The report")]),
    ("See [it][r].\n\n[r]: <https://example.com> 'Single'\n[s]: https://example.com (Paren)\n",
     [("paragraph", "See [it][r]."), ("link_title", "Single"), ("link_title", "Paren")]),
    ("> See [it][r].\n>\n> [r]: https://example.com 'Quoted'\n", [("blockquote", "See [it][r]."), ("link_title", "Quoted")]),
    ('See [it][r].\n\n[r]: https://example.com "1999"\n', [("paragraph", "See [it][r].")]),
    ("<figure>\n<img src=r.jpg alt=River>\n</figure>\n", [("html_text", "River")]),
]


@pytest.mark.parametrize(("body", "expected"), BLOCK_CASES, ids=[b[:30] for b, _ in BLOCK_CASES])
def test_blocks_give_prose_segments_of_the_right_kind(body: str, expected: list[tuple[str, str]]) -> None:
    if not expected:
        with pytest.raises(InputError, match="no body text"):
            article(body)
        return
    assert [(s.kind, s.text) for s in article(body).body_segments] == expected


def test_a_link_definition_title_over_two_lines_is_refused_in_one_line() -> None:
    with pytest.raises(InputError, match="link definition's title must be on one line") as caught:
        article('See [it][r].\n\n[r]: https://example.com "A title\nover two lines"\n')
    assert caught.value.line == 9


def test_an_attribute_repeating_a_sentence_leaves_the_sentence_its_id() -> None:
    """Attribute values are counted after sentences, so segmenting them renumbers no reviewed sentence."""
    segments = article('A <abbr title="Roads closed.">RC</abbr> sign.\n\nRoads closed.\n').body_segments
    ids = {(s.kind, s.text): s.id for s in segments}
    assert ids[("paragraph", "Roads closed.")] == text_id("Roads closed.")
    assert ids[("attribute", "Roads closed.")] == text_id("Roads closed.") + "-2"


def test_segment_records_block_index_and_line() -> None:
    segments = article("First. Second.\n\n> Quote one\n> spans. Quote two.\n").body_segments
    assert [(s.block, s.index, s.line) for s in segments] == [(1, 0, 7), (1, 1, 7), (2, 0, 9), (2, 1, 10)]
    assert all(s.article == "test-article" for s in segments)


@pytest.mark.parametrize("path", AWKWARD + CORPUS, ids=[p.stem for p in AWKWARD + CORPUS])
def test_awkward_article_gives_the_expected_segments(path: Path) -> None:
    got = [{"line": s.line, "kind": s.kind, "text": s.text, "protected": list(s.protected)} for s in read_article(path).segments]
    assert got == json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


# --- the sample article -------------------------------------------------------------------------


def test_sample_article_gives_title_and_28_body_segments_of_the_expected_kinds() -> None:
    sample = read_article(REPO / "articles" / f"{SAMPLE_SLUG}.md")
    kinds = [s.kind for s in sample.segments]
    assert kinds == (
        ["title"]
        + ["paragraph"] * 8
        + ["blockquote"] * 3
        + ["attribution"]
        + ["paragraph"] * 13
        + ["heading"]
        + ["paragraph"] * 2
    )
    assert len(sample.body_segments) == 28


def test_sample_quotation_gives_three_segments_on_its_line() -> None:
    sample = read_article(REPO / "articles" / f"{SAMPLE_SLUG}.md")
    quote = [s for s in sample.segments if s.kind == "blockquote"]
    assert [s.text.split()[:3] for s in quote] == [["“The", "brother", "is"], ["I", "am", "raising"], ["If", "today", "they"]]
    assert {s.line for s in quote} == {15}
    assert quote[-1].text.endswith("with others.”")


# --- inline Markdown ----------------------------------------------------------------------------

PROTECTED_CASES = [
    ("Plain text.", ()),
    ("See [the report](https://example.com/r.pdf).", ("(https://example.com/r.pdf)",)),
    # The title is text to translate: only the destination is protected.
    ("See [it](https://e.com/a_(b) \"Title\") now.", ("(https://e.com/a_(b)",)),
    ("Run `workflow segment` and `x`.", ("`workflow segment`", "`x`")),
    ("Use ``a `b` c`` here.", ("``a `b` c``",)),
    ("Code `[a](b)` is not a link.", ("`[a](b)`",)),
    ("Go to <https://example.org/x>.", ("<https://example.org/x>",)),
    ("A [reference link][ref] here.", ("[ref]",)),
    ("A footnote[^1] here.", ("[^1]",)),
    ("![A photo](img/p.jpg) of *him* and **her**.", ("(img/p.jpg)",)),
    ("Mix `code` then [link](http://a.b).", ("`code`", "(http://a.b)")),
]


@pytest.mark.parametrize(("text", "expected"), PROTECTED_CASES, ids=[t[:30] for t, _ in PROTECTED_CASES])
def test_protected_holds_exactly_link_targets_and_inline_code(text: str, expected: tuple[str, ...]) -> None:
    (segment,) = article(text + "\n").body_segments
    assert segment.text == text
    assert segment.protected == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("*He left. She stayed.* Then rain.", ["*He left. She stayed.* Then rain."]),
        ("Read [Mr. Smith's report. Part one](https://e.com) now. Done.", ["Read [Mr. Smith's report. Part one](https://e.com) now.", "Done."]),
        ("Type `stop. Go` now. Done.", ["Type `stop. Go` now.", "Done."]),
        ("*He left.\nShe stayed.* Then\n`a.\nB` rain. Done.", ["*He left. She stayed.* Then `a. B` rain.", "Done."]),
    ],
)
def test_inline_markdown_stays_intact_inside_one_segment(body: str, expected: list[str]) -> None:
    assert body_texts(body + "\n") == expected


def test_title_records_its_protected_parts() -> None:
    header = HEADER.replace("A test article", "The `x` in [y](https://y.org)")
    title = article("Body.\n", header).segments[0]
    assert (title.id, title.kind, title.protected) == ("title", "title", ("`x`", "(https://y.org)"))


# --- identity -----------------------------------------------------------------------------------

BODY = "First sentence. Second sentence.\n\n> A quote. Another.\n\n## Heading\n\nLast one.\n"


def ids(body: str) -> dict[str, str]:
    return {s.text: s.id for s in article(body).segments}


def test_resegmenting_the_same_text_gives_the_same_ids() -> None:
    assert [s.id for s in article(BODY).segments] == [s.id for s in article(BODY).segments]
    assert article(BODY).segments[0].id == "title"


def test_editing_one_sentence_changes_only_its_id() -> None:
    before = ids(BODY)
    after = ids(BODY.replace("Second sentence.", "Second sentence, edited."))
    changed = {t for t in before if before[t] != after.get(t)}
    assert changed == {"Second sentence."}
    assert set(after) - set(before) == {"Second sentence, edited."}


def test_inserting_a_paragraph_changes_no_other_id() -> None:
    before = ids(BODY)
    after = ids(BODY.replace("## Heading", "A new paragraph. With two sentences.\n\n## Heading"))
    assert {t: after[t] for t in before} == before


def test_repeated_text_gets_an_occurrence_suffix() -> None:
    segments = article("Yes. No. Yes.\n\nYes.\n").body_segments
    base = segments[0].id
    assert [s.id for s in segments] == [base, segments[1].id, f"{base}-2", f"{base}-3"]
    assert len(base) == 10


# --- round trip ---------------------------------------------------------------------------------

def in_body(text: str, change) -> str:
    cut = text.index("\n---\n", 1) + 5
    return text[:cut] + change(text[cut:])


VARIANTS = {
    "as-is": lambda text: text,
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "bom": lambda text: "\ufeff" + text,
    "no-final-newline": lambda text: text.rstrip("\n"),
    # One trailing space: two or more before a line end are a CommonMark hard break, which ends a segment.
    "trailing-space": lambda text: text.replace("\n", " \n"),
    # YAML refuses tabs, so they go into the body only.
    "body-tabs-crlf-bom": lambda text: "\ufeff" + in_body(text, lambda body: body.replace("\n", "\t\n")).replace("\n", "\r\n"),
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("path", REPO_ARTICLES + AWKWARD, ids=[p.stem for p in REPO_ARTICLES + AWKWARD])
def test_reassembling_without_replacements_reproduces_the_file_byte_for_byte(path: Path, variant: str, tmp_path: Path) -> None:
    _round_trip(path, variant, tmp_path)


# Whitespace before a line end is a hard break in CommonMark: for an article with breaks only these keep its meaning.
@pytest.mark.parametrize("variant", ["as-is", "crlf", "bom", "no-final-newline"])
@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_the_corpus_round_trips_byte_for_byte(path: Path, variant: str, tmp_path: Path) -> None:
    _round_trip(path, variant, tmp_path)


def _round_trip(path: Path, variant: str, tmp_path: Path) -> None:
    data = VARIANTS[variant](path.read_text(encoding="utf-8")).encode("utf-8")
    copy = tmp_path / path.name
    copy.write_bytes(data)
    parsed = read_article(copy)
    assert reassemble(parsed).encode("utf-8") == data
    assert [s.text for s in parsed.segments] == [s.text for s in read_article(path).segments]


MARKDOWN_PIECES = st.sampled_from(
    ["\n", "\r\n", "\n\n", "\n> ", "\n- ", "> ", ">", "- ", "1. ", "## ", " #", "```", "~~~", "---", "===", "| ", "|---|", "<div>", "<!--",
     "-->", "– ", "`", "*", "_", "[a]", "(http://x)", "“", "”", "Mr.", "U.S.", "3.5", "...", ". ", "? ", "Word", "word", " ", "\t", "\ufeff"]
)


def is_subsequence(small: list[str], big: list[str]) -> bool:
    """Each word of `small` is inside a word of `big`, in order (a word may carry a "> " marker glued on)."""
    rest = iter(big)
    return all(any(word in other for other in rest) for word in small)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MARKDOWN_PIECES, max_size=40).map("".join))
def test_any_markdown_round_trips_and_segments_are_ordered_slices_of_it(body: str) -> None:
    source = HEADER + body
    try:
        parsed = parse_article(source, Path("test-article.md"))
    except InputError as exc:
        assert exc.message == "the article has no body text after its front matter"
        return
    assert reassemble(parsed) == source
    ends = [0]
    for s in parsed.body_segments:
        raw = source[s.start : s.end]
        assert s.start >= ends[-1] and raw == raw.strip() and raw
        assert is_subsequence(s.text.split(), raw.split())  # raw adds only markers such as "> " of later lines
        ends.append(s.end)
    marked = reassemble(parsed, {s.id: "@" for s in parsed.body_segments})
    assert marked.count("@") - source.count("@") == len({s.id for s in parsed.body_segments})


def test_segments_point_at_their_raw_text_in_the_source() -> None:
    parsed = read_article(REPO / "articles" / f"{SAMPLE_SLUG}.md")
    for s in parsed.body_segments:
        assert parsed.source[s.start : s.end] == s.text
        assert parsed.source.count("\n", 0, s.start) + 1 == s.line


def test_reassemble_with_replacements_keeps_markers_around_the_new_text() -> None:
    parsed = article("## Heading ##\n\n> One. Two\nspans lines.\n\n- Item.\n1. Numbered.\n\n– Name\n\nPlain.\n")
    new = {s.id: f"<{s.kind}-{s.index}>" for s in parsed.body_segments}
    assert reassemble(parsed, new) == HEADER + (
        "## <heading-0> ##\n\n> <blockquote-0> <blockquote-1>\n\n- <list_item-0>\n1. <list_item-0>\n\n– <attribution-0>\n\n<paragraph-0>\n"
    )


def test_reassemble_replaces_a_sentence_spanning_quoted_lines_and_keeps_the_rest() -> None:
    parsed = article("> First. Second runs\n> over two lines. Third.\n")
    second = parsed.body_segments[1]
    assert second.text == "Second runs over two lines."
    assert reassemble(parsed, {second.id: "Екінші."}) == HEADER + "> First. Екінші. Third.\n"


def test_reassemble_replaces_only_the_given_segments() -> None:
    parsed = article("> First. Second.\n")
    first = parsed.body_segments[0]
    assert reassemble(parsed, {first.id: "Бірінші."}) == HEADER + "> Бірінші. Second.\n"


# --- bad input, through the command line ---------------------------------------------------------

GOOD_FRONT = "---\ntitle: T\ndate: 2026-11-20\nslug: ok\n---\n\nBody.\n"
BAD_INPUTS = [
    ("missing", None, "no such article file"),
    ("not-utf8", b"---\ntitle: T\ndate: 2026-11-20\nslug: ok\n---\n\nCaf\xe9.\n", "7: not UTF-8 text (byte 0xe9); save the article as UTF-8"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "3: binary file (NUL bytes), not a Markdown article"),
    ("no-front-matter", b"Just text.\n", "1: missing front matter: the file must start with a '---' line, then title, date and slug"),
    ("unclosed", b"---\ntitle: T\ndate: 2026-11-20\n\nBody.\n", "1: front matter is not closed: add a '---' line after it"),
    ("invalid-yaml", b"---\ntitle: T\ndate: [2026\nslug: ok\n---\n\nBody.\n", "4: front matter is not valid YAML: expected ',' or ']', but got ':'"),
    ("not-a-mapping", b"---\n- a list\n---\n\nBody.\n", "2: front matter must be key: value lines (title, date, slug)"),
    ("no-title", GOOD_FRONT.replace("title: T\n", "").encode(), "2: front matter lacks 'title'"),
    ("no-date", GOOD_FRONT.replace("date: 2026-11-20\n", "").encode(), "2: front matter lacks 'date'"),
    ("no-slug", GOOD_FRONT.replace("slug: ok\n", "").encode(), "2: front matter lacks 'slug'"),
    ("empty-title", GOOD_FRONT.replace("title: T", "title:").encode(), "2: front matter lacks 'title'"),
    ("typo-key", GOOD_FRONT.replace("slug: ok", "slug: ok\nsumary: x").encode(), "5: unknown front matter key 'sumary': did you mean 'summary'?"),
    ("alias", GOOD_FRONT.replace("slug: ok", "slug: ok\nx: &a [1]\ny: *a").encode(), "5: YAML anchors and aliases (&a) are not allowed in front matter; write the value out"),
    ("duplicate-slug-key", GOOD_FRONT.replace("slug: ok", "slug: ok\nslug: other").encode(), "5: duplicate front matter key 'slug' (first on line 4)"),
    ("block-slug", GOOD_FRONT.replace("slug: ok", "slug: |\n  ok").encode(), "4: invalid slug 'ok\\n': use lowercase letters, digits and single hyphens (e.g. kazakh-migrant-deported)"),
    ("bad-date", GOOD_FRONT.replace("2026-11-20", "20.11.2026").encode(), "3: date '20.11.2026' is not YYYY-MM-DD"),
    ("impossible-date", GOOD_FRONT.replace("2026-11-20", "2026-13-45").encode(), "3: not a real date: month must be in 1..12; use YYYY-MM-DD"),
    ("number-date", GOOD_FRONT.replace("2026-11-20", "20261120").encode(), "3: date must be YYYY-MM-DD"),
    (
        "bad-slug",
        GOOD_FRONT.replace("slug: ok", "slug: ../x").encode(),
        "4: invalid slug '../x': use lowercase letters, digits and single hyphens (e.g. kazakh-migrant-deported)",
    ),
    ("title-not-text", GOOD_FRONT.replace("title: T", "title: [a, b]").encode(), "2: title must be text"),
    ("authors-not-names", GOOD_FRONT.replace("slug: ok", "slug: ok\nauthors: {a: 1}").encode(), "5: authors must be a list of names"),
    ("empty-body", GOOD_FRONT.replace("Body.\n", "").encode(), "6: the article has no body text after its front matter"),
    ("only-code", GOOD_FRONT.replace("Body.\n", "```\ncode\n```\n").encode(), "6: the article has no body text after its front matter"),
]


def expected_error(name: str, message: str) -> str:
    sep = ":" if message[:1].isdigit() else ": "
    return f"Error: {name}.md{sep}{message}\n"


@pytest.mark.parametrize(("name", "data", "message"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_article_is_one_error_line_naming_file_and_line(
    name: str, data: bytes | None, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    # In-process run of the CLI's entry point (the subprocess test below proves it is what `python -m workflow` runs).
    if data is not None:
        (tmp_path / f"{name}.md").write_bytes(data)
    before = tree_digest(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["workflow", "segment", f"{name}.md"])
    with pytest.raises(SystemExit) as exit_info:
        workflow.cli.main()
    captured = capsys.readouterr()
    assert (exit_info.value.code, captured.out, captured.err) == (1, "", expected_error(name, message))
    assert tree_digest(tmp_path) == before


@pytest.mark.parametrize("case", ["missing", "not-utf8", "invalid-yaml", "bad-slug", "empty-body"])
def test_bad_article_through_python_m_workflow(case: str, tmp_path: Path) -> None:
    name, data, message = next(c for c in BAD_INPUTS if c[0] == case)
    if data is not None:
        (tmp_path / f"{name}.md").write_bytes(data)
    before = tree_digest(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "workflow", "segment", f"{name}.md"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout, result.stderr) == (1, "", expected_error(name, message))
    assert tree_digest(tmp_path) == before


def test_directory_is_not_an_article(tmp_path: Path) -> None:
    (tmp_path / "dir.md").mkdir()
    with pytest.raises(InputError) as info:
        read_article(tmp_path / "dir.md")
    assert str(info.value) == f"{tmp_path / 'dir.md'}: is a directory, not an article file"


# --- the slug alone -------------------------------------------------------------------------------------

BAD_ARTICLES = sorted((DATA / "bad" / "articles").glob("*.md"))


def test_the_slug_is_read_from_the_front_matter_alone() -> None:
    sample = REPO / "articles" / f"{SAMPLE_SLUG}.md"
    assert read_slug(sample) == read_article(sample).slug == SAMPLE_SLUG


@pytest.mark.parametrize("path", [p for p in BAD_ARTICLES if p.stem not in ("no-body", "site-keys")], ids=lambda p: p.stem)
def test_a_file_read_for_its_slug_fails_exactly_as_reading_the_whole_article_would(path: Path) -> None:
    with pytest.raises(InputError) as whole:
        read_article(path)
    with pytest.raises(InputError) as slug_only:
        read_slug(path)
    assert str(slug_only.value) == str(whole.value)


def test_site_keys_are_kept_in_file_order_for_the_templates() -> None:
    art = read_article(DATA / "bad" / "articles" / "site-keys.md")
    assert art.extra == (("tags", ["migration", "courts"]), ("categories", "news"), ("image", "/img/river.jpg"), ("draft", False), ("weight", 3))


def test_a_body_is_not_needed_for_the_slug() -> None:
    assert read_slug(DATA / "bad" / "articles" / "no-body.md") == "no-body"


# --- upgrading a project --------------------------------------------------------------------------

UPGRADE = DATA / "upgrade"  # articles and reviewed catalogs written by the code before the document tree


@pytest.mark.parametrize("slug", sorted(p.stem for p in (UPGRADE / "articles").glob("*.md")))
def test_catalogs_reviewed_before_the_upgrade_stay_reviewed_after_it(tmp_path, slug):
    import datetime as dt
    import shutil

    from workflow import catalog
    from workflow.project import load_project
    from workflow.review import review_article

    root = tmp_path / "project"
    shutil.copytree(UPGRADE, root)
    proj = load_project(root)
    art = read_article(proj.articles_dir / f"{slug}.md", proj)
    for locale in proj.locales:
        before = catalog.read_catalog(proj.po_path(slug, locale))
        reviewed = {e.key: e.msgstr for e in before.entries if not e.fuzzy and e.msgstr}
        assert reviewed
        catalog.write_catalog(proj, art, locale, {}, "none", now=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc))
        after = {(e.msgctxt, e.msgid): e for e in review_article(proj, art, locale).entries}
        lost = [key for key, msgstr in reviewed.items() if key not in after or after[key].status != "reviewed" or after[key].msgstr != msgstr]
        assert lost == []


@pytest.mark.parametrize(
    "files, named, picked, errors",
    [
        (["a", "b"], None, ["a", "b"], []),
        (["a", "b", "a"], None, ["b"], ["articles/a3.md: slug 'a' is also used by articles/a1.md"]),
        (["a", "b", "a"], ["b"], ["b"], ["articles/a3.md: slug 'a' is also used by articles/a1.md"]),
        (["a", "b"], ["b", "a", "b"], ["b", "a"], []),
        (["a", "b", "a"], ["a"], [], ["articles/a3.md: slug 'a' is also used by articles/a1.md"]),
        (["a", "b", "a"], ["c"], [], ["articles/a3.md: slug 'a' is also used by articles/a1.md", "articles: no article with slug 'c' (articles: b)"]),
        ([], ["c"], [], ["articles: no article with slug 'c' (articles: none)"]),
    ],
    ids=["unique", "clash-left-out", "clash-beside-named", "named-order", "named-clash", "unknown-name", "empty"],
)
def test_pick_by_slug_leaves_out_both_files_of_a_clash_and_names_what_no_file_has(project_dir, files, named, picked, errors):
    """The one slug-uniqueness check behind load_articles, scan_articles and translate."""
    from workflow.articles import pick_by_slug
    from workflow.project import load_project

    project = load_project(project_dir)
    found = [(slug, project.articles_dir / f"{slug}{i}.md", f"{slug}{i}") for i, slug in enumerate(files, start=1)]
    chosen, refused = pick_by_slug(project, found, named)
    assert [item.rstrip("0123456789") for item in chosen] == picked
    assert [exc.shown(project.relative(exc.path)) for exc in refused] == errors
