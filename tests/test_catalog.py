"""Catalogs: PO/POT writing, msgmerge-style merging on every run, and refusing bad PO files."""

from __future__ import annotations

import datetime as dt
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from babel.messages.pofile import read_po

from tests.conftest import DATA
from workflow import catalog
from workflow.articles import read_article
from workflow.errors import InputError
from workflow.project import load_project

CATALOG_DATA = DATA / "catalog"
SLUG = "flood-waters-rise"
PROVENANCE = "translate-en_ru 1.9"
T0 = dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.timezone.utc)
T1 = dt.datetime(2026, 11, 20, 14, 5, tzinfo=dt.timezone.utc)
T2 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.timezone.utc)

CHANGED_OLD = "The river burst its banks on Tuesday."
CHANGED_NEW = "The river burst its banks early on Tuesday morning."
REMOVED = "See the [report](https://example.org/report) for details."
ADDED = "Volunteers handed out blankets. The city opened three shelters."


# --- helpers shared with test_review.py ----------------------------------------------------------------


def fake_mt(text: str, locale: str = "ru") -> str:
    """A deterministic stand-in for the model: keeps links and code, so checks pass."""
    return f"[{locale}] {text}"


def setup_project(project_dir: Path):
    shutil.copy(CATALOG_DATA / f"{SLUG}.md", project_dir / "articles" / f"{SLUG}.md")
    project = load_project(project_dir)
    return project, project_dir / "articles" / f"{SLUG}.md"


def translate(project, article_path: Path, locale: str = "ru", now=T0, retranslate=False, skip=(), mt=None):
    """What run.py does, minus the model (`mt`, default fake_mt): drafts for exactly the pending segments."""
    article = read_article(article_path, project)
    pending = catalog.pending_segments(project, article, locale, retranslate=retranslate)
    drafts = {s.id: (mt or fake_mt)(s.text, locale) for s in pending if s.text not in skip}
    provenance = PROVENANCE.replace("en_ru", f"en_{locale}")
    return catalog.write_catalog(project, article, locale, drafts, provenance, None, now=now), pending


def simulate_translator(po_path: Path) -> dict[str, str]:
    """Accept the first six entries, rewrite and accept the next two; return the accepted msgstrs by msgid."""
    po = polib.pofile(str(po_path))
    active = [e for e in po if not e.obsolete]
    accepted = {}
    for i, entry in enumerate(active[:8]):
        if i >= 6:
            # The second edit drops the inline code the source has: the review checks must flag it.
            entry.msgstr = "Жителям велели запустить приложение." if "`" in entry.msgid else f"Правка переводчика {i}"
            entry.tcomment = (entry.tcomment + "\n" if entry.tcomment else "") + "checked with the desk"
        entry.flags.remove("fuzzy")
        accepted[(entry.msgctxt, entry.msgid)] = entry.msgstr
    po.metadata["Last-Translator"] = "Aigerim <aigerim@example.org>"
    po.save()
    return accepted


def edit_article(article_path: Path) -> None:
    """One sentence changed, one removed, one paragraph added."""
    text = article_path.read_text(encoding="utf-8")
    text = text.replace(CHANGED_OLD, CHANGED_NEW).replace(" " + REMOVED, "")
    text = text.replace("## What happened\n", f"## What happened\n\n{ADDED}\n")
    article_path.write_text(text, encoding="utf-8")


def entries_by_key(po_path: Path) -> dict:
    return {(e.msgctxt, e.msgid): e for e in polib.pofile(str(po_path)) if not e.obsolete}


def plural_rule(header: str) -> tuple[int, list[int]]:
    """What a Plural-Forms header means: its nplurals and the form it picks for n = 0..200."""
    found = re.fullmatch(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?)\s*;?\s*", header)
    assert found, header
    pick = gettext.c2py(found.group(2))
    return int(found.group(1)), [pick(n) for n in range(201)]


_PLURAL_LINE = re.compile(r'^"Plural-Forms: (.*)\\n"$', re.M)


def assert_same_po_text(written: str, expected: str) -> None:
    """Byte for byte, except the Plural-Forms formula Babel spells: that one must mean the same."""
    ours, theirs = _PLURAL_LINE.findall(written), _PLURAL_LINE.findall(expected)
    assert len(ours) == len(theirs) == 1
    assert plural_rule(ours[0]) == plural_rule(theirs[0])
    assert _PLURAL_LINE.sub("", written) == _PLURAL_LINE.sub("", expected)


