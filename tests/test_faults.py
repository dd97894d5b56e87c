"""Crash safety and concurrency: a run killed at any moment leaves every file whole, and runs never interleave.

`workflow translate`, `workflow publish` and `workflow glossary add` are SIGKILLed at every write
they make (the WORKFLOW_FAULT_AFTER_WRITES hook in storage.py kills the process after N writes,
with the next file's temp written but not yet renamed) and at random moments. After each kill
every catalog, template, glossary and published file parses and is byte for byte either its old
or its new version; a re-run then completes and leaves exactly what an uninterrupted run leaves.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polib
import pytest
import yaml

from tests.conftest import SAMPLE_SLUG, tree_digest
from workflow import catalog, glossary
from workflow.storage import LOCK_NAME, TEMP_SUFFIX

FAULT_ENV = "WORKFLOW_FAULT_AFTER_WRITES"
RANDOM_KILLS = 3  # per command, on top of one kill at every write
SEED = 20261118

FLOOD = """---
title: Flood warning in Almaty
date: 2026-11-20
slug: flood-warning-almaty
---

Rivers in Almaty rose after two days of rain. The city opened three shelters.

Officials asked residents to stay away from the banks.
"""

MARKET = """---
title: New market opens in Astana
date: 2026-11-21
slug: new-market-astana
---

A covered market opened in Astana on Saturday.

Farmers from five regions sell vegetables there. Prices are lower than in the shops.
"""


# --- running the CLI ---------------------------------------------------------------------------


def command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "workflow", *args, "--project", str(root)]


def environment(fault: int | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop(FAULT_ENV, None)
    if fault is not None:
        env[FAULT_ENV] = str(fault)
    return env


def cli(root: Path, *args: str, fault: int | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command(root, *args), env=environment(fault), capture_output=True, text=True, timeout=120)


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stderr
    return result


def content(root: Path) -> dict[str, bytes]:
    """The project's files as users see them: no lock file, no temp file of a killed write."""
    return {k: v for k, v in tree_digest(root).items() if k != LOCK_NAME and not k.endswith(TEMP_SUFFIX)}


def everything(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree_digest(root).items() if k != LOCK_NAME}


def copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def accept_all(root: Path) -> None:
    """A translator works through every catalog in Poedit: drafts accepted, edited sentences' translations updated.
    The copy model's drafts are the English text, so each is accepted overriding the language checks on purpose."""
    for path in sorted((root / "locales").glob("*/LC_MESSAGES/*.po")):
        po = polib.pofile(str(path), wrapwidth=catalog.WRAP_WIDTH)
        for entry in po:
            if entry.previous_msgid is not None:
                entry.msgstr += " (обновлено)"
            if "qa-ok:" not in entry.tcomment:
                entry.tcomment = "\n".join(filter(None, [entry.tcomment, "qa-ok: untranslated, dates"]))
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = None
        po.save()


def edit_articles(root: Path) -> None:
    """An editor's pass over all three articles: changed, inserted, removed sentences and a new title."""
    sample = root / "articles" / f"{SAMPLE_SLUG}.md"
    text = sample.read_text(encoding="utf-8")
    text = text.replace("banned from entering Russia for five years", "banned from entering Russia for ten years", 1)
    text = text.replace("## Context and Reaction", "## Context\n\nThe case was first reported in January.\n\n## Reaction", 1)
    sample.write_text(text, encoding="utf-8")
    flood = FLOOD.replace(" The city opened three shelters.", "").replace("Flood warning", "Flood alert")
    (root / "articles" / "flood-warning-almaty.md").write_text(flood + "\nSchools will stay closed on Monday.\n", encoding="utf-8")
    (root / "articles" / "new-market-astana.md").write_text(MARKET.replace("five regions", "six regions"), encoding="utf-8")


# --- checking a killed run ---------------------------------------------------------------------


