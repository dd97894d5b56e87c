"""Editions for the web: language links both ways, Atom feeds per locale and one sitemap, read back by real parsers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_SLUG, tree_digest
from tests.test_publish import LATER, NOW, accept, add_second, assert_long_date, sample, second_ru, translate
from workflow import publish
from workflow.errors import InputError
from workflow.project import load_project

SITE = "https://news.example.org/"
ORIGINAL = "https://www.example.org/en/{slug}.html"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def with_site(project_dir: Path, original: bool = True) -> None:
    config = project_dir / "workflow.toml"
    extra = f'\n[site]\nurl = "{SITE}"\n' + (f'original = "{ORIGINAL}"\n' if original else "")
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")


def live_site(project_dir: Path, original: bool = True):
    """The sample in kk and ru, second-story in ru only, published to a site with an address."""
    with_site(project_dir, original)
    proj, article = sample(project_dir)
    translate(proj, article)
    for loc in ("kk", "ru"):
        accept(proj, article, loc)
    story = add_second(proj)
    translate(proj, story, ("ru",), texts=lambda loc: second_ru(story))
    accept(proj, story, "ru")
    report = publish.publish(proj, now=NOW)
    assert [(e.locale, e.slug) for e in report.blocked] == [("kk", "second-story")]
    return proj


class HeadLinks(HTMLParser):
    """The page's <link rel=alternate hreflang> pairs and its language switcher's links."""

    def __init__(self) -> None:
        super().__init__()
        self.alternates: dict[str, str] = {}
        self.switcher: list[tuple[str, str, str]] = []  # (hreflang, href, text)
        self.home = ""
        self._in_nav = False
        self._link: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.alternates[a["hreflang"]] = a["href"]
        if tag == "nav" and a.get("class") == "languages":
            self._in_nav = True
        if tag == "a" and a.get("class") == "home":
            self.home = a["href"]
        if tag == "a" and self._in_nav:
            self._link = {"hreflang": a["hreflang"], "href": a["href"], "text": ""}

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.switcher.append((self._link["hreflang"], self._link["href"], self._link["text"]))
            self._link = None
        if tag == "nav":
            self._in_nav = False


def links_of(path: Path) -> HeadLinks:
    parser = HeadLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def url_of(path: Path, public: Path) -> str:
    return SITE + path.relative_to(public).as_posix()


def sitemap_of(public: Path) -> dict[str, dict[str, str]]:
    """{page url: {hreflang: url}} as a sitemap reader sees it."""
    root = ET.parse(public / "sitemap.xml").getroot()
    assert root.tag == f"{SM}urlset"
    found = {}
    for url in root.findall(f"{SM}url"):
        dt.date.fromisoformat(url.findtext(f"{SM}lastmod"))
        found[url.findtext(f"{SM}loc")] = {
            link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link") if link.get("rel") == "alternate"
        }
    return found


# --- language links -------------------------------------------------------------------------------------


def test_every_edition_links_each_language_version_and_the_original_and_each_link_is_returned(project_dir):
    proj = live_site(project_dir)
    public = proj.public_dir
    pages = sorted(p for p in public.glob("*/*.html") if p.name != "index.html")
    assert [p.relative_to(public).as_posix() for p in pages] == [
        f"kk/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.html", "ru/second-story.html"
    ]
    by_url = {url_of(p, public): links_of(p) for p in pages}
    assert by_url[f"{SITE}kk/{SAMPLE_SLUG}.html"].alternates == {
        "kk": f"{SITE}kk/{SAMPLE_SLUG}.html",
        "ru": f"{SITE}ru/{SAMPLE_SLUG}.html",
        "en": f"https://www.example.org/en/{SAMPLE_SLUG}.html",
    }
    # Only the Russian edition of second-story exists: it links itself and the original, nothing dead.
    assert by_url[f"{SITE}ru/second-story.html"].alternates == {
        "ru": f"{SITE}ru/second-story.html", "en": "https://www.example.org/en/second-story.html"
    }
    for url, page in by_url.items():
        own = [lang for lang, href in page.alternates.items() if href == url]
        assert len(own) == 1, url  # each page names itself under its own language
        for lang, href in page.alternates.items():
            if href in by_url:  # the other editions: each names this page back under this page's language
                assert by_url[href].alternates.get(own[0]) == url, (url, lang, href)


def test_the_visible_switcher_names_the_other_languages_in_their_own_language_and_marks_the_original(project_dir):
    proj = live_site(project_dir)
    kk = links_of(proj.public_dir / "kk" / f"{SAMPLE_SLUG}.html")
    assert kk.switcher == [
        ("ru", f"{SITE}ru/{SAMPLE_SLUG}.html", "Русский"),
        ("en", f"https://www.example.org/en/{SAMPLE_SLUG}.html", "English (түпнұсқа)"),
    ]
    ru = links_of(proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html")
    assert [(lang, text) for lang, _, text in ru.switcher] == [("kk", "Қазақ тілі"), ("en", "English (оригинал)")]


def test_the_index_home_link_leads_to_the_site_root_not_to_itself(project_dir):
    proj = live_site(project_dir)
    for loc in ("kk", "ru"):
        index = links_of(proj.public_dir / loc / "index.html")
        assert index.home == SITE
        assert index.alternates == {"kk": f"{SITE}kk/index.html", "ru": f"{SITE}ru/index.html"}
        article = links_of(proj.public_dir / loc / f"{SAMPLE_SLUG}.html")
        assert article.home == "index.html"  # an edition's header leads to its locale's index


def test_without_a_site_address_links_are_relative_and_no_feed_or_sitemap_is_made(project_dir):
    proj, article = sample(project_dir)
    translate(proj, article)
    for loc in ("kk", "ru"):
        accept(proj, article, loc)
    publish.publish(proj, now=NOW)
    public = proj.public_dir
    assert links_of(public / "ru" / "index.html").home == "../"
    assert links_of(public / "ru" / f"{SAMPLE_SLUG}.html").alternates == {
        "kk": f"../kk/{SAMPLE_SLUG}.html", "ru": f"../ru/{SAMPLE_SLUG}.html"
    }
    assert not (public / "sitemap.xml").exists() and not list(public.glob("*/feed.xml"))


# --- byline ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "byline"), [("kk", "Азаттық радиосы"), ("ru", "Радио Азаттык")])
def test_the_byline_is_the_glossarys_form_in_the_editions_language(project_dir, locale, byline):
    proj = live_site(project_dir)
    page = (proj.public_dir / locale / f"{SAMPLE_SLUG}.html").read_text(encoding="utf-8")
    assert f"</time> · {byline}</p>" in page and "Radio Azattyk" not in page
    markdown = (proj.public_dir / locale / f"{SAMPLE_SLUG}.md").read_text(encoding="utf-8")
    assert f'authors:\n  - "{byline}"' in markdown


def test_an_author_the_glossary_does_not_know_stays_as_written(project_dir):
    proj, article = sample(project_dir)
    source = article.path.read_text(encoding="utf-8").replace("  - Radio Azattyk\n", "  - Radio Azattyk\n  - Jane Doe\n")
    article.path.write_text(source, encoding="utf-8")
    proj, article = sample(project_dir)
    from workflow.glossary import load_glossary

    assert publish.localized_byline(load_glossary(proj.glossary_path), article.authors, "ru") == ("Радио Азаттык", "Jane Doe")


# --- feeds ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "slugs"), [("kk", [SAMPLE_SLUG]), ("ru", ["second-story", SAMPLE_SLUG])])
def test_each_locale_has_an_atom_feed_of_its_editions_newest_first_with_localized_dates(project_dir, locale, slugs):
    proj = live_site(project_dir)
    manifest = json.loads((proj.public_dir / "manifest.json").read_text(encoding="utf-8"))["files"]
    feed = ET.parse(proj.public_dir / locale / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed" and feed.get(XML_LANG) == locale
    assert feed.findtext(f"{ATOM}id") == f"{SITE}{locale}/feed.xml"
    assert {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")} == {
        "self": f"{SITE}{locale}/feed.xml", "alternate": f"{SITE}{locale}/index.html"
    }
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [f"{SITE}{locale}/{slug}.html" for slug in slugs]
    for entry, slug in zip(entries, slugs):
        facts = manifest[f"{locale}/{slug}.html"]
        assert entry.findtext(f"{ATOM}title") == facts["title"]
        date = dt.date.fromisoformat(facts["date"])
        assert dt.datetime.fromisoformat(entry.findtext(f"{ATOM}published")).date() == date
        assert dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) == NOW
        assert_long_date(entry.findtext(f"{ATOM}summary"), date, locale)
    sample_entry = entries[slugs.index(SAMPLE_SLUG)]
    byline = {"kk": "Азаттық радиосы", "ru": "Радио Азаттык"}[locale]
    assert [a.findtext(f"{ATOM}name") for a in sample_entry.findall(f"{ATOM}author")] == [byline]
    assert dt.datetime.fromisoformat(feed.findtext(f"{ATOM}updated")) == NOW
    # The index advertises its feed to readers and feed readers alike.
    index = (proj.public_dir / locale / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml"' in index and 'href="feed.xml"' in index


# --- sitemap --------------------------------------------------------------------------------------------


def test_the_sitemap_lists_every_edition_with_hreflang_alternates_that_agree_both_ways(project_dir):
    proj = live_site(project_dir)
    pages = sitemap_of(proj.public_dir)
    assert sorted(pages) == [f"{SITE}kk/{SAMPLE_SLUG}.html", f"{SITE}ru/{SAMPLE_SLUG}.html", f"{SITE}ru/second-story.html"]
    for url, alternates in pages.items():
        own = [lang for lang, href in alternates.items() if href == url]
        assert len(own) == 1, url
        assert alternates["en"].startswith("https://www.example.org/en/")
        for lang, href in alternates.items():
            if lang != "en":
                assert href in pages, (url, href)  # every edition it names is in the sitemap too...
                assert pages[href].get(own[0]) == url  # ...and names this page back
    # The sitemap and the pages tell the same story.
    for url, alternates in pages.items():
        assert links_of(proj.public_dir / url.removeprefix(SITE)).alternates == alternates


def test_feeds_and_sitemap_are_in_the_manifest_and_a_rerun_changes_nothing(project_dir):
    proj = live_site(project_dir)
    public = proj.public_dir
    files = json.loads((public / "manifest.json").read_text(encoding="utf-8"))["files"]
    for name in ("kk/feed.xml", "ru/feed.xml", "sitemap.xml"):
        assert files[name]["sha256"] == hashlib.sha256((public / name).read_bytes()).hexdigest()
    assert files["ru/feed.xml"]["articles"] == ["kazakh-migrant-refused-war-contract", "second-story"]
    assert files["sitemap.xml"]["pages"] == 3
    before = tree_digest(public)
    assert publish.publish(proj, now=LATER).changed == ()
    assert tree_digest(public) == before


def test_withdrawing_an_edition_takes_it_out_of_the_other_editions_links_the_feed_and_the_sitemap(project_dir):
    proj = live_site(project_dir)
    public = proj.public_dir
    publish.withdraw(proj, SAMPLE_SLUG, ["ru"], now=LATER)
    assert links_of(public / "kk" / f"{SAMPLE_SLUG}.html").alternates == {
        "kk": f"{SITE}kk/{SAMPLE_SLUG}.html", "en": f"https://www.example.org/en/{SAMPLE_SLUG}.html"
    }
    assert f"{SITE}ru/{SAMPLE_SLUG}.html" not in sitemap_of(public)
    ru_feed = ET.parse(public / "ru" / "feed.xml").getroot()
    assert [e.findtext(f"{ATOM}id") for e in ru_feed.findall(f"{ATOM}entry")] == [f"{SITE}ru/second-story.html"]
    # What withdraw fixed by hand is exactly what the next publish renders: nothing left to change.
    after = tree_digest(public)
    assert publish.publish(proj, now=LATER + dt.timedelta(hours=1)).changed == ()
    assert tree_digest(public) == after


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('url = "javascript:alert(1)"', "site.url must be an absolute http(s) address"),
        ('url = "https://x.org/a b"', "site.url must be an absolute http(s) address"),
        ('url = "https://x.org/\\"><script>"', "site.url must be an absolute http(s) address"),
        ('original = "https://x.org/en/story.html"', "site.original must be an http(s) address with {slug} in it"),
    ],
    ids=["javascript", "space", "markup", "original-without-slug"],
)
def test_a_site_address_that_could_break_out_of_an_attribute_is_refused_with_its_line(project_dir, line, message):
    config = project_dir / "workflow.toml"
    text = config.read_text(encoding="utf-8") + f"\n[site]\n{line}\n"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_project(project_dir)
    assert str(caught.value) == f"{project_dir}/workflow.toml:{len(text.splitlines())}: {message}"


def test_a_read_only_page_of_another_locale_never_stops_a_takedown(project_dir):
    proj = live_site(project_dir)
    kk_page = proj.public_dir / "kk" / f"{SAMPLE_SLUG}.html"
    kept = kk_page.read_bytes()
    kk_page.chmod(0o444)  # hand-fixed by someone: publish leaves such a page alone
    report = publish.withdraw(proj, SAMPLE_SLUG, ["ru"], now=LATER)
    assert sorted(r.file for r in report.removed) == [f"ru/{SAMPLE_SLUG}.html", f"ru/{SAMPLE_SLUG}.md"]
    assert not (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").exists()
    assert kk_page.read_bytes() == kept


def test_without_the_site_address_any_more_the_old_feeds_and_sitemap_are_removed_and_logged(project_dir):
    """A feed nobody regenerates would go on listing a story after it was withdrawn."""
    proj = live_site(project_dir)
    public = proj.public_dir
    config = project_dir / "workflow.toml"
    config.write_text(config.read_text(encoding="utf-8").split("\n[site]\n")[0] + "\n", encoding="utf-8")
    report = publish.publish(load_project(project_dir), now=LATER)
    gone = ["kk/feed.xml", "ru/feed.xml", "sitemap.xml"]
    assert sorted(f.path for f in report.files if f.action == "removed") == gone
    assert not any((public / name).exists() for name in gone)
    manifest = json.loads((public / "manifest.json").read_text(encoding="utf-8"))
    assert not set(gone) & set(manifest["files"])
    assert sorted((r["file"], r["why"], r["removed"]) for r in manifest["removed"]) == [(n, "no site url", LATER.isoformat()) for n in gone]
    assert publish.publish(load_project(project_dir), now=LATER).changed == ()