def assert_valid_po(path: Path) -> None:
    """GNU msgfmt --check and Babel's reader both accept the file."""
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with path.open("rb") as handle:
        parsed = read_po(handle)
    expected = [e for e in polib.pofile(str(path)) if not e.obsolete]
    assert len([m for m in parsed if m.id]) == len(expected)
    for entry in expected:
        message = parsed.get(entry.msgid, context=entry.msgctxt)
        assert message is not None and message.string == entry.msgstr
        assert message.fuzzy == ("fuzzy" in entry.flags)


@pytest.fixture
def flood(project_dir: Path):
    return setup_project(project_dir)


# --- the whole story ------------------------------------------------------------------------------------


def test_rerun_after_review_and_article_edit_keeps_reviewed_work_and_merges_like_msgmerge(flood):
    project, path = flood
    result, pending = translate(project, path)
    assert result.written and result.added == 13 and result.drafted == 13 and len(pending) == 13
    po_path = project.po_path(SLUG, "ru")
    accepted = simulate_translator(po_path)
    edit_article(path)

    result, pending = translate(project, path, now=T1)

    # Only the new paragraph went to the model: the edited sentence keeps its translation, fuzzy.
    assert [s.text for s in pending] == ADDED.split(" The ")[:1] + ["The " + ADDED.split(" The ")[1]]
    assert (result.changed, result.obsoleted, result.added, result.drafted) == (1, 1, 2, 2)
    entries = entries_by_key(po_path)
    for key, msgstr in accepted.items():
        if key[1] in (CHANGED_OLD, REMOVED):
            continue
        assert entries[key].msgstr == msgstr and "fuzzy" not in entries[key].flags
    assert "checked with the desk" in entries[(None, "What happened")].tcomment
    changed = entries[(None, CHANGED_NEW)]
    assert changed.msgstr == accepted[(None, CHANGED_OLD)]
    assert "fuzzy" in changed.flags and changed.previous_msgid == CHANGED_OLD
    obsolete = [e for e in polib.pofile(str(po_path)) if e.obsolete]
    assert [(e.msgid, e.msgstr) for e in obsolete] == [(REMOVED, accepted[(None, REMOVED)])]
    for sentence in ("Volunteers handed out blankets.", "The city opened three shelters."):
        assert entries[(None, sentence)].msgstr == fake_mt(sentence)
        assert "fuzzy" in entries[(None, sentence)].flags
        assert entries[(None, sentence)].tcomment == f"machine: {PROVENANCE} sha1:{catalog.draft_hash(fake_mt(sentence))}"
    assert polib.pofile(str(po_path)).metadata["Last-Translator"] == "Aigerim <aigerim@example.org>"
    assert_valid_po(po_path)
    assert_valid_po(project.pot_path(SLUG))


def test_written_catalog_and_template_match_expected_files(flood):
    project, path = flood
    translate(project, path)
    simulate_translator(project.po_path(SLUG, "ru"))
    edit_article(path)
    translate(project, path, now=T1)
    assert_same_po_text(project.po_path(SLUG, "ru").read_text(encoding="utf-8"), (CATALOG_DATA / "expected-ru.po").read_text(encoding="utf-8"))
    assert project.pot_path(SLUG).read_text(encoding="utf-8") == (CATALOG_DATA / "expected.pot").read_text(encoding="utf-8")


def test_first_catalog_in_kazakh_matches_expected_file(flood):
    project, path = flood
    translate(project, path, locale="kk")
    po_path = project.po_path(SLUG, "kk")
    assert_same_po_text(po_path.read_text(encoding="utf-8"), (CATALOG_DATA / "expected-kk.po").read_text(encoding="utf-8"))
    assert_valid_po(po_path)


# --- headers and entries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "locale, plural",
    [
        ("kk", "nplurals=2; plural=(n != 1);"),
        ("ru", "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"),
    ],
)
def test_header_names_language_plural_forms_and_utf8(flood, locale, plural):
    project, path = flood
    translate(project, path, locale=locale)
    meta = polib.pofile(str(project.po_path(SLUG, locale))).metadata
    assert meta["Language"] == locale
    # Babel's spelling of the formula changes between releases; its meaning must not.
    assert plural_rule(meta["Plural-Forms"]) == plural_rule(plural)
    assert meta["Content-Type"] == "text/plain; charset=UTF-8"
    assert meta["Project-Id-Version"] == SLUG
    assert meta["PO-Revision-Date"] == meta["POT-Creation-Date"] == "2026-11-18 09:30+0000"