def parses(path: Path) -> None:
    """Each kind of file the workflow writes reads back with its own reader."""
    name = path.name
    if name.endswith((".po", ".pot")):
        catalog.read_catalog(path)
    elif name.endswith(".csv"):
        glossary.load_glossary(path)
    elif name.endswith(".json"):
        json.loads(path.read_text(encoding="utf-8"))
    elif name.endswith(".md"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("---\n")
        yaml.safe_load(text.split("\n---\n", 1)[0][4:])
    elif name.endswith(".html"):
        assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    elif name.endswith(".xml"):  # Atom feeds and the sitemap
        ET.parse(path)


def assert_old_or_new(root: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    now = content(root)
    for name in sorted(set(old) | set(new) | set(now)):
        assert now.get(name) in (old.get(name), new.get(name)), f"{name} is neither its old nor its new version"
        if name in now:
            parses(root / name)


def changed_files(old: dict[str, bytes], new: dict[str, bytes]) -> int:
    return sum(1 for name in set(old) | set(new) if old.get(name) != new.get(name))


def kill_at_every_write(start: Path, work: Path, args: tuple[str, ...], new: dict[str, bytes]) -> list[str]:
    """Kill a run after 0, 1, ... writes (one fresh copy each); check, re-run, compare. Returns the moments hit."""
    old = content(start)
    writes = changed_files(old, new)
    assert writes > 0

    def one(n: int) -> str:
        project = copy(start, work / f"fault-{n}")
        killed = cli(project, *args, fault=n)
        if n == writes:
            # Every write the run makes is one changed file: N = writes is past the last one.
            ok(killed)
            assert everything(project) == new
            return ""
        assert killed.returncode == -signal.SIGKILL, f"{args} did not reach write {n + 1}: {killed.stderr}"
        assert_old_or_new(project, old, new)
        ok(cli(project, *args))
        assert everything(project) == new, f"re-run after a kill at write {n + 1} differs from an uninterrupted run"
        return f"{args[0]} write {n + 1}/{writes}"

    with ThreadPoolExecutor(max_workers=2) as pool:
        return [m for m in pool.map(one, range(writes + 1)) if m]


def kill_at_random_times(start: Path, work: Path, args: tuple[str, ...], new: dict[str, bytes], seconds: float) -> list[str]:
    """SIGKILL runs after random delays within a run's duration; whatever was hit, the same must hold."""
    old = content(start)
    rng = random.Random(SEED)
    moments = []
    for i in range(RANDOM_KILLS):
        project = copy(start, work / f"random-{i}")
        delay = rng.uniform(0.2, 1.0) * seconds
        process = subprocess.Popen(command(project, *args), env=environment(None), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        process.kill()
        process.wait(timeout=60)
        process.stderr.close()
        assert_old_or_new(project, old, new)
        ok(cli(project, *args))
        assert everything(project) == new
        if process.returncode == -signal.SIGKILL:
            moments.append(f"{args[0]} at {delay:.2f}s")
    return moments


def timed(root: Path, *args: str) -> float:
    started = time.perf_counter()
    ok(cli(root, *args))
    return time.perf_counter() - started


@pytest.fixture
def edited(project_dir: Path, installed_models: Path) -> Path:
    """Three articles translated, accepted and published, then edited: old catalogs, old editions."""
    (project_dir / "articles" / "flood-warning-almaty.md").write_text(FLOOD, encoding="utf-8")
    (project_dir / "articles" / "new-market-astana.md").write_text(MARKET, encoding="utf-8")
    ok(cli(project_dir, "translate", "--quiet"))
    accept_all(project_dir)
    ok(cli(project_dir, "publish"))
    edit_articles(project_dir)
    return project_dir


@pytest.fixture
def accepted(edited: Path) -> Path:
    """`edited` translated again and every entry accepted: new catalogs, old editions."""
    ok(cli(edited, "translate", "--quiet"))
    accept_all(edited)
    return edited


def test_translate_killed_at_every_write_and_at_random_leaves_whole_files_and_a_rerun_finishes(edited: Path, tmp_path: Path):
    start = edited
    reference = copy(start, tmp_path / "reference")
    seconds = timed(reference, "translate", "--quiet")
    new = everything(reference)
    assert changed_files(content(start), new) >= 10  # 3 templates, 6 catalogs, the run state
    moments = kill_at_every_write(start, tmp_path, ("translate", "--quiet"), new)
    moments += kill_at_random_times(start, tmp_path, ("translate", "--quiet"), new, seconds)
    assert len(moments) >= 10, moments


def test_publish_killed_at_every_write_and_at_random_leaves_whole_files_and_a_rerun_finishes(accepted: Path, tmp_path: Path):
    start = accepted
    reference = copy(start, tmp_path / "reference")
    seconds = timed(reference, "publish")
    new = everything(reference)
    # 3 articles x 2 locales x (.md, .html), both indexes (a title changed), the manifest.
    assert changed_files(content(start), new) >= 15
    moments = kill_at_every_write(start, tmp_path, ("publish",), new)
    moments += kill_at_random_times(start, tmp_path, ("publish",), new, seconds)
    assert len(moments) >= 15, moments


def test_publish_to_a_site_with_feeds_killed_at_every_write_leaves_whole_files_and_a_rerun_finishes(accepted: Path, tmp_path: Path):
    """With [site] url the run also writes two Atom feeds and the sitemap: each whole, and a rerun finishes the job."""
    config = accepted / "workflow.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[site]\nurl = "https://news.example.org/"\n', encoding="utf-8")
    reference = copy(accepted, tmp_path / "reference")
    ok(cli(reference, "publish"))
    new = everything(reference)
    assert {"public/kk/feed.xml", "public/ru/feed.xml", "public/sitemap.xml"} <= set(new)
    moments = kill_at_every_write(accepted, tmp_path, ("publish",), new)
    assert len(moments) >= 18, moments


def assert_a_withdraw_killed_at_every_write_finishes(
    project_dir: Path, tmp_path: Path, args: tuple[str, ...], old: dict[str, bytes], new: dict[str, bytes], writes: int
) -> None:
    """Kill `workflow withdraw` at each of its writes: old or new files only, and a re-run or the next publish ends at `new`."""
    for n in range(writes + 1):
        for finish in (args, ("publish",)):
            project = copy(project_dir, tmp_path / f"fault-{n}-{finish[0]}")
            killed = cli(project, *args, fault=n)
            if n == writes:
                ok(killed)
                assert everything(project) == new
                break
            assert killed.returncode == -signal.SIGKILL, killed.stderr
            assert_old_or_new(project, old, new)
            ok(cli(project, *finish))
            if n == 0 and finish[0] == "publish":
                assert content(project) == old  # killed before the decision was recorded: nothing was withdrawn
            else:
                assert everything(project) == new, f"{finish[0]} after a kill at write {n + 1} differs from an uninterrupted withdraw"


def test_withdraw_killed_at_every_write_leaves_whole_files_and_a_rerun_or_the_next_publish_finishes(
    project_dir: Path, installed_models: Path, tmp_path: Path
):
    (project_dir / "articles" / "flood-warning-almaty.md").write_text(FLOOD, encoding="utf-8")
    ok(cli(project_dir, "translate", "--quiet"))
    accept_all(project_dir)
    ok(cli(project_dir, "publish"))
    args = ("withdraw", SAMPLE_SLUG, "--reason", "legal request")
    reference = copy(project_dir, tmp_path / "reference")
    ok(cli(reference, *args))
    old, new = content(project_dir), everything(reference)
    writes = 4  # withdrawn.toml, both indexes, the manifest; the four removed editions are unlinks, not writes
    assert changed_files(old, new) == writes + 4
    assert_a_withdraw_killed_at_every_write_finishes(project_dir, tmp_path, args, old, new, writes)


def test_withdrawing_one_locale_on_a_site_with_feeds_killed_at_every_write_finishes_on_a_rerun_or_the_next_publish(
    project_dir: Path, installed_models: Path, tmp_path: Path
):
    """With [site] url a takedown also rewrites the other edition's language links, both feeds and the sitemap."""
    config = project_dir / "workflow.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[site]\nurl = "https://news.example.org/"\n', encoding="utf-8")
    ok(cli(project_dir, "translate", "--quiet"))
    accept_all(project_dir)
    ok(cli(project_dir, "publish"))
    args = ("withdraw", SAMPLE_SLUG, "--locale", "ru")
    reference = copy(project_dir, tmp_path / "reference")
    ok(cli(reference, *args))
    old, new = content(project_dir), everything(reference)
    removed = [name for name in old if name not in new]
    assert sorted(removed) == [f"public/ru/{SAMPLE_SLUG}.html", f"public/ru/{SAMPLE_SLUG}.md"]
    # The kk page loses its ru link; the kk feed stays as it was (the clock is fixed, so its entry's time too).
    written = sorted(n for n in new if old.get(n) != new[n])
    assert written == [
        "public/kk/kazakh-migrant-refused-war-contract.html", "public/manifest.json", "public/ru/feed.xml",
        "public/ru/index.html", "public/sitemap.xml", "withdrawn.toml",
    ]
    writes = len(written)
    assert_a_withdraw_killed_at_every_write_finishes(project_dir, tmp_path, args, old, new, writes)


@pytest.mark.parametrize(
    "args",
    [
        ("glossary", "add", "Taraz", "--target", "kk=Тараз", "--target", "ru=Тараз", "--kind", "place"),
        ("glossary", "remove", "Almaty"),
    ],
    ids=["add", "remove"],
)
def test_a_glossary_change_killed_before_its_rename_keeps_the_old_glossary(project_dir: Path, tmp_path: Path, args):
    reference = copy(project_dir, tmp_path / "reference")
    ok(cli(reference, *args))
    new = everything(reference)
    assert kill_at_every_write(project_dir, tmp_path, args, new) == ["glossary write 1/1"]


# --- the lock ------------------------------------------------------------------------------------


def busy(root: Path, pid: int) -> str:
    return (
        f"Error: {LOCK_NAME}: another workflow run (pid {pid}) is writing this project; "
        "wait for it to finish or pass --wait\n"
    )


def stopped_while_holding_the_lock(root: Path, *args: str) -> subprocess.Popen:
    """Start a run and freeze it (SIGSTOP) the moment it holds the project lock."""
    lock = root / LOCK_NAME
    for _ in range(5):
        process = subprocess.Popen(command(root, *args), env=environment(None), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            # The holder writes its pid into the lock file right after taking the lock.
            if lock.exists() and lock.read_bytes().strip() == str(process.pid).encode():
                process.send_signal(signal.SIGSTOP)
                return process
            time.sleep(0.002)
        process.kill()
        process.communicate()
    pytest.fail(f"{args} never held the lock long enough to be stopped")


def test_a_second_run_refuses_while_the_first_holds_the_lock_and_a_killed_holder_frees_it(
    project_dir: Path, installed_models: Path, tmp_path: Path
):
    reference = copy(project_dir, tmp_path / "reference")
    ok(cli(reference, "translate", "--quiet"))
    first = stopped_while_holding_the_lock(project_dir, "translate", "--quiet")
    try:
        during = content(project_dir)
        for args in (("translate", "--quiet"), ("publish",), ("glossary", "remove", "Almaty")):
            second = cli(project_dir, *args)
            assert (second.returncode, second.stderr) == (3, busy(project_dir, first.pid))
        assert content(project_dir) == during
    finally:
        first.kill()  # SIGKILL: the holder never releases the lock itself
        first.communicate()
    assert first.returncode == -signal.SIGKILL
    assert (project_dir / LOCK_NAME).read_text().strip() == str(first.pid)  # the dead holder's pid is still in the file
    ok(cli(project_dir, "translate", "--quiet"))
    assert everything(project_dir) == everything(reference)


def test_a_run_with_wait_waits_for_the_holder_then_finds_the_work_done(project_dir: Path, installed_models: Path, tmp_path: Path):
    reference = copy(project_dir, tmp_path / "reference")
    ok(cli(reference, "translate", "--quiet"))
    first = stopped_while_holding_the_lock(project_dir, "translate", "--json")
    second = subprocess.Popen(
        command(project_dir, "translate", "--json", "--wait"), env=environment(None), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            second.wait(timeout=1.5)  # still waiting: the holder is frozen
    finally:
        first.send_signal(signal.SIGCONT)
    out_first, _ = first.communicate(timeout=120)
    out_second, err_second = second.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), err_second
    assert json.loads(out_first)["sent_to_model"] > 0
    assert json.loads(out_second)["sent_to_model"] == 0  # it ran after the first, not beside it
    assert everything(project_dir) == everything(reference)


def test_two_runs_started_together_give_the_catalogs_of_a_single_run(project_dir: Path, installed_models: Path, tmp_path: Path):
    reference = copy(project_dir, tmp_path / "reference")
    single = json.loads(ok(cli(reference, "translate", "--json")).stdout)["sent_to_model"]
    runs = [
        subprocess.Popen(command(project_dir, "translate", "--json"), env=environment(None), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p, *p.communicate(timeout=120)) for p in runs]
    for process, _, err in results:
        # Each either did the work, found it done, or was refused naming the other's pid.
        other = next(p for p in runs if p is not process)
        assert (process.returncode, err) in ((0, ""), (3, busy(project_dir, other.pid))), err
    done = [json.loads(out)["sent_to_model"] for p, out, _ in results if p.returncode == 0]
    assert sorted(done)[-1] == single and sum(done) == single  # the work was done once, not twice
    assert everything(project_dir) == everything(reference)
