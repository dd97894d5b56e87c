"""Accessibility: axe-core in headless Chromium finds no WCAG level A violation on the editions, the index or the dashboard."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO, SAMPLE_SLUG
from tests.test_feeds import live_site
from tests.test_publish import NOW, with_locale
from workflow import publish
from workflow.cli import app

CHECK = REPO / "scripts" / "a11y-check"
AXE = REPO / "scripts" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
runner = CliRunner()


@pytest.fixture(autouse=True)
def axe_core() -> None:
    """axe-core comes from npm, not pip (`scripts/setup --test` runs `npm ci`): missing, it fails CI and skips elsewhere."""
    if not AXE.is_file():
        message = f"axe-core is not installed: run `npm ci --prefix {AXE.parents[2]}` (scripts/setup --test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def a11y(*pages: Path) -> tuple[int, dict[str, list[dict]], str]:
    done = subprocess.run([sys.executable, str(CHECK), "--json", *map(str, pages)], capture_output=True, text=True, timeout=600)
    report = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, report, done.stderr


def test_the_editions_the_index_and_the_dashboard_have_no_level_a_violation(project_dir, tmp_path):
    proj = live_site(project_dir)
    dashboard = tmp_path / "review.html"
    assert runner.invoke(app, ["review", "--html", str(dashboard), "--project", str(project_dir)]).exit_code == 0
    pages = [
        proj.public_dir / "kk" / f"{SAMPLE_SLUG}.html",
        proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html",
        proj.public_dir / "kk" / "index.html",
        proj.public_dir / "ru" / "index.html",
        dashboard,
    ]
    code, report, err = a11y(*pages)
    assert report == {str(p): [] for p in pages}, err
    assert code == 0, err


def test_an_edition_with_english_interface_words_has_no_level_a_violation(project_dir):
    """A locale without interface words of its own (ky): English words marked lang="en" on a Kyrgyz page."""
    proj = with_locale(project_dir, "ky")
    assert publish.publish(proj, now=NOW).blocked == ()
    pages = [proj.public_dir / "ky" / f"{SAMPLE_SLUG}.html", proj.public_dir / "ky" / "index.html"]
    code, report, err = a11y(*pages)
    assert report == {str(p): [] for p in pages}, err
    assert code == 0, err


def test_the_check_does_find_level_a_violations(tmp_path):
    """The check itself, on a page made to fail: no lang, an image without text, an empty link."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><img src="x.png"><a href="y"></a></body></html>')
    code, report, _ = a11y(bad)
    assert code == 1
    assert sorted(v["id"] for v in report[str(bad)]) == ["html-has-lang", "image-alt", "link-name"]