def test_only_a_repeated_sentence_gets_a_msgctxt(flood):
    project, path = flood
    translate(project, path)
    po = polib.pofile(str(project.po_path(SLUG, "ru")))
    with_context = [(e.msgctxt, e.msgid) for e in po if e.msgctxt]
    assert with_context == [("3c45a2b885-2", "Officials said the dam was safe.")]


def test_entries_carry_reference_kind_and_machine_provenance(flood):
    project, path = flood
    translate(project, path)
    entry = entries_by_key(project.po_path(SLUG, "ru"))[(None, "Schools will reopen on Monday.")]
    assert entry.occurrences == [(f"articles/{SLUG}.md", "20")]
    assert entry.comment == "kind: paragraph"
    assert entry.tcomment == f"machine: {PROVENANCE} sha1:{catalog.draft_hash(entry.msgstr)}"
    assert entry.flags == ["fuzzy"]


def test_provenance_survives_gnu_msgmerge(flood, tmp_path):
    project, path = flood
    translate(project, path)
    merged = tmp_path / "merged.po"
    subprocess.run(
        ["msgmerge", "--quiet", "--previous", "-o", str(merged), str(project.po_path(SLUG, "ru")), str(project.pot_path(SLUG))],
        check=True,
    )
    ours = catalog.read_catalog(merged)
    assert {e.provenance for e in ours.entries} == {PROVENANCE}


# --- re-runs ---------------------------------------------------------------------------------------------


def test_rerun_with_nothing_changed_rewrites_nothing_even_at_a_later_time(flood):
    project, path = flood
    translate(project, path)
    files = [project.po_path(SLUG, "ru"), project.pot_path(SLUG)]
    before = [(f.read_bytes(), f.stat().st_mtime_ns) for f in files]
    result, pending = translate(project, path, now=T2)
    assert pending == [] and not result.written and not result.template_written
    assert [(f.read_bytes(), f.stat().st_mtime_ns) for f in files] == before


def test_catalog_resaved_by_a_po_editor_merges_cleanly(flood):
    project, path = flood
    translate(project, path)
    po_path = project.po_path(SLUG, "ru")
    # The same catalog as Poedit saves it: wrapped at 40, entries reordered, a note, "What happened"
    # accepted with a new translation, Last-Translator changed, an X-Generator field added.
    shutil.copy(CATALOG_DATA / "poedit-resaved-ru.po", po_path)

    result, pending = translate(project, path, now=T1)

    assert pending == [] and result.written and (result.kept, result.changed, result.obsoleted) == (13, 0, 0)
    merged = polib.pofile(str(po_path))
    assert [e.msgid for e in merged] == [s.text for s in read_article(path, project).segments]
    assert merged.metadata["Last-Translator"] == "Daniyar <daniyar@example.org>"
    assert merged.metadata["X-Generator"] == "Poedit 3.4"
    entries = entries_by_key(po_path)
    assert entries[(None, REMOVED)].tcomment == "translator note: check the dam name\nmachine: translate-en_ru 1.9"
    accepted = entries[(None, "What happened")]
    assert accepted.msgstr == "Что произошло" and accepted.flags == []
    assert f'msgid "{REMOVED}"' in po_path.read_text(encoding="utf-8")  # re-wrapped at our width
    assert_valid_po(po_path)
    # Merged once, it is stable: the next run writes nothing.
    again, _ = translate(project, path, now=T2)
    assert not again.written


def test_removed_sentence_comes_back_with_its_reviewed_translation(flood):
    project, path = flood
    translate(project, path)
    po_path = project.po_path(SLUG, "ru")
    accepted = simulate_translator(po_path)
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(" " + REMOVED, ""), encoding="utf-8")
    result, _ = translate(project, path, now=T1)
    assert result.obsoleted == 1 and (None, REMOVED) not in entries_by_key(po_path)

    path.write_text(original, encoding="utf-8")
    result, pending = translate(project, path, now=T2)

    assert result.revived == 1 and pending == []
    revived = entries_by_key(po_path)[(None, REMOVED)]
    assert revived.msgstr == accepted[(None, REMOVED)] and "fuzzy" not in revived.flags
    assert not [e for e in polib.pofile(str(po_path)) if e.obsolete]


