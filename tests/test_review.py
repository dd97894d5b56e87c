"""Review state read from PO files: counts, the queue, checks, and refusing stale or broken catalogs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from tests.test_catalog import (
    ADDED,
    CHANGED_NEW,
    CHANGED_OLD,
    SLUG,
    T1,
    edit_article,
    fake_mt,
    setup_project,
    simulate_translator,
    translate,
)
from workflow import review
from workflow.articles import Segment, read_article
from workflow.cli import app
from workflow.errors import InputError

runner = CliRunner()

_LATIN = dict(zip("abcdefghijklmnopqrstuvwxyz", "абкдефгхижклмнопкрстуввксйз"))
_VERBATIM = re.compile(r"(\(https?://[^)]*\)|<[^>]*>|`[^`]*`)")


def cyrillic_mt(text: str, locale: str = "ru") -> str:
    """A stand-in model whose drafts pass the checks: Latin letters spelled in Cyrillic, links and code
    kept verbatim, digits and punctuation kept, quotes in the «…» style (fake_mt's "[ru] English" is
    untranslated English, which the checks rightly flag)."""
    parts = _VERBATIM.split(text)
    for i in range(0, len(parts), 2):
        word = "".join(_LATIN.get(c.lower(), c).upper() if c.isupper() else _LATIN.get(c, c) for c in parts[i])
        parts[i] = word.replace("“", "«").replace("”", "»")
    return "".join(parts)



@pytest.fixture
def flood(project_dir: Path):
    return setup_project(project_dir)


@pytest.fixture
def reviewed_scenario(flood):
    """13 sentences drafted; translator accepts 6, rewrites and accepts 2 (one dropping inline code);
    then one accepted sentence is edited, one accepted sentence removed, a 2-sentence paragraph added,
    and the model returns nothing for one of the new sentences."""
    project, path = flood
    # The hand count is about review state; glossary flags get their own test below.
    project.glossary_path.unlink()
    translate(project, path, mt=cyrillic_mt)
    simulate_translator(project.po_path(SLUG, "ru"))
    edit_article(path)
    translate(project, path, now=T1, skip=("The city opened three shelters.",), mt=cyrillic_mt)
    return project, path


# Hand count of that scenario:
#   reviewed: 6 accepted + 2 rewritten - 1 edited in the article - 1 removed  = 6
#   changed: the edited sentence                                           = 1
#   machine: 5 never-touched drafts + 1 new sentence                        = 6
#   untranslated: the new sentence the model returned nothing for          = 1
#   flagged: the rewrite that dropped `evacuate --now`                      = 1
#   total 14 (13 - 1 removed + 2 added), done 6/14 = 42.9%
HAND_COUNT = dict(reviewed=6, machine=6, changed=1, untranslated=1, flagged=1, total=14, percent=42.9)


def test_counts_match_a_hand_count_of_the_review_scenario(reviewed_scenario):
    project, path = reviewed_scenario
    result = review.review_article(project, read_article(path, project), "ru")
    assert {k: getattr(result, k) for k in HAND_COUNT} == HAND_COUNT
    assert not result.complete


def test_review_json_reports_the_hand_count_per_article_and_locale(reviewed_scenario):
    project, _ = reviewed_scenario
    done = runner.invoke(app, ["review", SLUG, "--json", "--project", str(project.root)])
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert [(r["slug"], r["locale"], r["exists"]) for r in rows] == [(SLUG, "kk", False), (SLUG, "ru", True)]
    assert {k: rows[1][k] for k in HAND_COUNT} == HAND_COUNT
    assert rows[0]["untranslated"] == rows[0]["total"] == 14 and rows[0]["percent"] == 0.0


def test_review_table_shows_counts_and_percent(reviewed_scenario):
    project, _ = reviewed_scenario
    done = runner.invoke(app, ["review", SLUG, "--locale", "ru", "--project", str(project.root)], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    row = next(line for line in done.stdout.splitlines() if SLUG in line)
    assert row.split("│")[2:9] == [" ru     ", "        6 ", "       6 ", "       1 ", "            1 ", "       1 ", " 42.9% "]


def test_queue_lists_pending_entries_in_article_order_with_reasons(reviewed_scenario):
    project, _ = reviewed_scenario
    done = runner.invoke(app, ["review", "queue", SLUG, "--locale", "ru", "--order", "article", "--json", "--project", str(project.root)])
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert [(r["source"], r["status"]) for r in rows] == [
        (CHANGED_NEW, "changed"),
        ("Volunteers handed out blankets.", "machine"),
        ("The city opened three shelters.", "untranslated"),
        ("Residents were told to run `evacuate --now` on the city app.", "reviewed"),
        ("Officials said the dam was safe.", "machine"),
        ("“We lost everything in one night.", "machine"),
        ("The water came so fast.”", "machine"),
        ("Aigerim Bekova", "machine"),
        ("Schools will reopen on Monday.", "machine"),
    ]
    changed = rows[0]
    assert changed["previous_source"] == CHANGED_OLD and changed["translation"] == cyrillic_mt(CHANGED_OLD)
    assert changed["reason"] == "source sentence changed since review"
    assert changed["reference"] == f"articles/{SLUG}.md:8"
    assert changed["catalog"] == f"locales/ru/LC_MESSAGES/{SLUG}.po:34"
    assert rows[3]["flags"] == ["inline_code: inline code `evacuate --now` missing from the translation"]
    assert rows[4]["msgctxt"] == "3c45a2b885-2" and rows[4]["provenance"] == "translate-en_ru 1.9"
    assert ADDED.startswith(rows[1]["source"])


def test_queue_text_output_names_reference_reason_and_flags(reviewed_scenario):
    project, _ = reviewed_scenario
    done = runner.invoke(app, ["review", "queue", SLUG, "-l", "ru", "--project", str(project.root)])
    assert done.exit_code == 0, done.output
    assert f"articles/{SLUG}.md:8  [ru] source sentence changed since review (translate-en_ru 1.9)" in done.stdout
    assert f"  was: {CHANGED_OLD}" in done.stdout
    assert "  ! inline_code: inline code `evacuate --now` missing from the translation" in done.stdout
    assert done.stdout.rstrip().endswith("9 pending entries.")


def test_fully_reviewed_catalog_is_complete(flood):
    project, path = flood
    translate(project, path, mt=cyrillic_mt)
    po = polib.pofile(str(project.po_path(SLUG, "ru")))
    for entry in po:
        entry.flags.remove("fuzzy")
    po.save()
    result = review.review_article(project, read_article(path, project), "ru")
    assert (result.reviewed, result.percent, result.complete, result.queue) == (13, 100.0, True, ())


def test_queue_carries_glossary_flags_and_catalog_carries_glossary_hints(flood):
    project, path = flood
    from workflow.catalog import write_catalog
    from workflow.glossary import load_glossary

    terms = load_glossary(project.glossary_path)
    article = read_article(path, project)
    write_catalog(project, article, "ru", {s.id: cyrillic_mt(s.text) for s in article.segments}, "translate-en_ru 1.9", terms, now=T1)
    entry = next(e for e in polib.pofile(str(project.po_path(SLUG, "ru"))) if e.msgid.startswith("Heavy rain"))
    hint = entry.comment.split("\n")[1]
    assert hint.startswith("glossary: ") and "Алматы" in hint
    done = runner.invoke(app, ["review", "queue", SLUG, "-l", "ru", "--json", "--project", str(project.root)])
    rows = {r["source"]: r for r in json.loads(done.stdout)}
    assert [f for f in rows["Heavy rain fell on Almaty for three days."]["flags"] if f.startswith("glossary: ")]
    assert rows["Schools will reopen on Monday."]["flags"] == []


# --- checks ----------------------------------------------------------------------------------------------


def _segment(text: str, protected: tuple[str, ...]) -> Segment:
    return Segment("x", "a", "paragraph", 1, 0, 1, text, 0, len(text), protected)


@pytest.mark.parametrize(
    "source, protected, translation, expected",
    [
        ("See the [report](https://e.org/r).", ("(https://e.org/r)",), "См. [отчёт](https://e.org/r).", []),
        (
            "See the [report](https://e.org/r).",
            ("(https://e.org/r)",),
            "См. отчёт.",
            ["links: link target (https://e.org/r) missing from the translation"],
        ),
        ("Mail <mailto:a@e.org>.", ("<mailto:a@e.org>",), "Пишите.", ["links: link target <mailto:a@e.org> missing from the translation"]),
        ("Run `ls -l` now.", ("`ls -l`",), "Запустите `ls -l`.", []),
        ("Run `ls -l` now.", ("`ls -l`",), "Запустите ls -l.", ["inline_code: inline code `ls -l` missing from the translation"]),
        (
            "Run `a` via [x](http://y).",
            ("`a`", "(http://y)"),
            "Запустите.",
            [
                "links: link target (http://y) missing from the translation",
                "inline_code: inline code `a` missing from the translation",
            ],
        ),
        ("Run `ls -l` now.", ("`ls -l`",), "", []),  # untranslated: nothing to check yet
    ],
)
def test_checks_flag_what_the_translation_dropped(source, protected, translation, expected):
    assert review.run_checks(_segment(source, protected), translation, "ru") == expected


def test_every_check_message_is_its_docstring():
    for check in review.CHECKS:
        assert check.__doc__ and "{missing}" in check.__doc__


# --- bad and stale catalogs ----------------------------------------------------------------------------


def test_catalog_older_than_the_article_is_stale(flood):
    project, path = flood
    translate(project, path)
    path.write_text(path.read_text(encoding="utf-8").replace(CHANGED_OLD, CHANGED_NEW), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        review.review_article(project, read_article(path, project), "ru")
    assert (caught.value.path, caught.value.line) == (project.po_path(SLUG, "ru"), 37)
    assert caught.value.shown(project.relative(caught.value.path)) == (
        f"locales/ru/LC_MESSAGES/{SLUG}.po:37: msgid 'The river burst its banks on Tuesday.' matches no sentence of "
        f"articles/{SLUG}.md; stale catalog: run `workflow translate {SLUG}` to merge the article's current text"
    )


def test_sentence_missing_from_catalog_is_stale(flood):
    project, path = flood
    translate(project, path)
    path.write_text(path.read_text(encoding="utf-8") + "\nA brand new closing line.\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        review.review_article(project, read_article(path, project), "ru")
    assert (caught.value.path, caught.value.line) == (path, 22)
    assert caught.value.shown(project.relative(caught.value.path)) == (
        f"articles/{SLUG}.md:22: sentence missing from locales/ru/LC_MESSAGES/{SLUG}.po; "
        f"stale catalog: run `workflow translate {SLUG}` to merge the article's current text"
    )


def test_cli_reports_a_broken_catalog_in_one_line_and_exits_1(flood):
    project, path = flood
    translate(project, path)
    po_path = project.po_path(SLUG, "ru")
    po_path.write_text(po_path.read_text(encoding="utf-8").replace("msgstr \"[ru] Aigerim", "msgstr [ru] Aigerim"), encoding="utf-8")
    before = po_path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "workflow", "review", "--project", str(project.root)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr == f"Error: locales/ru/LC_MESSAGES/{SLUG}.po:99: PO syntax error: text must be in double quotes; fix the file in a PO editor or restore it\n"
    assert po_path.read_bytes() == before


def test_review_help_explains_both_forms_with_an_example():
    done = runner.invoke(app, ["review", "--help"], env={"COLUMNS": "200"})
    assert done.exit_code == 0
    text = " ".join(done.stdout.split())
    assert "workflow review [SLUG...]" in text and "workflow review queue [SLUG...]" in text and "Example: workflow review" in text


# --- names that are also common words, and the reviewer's recorded override -------------------------

MAY_ARTICLE = """\
---
title: Theresa May steps down
date: 2026-11-20
slug: may-steps-down
---

