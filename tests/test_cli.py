"""Specification of the command line as a whole: every command teaches its use, and `segment` output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import workflow.cli
from tests.conftest import REPO, SAMPLE_SLUG
from workflow.articles import read_article

runner = CliRunner()
SAMPLE = REPO / "articles" / f"{SAMPLE_SLUG}.md"


def walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every command of the app, groups included, with the words that invoke it."""
    # Duck-typed: typer ships its own copy of click, so its groups are not `click.Group` instances.
    found = [(path, command)]
    if getattr(command, "commands", None) is not None:
        for name, sub in sorted(command.commands.items()):
            found += walk(sub, (*path, name))
    return found


COMMANDS = walk(typer.main.get_command(workflow.cli.app))
EXAMPLE = re.compile(r"^\s*Example: workflow\b", re.MULTILINE)


def test_the_app_has_the_commands_this_suite_knows_of() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "segment", "init", "locales"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "workflow" for p, _ in COMMANDS])
def test_every_command_has_help_text_with_an_example(path: tuple[str, ...], command: Any) -> None:
    help_text = command.help or ""
    first_line = help_text.strip().splitlines()[0] if help_text.strip() else ""
    assert len(first_line) > 10, f"`workflow {' '.join(path)}` has no help text"
    assert EXAMPLE.search(help_text), f"`workflow {' '.join(path)}` help lacks an 'Example: workflow ...' line"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "workflow" for p, _ in COMMANDS])