@pytest.mark.parametrize(
    "old, new, matched",
    [
        (CHANGED_OLD, CHANGED_NEW, True),
        (CHANGED_OLD, "The river burst its banks on Wednesday.", True),
        (CHANGED_OLD, "Nobody expected anything like it.", False),
    ],
)
def test_edited_sentence_is_matched_to_its_old_entry_only_when_similar(flood, old, new, matched):
    project, path = flood
    translate(project, path)
    simulate_translator(project.po_path(SLUG, "ru"))
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result, pending = translate(project, path, now=T1)
    entry = entries_by_key(project.po_path(SLUG, "ru"))[(None, new)]
    if matched:
        assert (result.changed, result.obsoleted, pending) == (1, 0, [])
        assert entry.previous_msgid == old and entry.msgstr == fake_mt(old) and "fuzzy" in entry.flags
    else:
        assert (result.changed, result.obsoleted, [s.text for s in pending]) == (0, 1, [new])
        assert entry.previous_msgid is None and entry.msgstr == fake_mt(new)


def test_two_edited_sentences_each_keep_their_own_translation(flood):
    project, path = flood
    translate(project, path)
    simulate_translator(project.po_path(SLUG, "ru"))
    text = path.read_text(encoding="utf-8")
    text = text.replace("Heavy rain fell on Almaty for three days.", "Heavy rain fell on Almaty for four days.")
    text = text.replace(CHANGED_OLD, "The river burst its banks on Monday.")
    path.write_text(text, encoding="utf-8")
    translate(project, path, now=T1)
    entries = entries_by_key(project.po_path(SLUG, "ru"))
    assert entries[(None, "Heavy rain fell on Almaty for four days.")].msgstr == fake_mt("Heavy rain fell on Almaty for three days.")
    assert entries[(None, "The river burst its banks on Monday.")].msgstr == fake_mt(CHANGED_OLD)


@pytest.mark.parametrize("retranslate, expected", [(False, []), (True, [CHANGED_NEW, "Schools will reopen on Monday."])])
def test_fuzzy_entries_go_back_to_the_model_only_with_retranslate(flood, retranslate, expected):
    project, path = flood
    translate(project, path)
    po = polib.pofile(str(project.po_path(SLUG, "ru")))
    for entry in po:  # accept everything but the last sentence
        if entry.msgid != "Schools will reopen on Monday.":
            entry.flags.remove("fuzzy")
    po.save()
    path.write_text(path.read_text(encoding="utf-8").replace(CHANGED_OLD, CHANGED_NEW), encoding="utf-8")
    article = read_article(path, project)
    assert [s.text for s in catalog.pending_segments(project, article, "ru", retranslate=retranslate)] == expected


def test_retranslated_entry_gets_the_new_draft_and_reviewed_ones_ignore_drafts(flood):
    project, path = flood
    translate(project, path)
    accepted = simulate_translator(project.po_path(SLUG, "ru"))
    article = read_article(path, project)
    drafts = {s.id: "НОВЫЙ ЧЕРНОВИК" for s in article.segments}
    catalog.write_catalog(project, article, "ru", drafts, "translate-en_ru 2.0", None, now=T1)
    entries = entries_by_key(project.po_path(SLUG, "ru"))
    for key, msgstr in accepted.items():
        assert entries[key].msgstr == msgstr
    last = entries[(None, "Schools will reopen on Monday.")]
    assert last.msgstr == "НОВЫЙ ЧЕРНОВИК" and last.tcomment == f"machine: translate-en_ru 2.0 sha1:{catalog.draft_hash('НОВЫЙ ЧЕРНОВИК')}"


def test_stale_temp_file_from_a_killed_run_is_removed(flood):
    project, path = flood
    translate(project, path)
    stale = project.po_path(SLUG, "ru").parent / f".{SLUG}.po.abc123.tmp"
    stale.write_bytes(b"half a catal")
    result, _ = translate(project, path, now=T1)
    assert not stale.exists() and not result.written
    assert_valid_po(project.po_path(SLUG, "ru"))