The vote was held in May.

Critics called Theresa May the Maybot.

May said she was sorry.
"""
MAY_ROW = "Theresa May,Тереза Мэй,Тереза Мэй,person,f,Former prime minister,May,,\n"
MAY_RU = {
    "Theresa May steps down": "Тереза Мэй уходит в отставку",
    "The vote was held in May.": "Голосование прошло в мае.",
    "Critics called Theresa May the Maybot.": "Критики прозвали её «Мэйбот».",  # the name left out on purpose
    "May said she was sorry.": "Мэй сказала, что сожалеет.",
}


def may_project(project_dir: Path, comment: str | None):
    """The sample project plus the Theresa May term and article, drafted and accepted in Russian with `comment`
    on the entry that leaves her full name out."""
    from workflow import catalog
    from workflow.project import load_project

    with (project_dir / "glossary" / "terms.csv").open("a", encoding="utf-8") as f:
        f.write(MAY_ROW)
    path = project_dir / "articles" / "may-steps-down.md"
    path.write_text(MAY_ARTICLE, encoding="utf-8")
    project = load_project(project_dir)
    article = read_article(path, project)
    drafts = {s.id: MAY_RU[s.text] for s in article.segments}
    catalog.write_catalog(project, article, "ru", drafts, "translate-en_ru 1.9", now=T1)
    po = polib.pofile(str(project.po_path(article.slug, "ru")))
    for entry in po:
        entry.flags.remove("fuzzy")
        if comment is not None and "Maybot" in entry.msgid:
            entry.tcomment = (entry.tcomment + "\n" if entry.tcomment else "") + comment
    po.save()
    return project, article


MAYBOT_FLAG = "glossary: Theresa May → Тереза Мэй: not found in the translation"


@pytest.mark.parametrize(
    ("comment", "flags", "overridden"),
    [
        pytest.param(None, (MAYBOT_FLAG,), (), id="no-comment"),
        pytest.param("glossary-ok: Theresa May", (), (MAYBOT_FLAG,), id="override"),
        pytest.param("glossary-ok:  theresa   MAY ", (), (MAYBOT_FLAG,), id="override-case-and-spacing"),
        pytest.param("glossary-ok: Almaty", (MAYBOT_FLAG,), (), id="another-term"),
        pytest.param("checked: Theresa May", (MAYBOT_FLAG,), (), id="not-an-override"),
    ],
)
def test_a_glossary_ok_comment_overrides_that_terms_flag_on_that_entry_only(project_dir, comment, flags, overridden):
    from workflow.glossary import load_glossary

    project, article = may_project(project_dir, comment)
    result = review.review_article(project, article, "ru", load_glossary(project.glossary_path))
    by_source = {e.msgid: e for e in result.entries}
    # "in May" is a date, not the person: the correct "в мае" is not flagged; "May said" after her full name
    # is her surname, and "Мэй" renders it.
    assert [(e.msgid, e.flags) for e in result.entries if e.msgid != "Critics called Theresa May the Maybot."] == [
        ("Theresa May steps down", ()),
        ("The vote was held in May.", ()),
        ("May said she was sorry.", ()),
    ]
    maybot = by_source["Critics called Theresa May the Maybot."]
    assert (maybot.flags, maybot.overridden) == (flags, overridden)
    assert result.complete == (not flags)


def test_an_overridden_flag_does_not_block_publish_and_the_manifest_records_it(project_dir):
    from workflow import publish

    project, article = may_project(project_dir, "glossary-ok: Theresa May")
    report = publish.publish(project, [article.slug], ["ru"], now=T1)
    assert report.blocked == ()
    manifest = json.loads((project.public_dir / "manifest.json").read_text(encoding="utf-8"))
    line = next(s.line for s in article.segments if "Maybot" in s.text)
    for name in ("ru/may-steps-down.md", "ru/may-steps-down.html"):
        assert manifest["files"][name]["glossary_overrides"] == [
            f"articles/may-steps-down.md:{line}: Theresa May → Тереза Мэй: not found in the translation"
        ]


def test_without_the_override_the_flag_blocks_and_the_manifest_has_no_overrides(project_dir):
    from workflow import publish

    project, article = may_project(project_dir, None)
    report = publish.publish(project, [article.slug], ["ru"], now=T1)
    assert [e.slug for e in report.blocked] == [article.slug]
    assert not (project.public_dir / "manifest.json").exists()


def test_glossary_check_shows_an_overridden_flag_as_overridden_and_passes(project_dir):
    project, article = may_project(project_dir, "glossary-ok: Theresa May")
    done = runner.invoke(app, ["glossary", "check", article.slug, "-l", "ru", "--project", str(project_dir)])
    assert done.exit_code == 0, done.output
    po = f"locales/ru/LC_MESSAGES/{article.slug}.po"
    assert "overridden by `# glossary-ok: Theresa May`: Theresa May → Тереза Мэй: not found in the translation" in done.stdout
    assert done.stdout.rstrip().endswith("render the glossary's terms canonically.")
    assert po in done.stdout


# --- one locale's trouble does not hide the others -----------------------------------------------------------


def review_rows(project, *args: str) -> tuple[int, dict[tuple[str, str], str], str]:
    """Exit code, each table row's text by (slug, locale), and stderr of `workflow review`, run in the project
    (error lines name files relative to the project one works in)."""
    done = subprocess.run(
        [sys.executable, "-m", "workflow", "review", *args, "--project", str(project.root)],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, cwd=project.root,
    )
    rows: dict[tuple[str, str], list[list[str]]] = {}
    key = None
    for line in done.stdout.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) < 4:
            key = None
        elif cells[2] in ("kk", "ru"):
            key = (cells[1].split()[0], cells[2])
            rows[key] = [cells[3:]]
        elif key is not None:  # a cell folded onto the next line
            rows[key].append(cells[3:])
    joined = {k: " ".join(" ".join(filter(None, col)) for col in zip(*lines)) for k, lines in rows.items()}
    return done.returncode, {k: " ".join(v.split()) for k, v in joined.items()}, done.stderr


def test_a_stale_catalog_in_one_locale_is_shown_stale_with_its_command_and_the_other_locale_is_reported(flood):
    project, path = flood
    translate(project, path, locale="kk")
    translate(project, path, locale="ru")
    path.write_text(path.read_text(encoding="utf-8").replace(CHANGED_OLD, CHANGED_NEW), encoding="utf-8")
    translate(project, path, locale="ru", now=T1)  # only Russian re-translated: Kazakh is stale

    code, rows, stderr = review_rows(project)

    assert code == 1
    assert stderr == (
        f"Error: locales/kk/LC_MESSAGES/{SLUG}.po:37: msgid 'The river burst its banks on Tuesday.' matches no sentence of "
        f"articles/{SLUG}.md; stale catalog: run `workflow translate {SLUG}` to merge the article's current text\n"
    )
    assert rows[(SLUG, "kk")].endswith(f"stale: run `workflow translate {SLUG} --locale kk`")
    ru = rows[(SLUG, "ru")].split()  # (the fake drafts leave "Almaty" in Latin: glossary flags, not counted here)
    assert ru[:4] == ["0", "12", "1", "0"] and ru[-1] == "0.0%"
    done = runner.invoke(app, ["review", SLUG, "--json", "--project", str(project.root)])
    states = {(r["slug"], r["locale"]): (r["state"], r["next"]) for r in json.loads(done.stdout)}
    assert states == {
        (SLUG, "kk"): ("stale", f"workflow translate {SLUG} --locale kk"),
        (SLUG, "ru"): ("in progress", "workflow review queue --locale ru"),
    }


def test_a_catalog_all_reviewed_but_one_flagged_shows_blocked_not_done(flood):
    project, path = flood
    project.glossary_path.unlink()
    translate(project, path, mt=cyrillic_mt)
    po = polib.pofile(str(project.po_path(SLUG, "ru")))
    for entry in po:
        entry.flags.remove("fuzzy")
        if "`" in entry.msgid:
            entry.msgstr = "Жителям велели запустить приложение."  # drops the inline code: flagged
    po.save()

    code, rows, stderr = review_rows(project, "--locale", "ru")

    assert (code, stderr) == (0, "")
    assert rows[(SLUG, "ru")].split()[:5] == ["13", "0", "0", "0", "1"]
    assert rows[(SLUG, "ru")].endswith("blocked: 1 flagged")
    assert "100.0%" not in rows[(SLUG, "ru")]


# --- checks in the queue (issue 16) ------------------------------------------------------------------


def _queue(project, env=None):
    import os

    return subprocess.run(
        [sys.executable, "-m", "workflow", "review", "queue", SLUG, "-l", "ru", "--json", "--project", str(project.root)],
        capture_output=True, text=True, env={**os.environ, **(env or {})},
    )


def test_the_queue_shows_check_errors_and_warnings_of_drafts(flood):
    project, path = flood
    article = read_article(path, project)
    drafts = {s.id: cyrillic_mt(s.text) for s in article.segments}
    heavy = next(s for s in article.segments if s.text.startswith("Heavy rain"))
    drafts[heavy.id] = "Сильный дождь шёл над Алматы 3 дня дня."  # "three" kept as 3 is fine; doubled word is not
    schools = next(s for s in article.segments if s.text.startswith("Schools"))
    drafts[schools.id] = "Schools will reopen on Monday."
    from workflow.catalog import write_catalog

    write_catalog(project, article, "ru", drafts, "translate-en_ru 1.9", None, now=T1)
    done = _queue(project)
    assert done.returncode == 0, done.stderr
    rows = {r["source"]: r for r in json.loads(done.stdout)}
    assert rows[heavy.text]["warnings"] == ["doubled_words: word repeated: дня дня"] and rows[heavy.text]["flags"] == []
    assert rows[schools.text]["flags"] == ["untranslated: English left untranslated: will, reopen, on"]


def test_without_dictionaries_the_queue_says_once_that_spelling_is_off_and_shows_the_rest(flood, tmp_path):
    project, path = flood
    translate(project, path, mt=cyrillic_mt)
    done = _queue(project, {"DICPATH": str(tmp_path)})
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        f"Note: spelling check off for ru: no ru_RU dictionary in {tmp_path} (Debian: apt-get install hunspell-ru)"
    ]
    rows = json.loads(done.stdout)
    assert rows and not any(w.startswith("spelling:") for r in rows for w in r["warnings"])
    with_dictionary = json.loads(_queue(project).stdout)
    assert any(w.startswith("spelling:") for r in with_dictionary for w in r["warnings"])


def test_the_queue_puts_check_errors_first_then_the_least_confident_drafts_and_json_carries_both(flood):
    from workflow.catalog import Draft, write_catalog

    project, path = flood
    project.glossary_path.unlink()
    article = read_article(path, project)
    scores = {s.id: round(0.9 - 0.05 * n, 2) for n, s in enumerate(article.segments)}  # later sentences less sure
    drafts = {s.id: Draft(cyrillic_mt(s.text), confidence=scores[s.id]) for s in article.segments}
    schools = next(s for s in article.segments if s.text.startswith("Schools"))
    drafts[schools.id] = Draft("Schools will reopen on Monday.", confidence=0.99)  # confident, and English
    write_catalog(project, article, "ru", drafts, "translate-en_ru 1.9", None, now=T1)
    done = runner.invoke(app, ["review", "queue", SLUG, "-l", "ru", "--json", "--project", str(project.root)])
    rows = json.loads(done.stdout)
    assert rows[0]["source"] == schools.text and rows[0]["flags"] and rows[0]["confidence"] == 0.99
    rest = [r["confidence"] for r in rows[1:]]
    assert rest == sorted(rest) and len(rest) == len(article.segments) - 1
    assert [r["source"] for r in rows[1:]] == [s.text for s in reversed(article.segments) if s.id != schools.id]
    text = runner.invoke(app, ["review", "queue", SLUG, "-l", "ru", "--project", str(project.root)]).stdout
    assert f"[ru] machine translation awaiting review (translate-en_ru 1.9, confidence {rest[0]:.2f})" in text
