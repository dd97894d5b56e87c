"""The editors' dashboard (`workflow review --html FILE`), rendered by headless Chromium, and the coloured terminal table."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO, SAMPLE_SLUG
from tests.test_publish import NOW, accept, add_second, sample, second_ru, translate
from workflow import publish
from workflow.cli import app

runner = CliRunner()
HOSTILE_TITLE = 'Mayor <img src=x onerror="alert(1)"> resigns'


def browser_check():
    """scripts/browser-check as a module: the same Chromium flags (offline, throw-away profile) the script uses."""
    loader = importlib.machinery.SourceFileLoader("browser_check", str(REPO / "scripts" / "browser-check"))
    spec = importlib.util.spec_from_loader("browser_check", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def rendered_dom(page: Path) -> str:
    """The DOM headless Chromium builds from `page` (after parsing, as a reader's browser would have it)."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "headless Chromium is needed: `bash scripts/setup --test` installs it (apt-get install chromium)"
    check = browser_check()
    with tempfile.TemporaryDirectory(prefix="dashboard-test-") as profile:
        done = check.chromium(binary, profile, "--dump-dom", page.resolve().as_uri())
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-500:]
    return done.stdout


class Cells(HTMLParser):
    """The dashboard as a reader sees it: blocked-list entries, and each cell's state, PO link and blockers."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked_list: list[str] = []
        self.cells: dict[tuple[str, str], dict] = {}
        self.images = 0
        self._row = ""
        self._cell: dict | None = None
        self._in_list = False
        self._in_blocker = False
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images += 1
        if tag == "section" and a.get("class") == "blocked-list":
            self._in_list = True
        if tag == "a" and self._in_list:
            self.blocked_list.append(a["href"].lstrip("#"))
        if tag == "tr" and a.get("id"):
            self._row = a["id"]
        if tag == "td" and "cell" in (a.get("class") or ""):
            state = a["class"].split("cell-")[1]
            self._cell = {"state": state, "po": None, "blockers": []}
            self.cells[(self._row, a["data-locale"])] = self._cell
        if tag == "a" and self._cell is not None and (a.get("href") or "").endswith(".po"):
            self._cell["po"] = unquote(a["href"])
        if tag == "li" and self._cell is not None:
            self._in_blocker, self._text = True, []

    def handle_data(self, data):
        if self._in_blocker:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "section":
            self._in_list = False
        if tag == "li" and self._in_blocker:
            self._cell["blockers"].append("".join(self._text))
            self._in_blocker = False
        if tag == "td":
            self._cell = None


def newsroom(project_dir: Path):
    """kk sample fully reviewed and live; ru sample one sentence short; second-story drafted in ru, never in kk."""
    proj, article = sample(project_dir)
    translate(proj, article)
    accept(proj, article, "kk")
    accept(proj, article, "ru", leave=("title",))
    story = add_second(proj)
    translate(proj, story, ("ru",), texts=lambda loc: second_ru(story))
    publish.publish(proj, now=NOW)
    return proj


def test_the_dashboard_rendered_in_chromium_names_every_blocked_article_with_its_reasons_and_po_file(project_dir, tmp_path):
    proj = newsroom(project_dir)
    page = tmp_path / "board" / "review.html"
    page.parent.mkdir()
    result = runner.invoke(app, ["review", "--html", str(page), "--project", str(project_dir)])
    assert result.exit_code == 0, result.output

    cells = Cells()
    cells.feed(rendered_dom(page))
    # What the dashboard says is blocked is exactly what the publish gate blocks.
    gate = publish.publish(proj, dry_run=True, now=NOW)
    blocked = {(e.slug, e.locale): e for e in gate.blocked}
    assert {key for key, cell in cells.cells.items() if cell["state"] == "blocked"} == set(blocked)
    assert sorted(cells.blocked_list) == sorted({slug for slug, _ in blocked}) == [SAMPLE_SLUG, "second-story"]
    assert cells.cells[(SAMPLE_SLUG, "kk")]["state"] == "ready"
    for key, edition in blocked.items():
        cell = cells.cells[key]
        for pending, shown in zip(edition.pending, cell["blockers"]):
            assert shown == f"{pending.catalog or pending.reference}: {pending.reason}"
        if edition.catalog:  # the link leads to the PO file to open, from wherever the page was written
            assert (page.parent / cell["po"]).resolve() == proj.po_path(*key).resolve()
        else:
            assert cell["po"] is None
    assert cells.cells[(SAMPLE_SLUG, "ru")]["blockers"] == [
        f"locales/ru/LC_MESSAGES/{SAMPLE_SLUG}.po:{blocked[(SAMPLE_SLUG, 'ru')].pending[0].catalog.rsplit(':', 1)[1]}: "
        "machine translation awaiting review"
    ]


def test_text_from_articles_is_shown_as_text_on_the_dashboard(project_dir, tmp_path):
    path = project_dir / "articles" / f"{SAMPLE_SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Kazakh migrant says Russian police tortured him for refusing to fight in Ukraine", f"title: '{HOSTILE_TITLE}'"
    ), encoding="utf-8")
    page = tmp_path / "review.html"
    assert runner.invoke(app, ["review", "--html", str(page), "--project", str(project_dir)]).exit_code == 0
    dom = rendered_dom(page)
    cells = Cells()
    cells.feed(dom)
    assert cells.images == 0 and "&lt;img src=x onerror=\"alert(1)\"&gt;" in dom


def test_review_html_says_where_it_wrote_and_keeps_stdout_for_the_table(project_dir, tmp_path):
    page = tmp_path / "review.html"
    result = runner.invoke(app, ["review", "--html", str(page), "--json", "--project", str(project_dir)])
    assert result.exit_code == 0
    assert result.stderr == f"Wrote the dashboard {page}: 1 article, 2 blocked editions.\n"
    assert result.stdout.startswith("[")  # --json output stays exact JSON


# --- colour in the terminal table -----------------------------------------------------------------------

SGR = re.compile(r"\x1b\[[0-9;]*m")


def run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with a pseudo-terminal as stdout (as a person at a terminal would) and return what it printed."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "workflow", *args], stdout=child, stderr=subprocess.DEVNULL, env={**os.environ, **env}
    )
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def reviewed_kk(project_dir):
    newsroom(project_dir)
    return project_dir


def test_the_review_table_is_coloured_by_state_on_a_terminal(reviewed_kk):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    shown = run_in_terminal(["review", "--project", str(reviewed_kk)], {**env, "TERM": "xterm-256color", "COLUMNS": "160"})
    assert SGR.search(shown), shown
    kk_row = next(line for line in shown.splitlines() if SAMPLE_SLUG in line and " kk " in SGR.sub("", line))
    assert "\x1b[1;32m" in kk_row and "100.0%" in kk_row  # done: bold green


@pytest.mark.parametrize("how", ["NO_COLOR", "piped"])
def test_the_review_table_has_no_colour_when_piped_or_with_no_color(reviewed_kk, how):
    if how == "NO_COLOR":
        shown = run_in_terminal(["review", "--project", str(reviewed_kk)], {"NO_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "160"})
        assert SAMPLE_SLUG in shown  # the terminal got the table...
    else:
        shown = subprocess.run(
            [sys.executable, "-m", "workflow", "review", "--project", str(reviewed_kk)],
            capture_output=True, text=True, env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "160"},
        ).stdout
        assert SAMPLE_SLUG in shown
    assert "\x1b" not in shown  # ...with no escape sequence in it


def test_review_html_refuses_a_link_in_place_of_the_page_and_writes_nothing_through_it(project_dir, tmp_path):
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_text("not yours\n")
    link = tmp_path / "review.html"
    link.symlink_to(elsewhere)
    result = runner.invoke(app, ["review", "--html", str(link), "--project", str(project_dir)])
    assert result.exit_code == 1
    assert elsewhere.read_text() == "not yours\n" and link.is_symlink()


def test_an_unreadable_catalog_is_an_error_cell_naming_it_and_the_rest_of_the_dashboard_is_still_written(project_dir, tmp_path):
    proj = newsroom(project_dir)
    po = proj.po_path(SAMPLE_SLUG, "ru")
    po.write_text('msgid "unterminated\n', encoding="utf-8")
    page = tmp_path / "review.html"
    result = runner.invoke(app, ["review", "--html", str(page), "--project", str(project_dir)])
    assert result.exit_code == 1  # review reports the broken catalog...
    cells = Cells()
    cells.feed(rendered_dom(page))  # ...and the page still shows everything else
    assert cells.cells[(SAMPLE_SLUG, "ru")]["state"] == "error"
    assert cells.cells[(SAMPLE_SLUG, "ru")]["blockers"][0].startswith(f"locales/ru/LC_MESSAGES/{SAMPLE_SLUG}.po:")
    assert cells.cells[(SAMPLE_SLUG, "kk")]["state"] == "ready"
    assert SAMPLE_SLUG in cells.blocked_list


def test_an_error_cell_keeps_the_error_and_the_page_names_its_file_relative_to_the_project(project_dir, tmp_path):
    proj = newsroom(project_dir)
    po = proj.po_path(SAMPLE_SLUG, "ru")
    po.write_text('msgid "unterminated\n', encoding="utf-8")
    board = publish.dashboard(proj, [sample(project_dir)[1]], proj.locales, now=NOW)
    (cell,) = [c for c in board.rows[0].cells if c.locale == "ru"]
    # (catalog.py raises with the real Path, or the path relative to the project until it does)
    assert cell.state == "error" and proj.root / cell.error.path == po and cell.error.line is not None
    page = publish.render_dashboard(proj, board, tmp_path / "review.html")
    shown = f"locales/ru/LC_MESSAGES/{SAMPLE_SLUG}.po:{cell.error.line}: {cell.error.message}"
    assert f'<span class="ref">{shown}</span>' in page.replace("&#39;", "'") and str(proj.root) not in page