# --- bad input -------------------------------------------------------------------------------------------

PO_PATH = f"locales/ru/LC_MESSAGES/{SLUG}.po"


def _corrupt_syntax(text: str) -> str:
    return text.replace('msgid "Schools will reopen on Monday."', 'msgid "Schools will "reopen" on Monday."')


def _corrupt_charset(text: str) -> str:
    return text.replace("charset=UTF-8", "charset=ISO-8859-5")


def _corrupt_duplicate(text: str) -> str:
    hashed = catalog.draft_hash(fake_mt("Schools will reopen on Monday."))
    block = text[text.index(f"# machine: translate-en_ru 1.9 sha1:{hashed}\n#. kind: paragraph\n#: articles/flood-waters-rise.md:20") :]
    return text + "\n" + block


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (_corrupt_syntax, f"{PO_PATH}:105: PO syntax error: unescaped double quote found; fix the file in a PO editor or restore it"),
        (
            _corrupt_charset,
            f"{PO_PATH}:12: charset is ISO-8859-5, not UTF-8; set 'Content-Type: text/plain; charset=UTF-8' and save as UTF-8",
        ),
        (
            _corrupt_duplicate,
            f"{PO_PATH}:108: duplicate entry for msgid 'Schools will reopen on Monday.' (first at line 101); keep only one",
        ),
        (
            lambda text: text.encode("utf-8").replace("[ru] Schools".encode(), b"[ru] \xd0\xd0chools"),
            f"{PO_PATH}:106: not UTF-8 text (byte 0xd0); catalogs must be saved as UTF-8",
        ),
    ],
    ids=["syntax", "charset", "duplicate", "bytes"],
)
def test_bad_catalog_is_refused_with_file_and_line_and_left_untouched(flood, corrupt, message):
    project, path = flood
    translate(project, path)
    po_path = project.po_path(SLUG, "ru")
    bad = corrupt(po_path.read_text(encoding="utf-8"))
    po_path.write_bytes(bad if isinstance(bad, bytes) else bad.encode("utf-8"))
    before = po_path.read_bytes()
    article = read_article(path, project)
    for attempt in (
        lambda: catalog.pending_segments(project, article, "ru"),
        lambda: catalog.write_catalog(project, article, "ru", {}, PROVENANCE, None, now=T1),
    ):
        with pytest.raises(InputError) as caught:
            attempt()
        assert caught.value.path == po_path  # the real path; the CLI shows it relative to the project
        assert caught.value.shown(project.relative(caught.value.path)) == message
    assert po_path.read_bytes() == before


@pytest.mark.parametrize("retranslate", [False, True], ids=["new-only", "retranslate"])
def test_a_plan_reads_the_catalog_once_and_writing_it_reads_nothing_more(flood, retranslate):
    project, path = flood
    translate(project, path)
    simulate_translator(project.po_path(SLUG, "ru"))
    edited = path.read_text(encoding="utf-8").replace(CHANGED_OLD, CHANGED_NEW).replace(REMOVED, ADDED)
    path.write_text(edited, encoding="utf-8")
    article = read_article(path, project)
    reads: list[Path] = []

    def read(p):
        reads.append(p)
        return catalog.read_catalog(p)

    plan = catalog.plan_catalog(project, article, "ru", retranslate=retranslate, read=read)
    assert (plan.reads, reads) == (1, [project.po_path(SLUG, "ru")])
    assert list(plan.pending) == catalog.pending_segments(project, article, "ru", retranslate=retranslate)
    drafts = {s.id: fake_mt(s.text) for s in plan.pending}
    # The same bytes as the plan-and-write-in-one call: a second project gets the unplanned path.
    twin = project.root.parent / "twin"
    shutil.copytree(project.root, twin)
    twin_project = load_project(twin)
    twin_article = read_article(twin / "articles" / f"{SLUG}.md", twin_project)
    catalog.write_plan(project, plan, drafts, PROVENANCE, None, now=T1)
    catalog.write_catalog(twin_project, twin_article, "ru", drafts, PROVENANCE, None, now=T1)
    assert reads == [project.po_path(SLUG, "ru")]  # writing did not read the catalog again
    assert project.po_path(SLUG, "ru").read_bytes() == twin_project.po_path(SLUG, "ru").read_bytes()


