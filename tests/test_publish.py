"""publish: the gate lets only reviewed, unflagged translations out; editions are escaped, localized, reproducible."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
import yaml
from babel import Locale
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from tests.conftest import DATA, REPO, SAMPLE_SLUG, tree_digest
from workflow import articles, catalog, publish, review
from workflow.cli import app
from workflow.errors import BusyError, InputError
from workflow.glossary import load_glossary
from workflow.project import load_project
from workflow.storage import project_lock

NOW = dt.datetime(2026, 11, 18, tzinfo=dt.timezone.utc)  # = SOURCE_DATE_EPOCH of conftest
LATER = NOW + dt.timedelta(days=3)
PUBLISH_DATA = DATA / "publish"
SCRIPT = '<script>alert("x")</script>'
FIRST_SENTENCE = "8028b450e4"  # "Kazakh citizen Jazylbek Azhygaliyev, ..."

SECOND = """\
---
title: Second story about a report
date: 2026-11-25
slug: second-story
---

The agency published a [report](https://example.org/report) on Monday. It was short.
"""
SECOND_RU = {
    "Second story about a report": "Вторая история об отчёте",
    "The agency published a [report](https://example.org/report) on Monday.": "Агентство опубликовало [отчёт](https://example.org/report) в понедельник.",
    "It was short.": "Он был коротким.",
}


def drafts(locale: str) -> dict[str, str]:
    return json.loads((PUBLISH_DATA / f"{locale}.json").read_text(encoding="utf-8"))


def sample(project_dir: Path):
    proj = load_project(project_dir)
    return proj, articles.load_articles(proj, [SAMPLE_SLUG])[0]


def translate(proj, article, locales=("kk", "ru"), texts=None) -> None:
    """First drafts given straight to the catalog, as the translate run would after the model."""
    for loc in locales:
        given = texts(loc) if texts else drafts(loc)
        catalog.write_catalog(proj, article, loc, given, f"translate-en_{loc} 1.9", now=NOW)


def accept(
    proj, article, locale, edits: dict[str, str] | None = None, leave: tuple[str, ...] = (), ok: dict[str, str] | None = None
) -> None:
    """Do what a translator does in a PO editor: fix some msgstrs and clear the fuzzy flags (except `leave`);
    `ok` (segment id, or "*" for all -> check names) accepts flagged entries on purpose with `# qa-ok:`."""
    by_text = {s.text: s.id for s in article.segments}
    po = polib.pofile(str(proj.po_path(article.slug, locale)))
    for entry in po:
        seg_id = by_text[entry.msgid]
        if seg_id in leave:
            continue
        if edits and seg_id in edits:
            entry.msgstr = edits[seg_id]
        if ok and (names := ok.get(seg_id) or ok.get("*")):
            entry.tcomment = "\n".join(filter(None, [entry.tcomment, f"qa-ok: {names}"]))
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
    po.save()


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in sorted(root.rglob("*")) if p.is_file()}


def add_second(proj) -> articles.Article:
    path = proj.articles_dir / "second-story.md"
    path.write_text(SECOND, encoding="utf-8")
    return articles.read_article(path, proj)


def second_ru(article: articles.Article, keep_link: bool = True) -> dict[str, str]:
    texts = {s.id: SECOND_RU[s.text] for s in article.segments}
    if not keep_link:
        texts = {k: v.replace("[отчёт](https://example.org/report)", "отчёт") for k, v in texts.items()}
    return texts


# --- text that Babel formats: checked for meaning, since its spelling changes between releases --------


def assert_long_date(text: str, date: dt.date, locale: str) -> None:
    """A long date in `locale`: the day, the year and the month's name in that language."""
    months = Locale.parse(locale).months["format"]["wide"]
    assert str(date.day) in text and str(date.year) in text and months[date.month] in text, (text, locale)


_TIME = re.compile(r'<time datetime="(\d{4}-\d\d-\d\d)">([^<]*)</time>')


def time_text(page: str, iso: str) -> str:
    """The text of the page's <time> element for the date `iso`."""
    return dict(_TIME.findall(page))[iso]


def assert_same_page(written: str, expected: str, locale: str) -> None:
    """Byte for byte, except the dates Babel spells inside <time>: those must name the right date."""
    for iso, text in _TIME.findall(written):
        assert_long_date(text, dt.date.fromisoformat(iso), locale)
    assert _TIME.sub(r'<time datetime="\1"></time>', written) == _TIME.sub(r'<time datetime="\1"></time>', expected)


# --- the end-to-end run ----------------------------------------------------------------------------


def test_sample_article_is_blocked_until_reviewed_then_published_escaped_localized_and_stable(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article)

    blocked = publish.publish(proj, now=NOW)
    assert [(e.locale, e.published, len(e.pending)) for e in blocked.editions] == [("kk", False, 29), ("ru", False, 29)]
    assert {p.reason for e in blocked.editions for p in e.pending} == {"machine translation awaiting review"}
    assert blocked.editions[1].pending[0] == publish.PendingSegment(f"articles/{SAMPLE_SLUG}.md:2", "title", "machine translation awaiting review")
    assert blocked.files == () and not proj.public_dir.exists()

    for loc in ("kk", "ru"):
        # The script is English in a Cyrillic translation: the translator keeps it on purpose.
        accept(proj, article, loc, edits={FIRST_SENTENCE: drafts(loc)[FIRST_SENTENCE] + " " + SCRIPT}, ok={FIRST_SENTENCE: "untranslated"})
    report = publish.publish(proj, now=NOW)
    assert report.blocked == ()
    assert [f.action for f in report.files] == ["written"] * 7

    public = proj.public_dir
    for loc in ("ru", "kk"):
        page = (public / loc / f"{SAMPLE_SLUG}.html").read_text(encoding="utf-8")
        assert f'<html lang="{loc}"' in page
        cursor = page.index("<h1>")
        for seg in article.segments:  # each accepted sentence comes after the one before it
            cursor = page.index(drafts(loc)[seg.id], cursor)
        assert_long_date(time_text(page, "2026-11-24"), dt.date(2026, 11, 24), loc)
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and "<script" not in page
    for name in (f"ru/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.md", "kk/index.html"):
        written, expected = ((root / name).read_text(encoding="utf-8") for root in (public, PUBLISH_DATA / "expected"))
        assert_same_page(written, expected, name.split("/")[0])

    before, stamps = tree_digest(public), mtimes(public)
    again = publish.publish(proj, now=LATER)
    assert {f.action for f in again.files} == {"unchanged"} and again.changed == ()
    assert tree_digest(public) == before and mtimes(public) == stamps


def test_manifest_records_hashes_segment_count_models_and_publish_time_of_each_file(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article, ("ru",))
    accept(proj, article, "ru")
    publish.publish(proj, locales=["ru"], now=NOW)
    manifest = json.loads((proj.public_dir / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == ["ru/index.html", f"ru/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.md"]
    sha = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    for suffix in (".md", ".html"):
        entry = manifest["files"][f"ru/{SAMPLE_SLUG}{suffix}"]
        assert entry["source_sha256"] == sha(article.path)
        assert entry["catalog_sha256"] == sha(proj.po_path(SAMPLE_SLUG, "ru"))
        assert entry["sha256"] == sha(proj.public_dir / "ru" / f"{SAMPLE_SLUG}{suffix}")
        assert (entry["segments"], entry["models"], entry["published"]) == (29, ["translate-en_ru 1.9"], NOW.isoformat())
    assert manifest["files"]["ru/index.html"]["articles"] == [SAMPLE_SLUG]


def test_changing_one_translation_rewrites_only_its_files_and_their_publish_times(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article)
    for loc in ("kk", "ru"):
        accept(proj, article, loc)
    publish.publish(proj, now=NOW)
    accept(proj, article, "ru", edits={"ee80386b60": "Контекст и реакции"})
    report = publish.publish(proj, now=LATER)
    assert sorted(f.path for f in report.changed) == ["manifest.json", f"ru/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.md"]
    files = json.loads((proj.public_dir / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert {name: e["published"] for name, e in files.items()} == {
        "kk/index.html": NOW.isoformat(),
        f"kk/{SAMPLE_SLUG}.html": NOW.isoformat(),
        f"kk/{SAMPLE_SLUG}.md": NOW.isoformat(),
        "ru/index.html": NOW.isoformat(),
        f"ru/{SAMPLE_SLUG}.html": LATER.isoformat(),
        f"ru/{SAMPLE_SLUG}.md": LATER.isoformat(),
    }


# --- the gate ----------------------------------------------------------------------------------------


def test_pending_segments_are_listed_with_reference_and_reason_and_nothing_is_written(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article, ("ru",))
    accept(proj, article, "ru", leave=("title", "2b7acadc96"))
    report = publish.publish(proj, locales=["ru"], now=NOW)
    assert report.blocked[0].pending == (
        publish.PendingSegment(f"articles/{SAMPLE_SLUG}.md:2", "title", "machine translation awaiting review"),
        publish.PendingSegment(f"articles/{SAMPLE_SLUG}.md:17", "2b7acadc96", "machine translation awaiting review"),
    )
    assert not proj.public_dir.exists()


def test_an_empty_accepted_translation_counts_as_untranslated(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article, ("ru",))
    accept(proj, article, "ru", edits={"ee80386b60": ""})
    (pending,) = publish.publish(proj, locales=["ru"], now=NOW).blocked[0].pending
    assert (pending.segment, pending.reason) == ("ee80386b60", "untranslated")


def test_a_source_sentence_edited_after_review_blocks_until_reviewed_again_and_the_old_edition_stays(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article, ("ru",))
    accept(proj, article, "ru")
    publish.publish(proj, locales=["ru"], now=NOW)
    old_page = (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").read_bytes()
    article.path.write_text(article.source.replace("for five years.", "for 5 years.", 1), encoding="utf-8")
    proj, edited = sample(project_dir)
    catalog.write_catalog(proj, edited, "ru", {}, "translate-en_ru 1.9", now=NOW)
    report = publish.publish(proj, locales=["ru"], now=LATER)
    (pending,) = report.blocked[0].pending
    assert (pending.reference, pending.reason) == (f"articles/{SAMPLE_SLUG}.md:11", "source sentence changed since review")
    assert (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").read_bytes() == old_page


def test_a_never_translated_article_is_blocked_with_every_segment_pending(project_dir):
    proj, article = sample(project_dir)
    (blocked,) = publish.publish(proj, locales=["kk"], now=NOW).blocked
    assert len(blocked.pending) == 29
    assert blocked.pending[0].reason == "untranslated (no catalog yet: run `workflow translate`)"
    assert (blocked.catalog, blocked.pending[0].catalog) == ("", "")  # nothing to open yet
    assert blocked.pending[0].text == article.segments[0].text


def test_an_accepted_translation_that_breaks_the_glossary_is_flagged_and_blocks(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article, ("ru",))
    typo = drafts("ru")[FIRST_SENTENCE].replace("Ажыгалиев", "Ажигалиев")
    accept(proj, article, "ru", edits={FIRST_SENTENCE: typo})
    (blocked,) = publish.publish(proj, locales=["ru"], now=NOW).blocked
    assert blocked.pending == (
        publish.PendingSegment(
            f"articles/{SAMPLE_SLUG}.md:9",
            FIRST_SENTENCE,
            "reviewed but flagged: glossary: Jazylbek Azhygaliyev → Жазылбек Ажыгалиев: found 'Ажигалиев'",
        ),
    )


def test_a_reviewed_translation_that_lost_a_link_is_flagged_and_blocks(project_dir):
    proj = load_project(project_dir)
    second = add_second(proj)
    translate(proj, second, ("ru",), texts=lambda loc: second_ru(second, keep_link=False))
    accept(proj, second, "ru")
    (blocked,) = publish.publish(proj, ["second-story"], ["ru"], now=NOW).blocked
    assert [p.reason for p in blocked.pending] == [
        "reviewed but flagged: links: link target (https://example.org/report) missing from the translation"
    ]


def test_ready_articles_are_published_while_others_are_blocked_and_the_index_lists_newest_first(project_dir):
    proj, article = sample(project_dir)
    second = add_second(proj)
    translate(proj, article, ("ru",))
    accept(proj, article, "ru")
    translate(proj, second, ("ru",), texts=lambda loc: second_ru(second))
    report = publish.publish(proj, locales=["ru"], now=NOW)
    assert [(e.slug, e.published) for e in report.editions] == [(SAMPLE_SLUG, True), ("second-story", False)]
    assert "1 статья" in (proj.public_dir / "ru" / "index.html").read_text(encoding="utf-8")

    accept(proj, second, "ru")
    publish.publish(proj, locales=["ru"], now=LATER)
    index = (proj.public_dir / "ru" / "index.html").read_text(encoding="utf-8")
    assert "2 статьи" in index
    assert index.index("second-story.html") < index.index(f"{SAMPLE_SLUG}.html")
    assert_long_date(time_text(index, "2026-11-25"), dt.date(2026, 11, 25), "ru")
    page = (proj.public_dir / "ru" / "second-story.html").read_text(encoding="utf-8")
    assert '<a href="https://example.org/report">отчёт</a>' in page


def test_dry_run_reports_what_would_be_written_and_touches_nothing(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article)
    for loc in ("kk", "ru"):
        accept(proj, article, loc)
    before = tree_digest(project_dir)
    report = publish.publish(proj, now=NOW, dry_run=True)
    assert report.dry_run and {f.action for f in report.files} == {"would write"} and len(report.files) == 7
    assert tree_digest(project_dir) == before
    publish.publish(proj, now=NOW)
    assert {f.action for f in publish.publish(proj, now=LATER, dry_run=True).files} == {"unchanged"}


def test_publish_refuses_while_another_run_holds_the_lock(project_dir):
    proj, _ = sample(project_dir)
    with project_lock(proj.root):
        with pytest.raises(BusyError):
            publish.publish(proj, now=NOW)


# --- editions ----------------------------------------------------------------------------------------


def test_markdown_edition_has_front_matter_and_the_articles_skeleton_with_translations(project_dir):
    proj, article = sample(project_dir)
    ru = drafts("ru")
    rendered = publish.render_edition(proj, article, "ru", ru)
    _, front, body = rendered.markdown.split("---\n", 2)
    assert yaml.safe_load(front) == {
        "title": ru["title"],
        "lang": "ru",
        "date": dt.date(2026, 11, 24),
        "source_slug": SAMPLE_SLUG,
        "authors": ["Radio Azattyk"],
    }
    assert body == articles.body_skeleton(article, ru)
    assert "\n> «Брат очень напуган" in body and "\n## Контекст и реакция\n" in body and "\n– Маруа Ескендирова\n" in body


def test_a_translated_summary_goes_into_front_matter_and_under_the_title(project_dir):
    proj = load_project(project_dir)
    path = proj.articles_dir / "second-story.md"
    path.write_text(SECOND.replace("slug: second-story\n", "slug: second-story\nsummary: It is short. Very short.\n"), encoding="utf-8")
    article = articles.read_article(path, proj)
    texts = {s.id: SECOND_RU.get(s.text, {"It is short.": "Она короткая.", "Very short.": "Очень & <b>короткая</b>."}.get(s.text)) for s in article.segments}
    rendered = publish.render_edition(proj, article, "ru", texts)
    assert yaml.safe_load(rendered.markdown.split("---\n")[1])["summary"] == "Она короткая. Очень & <b>короткая</b>."
    assert '<p class="summary">Она короткая. Очень &amp; &lt;b&gt;короткая&lt;/b&gt;.</p>' in rendered.html


@pytest.mark.parametrize(
    "typed, shown, absent",
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;", "<img"),
        ("[жми](javascript:alert(1))", "[жми](javascript:alert(1))", 'href="javascript'),
        ("A & B </p><p>", "A &amp; B &lt;/p&gt;&lt;p&gt;", "B </p>"),
    ],
)
def test_what_translators_typed_is_shown_as_text_in_html_title_and_body(project_dir, typed, shown, absent):
    proj, article = sample(project_dir)
    texts = {**drafts("ru"), "title": typed, FIRST_SENTENCE: typed}
    html = publish.render_edition(proj, article, "ru", texts).html
    assert html.count(shown) == 3  # <title>, <h1>, body paragraph
    assert absent not in html


def test_a_line_break_in_a_translation_cannot_start_a_new_markdown_block(project_dir):
    proj, article = sample(project_dir)
    texts = {**drafts("ru"), "ee80386b60": "Контекст\n\n# и реакция"}
    rendered = publish.render_edition(proj, article, "ru", texts)
    # "#" inside a translation is escaped in the .md edition too (CommonMark would read nothing else into it here).
    assert "## Контекст \\# и реакция\n" in rendered.markdown and "<h1>и реакция" not in rendered.html


@pytest.mark.parametrize(
    "locale, n, text",
    [
        ("ru", 0, "0 статей"),
        ("ru", 1, "1 статья"),
        ("ru", 3, "3 статьи"),
        ("ru", 5, "5 статей"),
        ("ru", 21, "21 статья"),
        ("ru", 1022, "1\xa0022 статьи"),
        ("kk", 1, "1 мақала"),
        ("kk", 3, "3 мақала"),
        ("en", 1, "1 article"),
        ("de", 2, "2 articles"),  # no strings of its own: English words, German plural rules and digits
        ("ky", 1, "1 article"),  # no catalog: English words in English plural forms
        ("ky", 1022, "1\xa0022 articles"),  # ... with the locale's digits
        ("ru_KZ", 5, "5 статей"),  # a regional locale uses its language's catalog
    ],
)
def test_article_counts_use_the_locales_plural_rules(locale, n, text):
    assert publish.count_text(locale, n) == text


@pytest.mark.parametrize(
    "locale, name",
    [("ru", "Русский"), ("kk", "Қазақ тілі"), ("en", "English")],
)
def test_dates_and_language_names_are_in_the_locales_own_language(locale, name):
    assert_long_date(publish.long_date(dt.date(2026, 11, 24), locale), dt.date(2026, 11, 24), locale)
    assert publish.language_name(locale) == name


# --- path safety ------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["../escape", "/etc/passwd", "a/b", "..", "ru/../../x"])
def test_slugs_that_could_escape_the_output_directory_are_refused(project_dir, slug):
    proj, _ = sample(project_dir)
    with pytest.raises(InputError, match="invalid slug"):
        publish.publish(proj, [slug], now=NOW)
    with pytest.raises(InputError, match="invalid slug"):
        publish.target_path(proj.public_dir, "ru", f"{slug}.html")


@pytest.mark.parametrize("locale", ["../ru", "/tmp", "ru/..", "."])
def test_locale_codes_that_could_escape_are_refused(project_dir, locale):
    proj, _ = sample(project_dir)
    with pytest.raises(InputError, match="unknown locale"):
        publish.publish(proj, locales=[locale], now=NOW)
    with pytest.raises(InputError, match="unknown locale"):
        publish.target_path(proj.public_dir, locale, "index.html")


def test_a_symlinked_locale_directory_pointing_outside_out_dir_is_refused(project_dir, tmp_path):
    proj, article = sample(project_dir)
    translate(proj, article, ("ru",))
    accept(proj, article, "ru")
    out, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "ru").symlink_to(elsewhere)
    with pytest.raises(InputError) as caught:
        publish.publish(proj, locales=["ru"], out_dir=out, now=NOW)
    assert str(caught.value) == (
        f"{out}/ru/{SAMPLE_SLUG}.md: refusing to write ru/{SAMPLE_SLUG}.md: it resolves outside the output directory {out.resolve()}"
    )
    assert list(elsewhere.iterdir()) == [] and list(out.iterdir()) == [out / "ru"]


def test_an_article_with_the_slug_index_is_refused_as_it_would_overwrite_the_index_page(project_dir):
    proj, _ = sample(project_dir)
    (proj.articles_dir / "index.md").write_text(SECOND.replace("second-story", "index"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        publish.publish(proj, now=NOW)
    assert caught.value.path == proj.articles_dir / "index.md"
    assert caught.value.shown(proj.relative(caught.value.path)) == "articles/index.md: slug 'index' is taken by each locale's index.html page; give the article another slug"


def test_temp_files_left_by_a_killed_run_are_removed(project_dir):
    proj, article = sample(project_dir)
    stale = proj.public_dir / "ru" / f".{SAMPLE_SLUG}.html.abc123.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_text("half a page", encoding="utf-8")
    publish.publish(proj, now=NOW)
    assert not stale.exists()


def test_out_dir_places_the_editions_elsewhere(project_dir, tmp_path):
    proj, article = sample(project_dir)
    translate(proj, article, ("ru",))
    accept(proj, article, "ru")
    report = publish.publish(proj, locales=["ru"], out_dir=tmp_path / "site", now=NOW)
    assert report.out_dir == tmp_path / "site"
    assert sorted(tree_digest(tmp_path / "site")) == ["manifest.json", "ru/index.html", f"ru/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.md"]
    assert not proj.public_dir.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "cannot read the publish manifest"),
        ('{"format": 1}', "the publish manifest has no 'files' table"),
        ('{"files": {"../../evil.html": {}}}', "unexpected entry '../../evil.html' in the publish manifest"),
        ('{"files": {"ru/../x.html": {}}}', "unexpected entry 'ru/../x.html' in the publish manifest"),
        ('{"files": {"ru/a.html": {"slug": "a", "locale": "ru", "date": "soon", "title": "A"}}}', "entry 'ru/a.html' lacks its slug, title or date"),
        # Removal trusts the manifest's names: an entry must name the very file of its slug and locale.
        ('{"files": {"ru/a.html": {"slug": "b", "locale": "ru", "date": "2026-11-24", "title": "B"}}}', "entry 'ru/a.html' is not the file of its slug 'b' in 'ru'"),
        ('{"files": {"ru/a.html": {"slug": "a", "locale": "kk", "date": "2026-11-24", "title": "A"}}}', "entry 'ru/a.html' is not the file of its slug 'a' in 'kk'"),
    ],
)
def test_a_damaged_manifest_is_reported_not_trusted(project_dir, content, message):
    proj, _ = sample(project_dir)
    proj.public_dir.mkdir()
    (proj.public_dir / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("(", r"\(")) as caught:
        publish.publish(proj, now=NOW)
    assert str(caught.value).startswith(f"{proj.public_dir / 'manifest.json'}: ")


# --- command line ------------------------------------------------------------------------------------


def test_cli_lists_pending_segments_exits_1_then_publishes_and_reports_nothing_changed(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article)
    runner = CliRunner()
    blocked = runner.invoke(app, ["publish", "--project", str(project_dir)])
    assert blocked.exit_code == 1
    assert f"Blocked ru/{SAMPLE_SLUG}: 29 segments pending" in blocked.stdout
    assert f"  articles/{SAMPLE_SLUG}.md:9  8028b450e4  machine translation awaiting review" in blocked.stdout
    assert blocked.stdout.rstrip().endswith("0 published, 2 blocked; 0 files changed.")

    data = json.loads(runner.invoke(app, ["publish", "--json", "--project", str(project_dir)]).stdout)
    assert (data["blocked"], [len(e["pending"]) for e in data["editions"]], data["files"]) == (2, [29, 29], [])

    for loc in ("kk", "ru"):
        accept(proj, article, loc)
    first = runner.invoke(app, ["publish", "--project", str(project_dir)])
    assert first.exit_code == 0 and "2 published, 0 blocked; 7 files changed." in first.stdout
    second = runner.invoke(app, ["publish", "--json", "--project", str(project_dir)])
    assert second.exit_code == 0
    assert {f["action"] for f in json.loads(second.stdout)["files"]} == {"unchanged"}
    assert "nothing changed, all 7 files already up to date" in runner.invoke(app, ["publish", "--project", str(project_dir)]).stdout


def test_cli_refuses_an_escaping_slug_with_an_error_line(project_dir):
    result = subprocess.run(
        [sys.executable, "-m", "workflow", "publish", "../etc", "--project", str(project_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: invalid slug '../etc': use lowercase letters, digits and single hyphens (e.g. kazakh-migrant-deported)"
    )


def test_end_to_end_through_a_real_model_package_from_translate_to_published_pages(project_dir, installed_models):
    """translate (copy-model package) → blocked with 29 pending per locale → all accepted → published → stable."""

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "workflow", *args, "--project", str(project_dir)], capture_output=True, text=True
        )

    assert cli("translate", "--quiet").returncode == 0
    blocked = cli("publish", "--json")
    assert blocked.returncode == 1
    report = json.loads(blocked.stdout)
    assert sorted((e["locale"], len(e["pending"])) for e in report["editions"]) == [("kk", 29), ("ru", 29)]
    assert not (project_dir / "public").exists()

    proj, article = sample(project_dir)
    accepted = {}
    for loc in ("kk", "ru"):
        draft = polib.pofile(str(proj.po_path(SAMPLE_SLUG, loc))).find(article.segments[1].text).msgstr
        # A copy model's drafts are the English text: accepted as they are, overriding the language checks.
        accept(proj, article, loc, edits={FIRST_SENTENCE: f"{SCRIPT} {draft}"} if loc == "ru" else None, ok={"*": "untranslated, dates"})
        accepted[loc] = {e.msgid: e.msgstr for e in polib.pofile(str(proj.po_path(SAMPLE_SLUG, loc)))}
    published = cli("publish")
    assert published.returncode == 0, published.stdout + published.stderr

    for loc in ("ru", "kk"):
        page = (project_dir / "public" / loc / f"{SAMPLE_SLUG}.html").read_text(encoding="utf-8")
        assert f'<html lang="{loc}"' in page
        assert_long_date(time_text(page, "2026-11-24"), dt.date(2026, 11, 24), loc)
        body = [s for s in article.body_segments if s.id != FIRST_SENTENCE]
        position = page.index("<article")
        for segment in body:  # every accepted sentence, each after the one before it
            position = page.find(_html_text(accepted[loc][segment.text]), position)
            assert position != -1, (loc, segment.text)
    ru_page = (project_dir / "public" / "ru" / f"{SAMPLE_SLUG}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in ru_page and "<script>" not in ru_page

    before = mtimes(project_dir / "public")
    again = cli("publish", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["changed"] == 0
    assert mtimes(project_dir / "public") == before


def _html_text(text: str) -> str:
    """How Jinja/markdown-it escape plain sentence text in a page."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --- retractions: withdraw, deleted articles -------------------------------------------------------
# The editor can always take a story down. Removal touches only files the manifest says the workflow
# published, and each removal is recorded in the manifest with the injected clock.

WITHDRAWN = "withdrawn.toml"
REMOVED_SENTENCE = "Kazakh security forces and official agencies had not commented on the incident at the time of publication."
REMOVED_ID = "9a8ff2e819"  # its segment id: the Russian draft is drafts("ru")[REMOVED_ID]
EDITED_SENTENCE = "After refusing to sign a contract, the man was deported to Kazakhstan and banned from entering Russia for five years."
EDITED_ID = "60228e680b"
# Files in the output directory that the workflow never published: removal must never touch them.
FOREIGN = {
    "robots.txt": b"User-agent: *\n",
    "ru/about.html": b"<p>About us</p>\n",
    f"ru/{SAMPLE_SLUG}.txt": b"an editor's note\n",
    "kk/second-story.html": b"<p>hand-made, never published by the workflow</p>\n",
}


def published(project_dir: Path, second: bool = True):
    """The sample published in kk and ru and, with `second`, second-story in ru: a live site."""
    proj, article = sample(project_dir)
    translate(proj, article)
    for loc in ("kk", "ru"):
        accept(proj, article, loc)
    if second:
        story = add_second(proj)
        translate(proj, story, ("ru",), texts=lambda loc: second_ru(story))
        accept(proj, story, "ru")
    blocked = publish.publish(proj, now=NOW).blocked
    assert [(e.locale, e.slug) for e in blocked] == ([("kk", "second-story")] if second else [])
    for name, data in FOREIGN.items():
        (proj.public_dir / name).write_bytes(data)
    return proj, article


def manifest_of(proj) -> dict:
    return json.loads((proj.public_dir / "manifest.json").read_text(encoding="utf-8"))


def removal(name: str, why: str, when: dt.datetime, note: str = "") -> dict:
    locale, base = name.split("/")
    return {"file": name, "slug": base.rpartition(".")[0], "locale": locale, "why": why, "note": note, "removed": when.isoformat()}


def test_withdraw_takes_a_story_down_everywhere_updates_the_indexes_and_records_what_and_when(project_dir):
    proj, article = published(project_dir)
    public = proj.public_dir
    shas = {n: e["sha256"] for n, e in manifest_of(proj)["files"].items()}

    report = publish.withdraw(proj, SAMPLE_SLUG, now=LATER, note="legal request")

    gone = [f"kk/{SAMPLE_SLUG}.html", f"kk/{SAMPLE_SLUG}.md", f"ru/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.md"]
    assert sorted(r.file for r in report.removed) == gone
    assert not any((public / name).exists() for name in gone)
    assert {name: (public / name).read_bytes() for name in FOREIGN} == FOREIGN
    ru_index = (public / "ru" / "index.html").read_text(encoding="utf-8")
    assert "1 статья" in ru_index and "second-story.html" in ru_index and SAMPLE_SLUG not in ru_index
    kk_index = (public / "kk" / "index.html").read_text(encoding="utf-8")
    assert "0 мақала" in kk_index and SAMPLE_SLUG not in kk_index

    manifest = manifest_of(proj)
    assert sorted(manifest["files"]) == ["kk/index.html", "ru/index.html", "ru/second-story.html", "ru/second-story.md"]
    assert manifest["files"]["ru/index.html"]["articles"] == ["second-story"]
    assert manifest["removed"] == [
        {**removal(name, "withdrawn", LATER, "legal request"), "published": NOW.isoformat(), "sha256": shas[name]} for name in gone
    ]
    import tomllib

    record = tomllib.loads((proj.root / WITHDRAWN).read_text(encoding="utf-8"))
    assert record == {SAMPLE_SLUG: {"locales": "all", "withdrawn": LATER, "note": "legal request"}}


def test_withdraw_in_one_locale_keeps_the_other_live(project_dir):
    proj, _ = published(project_dir, second=False)
    report = publish.withdraw(proj, SAMPLE_SLUG, locales=["ru"], now=LATER)
    assert sorted(r.file for r in report.removed) == [f"ru/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.md"]
    assert (proj.public_dir / "kk" / f"{SAMPLE_SLUG}.html").exists()
    assert not (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").exists()
    assert "0 статей" in (proj.public_dir / "ru" / "index.html").read_text(encoding="utf-8")


def test_a_withdrawn_story_stays_down_on_publish_until_the_withdrawal_is_undone(project_dir):
    proj, _ = published(project_dir, second=False)
    publish.withdraw(proj, SAMPLE_SLUG, locales=["ru"], now=LATER)
    down = tree_digest(proj.public_dir)

    again = publish.publish(proj, now=LATER)
    assert [(e.locale, e.published, e.withdrawn) for e in again.editions] == [("kk", True, False), ("ru", False, True)]
    assert again.blocked == () and again.changed == ()
    named = publish.publish(proj, [SAMPLE_SLUG], ["ru"], now=LATER)
    assert [(e.published, e.withdrawn) for e in named.editions] == [(False, True)]
    assert tree_digest(proj.public_dir) == down

    publish.undo_withdrawal(proj, SAMPLE_SLUG)
    assert tree_digest(proj.public_dir) == down  # undo only lifts the ban; publishing is the editor's next step
    back = publish.publish(proj, now=LATER)
    assert [(e.locale, e.published) for e in back.editions] == [("kk", True), ("ru", True)]
    assert (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").exists()
    assert SAMPLE_SLUG in (proj.public_dir / "ru" / "index.html").read_text(encoding="utf-8")


def test_withdrawing_every_locale_also_covers_a_locale_added_to_the_project_later(project_dir):
    proj, _ = published(project_dir, second=False)
    publish.withdraw(proj, SAMPLE_SLUG, now=LATER)
    config = proj.root / "workflow.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('["kk", "ru"]', '["kk", "ru", "uz"]'), encoding="utf-8")
    proj = load_project(project_dir)
    report = publish.publish(proj, locales=["uz"], now=LATER)
    assert [(e.locale, e.withdrawn) for e in report.editions] == [("uz", True)]


def test_publish_removes_the_editions_of_a_deleted_article_and_nothing_it_did_not_publish(project_dir):
    proj, article = published(project_dir)
    shas = {n: e["sha256"] for n, e in manifest_of(proj)["files"].items()}
    article.path.unlink()

    ru_only = publish.publish(proj, locales=["ru"], now=LATER)
    gone = [f"ru/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.md"]
    assert sorted(r.file for r in ru_only.removed) == gone
    assert sorted((f.path, f.action) for f in ru_only.changed) == [
        ("manifest.json", "written"), ("ru/index.html", "written"), *((name, "removed") for name in gone)
    ]
    assert (proj.public_dir / "kk" / f"{SAMPLE_SLUG}.html").exists()  # kk was not asked for

    publish.publish(proj, now=LATER + dt.timedelta(hours=1))
    assert {name: (proj.public_dir / name).read_bytes() for name in FOREIGN} == FOREIGN
    manifest = manifest_of(proj)
    assert sorted(manifest["files"]) == ["kk/index.html", "ru/index.html", "ru/second-story.html", "ru/second-story.md"]
    later = LATER + dt.timedelta(hours=1)
    assert [{k: v for k, v in r.items() if k not in ("published", "sha256")} for r in manifest["removed"]] == [
        removal(f"ru/{SAMPLE_SLUG}.html", "source deleted", LATER),
        removal(f"ru/{SAMPLE_SLUG}.md", "source deleted", LATER),
        removal(f"kk/{SAMPLE_SLUG}.html", "source deleted", later),
        removal(f"kk/{SAMPLE_SLUG}.md", "source deleted", later),
    ]
    assert [r["sha256"] for r in manifest["removed"]] == [shas[r["file"]] for r in manifest["removed"]]
    settled = tree_digest(proj.public_dir)
    assert publish.publish(proj, now=LATER + dt.timedelta(days=1)).changed == ()
    assert tree_digest(proj.public_dir) == settled


def test_a_file_the_manifest_lists_but_someone_already_deleted_is_still_recorded_as_removed(project_dir):
    proj, article = published(project_dir, second=False)
    (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").unlink()
    report = publish.withdraw(proj, SAMPLE_SLUG, locales=["ru"], now=LATER)
    assert sorted(r.file for r in report.removed) == [f"ru/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.md"]
    assert sorted(manifest_of(proj)["files"]) == ["kk/index.html", f"kk/{SAMPLE_SLUG}.html", f"kk/{SAMPLE_SLUG}.md", "ru/index.html"]


def test_withdraw_dry_run_reports_and_touches_nothing(project_dir):
    proj, _ = published(project_dir)
    before = tree_digest(project_dir)
    report = publish.withdraw(proj, SAMPLE_SLUG, now=LATER, dry_run=True)
    assert report.dry_run and len(report.removed) == 4
    assert sorted((f.path, f.action) for f in report.files if f.action != "unchanged") == sorted(
        [(f"{loc}/{SAMPLE_SLUG}{s}", "would remove") for loc in ("kk", "ru") for s in (".html", ".md")]
        + [("kk/index.html", "would write"), ("ru/index.html", "would write"), ("manifest.json", "would write")]
    )
    assert tree_digest(project_dir) == before


def test_withdraw_refuses_while_another_run_holds_the_lock(project_dir):
    proj, _ = published(project_dir)
    before = tree_digest(project_dir)
    with project_lock(proj.root):
        with pytest.raises(BusyError):
            publish.withdraw(proj, SAMPLE_SLUG, now=LATER)
    assert tree_digest(project_dir) == before


@pytest.mark.parametrize(
    "slug, message",
    [
        ("no-such-story", "no published edition and no article with slug 'no-such-story'"),
        ("../ru", "invalid slug '../ru'"),
        ("index", "invalid slug 'index'"),
    ],
    ids=["typo", "escape", "index-page"],
)
def test_withdraw_refuses_a_slug_that_names_no_story_and_changes_nothing(project_dir, slug, message):
    proj, _ = published(project_dir)
    before = tree_digest(project_dir)
    with pytest.raises(InputError, match=re.escape(message)):
        publish.withdraw(proj, slug, now=LATER)
    assert tree_digest(project_dir) == before


def test_an_unpublished_article_can_be_withdrawn_before_it_ever_goes_out(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article, ("ru",))
    accept(proj, article, "ru")
    assert publish.withdraw(proj, SAMPLE_SLUG, now=NOW).removed == ()
    report = publish.publish(proj, locales=["ru"], now=NOW)
    assert [(e.published, e.withdrawn) for e in report.editions] == [(False, True)]
    assert not (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").exists()


def test_undo_of_a_story_that_is_not_withdrawn_is_refused(project_dir):
    proj, _ = published(project_dir)
    with pytest.raises(InputError, match=f"{SAMPLE_SLUG!r} is not withdrawn"):
        publish.undo_withdrawal(proj, SAMPLE_SLUG)


def test_removal_never_follows_a_symlinked_locale_directory_out_of_the_output_directory(project_dir, tmp_path):
    proj, _ = published(project_dir, second=False)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(proj.public_dir / "ru", elsewhere)
    (proj.public_dir / "ru").symlink_to(elsewhere)
    before = tree_digest(elsewhere)
    project_before = tree_digest(project_dir)
    with pytest.raises(InputError, match="resolves outside the output directory"):
        publish.withdraw(proj, SAMPLE_SLUG, locales=["ru"], now=LATER)
    assert tree_digest(elsewhere) == before
    assert tree_digest(project_dir) == project_before  # refused before anything, the withdrawal list included


def test_withdrawing_again_changes_nothing_not_even_the_time(project_dir):
    proj, _ = published(project_dir, second=False)
    publish.withdraw(proj, SAMPLE_SLUG, now=NOW, note="legal request")
    before, stamps = tree_digest(project_dir), mtimes(project_dir)
    again = publish.withdraw(proj, SAMPLE_SLUG, locales=["ru"], now=LATER)
    assert again.removed == () and {f.action for f in again.files} <= {"unchanged"}
    lock = ".workflow.lock"  # the lock holder's pid is written on every run
    assert tree_digest(project_dir) == before
    assert {k: v for k, v in mtimes(project_dir).items() if k != lock} == {k: v for k, v in stamps.items() if k != lock}


@pytest.mark.parametrize(
    "content, message",
    [
        ("[kazakh-migrant\n", f"{WITHDRAWN}:1: not valid TOML"),
        ('["../etc"]\nlocales = "all"\n', f"{WITHDRAWN}:1: invalid slug '../etc'"),
        ('[a-story]\nlocales = ["xx"]\n', f"{WITHDRAWN}:2: unknown locale 'xx'"),
        ('[a-story]\nlocales = 3\n', f"{WITHDRAWN}:2: locales must be \"all\" or a list of locale codes"),
        (b'[a-story]\nnote = "caf\xe9"\n', f"{WITHDRAWN}:2: not UTF-8 text (byte 0xe9); save {WITHDRAWN} as UTF-8"),
    ],
    ids=["syntax", "slug", "locale", "locales-type", "not-utf8"],
)
def test_a_damaged_withdrawal_list_stops_publish_with_one_line(project_dir, content, message):
    proj, _ = published(project_dir)
    (proj.root / WITHDRAWN).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = tree_digest(project_dir)
    with pytest.raises(InputError) as caught:
        publish.publish(proj, now=LATER)
    assert caught.value.path == proj.root / WITHDRAWN
    assert caught.value.shown(proj.relative(caught.value.path)).startswith(message)
    assert tree_digest(project_dir) == before


def test_a_manifest_with_a_damaged_removal_log_is_reported_not_trusted(project_dir):
    proj, _ = published(project_dir)
    manifest = manifest_of(proj)
    (proj.public_dir / "manifest.json").write_text(json.dumps({**manifest, "removed": {"x": 1}}), encoding="utf-8")
    with pytest.raises(InputError, match="the publish manifest's 'removed' log is not a list of removals"):
        publish.publish(proj, now=LATER)


# --- stale live editions -----------------------------------------------------------------------------


def test_a_correction_that_only_removes_sentences_publishes_at_once(project_dir):
    proj, article = published(project_dir, second=False)
    gone = drafts("ru")[REMOVED_ID]
    assert gone in (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.md").read_text(encoding="utf-8")
    article.path.write_text(article.source.replace(REMOVED_SENTENCE + "\n\n", "", 1), encoding="utf-8")
    proj, corrected = sample(project_dir)
    for loc in ("kk", "ru"):
        catalog.write_catalog(proj, corrected, loc, {}, f"translate-en_{loc} 1.9", now=LATER)
    report = publish.publish(proj, now=LATER)
    assert report.blocked == () and report.stale == ()
    for loc in ("kk", "ru"):
        for suffix in (".md", ".html"):
            assert drafts(loc)[REMOVED_ID] not in (proj.public_dir / loc / f"{SAMPLE_SLUG}{suffix}").read_text(encoding="utf-8")


def corrected_and_blocked(project_dir):
    """The sample published, then corrected: one sentence edited, one removed; catalogs merged, not reviewed."""
    proj, article = published(project_dir, second=False)
    text = article.source.replace(REMOVED_SENTENCE + "\n\n", "", 1).replace("for five years.", "for 5 years.", 1)
    article.path.write_text(text, encoding="utf-8")
    proj, corrected = sample(project_dir)
    for loc in ("kk", "ru"):
        catalog.write_catalog(proj, corrected, loc, {}, f"translate-en_{loc} 1.9", now=LATER)
    return proj


def test_a_blocked_correction_reports_each_sentence_the_live_edition_still_shows(project_dir):
    proj = corrected_and_blocked(project_dir)
    report = publish.publish(proj, locales=["ru"], now=LATER)
    assert [e.slug for e in report.blocked] == [SAMPLE_SLUG]
    (stale,) = report.stale
    assert (stale.slug, stale.locale, stale.files) == (SAMPLE_SLUG, "ru", (f"ru/{SAMPLE_SLUG}.md", f"ru/{SAMPLE_SLUG}.html"))
    assert stale.published == NOW.isoformat()
    assert [(s.text, s.translation) for s in stale.sentences] == [
        (EDITED_SENTENCE, drafts("ru")[EDITED_ID]),
        (REMOVED_SENTENCE, drafts("ru")[REMOVED_ID]),
    ]
    po = f"locales/ru/LC_MESSAGES/{SAMPLE_SLUG}.po"
    lines = (proj.root / po).read_text(encoding="utf-8").splitlines()
    for sentence in stale.sentences:
        path, _, line = sentence.catalog.rpartition(":")
        assert path == po
        entry = "\n".join(lines[int(line) - 1 : int(line) + 8])
        assert sentence.text[:30] in entry.replace('"\n"', "").replace("\n#~ \"", "")


def test_the_cli_names_stale_live_editions_and_what_to_run_instead_of_saying_all_is_up_to_date(project_dir):
    proj = corrected_and_blocked(project_dir)
    result = CliRunner().invoke(app, ["publish", "--locale", "ru", "--project", str(project_dir)])
    assert result.exit_code == 1
    assert "already up to date" not in result.stdout
    assert (
        f"Stale ru/{SAMPLE_SLUG}: the live edition (public/ru/{SAMPLE_SLUG}.html, published {NOW.isoformat()}) "
        "still shows 2 sentences the source no longer has:"
    ) in result.stdout
    assert f"  - {EDITED_SENTENCE[:59]}…" in result.stdout
    assert f"  - {REMOVED_SENTENCE[:59]}…" in result.stdout
    assert (
        f"  Review the pending segments above and run `workflow publish {SAMPLE_SLUG} --locale ru`, "
        f"or take it down now: `workflow withdraw {SAMPLE_SLUG} --locale ru`."
    ) in result.stdout
    assert result.stdout.rstrip().endswith("0 published, 1 blocked, 1 live edition stale; 0 files changed.")

    data = json.loads(CliRunner().invoke(app, ["publish", "--locale", "ru", "--json", "--project", str(project_dir)]).stdout)
    assert [s["text"] for s in data["stale"][0]["sentences"]] == [EDITED_SENTENCE, REMOVED_SENTENCE]


# --- the blocked report names the sentence and the PO file -----------------------------------------


def test_a_blocked_report_names_file_line_the_sentence_and_the_po_file_to_open(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article, ("ru",))
    accept(proj, article, "ru", leave=(FIRST_SENTENCE,))
    po = f"locales/ru/LC_MESSAGES/{SAMPLE_SLUG}.po"
    (pending,) = publish.publish(proj, locales=["ru"], now=NOW).blocked[0].pending
    assert pending.text == article.segments[1].text
    path, _, line = pending.catalog.rpartition(":")
    assert path == po and (proj.root / po).read_text(encoding="utf-8").splitlines()[int(line) - 1].startswith("#")

    result = CliRunner().invoke(app, ["publish", "--locale", "ru", "--project", str(project_dir)])
    assert result.exit_code == 1
    assert f"Blocked ru/{SAMPLE_SLUG}: 1 segment pending; open {po}" in result.stdout
    assert f"  articles/{SAMPLE_SLUG}.md:9  {FIRST_SENTENCE}  machine translation awaiting review" in result.stdout
    assert f"    “{article.segments[1].text[:59]}…”  → {pending.catalog}" in result.stdout

    data = json.loads(CliRunner().invoke(app, ["publish", "--locale", "ru", "--json", "--project", str(project_dir)]).stdout)
    assert data["editions"][0]["pending"] == [
        {
            "reference": f"articles/{SAMPLE_SLUG}.md:9",
            "segment": FIRST_SENTENCE,
            "reason": "machine translation awaiting review",
            "text": article.segments[1].text,
            "catalog": pending.catalog,
        }
    ]


# --- withdraw on the command line ----------------------------------------------------------------------


def test_cli_withdraw_then_publish_then_undo(project_dir):
    proj, _ = published(project_dir, second=False)
    runner = CliRunner()
    cli = lambda *args: runner.invoke(app, [*args, "--project", str(project_dir)])  # noqa: E731

    assert "Example: workflow withdraw" in cli("withdraw", "--help").stdout
    dry = cli("withdraw", SAMPLE_SLUG, "--locale", "ru", "--dry-run")
    assert dry.exit_code == 0 and f"would remove {proj.public_dir / 'ru' / (SAMPLE_SLUG + '.html')}" in dry.stdout
    assert (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").exists() and not (proj.root / WITHDRAWN).exists()

    done = cli("withdraw", SAMPLE_SLUG, "--locale", "ru", "--reason", "legal request", "--json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert sorted(r["file"] for r in data["removed"]) == [f"ru/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.md"]
    assert {r["why"] for r in data["removed"]} == {"withdrawn"} and data["record"] == WITHDRAWN

    everything = cli("publish")
    assert everything.exit_code == 0
    assert f"Withdrawn ru/{SAMPLE_SLUG}: not published; `workflow withdraw --undo {SAMPLE_SLUG}` lifts the withdrawal" in everything.stdout
    named = cli("publish", SAMPLE_SLUG, "--locale", "ru")
    assert named.exit_code == 1 and f"Withdrawn ru/{SAMPLE_SLUG}" in named.stdout

    undo = cli("withdraw", "--undo", SAMPLE_SLUG)
    assert undo.exit_code == 0 and f"workflow publish {SAMPLE_SLUG}" in undo.stdout
    again = cli("publish", SAMPLE_SLUG, "--locale", "ru")
    assert again.exit_code == 0 and (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").exists()


def test_cli_withdraw_of_an_unknown_slug_is_one_error_line(project_dir):
    published(project_dir, second=False)
    result = subprocess.run(
        [sys.executable, "-m", "workflow", "withdraw", "kazakh-migrant-refused", "--project", str(project_dir)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "no published edition and no article with slug 'kazakh-migrant-refused'" in result.stderr


@pytest.mark.parametrize(
    "note",
    ['court order 12/3 "B"', "tab\tnewline\nDEL\x7f ESC\x1b back\\slash", "Решение суда №5"],
    ids=["quotes", "control-characters", "cyrillic"],
)
def test_the_editors_reason_is_kept_exactly_in_the_withdrawal_list_and_the_manifest(project_dir, note):
    proj, _ = published(project_dir, second=False)
    publish.withdraw(proj, SAMPLE_SLUG, locales=["ru"], now=LATER, note=note)
    assert publish.read_withdrawals(proj)[SAMPLE_SLUG].note == note
    assert {r["note"] for r in manifest_of(proj)["removed"]} == {note}


def test_undo_in_one_locale_of_a_story_withdrawn_everywhere_keeps_the_others_down(project_dir):
    proj, _ = published(project_dir, second=False)
    publish.withdraw(proj, SAMPLE_SLUG, now=LATER)
    before = tree_digest(project_dir)
    assert publish.undo_withdrawal(proj, SAMPLE_SLUG, ["kk"], dry_run=True).dry_run
    assert tree_digest(project_dir) == before
    publish.undo_withdrawal(proj, SAMPLE_SLUG, ["kk"])
    report = publish.publish(proj, now=LATER)
    assert [(e.locale, e.published, e.withdrawn) for e in report.editions] == [("kk", True, False), ("ru", False, True)]


def test_a_slug_renamed_in_the_front_matter_takes_the_old_slugs_editions_out_of_the_index(project_dir):
    proj, article = published(project_dir, second=False)
    article.path.write_text(article.source.replace(f"slug: {SAMPLE_SLUG}", "slug: kazakh-migrant-deported"), encoding="utf-8")
    report = publish.publish(proj, locales=["ru"], now=LATER)
    assert sorted((r.file, r.why) for r in report.removed) == [
        (f"ru/{SAMPLE_SLUG}.html", "source deleted"), (f"ru/{SAMPLE_SLUG}.md", "source deleted")
    ]
    assert SAMPLE_SLUG not in (proj.public_dir / "ru" / "index.html").read_text(encoding="utf-8")


def test_a_killed_withdraws_temp_is_removed_but_no_other_temp_like_file_in_the_project(project_dir):
    proj, _ = published(project_dir, second=False)
    stale = proj.root / f".{WITHDRAWN}.k1ll3d.tmp"
    stale.write_text("half a list", encoding="utf-8")
    theirs = {proj.root / ".notes.tmp": b"mine", proj.root / ".git" / f".{WITHDRAWN}.x.tmp": b"git's"}
    for path, data in theirs.items():
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    publish.withdraw(proj, SAMPLE_SLUG, locales=["ru"], now=LATER)
    assert not stale.exists()
    assert {path: path.read_bytes() for path in theirs} == theirs


def _fifo(path: Path, outside: Path) -> None:
    os.mkfifo(path)


def _directory(path: Path, outside: Path) -> None:
    path.mkdir()


def _link_outside(path: Path, outside: Path) -> None:
    outside.write_text('[kazakh-migrant-refused-war-contract]\nlocales = "all"\n', encoding="utf-8")
    path.symlink_to(outside)


@pytest.mark.parametrize(
    "make, message",
    [
        (_fifo, r"withdrawn.toml: is a named pipe \(FIFO\), not a regular file"),
        (_directory, "withdrawn.toml: is a directory, not a file"),
        (_link_outside, "withdrawn.toml: resolves through a symbolic link to .*, outside the project; refused"),
    ],
    ids=["fifo", "directory", "symlink-outside"],
)
def test_a_withdrawal_list_that_is_not_a_plain_file_in_the_project_is_refused_without_waiting(project_dir, tmp_path, make, message):
    proj, _ = published(project_dir, second=False)
    make(proj.root / WITHDRAWN, tmp_path / "elsewhere.toml")
    before = {k: v for k, v in tree_digest(project_dir).items() if k != WITHDRAWN} if make is not _fifo else None
    for run in (lambda: publish.publish(proj, now=LATER), lambda: publish.withdraw(proj, SAMPLE_SLUG, now=LATER)):
        with pytest.raises(InputError) as caught:
            run()
        assert re.match(message, caught.value.shown(proj.relative(caught.value.path)))
    if before is not None:
        assert {k: v for k, v in tree_digest(project_dir).items() if k != WITHDRAWN} == before

# --- the one tree: nothing but reviewed translations, and no structure a translator did not get from the source ---

CORPUS_ARTICLES = sorted((DATA / "corpus").glob("*.md")) + sorted((DATA / "articles").glob("*.md"))
MARK = "ТР: "
_VERBATIM = re.compile(r"^(?:[a-z][a-z0-9+.-]*://\S+|[\w.+-]+@[\w.-]+\.\w+|[^A-Za-z]*)$")
_SKIP_TAGS = {"code", "pre", "script", "style", "head"}
_BLOCK_TAGS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "blockquote", "title", "div", "figure",
               "section", "ol", "ul", "table", "tr", "article", "header", "footer", "hr", "br"}


def _visible(msgstr: str, env: dict) -> str:
    """What a reader sees of an accepted msgstr outside code, as the reference parser reads it with the source's links."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    parser = MarkdownIt("commonmark", {"html": True}).use(footnote_plugin)

    def text(tokens) -> str:
        out = ""
        for t in tokens or []:
            if t.type == "text":
                out += t.content
            elif t.type == "image":
                out += f" {text(t.children)} "
            elif t.type in ("code_inline", "softbreak", "hardbreak"):
                out += " "
        return out

    return text(parser.parseInline(msgstr, dict(env))[0].children)


def _html_blocks(page: str) -> list[str]:
    """The text of each element's own run of text in a page, outside code, with entities decoded."""
    import html.parser

    class Walker(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.stack: list[str] = []
            self.blocks: list[str] = [""]

        def handle_starttag(self, tag, attrs):
            if tag in _BLOCK_TAGS:
                self.blocks.append("")
            if tag not in ("img", "br", "hr", "meta", "link", "input"):
                self.stack.append(tag)
            for name, value in attrs:
                # Alt text is read in place of its image, as a screen reader would; a title is text of its own.
                if name == "alt" and value:
                    self.blocks[-1] += f" {value} "
                elif name == "title" and value:
                    self.blocks[-1:] = [value, self.blocks[-1]]

        def handle_endtag(self, tag):
            while self.stack and self.stack.pop() != tag:
                pass
            if tag in _BLOCK_TAGS:
                self.blocks.append("")

        def handle_data(self, data):
            if not _SKIP_TAGS & set(self.stack):
                self.blocks[-1] += data

    walker = Walker()
    walker.feed(page)
    return [re.sub(r"\[\d+(?::\d+)?\]", "", block) for block in walker.blocks]  # footnote references: "[1]"


def _md_blocks(markdown: str) -> list[str]:
    """The text of each inline run (and HTML-block text run) of a Markdown edition, as markdown-it reads it."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    body = markdown.split("---\n", 2)[2]
    out = []
    for token in MarkdownIt("commonmark", {"html": True}).enable("table").use(footnote_plugin).parse(body):
        if token.type == "inline":
            text = ""
            for child in token.children or []:
                if child.type in ("text", "softbreak", "hardbreak"):
                    text += child.content if child.type == "text" else "\n"
                elif child.type == "image":
                    text += f" {child.content} "
                elif child.type == "html_inline":
                    text += " ".join(_html_blocks(child.content))  # an inline tag's alt and title values
                if child.attrGet("title"):  # a link's or image's title, also one taken from a reference definition
                    out.append(child.attrGet("title"))
            out.append(text)
        elif token.type == "html_block":
            out.extend(_html_blocks(token.content))
    return out


def _unreviewed(blocks: list[str], accepted: list[tuple[str, dict]]) -> list[str]:
    """Words with a Latin letter left in `blocks` once every accepted translation is taken out: must be none."""
    # A title is shown as typed (templates escape it), body text without its inline markup.
    titles = [t for m, _ in accepted for t in re.findall(r'\s"([^"]*)"\)', m)]
    shown = sorted({" ".join(v.split()) for m, env in accepted for v in (m, _visible(m, env))} | set(titles), key=len, reverse=True)
    left = []
    for block in blocks:
        block = " ".join(block.split())
        # An inline tag's alt is read in place, inside its sentence: once taken out, the sentence is whole again.
        before = None
        while block != before:
            before = block
            for text in shown:
                block = " ".join(block.replace(text, " ").split())
        left += [w for w in block.split() if not _VERBATIM.match(w)]
    return left


def test_every_piece_of_prose_in_both_editions_of_awkward_articles_is_a_reviewed_translation(project_dir, installed_models):
    for path in (project_dir / "articles").glob("*.md"):
        path.unlink()
    for path in CORPUS_ARTICLES:
        shutil.copy(path, project_dir / "articles" / path.name)
    (project_dir / "glossary" / "terms.csv").unlink()  # glossary checks are tested elsewhere; every sentence here is marked

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "workflow", *args, "--project", str(project_dir)], capture_output=True, text=True)

    assert cli("translate", "--quiet").returncode == 0
    proj = load_project(project_dir)
    accepted: list[tuple[str, dict]] = []
    for article in articles.load_articles(proj):
        for loc in ("kk", "ru"):
            po = polib.pofile(str(proj.po_path(article.slug, loc)))
            assert po.translated_entries() or po.fuzzy_entries()  # the copy model drafted them
            for entry in po:
                # The translator's marked translation; link and image titles are translated (marked) too.
                entry.msgstr = MARK + re.sub(r'(\s")([^"]*"\))', rf"\1{MARK}\2", entry.msgid)
                entry.flags = [f for f in entry.flags if f != "fuzzy"]
                # Marked English, accepted on purpose past the checks that would rightly call it untranslated.
                entry.tcomment = "\n".join(filter(None, [entry.tcomment, "qa-ok: untranslated, dates"]))
                entry.previous_msgid = None
                accepted.append((entry.msgstr, article.tree.env))
            po.save()
    published = cli("publish")
    assert published.returncode == 0, published.stdout + published.stderr

    for article in articles.load_articles(proj):
        for loc in ("kk", "ru"):
            page = (project_dir / "public" / loc / f"{article.slug}.html").read_text(encoding="utf-8")
            markdown = (project_dir / "public" / loc / f"{article.slug}.md").read_text(encoding="utf-8")
            # Bylines are names, published as written; everything else must be a marked translation.
            article_html = page[page.index("<article") :]
            for author in article.authors:
                article_html = article_html.replace(author, "")
            assert _unreviewed(_html_blocks(article_html), accepted) == [], (loc, article.slug, _html_blocks(article_html))
            assert _unreviewed(_md_blocks(markdown), accepted) == [], (loc, article.slug)
            # The check itself catches one unmarked English word.
            assert _unreviewed(_html_blocks(article_html.replace(MARK, "", 1)), accepted) != []


HOSTILE = [
    ("atx-heading", "# Заголовок"),
    ("quote", "> цитата"),
    ("bullet", "- пункт"),
    ("plus-bullet", "+ пункт"),
    ("star-bullet", "* пункт"),
    ("ordered", "1. пункт"),
    ("ordered-paren", "2) пункт"),
    ("fence", "```\nкод\n```"),
    ("tilde-fence", "~~~ код"),
    ("rule", "---"),
    ("setext", "==="),
    ("table", "| a | b |\n|---|---|\n| c | d |"),
    ("indented-code", "\n\n    код"),
    ("blank-line-heading", "текст\n\n# Заголовок"),
    ("link-definition", "[evil]: https://evil.example"),
    ("footnote-definition", "[^9]: сноска"),
    ("html-block", "<div>блок</div>"),
    ("script", '<script>alert("x")</script>'),
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("html-link", '<a href="https://evil.example">жми</a>'),
    ("comment", "<!-- скрыто -->"),
    ("link", "[жми](https://evil.example)"),
    ("js-link", "[жми](javascript:alert(1))"),
    ("reference-link", "[отчёт][report]"),
    ("autolink", "<https://evil.example>"),
    ("email-autolink", "<evil@evil.example>"),
    ("bare-url", "https://evil.example и www.evil.example"),
    ("image", "![](https://track.example/p.gif)"),
    ("entity-link", "&lt;a href=&quot;https://evil.example&quot;&gt;жми&lt;/a&gt;"),
    ("numeric-entity-link", "&#91;жми&#93;&#40;https://evil.example&#41;"),
    ("code-span", "`код`"),
    ("hard-break", "строка\\\nещё  \nи ещё"),
    ("control", "\x1b[31mкрасный\x1b[0m\x07\x00\x7f\x85"),
    ("pipe", "a | b"),
    ("attribute-breaker", "\"двойные\" и 'одинарные' > <script>alert(1)</script>\nстрока\x1b]52;c;eA==\x07\x00"),
]
# Segments of the corpus article where a hostile translation goes: heading, paragraph, image alt, list item,
# table cell, HTML figure caption and alt, footnote, a reference definition's title, an inline tag's title and alt.
HOSTILE_TARGETS = (
    "Floods Hit the Valley",
    "Officials said the dam held.",
    "Schools closed for a week.",
    "Dry",
    "The dam held.",
    "The dam at dawn",
    "The old record was 3.1 metres.",
    "Roads closed:",
    "The full report of the ministry",
    "Emergency Situations Ministry",
    "Map of closed roads",
)


def _html_structure(page: str) -> list[tuple]:
    import html.parser

    class Walker(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.out: list[tuple] = []

        def handle_starttag(self, tag, attrs):
            self.out.append(("<", tag, tuple(sorted((k, v) for k, v in attrs if k not in ("alt", "title")))))

        def handle_endtag(self, tag):
            self.out.append((">", tag))

        def handle_comment(self, data):
            self.out.append(("comment",))

    walker = Walker()
    walker.feed(page)
    return walker.out


def _md_structure(markdown: str) -> list[tuple]:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    out = []
    for token in MarkdownIt("commonmark", {"html": True}).enable("table").use(footnote_plugin).parse(markdown.split("---\n", 2)[2]):
        out.append((token.type, token.tag))
        for child in token.children or []:
            if child.type not in ("text", "softbreak"):
                shown = _html_structure(child.content) if child.type == "html_inline" else None  # tags, not their alt/title text
                out.append((child.type, child.tag, child.attrGet("href"), child.attrGet("src"), shown))
    return out


@pytest.mark.parametrize(("name", "typed"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_accepted_translation_shows_as_text_and_adds_no_structure_to_either_edition(project_dir, name, typed):
    proj = load_project(project_dir)
    shutil.copy(DATA / "corpus" / "figures.md", proj.articles_dir / "figures.md")
    article = articles.read_article(proj.articles_dir / "figures.md", proj)
    benign = {s.id: MARK + s.text for s in article.segments}
    targets = [s for s in article.body_segments if s.text in HOSTILE_TARGETS]
    assert len(targets) == len(HOSTILE_TARGETS)
    hostile = {**benign, **{s.id: typed for s in targets}}
    good = publish.render_edition(proj, article, "ru", benign)
    bad = publish.render_edition(proj, article, "ru", hostile)

    assert _html_structure(bad.html) == _html_structure(good.html)
    assert _md_structure(bad.markdown) == _md_structure(good.markdown)
    shown = " ".join(typed.split())
    shown = "".join(chr(0x2400 + ord(c)) if ord(c) < 0x20 else "\ufffd" if 0x7F <= ord(c) <= 0x9F else c for c in shown)
    html_texts, md_texts = _html_blocks(bad.html), _md_blocks(bad.markdown)
    assert sum(block.count(shown) for block in html_texts) == len(targets), html_texts
    assert sum(block.count(shown) for block in md_texts) == len(targets), md_texts
    assert "\x1b" not in bad.html + bad.markdown
    assert not re.search(r"(?:href|src)=\"[^\"]*(?:evil|track)\.example", bad.html)


def test_site_front_matter_keys_go_into_the_markdown_edition_after_its_own(project_dir):
    proj = load_project(project_dir)
    shutil.copy(DATA / "corpus" / "figures.md", proj.articles_dir / "figures.md")
    article = articles.read_article(proj.articles_dir / "figures.md", proj)
    rendered = publish.render_edition(proj, article, "ru", {s.id: MARK + s.text for s in article.segments})
    front = yaml.safe_load(rendered.markdown.split("---\n")[1])
    assert list(front) == ["title", "summary", "lang", "date", "source_slug", "tags"]
    assert front["tags"] == ["test", "markdown"] and front["title"] == MARK + "Figures, footnotes and breaks"


def test_a_link_or_image_title_is_translated_and_stays_an_attribute_in_both_editions(project_dir):
    from markdown_it import MarkdownIt

    proj = load_project(project_dir)
    shutil.copy(DATA / "corpus" / "figures.md", proj.articles_dir / "figures.md")
    article = articles.read_article(proj.articles_dir / "figures.md", proj)
    image = next(s for s in article.body_segments if s.text.startswith("!["))
    benign = {s.id: MARK + s.text for s in article.segments}
    typed = 'ТР: ![Улица](https://example.com/img/flood.jpg "Старый \\"город\\" <script>")'
    good = publish.render_edition(proj, article, "ru", benign)
    rendered = publish.render_edition(proj, article, "ru", {**benign, image.id: typed})
    assert 'alt="Улица" title="Старый &quot;город&quot; &lt;script&gt;"' in rendered.html
    assert _html_structure(rendered.html) == _html_structure(good.html)
    tokens = MarkdownIt("commonmark").parse(rendered.markdown.split("---\n", 2)[2])
    shown = [c for t in tokens if t.type == "inline" for c in t.children if c.type == "image"]
    assert [(c.attrGet("src"), c.attrGet("title"), c.content) for c in shown] == [
        ("https://example.com/img/flood.jpg", 'Старый "город" <script>', "Улица")
    ]


def test_an_inline_tags_alt_and_a_definitions_title_block_until_reviewed_then_show_as_attribute_text(project_dir):
    from markdown_it import MarkdownIt

    for path in (project_dir / "articles").glob("*.md"):
        path.unlink()
    (project_dir / "articles" / "titles.md").write_text(
        "---\ntitle: Titles\ndate: 2026-11-22\nslug: titles\n---\n\n"
        "A map <img src=m.png alt=Detours> and the <abbr title='Road Agency'>RA</abbr> [report][r].\n\n"
        "Water <abbr title=\"Above > 3 m\">A3</abbr>.\n\n"
        "[r]: https://example.com/r.pdf \"The agency's report\"\n",
        encoding="utf-8",
    )
    proj = load_project(project_dir)
    article = articles.load_articles(proj, ["titles"])[0]
    texts = {s.text: s.id for s in article.segments}
    own = [texts["Detours"], texts["Road Agency"], texts["The agency's report"]]
    typed = {texts["Detours"]: "Объезды <b>", texts["Road Agency"]: "Дорожное 'агентство'", texts["The agency's report"]: 'Отчёт "агентства" (PDF)'}
    catalog.write_catalog(proj, article, "ru", {**{s.id: MARK + s.text for s in article.segments}, **typed}, "copy", now=NOW)

    accept(proj, article, "ru", leave=tuple(own), ok={"*": "untranslated"})
    (blocked,) = publish.publish(proj, locales=["ru"], now=NOW).blocked
    assert sorted(p.segment for p in blocked.pending) == sorted(own), blocked.pending
    assert not (proj.public_dir / "ru" / "titles.html").exists()

    accept(proj, article, "ru", ok={"*": "untranslated"})
    report = publish.publish(proj, locales=["ru"], now=NOW)
    assert not report.blocked, report.blocked
    page = (proj.public_dir / "ru" / "titles.html").read_text(encoding="utf-8")
    assert '<img src=m.png alt="Объезды &lt;b&gt;">' in page
    assert "<abbr title='Дорожное &#x27;агентство&#x27;'>RA</abbr>" in page
    assert '<a href="https://example.com/r.pdf" title="Отчёт &quot;агентства&quot; (PDF)">' in page
    assert '<abbr title="ТР: Above &gt; 3 m">A3</abbr>' in page  # a ">" in the source's value: still its tag
    markdown = (proj.public_dir / "ru" / "titles.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark", {"html": True}).parse(markdown.split("---\n", 2)[2])
    children = [c for t in tokens if t.type == "inline" for c in t.children]
    assert [c.attrGet("title") for c in children if c.type == "link_open"] == ['Отчёт "агентства" (PDF)']
    assert [_html_blocks(c.content) for c in children if c.type == "html_inline"] == [
        [" Объезды <b> "], ["Дорожное 'агентство'", ""], [""], ["ТР: Above > 3 m", ""], [""]
    ]


def test_tables_hard_breaks_footnotes_and_code_blocks_render_as_the_source_has_them(project_dir):
    proj = load_project(project_dir)
    shutil.copy(DATA / "corpus" / "figures.md", proj.articles_dir / "figures.md")
    article = articles.read_article(proj.articles_dir / "figures.md", proj)
    rendered = publish.render_edition(proj, article, "ru", {s.id: MARK + s.text for s in article.segments})
    html, markdown = rendered.html, rendered.markdown
    assert "<p>ТР: Roads closed:<br />\nТР: the north bridge<br />\nТР: and the ring road.</p>" in html
    assert "ТР: Roads closed:  \nТР: the north bridge\\\nТР: and the ring road.\n" in markdown
    assert "<td>ТР: Old town</td>\n<td>ТР: Flooded</td>" in html and "| ТР: Old town | ТР: Flooded |" in markdown
    assert "<pre><code>$ curl https://example.com/levels.csv\nnot prose, a code block\n</code></pre>" in html
    assert '<li id="fn1" class="footnote-item"><p>ТР: Measured at the city gauge. ТР: The old record was 3.1 metres.' in html
    assert "<figcaption>ТР: The dam held. ТР: Photo by <em>ТР: Aigerim Bekova</em>.</figcaption>" in html
    assert '<h1>ТР: Floods Hit the Valley</h1>' in html and "ТР: Floods Hit the Valley\n=====================\n" in markdown


@pytest.mark.parametrize(
    "args",
    [["--reason", b"court \xff order"], ["--reason", b"\xed\xa0\x80"]],
    ids=["invalid-utf8", "encoded-surrogate"],
)
def test_a_reason_that_is_not_text_is_one_error_line_and_changes_nothing(project_dir, args):
    # A shell passes bytes; what is not UTF-8 cannot go into withdrawn.toml or the manifest.
    published(project_dir, second=False)
    before = tree_digest(project_dir)
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"workflow", b"withdraw", SAMPLE_SLUG.encode(), *(a if isinstance(a, bytes) else a.encode() for a in args)],
        cwd=project_dir,
        capture_output=True,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1, stderr
    assert stderr.startswith("Error: ") and len(stderr.strip().splitlines()) == 1, stderr
    assert "the reason (--reason) is not UTF-8 text" in stderr
    assert tree_digest(project_dir) == before


def test_a_publish_waiting_for_the_lock_honours_a_withdrawal_recorded_while_it_waited(project_dir):
    # `publish --wait` queued behind an editor's takedown must not bring the story back from what it read before.
    import threading

    proj, _ = published(project_dir, second=False)
    results = []
    with project_lock(proj.root):
        waiting = threading.Thread(target=lambda: results.append(publish.publish(proj, now=LATER, wait=True)))
        waiting.start()
        for _ in range(600):  # until the kernel lists the publish as blocked on the project lock
            if any("->" in line for line in Path("/proc/locks").read_text().splitlines()):
                break
            waiting.join(0.05)
        else:
            pytest.fail("publish never waited for the lock")
        (proj.root / WITHDRAWN).write_text(f'[{SAMPLE_SLUG}]\nlocales = ["ru"]\nnote = "legal request"\n', encoding="utf-8")
    waiting.join(60)
    (report,) = results
    assert [(e.locale, e.published, e.withdrawn) for e in report.editions] == [("kk", True, False), ("ru", False, True)]
    assert sorted(r.file for r in report.removed) == [f"ru/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.md"]
    assert not (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").exists()


def test_a_publish_waiting_for_the_lock_checks_against_the_glossary_changed_while_it_waited(project_dir):
    # A term added while the run waited flags the reviewed translations: what it flags must not go out.
    import threading

    proj, article = sample(project_dir)
    translate(proj, article, ("ru",))
    accept(proj, article, "ru")
    results = []
    with project_lock(proj.root):
        waiting = threading.Thread(target=lambda: results.append(publish.publish(proj, locales=["ru"], now=LATER, wait=True)))
        waiting.start()
        for _ in range(600):
            if any("->" in line for line in Path("/proc/locks").read_text().splitlines()):
                break
            waiting.join(0.05)
        else:
            pytest.fail("publish never waited for the lock")
        with open(proj.glossary_path, "a", encoding="utf-8") as terms:
            terms.write("Kazakh citizen,Қазақстан азаматы,Подданный Казахстана,other,,,,,\n")
    waiting.join(60)
    (report,) = results
    assert [(e.slug, e.published) for e in report.editions] == [(SAMPLE_SLUG, False)]
    assert any("Подданный Казахстана" in p.reason for p in report.blocked[0].pending)
    assert not (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").exists()


@pytest.mark.parametrize("dry_run", [False, True], ids=["publish", "dry-run"])
def test_a_missing_articles_directory_takes_nothing_down(project_dir, tmp_path, dry_run):
    # A moved directory or a wrong paths.articles is a mistake, not the deletion of every story.
    proj, _ = published(project_dir)
    shutil.move(proj.articles_dir, tmp_path / "articles-elsewhere")
    before = tree_digest(project_dir)
    with pytest.raises(InputError) as caught:
        publish.publish(proj, now=LATER, dry_run=dry_run)
    assert caught.value.path == proj.articles_dir
    assert caught.value.shown(proj.relative(caught.value.path)) == (
        "articles: the articles directory does not exist; publishing every article would take down every published "
        "story (restore it or fix paths.articles in workflow.toml; `workflow withdraw SLUG` takes a story down)"
    )
    assert tree_digest(project_dir) == before


def _manifest_fifo(path: Path, outside: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _manifest_link_outside(path: Path, outside: Path) -> None:
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)


@pytest.mark.parametrize(
    "make, message",
    [
        (_manifest_fifo, "manifest.json: is a named pipe (FIFO), not a regular file"),
        (_manifest_link_outside, "manifest.json: resolves through a symbolic link to"),
    ],
    ids=["fifo", "symlink-outside"],
)
def test_a_manifest_that_is_not_a_plain_file_in_the_output_directory_is_refused_without_waiting(project_dir, tmp_path, make, message):
    # Removal trusts the manifest's names: it must be the output directory's own file, and a FIFO must not hang the locked run.
    proj, _ = published(project_dir, second=False)
    outside = tmp_path / "elsewhere.json"
    make(proj.public_dir / "manifest.json", outside)
    kept = outside.read_bytes() if outside.exists() else None
    for run in (
        lambda: publish.publish(proj, now=LATER),
        lambda: publish.publish(proj, now=LATER, dry_run=True),
        lambda: publish.withdraw(proj, SAMPLE_SLUG, now=LATER),
    ):
        with pytest.raises(InputError) as caught:
            run()
        assert message in str(caught.value)
    assert not (proj.root / WITHDRAWN).exists()
    assert (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").exists()
    if kept is not None:
        assert outside.read_bytes() == kept and (proj.public_dir / "manifest.json").is_symlink()


@pytest.mark.parametrize(
    "run",
    [
        lambda proj: publish.publish(proj, locales=["ru"], out_dir=proj.root, now=LATER),
        lambda proj: publish.withdraw(proj, SAMPLE_SLUG, locales=["ru"], out_dir=proj.root, now=LATER),
    ],
    ids=["publish", "withdraw"],
)
def test_an_out_dir_holding_other_files_loses_only_the_workflows_own_temps(project_dir, run):
    # `--out .` (the project root, with .git): only the names atomic_write gives editions and the manifest are cleaned.
    proj, article = sample(project_dir)
    translate(proj, article, ("ru",))
    accept(proj, article, "ru")
    publish.publish(proj, locales=["ru"], out_dir=proj.root, now=NOW)
    ours = [proj.root / "ru" / f".{SAMPLE_SLUG}.html.abc123.tmp", proj.root / ".manifest.json.k1ll3d_x.tmp"]
    theirs = {
        proj.root / ".git" / "objects" / "pack" / ".tmp-pack.tmp": b"git's",
        proj.root / ".notes.tmp": b"mine",
        proj.root / "ru" / ".draft.tmp": b"an editor's",
        proj.root / "assets" / f".{SAMPLE_SLUG}.html.abc123.tmp": b"not in a locale directory",
        proj.root / "articles" / f".{SAMPLE_SLUG}.md.abc123.tmp": b"not ours either",
    }
    for path, data in {**dict.fromkeys(ours, b"half"), **theirs}.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    run(proj)
    assert not any(path.exists() for path in ours)
    assert {path: path.read_bytes() for path in theirs} == theirs



# --- the checks at the gate (issue 16) ----------------------------------------------------------------

DESK = """\
---
title: Desk story
date: 2026-11-20
slug: desk-story
---

About 700 criminal cases were opened in 2024.

On January 18 he was called by the migration service.

He flew to Almaty on the night before Jan. 21.

He said: “The brother is very frightened.”

The man was taken to the police station.

The next day, police officers arrived there.
"""
DESK_RU = {
    "Desk story": "История для проверки",
    "About 700 criminal cases were opened in 2024.": "В 2024 году было возбуждено около 700 уголовных дел.",
    "On January 18 he was called by the migration service.": "18 января ему позвонили из миграционной службы.",
    "He flew to Almaty on the night before Jan. 21.": "В ночь на 21 января он улетел в Алматы.",
    "He said: “The brother is very frightened.”": "Он сказал: «Брат очень напуган».",
    "The man was taken to the police station.": "Мужчину доставили в отделение полиции.",
    "The next day, police officers arrived there.": "На следующий день туда приехали полицейские.",
}
# (id, source sentence, seeded translation, check, severity, message)
SEEDED = [
    ("changed-number", "About 700 criminal cases were opened in 2024.", "В 2024 году было возбуждено около 800 уголовных дел.",
     "numbers", "error", "number 700 (700) of the source is missing from the translation"),
    ("dropped-date", "On January 18 he was called by the migration service.", "Ему позвонили из миграционной службы.",
     "dates", "error", "date January 18 of the source is not in the translation"),
    ("wrong-month", "He flew to Almaty on the night before Jan. 21.", "В ночь на 21 февраля он улетел в Алматы.",
     "dates", "error", "date Jan. 21 (the translation names февраля) of the source is not in the translation"),
    ("swapped-name", "He flew to Almaty on the night before Jan. 21.", "В ночь на 21 января он улетел в Астану.",
     "glossary", "error", "Almaty → Алматы: not found in the translation"),
    ("unbalanced-quotes", "He said: “The brother is very frightened.”", "Он сказал: «Брат очень напуган.",
     "quotes", "error", "quotation marks do not balance as in the source: 1 « 0 »"),
    ("untranslated-sentence", "The next day, police officers arrived there.", "The next day, police officers arrived there.",
     "untranslated", "error", "English left untranslated: next, day, police, officers, arrived, there"),
    ("doubled-word", "The man was taken to the police station.", "Мужчину доставили в в отделение полиции.",
     "doubled_words", "warning", "word repeated: в в"),
    ("misspelt-word", "The man was taken to the police station.", "Мужчину доставили в отделение палиции.",
     "spelling", "warning", "not in the dictionary: палиции"),
]


def desk_project(project_dir: Path, seeded: dict[str, str], comments: dict[str, str] | None = None):
    """The desk story drafted, then every entry accepted with DESK_RU except the `seeded` translations."""
    (project_dir / "articles" / "desk-story.md").write_text(DESK, encoding="utf-8")
    proj = load_project(project_dir)
    article = articles.load_articles(proj, ["desk-story"])[0]
    catalog.write_catalog(proj, article, "ru", {s.id: DESK_RU[s.text] for s in article.segments}, "translate-en_ru 1.9", now=NOW)
    po = polib.pofile(str(proj.po_path("desk-story", "ru")))
    for entry in po:
        entry.msgstr = seeded.get(entry.msgid, entry.msgstr)
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        if comments and entry.msgid in comments:
            entry.tcomment = "\n".join(filter(None, [entry.tcomment, comments[entry.msgid]]))
    po.save()
    return proj, article


def test_the_correct_desk_translation_passes_every_check_and_publishes(project_dir):
    proj, _ = desk_project(project_dir, {})
    report = publish.publish(proj, ["desk-story"], ["ru"], now=NOW, glossary=load_glossary(proj.glossary_path))
    assert [(e.slug, e.published) for e in report.editions] == [("desk-story", True)]


@pytest.mark.parametrize("source,translation,check,severity,message", [c[1:] for c in SEEDED], ids=[c[0] for c in SEEDED])
def test_each_seeded_error_is_caught_with_its_message_and_the_gate_blocks_exactly_the_errors(
    project_dir, source, translation, check, severity, message
):
    proj, article = desk_project(project_dir, {source: translation})
    terms = load_glossary(proj.glossary_path)
    entry = next(e for e in review.review_article(proj, article, "ru", terms).entries if e.msgid == source)
    shown = entry.flags if severity == "error" else entry.warnings
    assert f"{check}: {message}" in shown
    report = publish.publish(proj, ["desk-story"], ["ru"], now=NOW, glossary=terms)
    (edition,) = report.editions
    if severity == "error":
        assert not edition.published and [p.segment for p in edition.pending] == [entry.segment.id]
        assert f"{check}: {message}" in edition.pending[0].reason
    else:
        assert edition.published and entry.flags == ()


def test_a_recorded_override_lets_one_error_through_and_the_manifest_records_it(project_dir):
    changed = "В 2024 году было возбуждено около 800 уголовных дел."
    source = "About 700 criminal cases were opened in 2024."
    proj, article = desk_project(project_dir, {source: changed}, comments={source: "qa-ok: numbers"})
    terms = load_glossary(proj.glossary_path)
    report = publish.publish(proj, ["desk-story"], ["ru"], now=NOW, glossary=terms)
    assert [e.published for e in report.editions] == [True]
    manifest = json.loads((proj.public_dir / "manifest.json").read_text(encoding="utf-8"))
    line = next(e.line for e in catalog.read_catalog(proj.po_path("desk-story", "ru")).entries if e.msgid == source)
    for name in ("ru/desk-story.md", "ru/desk-story.html"):
        assert manifest["files"][name]["qa_overrides"] == [
            {"entry": f"locales/ru/LC_MESSAGES/desk-story.po:{line}", "source": "articles/desk-story.md:7",
             "accepted": ["numbers: number 700 (700) of the source is missing from the translation"]}
        ]
    # The override names one check: a second error in the same entry still blocks.
    proj, _ = desk_project(project_dir, {source: "The 800 cases."}, comments={source: "qa-ok: numbers"})
    (edition,) = publish.publish(proj, ["desk-story"], ["ru"], now=NOW, glossary=terms).editions
    assert not edition.published and "untranslated: English left untranslated: cases" in edition.pending[0].reason


# --- the edition's own words: gettext catalogs of the tool itself ---------------------------------------

LOCALE_DIR = REPO / "workflow" / "locale"
NO_WORDS = "{0}: the edition's interface words are in English: no workflow/locale/{0} catalog"


def _key(message) -> tuple[str, ...]:
    return (message,) if isinstance(message, str) else tuple(message)


def extracted_messages() -> set[tuple[str, ...]]:
    """What `pybabel extract -F workflow/locale/babel.cfg` finds in the templates and the publish package today."""
    with open(LOCALE_DIR / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    return {_key(message) for _, _, message, _, _ in extract_from_dir(REPO, method_map, options_map)}


def interface_catalogs() -> dict[str, Path]:
    return {po.parent.parent.name: po for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))}


def test_the_interface_template_lists_every_word_the_templates_and_publish_use():
    with open(LOCALE_DIR / "messages.pot", "rb") as handle:
        template = read_po(handle)
    listed = {_key(m.id) for m in template if m.id}
    found = extracted_messages()
    assert ("Articles",) in found and ("%(number)s article", "%(number)s articles") in found  # templates and python both read
    assert listed == found, "run `pybabel extract -F workflow/locale/babel.cfg --add-comments=Translators: -o workflow/locale/messages.pot .`"


def test_kazakh_and_russian_have_interface_catalogs():
    assert {"kk", "ru"} <= set(interface_catalogs())


@pytest.mark.parametrize("language", sorted(interface_catalogs()))
def test_each_interface_catalog_translates_every_word_with_every_plural_form_and_passes_msgfmt_check(language):
    po = interface_catalogs()[language]
    with open(po, "rb") as handle:
        catalog_ = read_po(handle, locale=language)
    with open(LOCALE_DIR / "messages.pot", "rb") as handle:
        template = {_key(m.id) for m in read_po(handle) if m.id}
    assert {_key(m.id) for m in catalog_ if m.id} == template
    for message in (m for m in catalog_ if m.id):
        strings = _key(message.string)
        assert not message.fuzzy and all(strings), (language, message.id)
        if message.pluralizable:
            assert len(strings) == catalog_.num_plurals == get_plural(language).num_plurals, (language, message.id)
    done = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_publish_package_names_no_locale():
    # Languages are data (workflow/locale/<lang>/), never code: adding one must not mean editing publish/.
    named = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in sorted((REPO / "workflow" / "publish").glob("*.py")) + sorted((REPO / "workflow" / "templates").glob("*"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\b(kk|ru|ky)\b", line)
    ]
    assert named == []


def with_locale(project_dir: Path, extra: str):
    """The sample and the second story, reviewed in kk, ru and `extra` (Russian texts stand in where the test data has none)."""
    config = project_dir / "workflow.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('["kk", "ru"]', f'["kk", "ru", "{extra}"]'), encoding="utf-8")
    proj, article = sample(project_dir)
    translate(proj, article, ("kk", "ru", extra), texts=lambda loc: drafts("ru" if loc == extra else loc))
    second = add_second(proj)
    for loc in ("kk", "ru", extra):
        catalog.write_catalog(proj, second, loc, second_ru(second), f"translate-en_{loc} 1.9", now=NOW)
        accept(proj, second, loc)
    for loc in ("kk", "ru"):
        accept(proj, article, loc)
    # Russian text in place of the other language's: its own month names and quotation marks are not in it.
    accept(proj, article, extra, ok={"*": "dates, quotes"})
    return proj


@pytest.mark.parametrize("extra", ["ky", "uz"])
def test_a_locale_without_interface_words_gets_english_ones_and_the_run_says_so_once(project_dir, extra):
    proj = with_locale(project_dir, extra)
    report = publish.publish(proj, now=NOW)
    assert report.blocked == () and sum(e.published for e in report.editions) == 6
    assert report.notes == (NO_WORDS.format(extra),)  # once, for two stories and an index
    page = (proj.public_dir / extra / f"{SAMPLE_SLUG}.html").read_text(encoding="utf-8")
    # The page is in `extra`; its English words say they are English, and make one English sentence.
    assert f'<html lang="{extra}" dir="ltr">' in page
    for words in (
        '<a class="home" href="index.html" lang="en">All articles</a>',
        '<nav class="languages" aria-label="Read in" lang="en">\n<span>Read in:</span>',
        '<p class="original" lang="en">Original language: English</p>',
    ):
        assert words in page
    index = (proj.public_dir / extra / "index.html").read_text(encoding="utf-8")
    assert '<h1 lang="en">Articles</h1>' in index and '<p class="count" lang="en">2 articles</p>' in index
    # The languages with words of their own keep them.
    assert '<p class="count">2 мақала</p>' in (proj.public_dir / "kk" / "index.html").read_text(encoding="utf-8")
    assert "Барлық мақалалар" in (proj.public_dir / "kk" / f"{SAMPLE_SLUG}.html").read_text(encoding="utf-8")
    assert "Все статьи" in (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").read_text(encoding="utf-8")


def test_the_cli_prints_the_english_words_note_once_per_run_and_json_carries_it(project_dir):
    proj = with_locale(project_dir, "ky")
    for _ in range(2):  # also on a run that changes nothing: the pages still carry English words
        done = CliRunner().invoke(app, ["publish", "--project", str(proj.root)])
        assert done.exit_code == 0, done.output
        assert done.stdout.count("Note: ") == 1 and f"Note: {NO_WORDS.format('ky')}\n" in done.stdout
    done = CliRunner().invoke(app, ["publish", "--dry-run", "--json", "--project", str(proj.root)])
    assert json.loads(done.stdout)["notes"] == [NO_WORDS.format("ky")]
    # Publishing only the languages that have words says nothing.
    done = CliRunner().invoke(app, ["publish", "--locale", "kk", "--locale", "ru", "--project", str(proj.root)])
    assert done.exit_code == 0 and "Note:" not in done.stdout
