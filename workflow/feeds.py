"""What a news site needs beside the pages: an Atom feed of each locale's editions and one sitemap.xml.

Both need absolute addresses, so publish makes them only when workflow.toml says where the site is
served (`[site] url`). The text comes in already localized (titles, dates); this module only writes XML,
deterministically: the same editions give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
GENERATOR = "newsroom translation workflow"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class FeedEntry:
    """One edition in a feed."""

    url: str
    title: str
    published: dt.datetime  # the story's date
    updated: dt.datetime  # when this edition was last published
    summary: str  # localized: the long date and the byline
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class SitemapPage:
    """One page in the sitemap and every language version of it (itself included), as (hreflang, url)."""

    url: str
    lastmod: dt.date
    alternates: tuple[tuple[str, str], ...] = ()


def atom_feed(
    *,
    feed_url: str,
    home_url: str,
    title: str,
    language: str,
    author: str,
    entries: list[FeedEntry],
    emptied: dt.datetime | None = None,
) -> str:
    """An Atom feed of `entries` (newest first), in `language`.

    Its `updated` is the newest entry's time, or `emptied` (when its last entry was removed) for an empty feed.
    """
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.language(language)
    feed.author({"name": author})
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.link(href=home_url, rel="alternate", type="text/html", hreflang=language)
    feed.generator(GENERATOR)
    ordered = sorted(entries, key=lambda e: (e.published, e.url), reverse=True)
    # feedgen stamps "now" where no time is given: every time is set, so a re-run gives the same bytes.
    times = [e.updated for e in ordered] + ([emptied] if emptied else [])
    feed.updated(max(times, default=EPOCH))
    for item in ordered:
        entry = feed.add_entry(order="append")
        entry.id(item.url)
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate", type="text/html", hreflang=language)
        entry.published(item.published)
        entry.updated(item.updated)
        entry.summary(item.summary)
        for name in item.authors:
            entry.author({"name": name})
    return feed.atom_str(pretty=True).decode("utf-8")


def sitemap(pages: list[SitemapPage]) -> str:
    """sitemap.xml: each page with its date and an `xhtml:link rel="alternate" hreflang` for every language version."""
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for page in sorted(pages, key=lambda p: p.url):
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = page.url
        ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = page.lastmod.isoformat()
        for hreflang, href in page.alternates:
            ET.SubElement(url, f"{{{XHTML_NS}}}link", {"rel": "alternate", "hreflang": hreflang, "href": href})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