def test_a_plan_without_a_catalog_reads_nothing_and_everything_is_pending(flood):
    project, path = flood
    article = read_article(path, project)
    plan = catalog.plan_catalog(project, article, "ru", read=lambda p: pytest.fail(f"read {p}"))
    assert (plan.reads, plan.old) == (0, None)
    assert plan.pending == plan.to_model == tuple(article.segments)


def test_entry_whose_context_alone_is_out_of_date_keeps_its_review_state(flood):
    project, path = flood
    translate(project, path)
    accepted = simulate_translator(project.po_path(SLUG, "ru"))
    po_path = project.po_path(SLUG, "ru")
    po_path.write_text(
        po_path.read_text(encoding="utf-8").replace('msgid "Heavy rain', 'msgctxt "old-context"\nmsgid "Heavy rain'),
        encoding="utf-8",
    )
    result, pending = translate(project, path, now=T1)
    entry = entries_by_key(po_path)[(None, "Heavy rain fell on Almaty for three days.")]
    assert (result.changed, result.obsoleted, pending) == (0, 0, [])
    assert entry.msgstr == accepted[(None, entry.msgid)] and "fuzzy" not in entry.flags and entry.previous_msgid is None


# --- what the workflow writes, it reads ------------------------------------------------------------------

# str.splitlines() breaks lines at these; a PO file breaks lines only at "\n".
LINE_LIKE = {
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
    "next-line": "\u0085",
    "file-separator": "\x1c",
    "group-separator": "\x1d",
    "record-separator": "\x1e",
}


@pytest.mark.parametrize("char", LINE_LIKE.values(), ids=LINE_LIKE.keys())
def test_a_sentence_with_a_character_python_counts_as_a_line_break_reads_back_as_written(flood, char):
    project, path = flood
    sentence = f"Schools will{char}reopen on Monday."
    path.write_text(path.read_text(encoding="utf-8").replace("Schools will reopen on Monday.", sentence), encoding="utf-8")
    translate(project, path)
    po_path = project.po_path(SLUG, "ru")
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

    read = catalog.read_catalog(po_path)

    entry = next(e for e in read.entries if e.msgid == sentence)
    # Drafts are folded to one line of plain spaces (Python counts all six as whitespace).
    assert entry.msgstr == "[ru] Schools will reopen on Monday." and entry.fuzzy
    # A second run reads its own file and finds nothing to do.
    again, pending = translate(project, path, now=T1)
    assert pending == [] and not again.written


# --- --retranslate never drops a translator's text --------------------------------------------------------


def offered_drafts(entry: polib.POEntry) -> list[str]:
    """The drafts offered beside a translator's text: "machine draft (PROVENANCE): text", one per offer."""
    offers: list[str] = []
    for line in entry.tcomment.split("\n"):
        if line.startswith("machine draft ("):
            offers.append(line)
        elif line.startswith("machine draft: "):
            offers[-1] += " " + line.removeprefix("machine draft: ")
    return offers


@pytest.mark.parametrize("plain_run_first", [False, True], ids=["retranslate-at-once", "plain-run-then-retranslate"])
@pytest.mark.parametrize(
    "edited_old, edited_new",
    [
        (CHANGED_OLD, CHANGED_NEW),  # the translator accepted the machine draft as it was
        ("What happened", "What happened next"),  # the translator rewrote the draft, then accepted it
    ],
    ids=["accepted-as-drafted", "rewritten-by-translator"],
)
def test_retranslate_keeps_a_reviewed_translation_of_an_edited_sentence_and_offers_the_draft_beside_it(
    flood, plain_run_first, edited_old, edited_new
):
    project, path = flood
    translate(project, path)
    po_path = project.po_path(SLUG, "ru")
    accepted = simulate_translator(po_path)
    po = polib.pofile(str(po_path))
    for entry in po:  # accept the rest as drafted
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            accepted[(entry.msgctxt, entry.msgid)] = entry.msgstr
    po.save()
    path.write_text(path.read_text(encoding="utf-8").replace(edited_old, edited_new), encoding="utf-8")
    if plain_run_first:
        translate(project, path, now=T1)

    result, pending = translate(project, path, now=T2, retranslate=True)

    assert [s.text for s in pending] == [edited_new]
    entry = entries_by_key(po_path)[(None, edited_new)]
    assert entry.msgstr == accepted[(None, edited_old)]
    assert "fuzzy" in entry.flags and entry.previous_msgid == edited_old
    assert offered_drafts(entry) == [f"machine draft ({PROVENANCE}): {fake_mt(edited_new)}"]
    assert result.drafted == 0 and result.offered == 1
    for key, msgstr in accepted.items():
        if key[1] != edited_old:
            assert entries_by_key(po_path)[key].msgstr == msgstr and "fuzzy" not in entries_by_key(po_path)[key].flags
    assert_valid_po(po_path)
    # Retranslating again replaces the offered draft, it does not pile them up; the translation stays.
    translate(project, path, now=T2, retranslate=True)
    again = entries_by_key(po_path)[(None, edited_new)]
    assert again.msgstr == accepted[(None, edited_old)] and len(offered_drafts(again)) == 1