def test_every_command_shows_its_example_under_help(path: tuple[str, ...], command: Any) -> None:
    result = runner.invoke(workflow.cli.app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Example: workflow" in result.output


# --- segment --------------------------------------------------------------------------------------


def test_segment_json_lists_the_sample_title_and_28_body_segments() -> None:
    result = runner.invoke(workflow.cli.app, ["segment", str(SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 29
    expected = read_article(SAMPLE).segments
    assert [(r["id"], r["kind"], r["text"], r["line"]) for r in rows] == [(s.id, s.kind, s.text, s.line) for s in expected]
    assert rows[0] == {
        "id": "title",
        "kind": "title",
        "line": 2,
        "block": 0,
        "index": 0,
        "text": "Kazakh migrant says Russian police tortured him for refusing to fight in Ukraine",
        "protected": [],
    }
    assert [r["kind"] for r in rows].count("blockquote") == 3


def test_segment_json_through_the_installed_entry_point_names_paths_relative_to_the_project(project_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workflow", "segment", f"articles/{SAMPLE_SLUG}.md", "--json"],
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert len(json.loads(result.stdout)) == 29


def test_segment_table_shows_markdown_text_literally(tmp_path: Path) -> None:
    path = tmp_path / "links.md"
    path.write_text("---\ntitle: T\ndate: 2026-11-20\nslug: links\n---\n\nSee [bold][/] and [the report](https://e.com).\n")
    result = runner.invoke(workflow.cli.app, ["segment", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "See [bold][/] and [the report](https://e.com)." in result.stdout
    assert "links: 2 segments" in result.stdout


# --- terminal safety: user data is shown as text, never as markup or control sequences -----------------

HOSTILE_TEXT = [
    pytest.param("\x1b[8mhidden\x1b[0m", "\\x1b[8mhidden\\x1b[0m", id="ansi-conceal"),
    pytest.param("\x1b]52;c;cm0gLXJmIH4=\x07", "\\x1b]52;c;cm0gLXJmIH4=\\x07", id="osc52-clipboard-write"),
    pytest.param("\x1b]0;pwned\x1b\\", "\\x1b]0;pwned\\x1b\\", id="window-title"),
    pytest.param("\x9b31mred", "\\x9b31mred", id="c1-csi"),
    pytest.param("abc\x7f\x08\x08d", "abc\\x7f\\x08\\x08d", id="del-and-backspace"),
    pytest.param("\u202egnp.exe", "<U+202E>gnp.exe", id="bidi-override"),
    pytest.param("a\u2066b\u2069c", "a<U+2066>b<U+2069>c", id="bidi-isolate"),
]


@pytest.mark.parametrize(("hostile", "shown"), HOSTILE_TEXT)
def test_visible_renders_controls_and_bidi_overrides_as_escapes(hostile: str, shown: str) -> None:
    assert workflow.cli.visible(hostile) == shown
    assert workflow.cli.visible("Алматы, “quoted” — ok") == "Алматы, “quoted” — ok"


@pytest.mark.parametrize(("hostile", "shown"), HOSTILE_TEXT)
def test_control_sequences_in_a_translation_reach_the_terminal_only_as_visible_escapes(
    project_dir: Path, hostile: str, shown: str
) -> None:
    import polib

    from tests.test_catalog import SLUG, setup_project, translate

    project, path = setup_project(project_dir)
    (project_dir / "glossary" / "terms.csv").unlink()
    translate(project, path)
    po_path = project.po_path(SLUG, "ru")
    po = polib.pofile(str(po_path))
    entry = next(e for e in po if not e.obsolete)
    entry.msgstr = f"Перевод {hostile} конец"
    po.save()
    args = ["review", "queue", SLUG, "-l", "ru", "--order", "article", "--project", str(project_dir)]
    done = runner.invoke(workflow.cli.app, args, env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert f"  ru: Перевод {shown} конец" in done.stdout
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", done.stdout)
    as_json = runner.invoke(workflow.cli.app, [*args, "--json"])
    assert json.loads(as_json.stdout)[0]["translation"] == f"Перевод {hostile} конец"
    # JSON itself escapes only C0: C1 controls (8-bit CSI), DEL and bidi overrides are written as \u escapes too.
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", as_json.stdout)


def test_segment_table_shows_control_sequences_in_an_article_as_escapes(tmp_path: Path) -> None:
    path = tmp_path / "hostile.md"
    path.write_text("---\ntitle: T\ndate: 2026-11-20\nslug: hostile\n---\n\nSee \x1b]0;pwn\x07 and \u202eereh.\n")
    result = runner.invoke(workflow.cli.app, ["segment", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "See \\x1b]0;pwn\\x07 and <U+202E>ereh." in result.stdout
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


MARKUP_TERMS = [
    pytest.param("Radio [/bold] Free", id="closing-tag"),
    pytest.param("[bold]Astana[/bold]", id="bold-tag"),
    pytest.param("Club :smile: United", id="emoji-code"),
    pytest.param("Café \u202eriov\u202c Noir", id="bidi-override"),  # the glossary refuses C0/C1 controls themselves
]


@pytest.mark.parametrize("english", MARKUP_TERMS)
def test_glossary_list_shows_terms_that_look_like_markup_or_controls_literally(project_dir: Path, english: str) -> None:
    add = runner.invoke(
        workflow.cli.app,
        ["glossary", "add", english, "--target", f"kk={english} kk", "--target", f"ru={english} ru", "--project", str(project_dir)],
    )
    assert add.exit_code == 0, add.output
    assert workflow.cli.visible(english) in add.stdout
    done = runner.invoke(workflow.cli.app, ["glossary", "list", "--project", str(project_dir)], env={"COLUMNS": "250"})
    assert done.exit_code == 0, done.output
    assert workflow.cli.visible(english) in done.stdout
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout and "😄" not in done.stdout


@pytest.mark.parametrize("name", ["models[/bold]", "models[bold]x", "models:smile:", "models\x1b[8m"], ids=["closing-tag", "bold-tag", "emoji", "ansi"])
def test_models_list_shows_a_models_path_that_looks_like_markup_literally(tmp_path: Path, name: str) -> None:
    where = tmp_path / name
    where.mkdir(parents=True)
    done = runner.invoke(workflow.cli.app, ["models", "list", "--models-dir", str(where), "--project", str(tmp_path)], env={"COLUMNS": "250"})
    assert done.exit_code == 0, done.output
    assert workflow.cli.visible(str(where)) in done.stdout
    assert "\x1b" not in done.stdout and "😄" not in done.stdout


@pytest.mark.parametrize(
    "english",
    [":smile:", "[/bold]", "\x1b]52;c;eA==\x07"],
    ids=["emoji-code", "closing-tag", "osc52"],
)
def test_an_error_line_shows_user_text_literally(project_dir: Path, english: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "workflow", "glossary", "remove", english],
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == f"Error: glossary/terms.csv: no term {workflow.cli.visible(repr(english))} in the glossary\n"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "workflow" for p, _ in COMMANDS])
def test_every_command_help_shows_its_examples_exactly_as_written(path: tuple[str, ...], command: Any) -> None:
    examples = [line.strip() for line in (command.help or "").splitlines() if line.strip().startswith("Example: ")]
    assert examples
    result = runner.invoke(workflow.cli.app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    shown = [line.strip() for line in result.output.splitlines()]
    for example in examples:
        # click re-wraps help paragraphs (breaking at hyphens): a "\b" line before the example keeps it whole.
        assert example in shown, f"`workflow {' '.join(path)} --help` does not show {example!r} as written (a \\b line before it?)"


def test_models_build_help_shows_the_nllb_suffix_token() -> None:
    result = runner.invoke(workflow.cli.app, ["models", "build", "--help"])
    assert result.exit_code == 0, result.output
    assert "--source-suffix '</s>'" in result.output
    assert "e.g. '</s>'" in " ".join(result.output.split())


# --- one bad article stops only itself, in every command ----------------------------------------------------

DATA = Path(__file__).resolve().parent / "data"
FLOOD_SLUG = "flood-waters-rise"
BAD_LINES = [
    "Error: articles/h-no-body.md:6: the article has no body text after its front matter",
    "Error: articles/no-slug.md:2: front matter lacks 'slug'",
]


def run_workflow(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workflow", *args, "--project", str(project)], capture_output=True, text=True)


@pytest.fixture
def newsroom_with_bad_articles(project_dir: Path, installed_models) -> Path:
    """The sample (drafts only) and a second article reviewed in both locales; then two bad articles arrive."""
    import polib
    import shutil

    shutil.copy(DATA / "catalog" / f"{FLOOD_SLUG}.md", project_dir / "articles" / f"{FLOOD_SLUG}.md")
    assert run_workflow(project_dir, "translate", "--quiet").returncode == 0
    for loc in ("kk", "ru"):
        po = polib.pofile(str(project_dir / "locales" / loc / "LC_MESSAGES" / f"{FLOOD_SLUG}.po"))
        for entry in po:
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            entry.tcomment = "\n".join(filter(None, [entry.tcomment, "qa-ok: untranslated, dates"]))  # the copy model's English
        po.save()
    shutil.copy(DATA / "bad" / "articles" / "no-body.md", project_dir / "articles" / "h-no-body.md")
    shutil.copy(DATA / "bad" / "articles" / "no-slug.md", project_dir / "articles" / "no-slug.md")
    return project_dir


def _translated(root: Path, result) -> None:
    assert {(r["slug"], r["locale"]) for r in json.loads(result.stdout)["results"]} >= {(FLOOD_SLUG, "kk"), (FLOOD_SLUG, "ru")}


def _reviewed(root: Path, result) -> None:
    rows = {(r["slug"], r["locale"]): r["state"] for r in json.loads(result.stdout)}
    assert rows[(FLOOD_SLUG, "kk")] == rows[(FLOOD_SLUG, "ru")] == "done"


def _published(root: Path, result) -> None:
    for loc in ("kk", "ru"):
        assert (root / "public" / loc / f"{FLOOD_SLUG}.html").is_file()
        assert FLOOD_SLUG in (root / "public" / loc / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("named", [False, True], ids=["every-article", "named-article"])
@pytest.mark.parametrize(
    "command, proceeded",
    [(("translate", "--json"), _translated), (("review", "--json"), _reviewed), (("publish", "--json"), _published)],
    ids=["translate", "review", "publish"],
)
def test_a_bad_article_is_one_error_line_and_the_others_proceed_with_exit_code_1(
    newsroom_with_bad_articles, command, proceeded, named
):
    root = newsroom_with_bad_articles
    result = run_workflow(root, *command, *([FLOOD_SLUG] if named else []))
    assert result.returncode == 1
    # Named, only the file whose slug cannot be read is in the way (it might have been the one named).
    assert result.stderr.splitlines() == (BAD_LINES[1:] if named else BAD_LINES)
    proceeded(root, result)


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["withdraw", "a-story", "extra\u202egnp.exe"], "Error: Got unexpected extra argument(s) (extra<U+202E>gnp.exe)"),
        (["publish", "--\u2066x\u2069"], "Error: No such option: --<U+2066>x<U+2069>"),
        (["review", "--locale"], "Error: Option '--locale' requires an argument."),
    ],
    ids=["extra-argument-bidi", "unknown-option-bidi-isolate", "plain"],
)
def test_typers_own_usage_errors_show_what_was_typed_as_visible_escapes(tmp_path: Path, args: list[str], shown: str) -> None:
    done = subprocess.run([sys.executable, "-m", "workflow", *args], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == shown
    assert [line for line in done.stderr.splitlines() if line.startswith("Error:")] == [shown]
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", done.stderr)


# --- help and messages for a newcomer ----------------------------------------------------------------

OPTION_LINE = re.compile(r"^  (?:-\w, )?(--[\w-]+)(?: (\S+))?(?:\s{2,}|$)")
TYPE_LABEL = re.compile(r"<(bool|str|path|int|float|list\[[^]]*\]|int range)>")


def long_name(param: Any) -> str | None:
    return next((o for o in param.opts if o.startswith("--")), None)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "workflow" for p, _ in COMMANDS])
def test_help_shows_flags_bare_and_values_as_one_word_never_a_type_label(path: tuple[str, ...], command: Any) -> None:
    text = runner.invoke(workflow.cli.app, [*path, "--help"], env={"COLUMNS": "200"}).output
    assert not TYPE_LABEL.search(text), text
    shown = {m.group(1): m.group(2) for m in map(OPTION_LINE.match, text.splitlines()) if m}
    assert "--help" in shown and shown["--help"] is None, text  # `-h, --help` takes no value
    for param in command.params:
        name = long_name(param)
        if name is None or name not in shown:
            continue
        if getattr(param, "is_flag", False):
            assert shown[name] is None, f"flag {name} shows a value placeholder {shown[name]!r}"
        else:
            assert shown[name] and shown[name].isupper(), f"{name} shows {shown[name]!r}"


def test_segment_takes_a_slug_as_well_as_a_path(project_dir: Path) -> None:
    path = project_dir / "articles" / f"{SAMPLE_SLUG}.md"
    by_path = runner.invoke(workflow.cli.app, ["segment", str(path), "--json", "-p", str(project_dir)])
    by_slug = runner.invoke(workflow.cli.app, ["segment", SAMPLE_SLUG, "--json", "-p", str(project_dir)])
    assert by_slug.exit_code == 0, by_slug.output
    assert json.loads(by_slug.stdout) == json.loads(by_path.stdout)
    unknown = runner.invoke(workflow.cli.app, ["segment", "no-such-story", "-p", str(project_dir)])
    assert unknown.exit_code == 1 and "no article with slug 'no-such-story'" in str(unknown.exception)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["segment", "two"], "two: 2 segments"),
        (["glossary", "list"], "glossary/terms.csv: 1 term"),
    ],
    ids=["two-segments", "one-term"],
)
def test_counts_in_messages_agree_with_their_noun(tmp_path: Path, args: list[str], expected: str) -> None:
    runner.invoke(workflow.cli.app, ["init", "-p", str(tmp_path)])
    # (`1 segment pending` is publish's: tests/test_publish.py) The title counts as a segment.
    for slug, body in (("two", "A single sentence.\n"),):
        (tmp_path / "articles" / f"{slug}.md").write_text(f"---\ntitle: T {slug}\ndate: 2026-01-01\nslug: {slug}\n---\n\n{body}")
    (tmp_path / "glossary" / "terms.csv").write_text("english,kk,ru,kind,gender,note,variants,avoid_kk,avoid_ru\nAstana,Астана,Астана,place,,,,,\n")
    result = runner.invoke(workflow.cli.app, [*args, "-p", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == expected


# --- review and its queue subcommand; slugs that look like a subcommand ----------------------------------------


@pytest.fixture
def newsroom_with_a_story_called_queue(project_dir: Path, installed_models) -> Path:
    """The sample and an article whose slug is `queue`, both drafted into Russian (the copy model: English left in)."""
    text = (DATA / "catalog" / f"{FLOOD_SLUG}.md").read_text(encoding="utf-8").replace(f"slug: {FLOOD_SLUG}", "slug: queue")
    (project_dir / "articles" / "queue.md").write_text(text, encoding="utf-8")
    assert run_workflow(project_dir, "translate", "--quiet", "--locale", "ru").returncode == 0
    return project_dir


BOTH = {SAMPLE_SLUG, "queue"}


@pytest.mark.parametrize(
    ("args", "listing", "slugs", "locales"),
    [
        (["review", "--json", "--", "queue"], "progress", {"queue"}, {"kk", "ru"}),
        (["review", "--json", SAMPLE_SLUG, "queue"], "progress", BOTH, {"kk", "ru"}),
        (["review", "--json"], "progress", BOTH, {"kk", "ru"}),
        (["review", "queue", "--json", "-l", "ru"], "queue", BOTH, {"ru"}),
        (["review", "queue", "--json", "-l", "ru", "--", "queue"], "queue", {"queue"}, {"ru"}),
        (["review", "queue", "queue", "--json", "-l", "ru"], "queue", {"queue"}, {"ru"}),
        (["review", "-l", "ru", "--json", "queue"], "queue", BOTH, {"ru"}),
    ],
    ids=[
        "slug-queue-after-double-dash",
        "slug-queue-after-another-slug",
        "every-article",
        "queue-subcommand",
        "queue-of-the-story-called-queue",
        "queue-of-queue-without-dashes",
        "options-before-the-subcommand",
    ],
)
def test_review_queue_is_a_subcommand_and_an_article_called_queue_can_still_be_reviewed(
    newsroom_with_a_story_called_queue: Path, args: list[str], listing: str, slugs: set[str], locales: set[str]
) -> None:
    at = args.index("--") if "--" in args else len(args)  # after `--` every word is a slug, --project too
    done = subprocess.run(
        [sys.executable, "-m", "workflow", *args[:at], "--project", str(newsroom_with_a_story_called_queue), *args[at:]],
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    rows = json.loads(done.stdout)
    assert rows and {"progress": "state", "queue": "reason"}[listing] in rows[0]
    assert ({r["slug"] for r in rows}, {r["locale"] for r in rows}) == (slugs, locales)


@pytest.mark.parametrize(
    ("args", "code", "shown"),
    [
        (["review", "queu"], 2, "Error: No such command 'queu'. Did you mean 'queue'?"),
        (["review", "--json", "qeue", SAMPLE_SLUG], 2, "Error: No such command 'qeue'. Did you mean 'queue'?"),
        (["review", "qu\u202eeue"], 2, "Error: No such command 'qu\\u202eeue'. Did you mean 'queue'?"),  # repr escapes it
        (["review", "no-such-story"], 1, f"Error: articles: no article with slug 'no-such-story' (articles: {SAMPLE_SLUG})"),
    ],
    ids=["typo", "typo-after-an-option", "typo-with-a-bidi-override", "unknown-slug"],
)
def test_review_names_a_mistyped_subcommand_as_one(project_dir: Path, args: list[str], code: int, shown: str) -> None:
    done = run_workflow(project_dir, *args)
    assert done.returncode == code
    assert [line for line in done.stderr.splitlines() if line.startswith("Error:")] == [shown]
    if code == 2:
        assert done.stdout == ""  # a usage error runs nothing


def test_review_help_says_how_to_review_an_article_called_queue() -> None:
    done = runner.invoke(workflow.cli.app, ["review", "--help"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert "Example: workflow review --json -- queue" in done.stdout
    queue_help = runner.invoke(workflow.cli.app, ["review", "queue", "--help"], env={"COLUMNS": "200"})
    options = {m.group(1) for m in map(OPTION_LINE.match, done.stdout.splitlines()) if m}
    queue_options = {m.group(1) for m in map(OPTION_LINE.match, queue_help.stdout.splitlines()) if m}
    assert queue_help.exit_code == 0 and "--order" in queue_options - options


# --- every listing prints what it printed before the one renderer ------------------------------------------------

LISTINGS = [
    (["review", "queue", "--locale", "ru", "--json"], "review-queue-ru.json"),
    (["review", "queue", "--locale", "ru", "--order", "article"], "review-queue-ru.txt"),
    (["review", "--json"], "review.json"),
    (["review"], "review.txt"),
    (["glossary", "list"], "glossary-list.txt"),
    (["glossary", "list", "--json"], "glossary-list.json"),
    (["segment", "queue"], "segment.txt"),
    (["models", "list", "--json"], "models-list.json"),
    (["glossary", "check", "--locale", "ru"], "glossary-check-ru.txt"),
]


@pytest.mark.parametrize(("args", "golden"), LISTINGS, ids=[name for _, name in LISTINGS])
def test_listings_print_what_they_printed_before(newsroom_with_a_story_called_queue: Path, installed_models: Path, args, golden) -> None:
    done = runner.invoke(workflow.cli.app, [*args, "--project", str(newsroom_with_a_story_called_queue)], env={"COLUMNS": "200"})
    shown = done.stdout.replace(str(newsroom_with_a_story_called_queue), "{project}").replace(str(installed_models), "{models}")
    assert shown == (DATA / "cli" / golden).read_text(encoding="utf-8")


HOSTILE_ROW = {"name": "\x1b]52;c;eA==\x07 [bold]Astana[/bold] :smile:", "state": "\u202eok"}
SHOWN_NAME = "\\x1b]52;c;eA==\\x07 [bold]Astana[/bold] :smile:"


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ({"columns": [workflow.cli.Column("name", lambda r: r["name"], style=lambda r: "bold red")], "title": "t\u202e"}, [SHOWN_NAME, "t<U+202E>"]),
        ({"lines": lambda r: [r["name"], f"  {r['state']}"]}, [SHOWN_NAME, "  <U+202E>ok"]),
        ({"columns": [], "empty": "nothing \x1b[8m"}, ["nothing \\x1b[8m"]),
    ],
    ids=["table", "lines", "empty"],
)
def test_the_one_renderer_shows_every_cell_title_and_line_as_visible_text(capsys, how: dict, expected: list[str]) -> None:
    rows = [] if "empty" in how else [HOSTILE_ROW]
    workflow.cli.show_rows(rows, json_out=False, **how)
    shown = capsys.readouterr().out
    assert all(text in shown for text in expected), shown
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", shown) and "😄" not in shown
    workflow.cli.show_rows(rows, json_out=True, **how)
    as_json = capsys.readouterr().out
    assert json.loads(as_json) == rows and "\u202e" not in as_json


def test_the_queue_usage_line_names_review_queue_without_the_progress_listings_slugs() -> None:
    done = runner.invoke(workflow.cli.app, ["review", "queue", "--help"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert re.match(r"Usage: \S+ review queue \[OPTIONS\] \[SLUG", done.output), done.output.splitlines()[0]


# --- attack2 (issue 18): errors name a file as the user can find it ------------------------------------


@pytest.mark.parametrize(
    "holder",
    ["another-project", "no-project"],
)
def test_an_error_about_a_file_outside_the_project_names_it_so_it_can_be_found(project_dir: Path, tmp_path: Path, holder: str) -> None:
    """A file outside the project is shown as typed (absolute), never relative to some other project above it."""
    folder = tmp_path / holder / "exports"
    folder.mkdir(parents=True)
    if holder == "another-project":
        (tmp_path / holder / "workflow.toml").write_text("", encoding="utf-8")
    bad = folder / "terms.tbx"
    bad.write_text('<?xml version="1.0"?><tbx><broken', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "workflow", "glossary", "import", str(bad)],
        cwd=project_dir, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: {bad}:1: ")


def test_an_error_names_the_file_relative_to_its_own_project_even_beside_a_stray_config(project_dir: Path) -> None:
    """The project root is known: a `workflow.toml` lying in one of its folders does not make that folder the project."""
    (project_dir / "glossary" / "workflow.toml").write_text("", encoding="utf-8")
    (project_dir / "glossary" / "terms.csv").write_text(
        "english,kk,ru,kind,gender,note,variants,avoid_kk,avoid_ru\nAstana,,,place,,,,,\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "workflow", "glossary", "list", "--project", str(project_dir)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.stderr == "Error: glossary/terms.csv:2: empty kk form for 'Astana'\n"