def test_retranslate_replaces_untouched_drafts_but_keeps_drafts_a_translator_edited(flood):
    project, path = flood
    translate(project, path)
    po_path = project.po_path(SLUG, "ru")
    po = polib.pofile(str(po_path))
    wip = po.find("Officials said the dam was safe.")
    wip.msgstr = "Чиновники заявили, что плотина в безопасности."  # work in progress: still fuzzy
    po.save()

    result, _ = translate(project, path, now=T1, retranslate=True)
    # A newer model (here: another provenance) would give another draft; drafts it made itself go.
    article = read_article(path, project)
    pending = catalog.pending_segments(project, article, "ru", retranslate=True)
    drafts = {s.id: "НОВЫЙ ЧЕРНОВИК" for s in pending}
    result = catalog.write_catalog(project, article, "ru", drafts, "translate-en_ru 2.0", None, now=T2)

    entries = entries_by_key(po_path)
    kept = entries[(None, "Officials said the dam was safe.")]
    assert kept.msgstr == "Чиновники заявили, что плотина в безопасности." and "fuzzy" in kept.flags
    assert offered_drafts(kept) == ["machine draft (translate-en_ru 2.0): НОВЫЙ ЧЕРНОВИК"]
    replaced = entries[(None, "Schools will reopen on Monday.")]
    assert replaced.msgstr == "НОВЫЙ ЧЕРНОВИК" and offered_drafts(replaced) == []
    assert catalog.read_catalog(po_path).entries[-1].provenance == "translate-en_ru 2.0"
    assert (result.drafted, result.offered) == (len(pending) - 1, 1)


# --- entries the workflow did not write ---------------------------------------------------------------------

FOREIGN = """
# translator: the counter under the photo
#, c-format
msgid "%d reader"
msgid_plural "%d readers"
msgstr[0] "%d читатель"
msgstr[1] "%d читателя"
msgstr[2] "%d читателей"

# translator: kept for the next issue
msgid "Subscribe to our newsletter"
msgstr "Подпишитесь на рассылку"

# translator: still to do, ask the desk
msgid "Corrections policy"
msgstr ""
"""


def test_entries_a_translator_added_are_kept_obsolete_with_their_comments_and_plural_forms(flood):
    project, path = flood
    translate(project, path)
    po_path = project.po_path(SLUG, "ru")
    po_path.write_text(po_path.read_text(encoding="utf-8") + FOREIGN, encoding="utf-8")

    result, _ = translate(project, path, now=T1)

    assert result.written and result.obsoleted == 3
    obsolete = {e.msgid: e for e in catalog.read_catalog(po_path).obsolete}
    plural = obsolete["%d reader"]
    assert plural.msgid_plural == "%d readers"
    assert plural.msgstr_plural == ("%d читатель", "%d читателя", "%d читателей")
    assert plural.comments == ("translator: the counter under the photo",) and plural.flags == ("c-format",)
    assert obsolete["Subscribe to our newsletter"].msgstr == "Подпишитесь на рассылку"
    assert obsolete["Corrections policy"].comments == ("translator: still to do, ask the desk",)
    assert "#~ msgid_plural \"%d readers\"" in po_path.read_text(encoding="utf-8")
    assert_valid_po(po_path)
    # Stable: the next run reads its own obsolete plural entry back and changes nothing.
    again, _ = translate(project, path, now=T2)
    assert not again.written
