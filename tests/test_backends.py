"""Backends (workflow/backends/): the same article gives byte-identical catalogs on every backend, and a
backend that fails mid-run leaves the finished catalogs written, nothing half-written, and a re-run
that sends only what is still missing. Real LibreTranslate server, real local Ray cluster."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_SLUG, tree_digest
from workflow import run, translate
from workflow.errors import InputError, ModelError
from workflow.project import load_project

NOW = dt.datetime(2026, 11, 18, tzinfo=dt.UTC)
SLUGS = (SAMPLE_SLUG, "second-article", "third-article")


def with_articles(root: Path, count: int) -> Path:
    """The project with `count` articles (copies of the sample under other slugs)."""
    sample = (root / "articles" / f"{SAMPLE_SLUG}.md").read_text(encoding="utf-8")
    for slug in SLUGS[1:count]:
        (root / "articles" / f"{slug}.md").write_text(sample.replace(f"slug: {SAMPLE_SLUG}", f"slug: {slug}"), encoding="utf-8")
    return root


def configure(root: Path, table: str, settings: dict) -> None:
    """Append `[translate.<table>]` with `settings` to the project's workflow.toml."""
    lines = [f"\n[translate.{table}]"]
    for key, value in settings.items():
        if isinstance(value, dict):
            value = "{ " + ", ".join(f'{k} = "{v}"' for k, v in value.items()) + " }"
        elif isinstance(value, str):
            value = f'"{value}"'
        elif isinstance(value, list):
            value = "[" + ", ".join(f'"{v}"' for v in value) + "]"
        lines.append(f"{key} = {value}")
    with (root / "workflow.toml").open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def catalogs(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree_digest(root / "locales").items() if not k.startswith(".")}


def translated(root: Path, backend: str, **kwargs) -> run.TranslateReport:
    return run.translate_articles(load_project(root), now=NOW, backend=backend, **kwargs)


CONFIDENCE = re.compile(rb"^#\. confidence: [0-9.]+\n", re.M)


def local_reference(project_dir: Path, tmp_path: Path, *, scored: bool = True, **kwargs) -> dict[str, bytes]:
    """The catalogs the local backend writes for this project; without `scored`, as a backend that
    reports no confidence writes them (LibreTranslate's API returns none): the same, less those lines."""
    reference = tmp_path / "reference"
    shutil.copytree(project_dir, reference)
    translated(reference, "local", **kwargs)
    written = catalogs(reference)
    assert any(CONFIDENCE.search(v) for v in written.values())
    return written if scored else {k: CONFIDENCE.sub(b"", v) for k, v in written.items()}


def provenances() -> dict[str, str]:
    return {loc: translate.find_package("en", loc).provenance for loc in ("kk", "ru")}


# --- the same catalogs on every backend ----------------------------------------------------------------


@pytest.fixture
def ray_cluster(tmp_path_factory):
    """A real local Ray cluster with 2 CPUs, in this process; shut down after the test."""
    if os.environ.get("CI"):
        import ray  # CI installs the ray extra (requirements/test.txt): its absence is a failure there
    else:
        ray = pytest.importorskip("ray", reason="install the ray extra: pip install 'newsroom-workflow[ray]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _temp_dir=str(tmp_path_factory.mktemp("ray")))
    yield ray
    ray.shutdown()


@pytest.mark.parametrize("backend", ["local", "libretranslate", "ray"])
def test_every_backend_writes_catalogs_byte_identical_to_the_local_engine(backend, project_dir, installed_models, tmp_path, request):
    with_articles(project_dir, 2)
    reference = local_reference(project_dir, tmp_path, scored=backend != "libretranslate")
    if backend == "libretranslate":
        server = request.getfixturevalue("libretranslate_server")
        # The server's API names languages, not packages: its operator states which package it runs.
        configure(project_dir, "libretranslate", {"urls": [server.url], "models": provenances(), "batch_limit": 8})
    if backend == "ray":
        request.getfixturevalue("ray_cluster")
        configure(project_dir, "ray", {"workers_per_node": 2, "batch": 8})

    report = translated(project_dir, backend)

    assert report.sent_to_model == 2 * 2 * 29
    assert report.models == provenances()
    assert catalogs(project_dir) == reference
    assert translated(project_dir, backend).sent_to_model == 0  # a re-run sends nothing, on any backend


def test_the_backend_in_workflow_toml_is_used_and_backend_overrides_it(project_dir, installed_models, libretranslate_server):
    configure(project_dir, "libretranslate", {"urls": [libretranslate_server.url]})
    text = (project_dir / "workflow.toml").read_text(encoding="utf-8")
    (project_dir / "workflow.toml").write_text(text.replace("[translate]\n", '[translate]\nbackend = "libretranslate"\n'), encoding="utf-8")

    report = run.translate_articles(load_project(project_dir), locales=["kk"], now=NOW)
    # Without a stated package, the catalog names the server software and the pair.
    assert report.models["kk"].startswith("LibreTranslate ") and report.models["kk"].endswith(" en→kk")

    override = run.translate_articles(load_project(project_dir), locales=["ru"], now=NOW, backend="local")
    assert override.models["ru"] == provenances()["ru"]


def test_device_cuda_on_a_machine_without_a_gpu_is_one_error_line_exit_2_and_no_catalog(project_dir, installed_models):
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a GPU: device = 'cuda' would simply work")
    config = project_dir / "workflow.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[translate]\n", '[translate]\ndevice = "cuda"\n'), encoding="utf-8")
    before = tree_digest(project_dir)

    done = subprocess.run(
        [sys.executable, "-m", "workflow", "translate", "--project", str(project_dir)], capture_output=True, text=True, env=os.environ.copy()
    )

    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Error: ") and ": CTranslate2 cannot load the model (" in line
    assert {k: v for k, v in tree_digest(project_dir).items() if k != ".workflow.lock"} == before


# --- LibreTranslate ------------------------------------------------------------------------------------


def test_a_libretranslate_server_without_the_pair_stops_the_run_with_exit_2_before_any_work(
    project_dir, installed_models, start_libretranslate, libretranslate_packages, tmp_path
):
    # en→ru and en→uk, no en→kk. (Two packages: with fewer, LibreTranslate tries to download some.)
    no_kk = tmp_path / "no-kk"
    no_kk.mkdir()
    ru = next(p for p in libretranslate_packages.iterdir() if p.name.startswith("translate-en_ru"))
    shutil.copytree(ru, no_kk / ru.name)
    shutil.copytree(ru, no_kk / "translate-en_uk-1_0")
    metadata = json.loads((no_kk / "translate-en_uk-1_0" / "metadata.json").read_text(encoding="utf-8"))
    metadata.update(to_code="uk", code="translate-en_uk")
    (no_kk / "translate-en_uk-1_0" / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    server = start_libretranslate(packages=no_kk)
    configure(project_dir, "libretranslate", {"urls": [server.url]})
    before = tree_digest(project_dir)

    done = subprocess.run(
        [sys.executable, "-m", "workflow", "translate", "--backend", "libretranslate", "--project", str(project_dir)],
        capture_output=True, text=True, env=os.environ.copy(),
    )

    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"Error: LibreTranslate at {server.url} has no en→kk model; install the package on that server "
        "(see README 'When one machine is not enough')"
    ]
    assert tree_digest(project_dir) == before


def test_a_server_that_dies_mid_run_leaves_finished_catalogs_and_the_rerun_sends_only_the_rest(
    project_dir, installed_models, start_libretranslate, tmp_path
):
    with_articles(project_dir, 2)
    reference = local_reference(project_dir, tmp_path, scored=False, locales=["kk"])
    server = start_libretranslate()
    configure(project_dir, "libretranslate", {"urls": [server.url], "models": provenances(), "batch_limit": 29, "retries": 2, "backoff": 0.05})

    def kill_after_first_article(done: int, total: int, sent: int) -> None:
        if sent >= 29 and server.process.poll() is None:
            server.process.send_signal(signal.SIGKILL)
            server.process.wait()

    with pytest.raises(ModelError) as failure:
        run.translate_articles(load_project(project_dir), locales=["kk"], now=NOW, backend="libretranslate", progress=kill_after_first_article)

    assert f"LibreTranslate at {server.url}/translate failed 3 time(s)" in failure.value.message
    assert "1 catalog(s) finished before the failure were written" in failure.value.message
    written = catalogs(project_dir)
    assert sorted(k for k in written if k.endswith(".po")) == [f"kk/LC_MESSAGES/{SAMPLE_SLUG}.po"]
    assert written[f"kk/LC_MESSAGES/{SAMPLE_SLUG}.po"] == reference[f"kk/LC_MESSAGES/{SAMPLE_SLUG}.po"]

    again = start_libretranslate()
    text = (project_dir / "workflow.toml").read_text(encoding="utf-8")
    (project_dir / "workflow.toml").write_text(text.replace(server.url, again.url), encoding="utf-8")
    rerun = run.translate_articles(load_project(project_dir), locales=["kk"], now=NOW, backend="libretranslate")

    assert rerun.sent_to_model == 29  # the second article only
    assert catalogs(project_dir) == reference


class FlakyProxy:
    """An HTTP proxy in front of a real server that answers the first POSTs with the given error statuses
    ("slow": the real answer, but only after `slow` seconds)."""

    def __init__(self, target: str, failures: list[int | str], slow: float = 1.5):
        import http.server
        import threading
        import urllib.request

        self.failures = list(failures)
        self.slow = slow
        self.seen: list[int | str] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _forward(self, body: bytes | None) -> None:
                request = urllib.request.Request(target + self.path, data=body, headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=60) as reply:
                    data = reply.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._forward(None)

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if proxy.failures:
                    status = proxy.failures.pop(0)
                    proxy.seen.append(status)
                    if status == "slow":  # answer only after the client's timeout
                        time.sleep(proxy.slow)
                        self._forward(body)
                        return
                    data = b'{"error": "Slowdown: \\u001b[31mtoo many requests"}'
                    self.send_response(status)
                    self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                proxy.seen.append(200)
                self._forward(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda request, address: None  # a client that gave up is expected
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_429_and_5xx_answers_are_retried_with_backoff_and_the_catalogs_come_out_the_same(
    project_dir, installed_models, libretranslate_server, tmp_path
):
    reference = local_reference(project_dir, tmp_path, scored=False, locales=["kk"])
    proxy = FlakyProxy(libretranslate_server.url, [503, 429, 502])
    try:
        configure(project_dir, "libretranslate", {"urls": [proxy.url], "models": provenances(), "batch_limit": 64, "backoff": 0.01})
        report = run.translate_articles(load_project(project_dir), locales=["kk"], now=NOW, backend="libretranslate")
    finally:
        proxy.close()
    assert proxy.seen == [503, 429, 502, 200]
    assert report.sent_to_model == 29
    assert catalogs(project_dir) == reference


def test_a_request_that_times_out_is_sent_again(project_dir, installed_models, libretranslate_server, tmp_path):
    reference = local_reference(project_dir, tmp_path, scored=False, locales=["kk"])
    # The timeout must leave the real server time for a batch of 8 even on a loaded machine.
    proxy = FlakyProxy(libretranslate_server.url, ["slow"], slow=12.0)
    try:
        configure(project_dir, "libretranslate", {"urls": [proxy.url], "models": provenances(), "batch_limit": 8, "timeout": 10.0, "backoff": 0.01})
        report = run.translate_articles(load_project(project_dir), locales=["kk"], now=NOW, backend="libretranslate")
    finally:
        proxy.close()
    # The slow answer came too late and its batch was sent again; 29 segments in batches of 8 are
    # 4 answered requests (more if a loaded machine made a real one time out too).
    assert proxy.seen[0] == "slow" and proxy.seen.count(200) >= 4
    assert report.sent_to_model == 29
    assert catalogs(project_dir) == reference


def test_batches_are_spread_over_every_server_url(project_dir, installed_models, libretranslate_server, tmp_path):
    reference = local_reference(project_dir, tmp_path, scored=False, locales=["kk"])
    first, second = FlakyProxy(libretranslate_server.url, []), FlakyProxy(libretranslate_server.url, [])
    try:
        configure(project_dir, "libretranslate", {"urls": [first.url, second.url], "models": provenances(), "batch_limit": 4})
        report = run.translate_articles(load_project(project_dir), locales=["kk"], now=NOW, backend="libretranslate")
    finally:
        first.close()
        second.close()
    assert len(first.seen) + len(second.seen) == 8  # 29 segments in batches of 4
    assert first.seen and second.seen
    assert report.sent_to_model == 29
    assert catalogs(project_dir) == reference


def test_a_server_that_requires_an_api_key_gets_the_one_named_by_api_key_env(project_dir, installed_models, start_libretranslate, tmp_path):
    keys = tmp_path / "api-keys.db"
    # Keys required from every client (no request comes from this Origin).
    server = start_libretranslate("--api-keys", "--api-keys-db-path", str(keys), "--require-api-key-origin", "https://nowhere.invalid")
    added = subprocess.run(
        [str(Path(server.process.args[0]).with_name("ltmanage")), "keys", "--api-keys-db-path", str(keys), "add", "1000"],
        capture_output=True, text=True, env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)}, check=True,
    )
    key = added.stdout.strip().splitlines()[-1]
    configure(project_dir, "libretranslate", {"urls": [server.url], "api_key_env": "NEWSROOM_LT_KEY", "retries": 0})
    command = [sys.executable, "-m", "workflow", "translate", "--backend", "libretranslate", "--locale", "kk", "--project", str(project_dir)]

    refused = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"Error: {server.url}/translate: HTTP 400 (Please contact the server operator to get an API key)")

    accepted = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "NEWSROOM_LT_KEY": key})
    assert accepted.returncode == 0, accepted.stderr
    assert key not in accepted.stdout + accepted.stderr
    assert (project_dir / "locales" / "kk" / "LC_MESSAGES" / f"{SAMPLE_SLUG}.po").is_file()


def test_batches_over_the_servers_batch_limit_are_split_until_it_accepts_them(project_dir, installed_models, start_libretranslate, tmp_path):
    reference = local_reference(project_dir, tmp_path, scored=False, locales=["kk"])
    server = start_libretranslate("--batch-limit", "5")
    configure(project_dir, "libretranslate", {"urls": [server.url], "models": provenances(), "batch_limit": 16})
    report = run.translate_articles(load_project(project_dir), locales=["kk"], now=NOW, backend="libretranslate")
    assert report.sent_to_model == 29
    assert catalogs(project_dir) == reference


def test_a_segment_over_the_character_limit_stops_the_run_before_it_is_sent(project_dir, installed_models, libretranslate_server):
    configure(project_dir, "libretranslate", {"urls": [libretranslate_server.url], "char_limit": 60})
    with pytest.raises(ModelError) as failure:
        run.translate_articles(load_project(project_dir), locales=["kk"], now=NOW, backend="libretranslate")
    assert "characters is over the LibreTranslate limit of 60" in failure.value.message
    assert not list((project_dir / "locales").rglob("*.po"))


def test_a_server_that_keeps_failing_gets_one_error_line_exit_2_and_nothing_written(project_dir, installed_models, libretranslate_server):
    proxy = FlakyProxy(libretranslate_server.url, [503] * 10)
    try:
        configure(project_dir, "libretranslate", {"urls": [proxy.url], "retries": 2, "backoff": 0.01})
        before = tree_digest(project_dir)
        done = subprocess.run(
            [sys.executable, "-m", "workflow", "translate", "--backend", "libretranslate", "--locale", "kk", "--project", str(project_dir)],
            capture_output=True, text=True, env=os.environ.copy(),
        )
    finally:
        proxy.close()
    assert proxy.seen == [503, 503, 503]
    assert done.returncode == 2
    # The server's words reach the terminal without its control characters.
    assert done.stderr.strip().splitlines() == [
        f"Error: LibreTranslate at {proxy.url}/translate failed 3 time(s): HTTP 503 (Slowdown: [31mtoo many requests); "
        "0 catalog(s) finished before the failure were written, run `workflow translate` again to send only what is still missing"
    ]
    # No catalog, template or edition: only the run's lock file and its (empty) run state.
    after = tree_digest(project_dir)
    assert {k: v for k, v in after.items() if k not in (".workflow.lock", "locales/.translate-state.json")} == before


@pytest.mark.parametrize(
    "settings, message",
    [
        pytest.param({"urls": ["ftp://host"]}, "'ftp://host' is not an http(s) URL", id="not-http"),
        pytest.param({"urls": []}, "urls must be a list of http(s) URLs", id="no-urls"),
        pytest.param({"timeout": 0}, "timeout must be a number of at least 0.1", id="zero-timeout"),
        pytest.param({"retries": -1}, "retries must be a whole number of at least 0", id="negative-retries"),
        pytest.param({"api_key": "secret"}, "unknown key translate.libretranslate.api_key", id="key-in-config"),
    ],
)
def test_bad_libretranslate_settings_are_refused_naming_the_key(project_dir, installed_models, settings, message):
    configure(project_dir, "libretranslate", settings)
    before = tree_digest(project_dir)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        translated(project_dir, "libretranslate")
    assert tree_digest(project_dir) == before


# --- Ray -----------------------------------------------------------------------------------------------


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def _worker_pids() -> list[int]:
    """The translation actors of this test's Ray cluster: descendants of this process, never another run's."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if not cmdline.startswith(b"ray::TranslationWorker"):
                continue
            ancestor = int(entry.name)
            while ancestor > 1 and ancestor != os.getpid():
                ancestor = _parent(ancestor)
            if ancestor == os.getpid():
                pids.append(int(entry.name))
    return pids


def test_ray_workers_killed_mid_run_are_restarted_and_their_work_retried(project_dir, installed_models, ray_cluster, tmp_path):
    with_articles(project_dir, 2)
    reference = local_reference(project_dir, tmp_path)
    configure(project_dir, "ray", {"workers_per_node": 2, "batch": 4, "retries": 2})
    killed: list[int] = []

    def kill_workers_after_kazakh(done: int, total: int, sent: int) -> None:
        if done >= 2 and not killed:  # both kk catalogs written; ru is still to be translated
            killed.extend(_worker_pids())
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    report = run.translate_articles(load_project(project_dir), now=NOW, backend="ray", progress=kill_workers_after_kazakh)

    assert len(killed) == 2
    assert report.sent_to_model == 2 * 2 * 29
    assert catalogs(project_dir) == reference


def test_ray_workers_that_die_for_good_leave_finished_catalogs_and_the_rerun_sends_only_the_rest(
    project_dir, installed_models, ray_cluster, tmp_path
):
    with_articles(project_dir, 3)
    reference = local_reference(project_dir, tmp_path)
    configure(project_dir, "ray", {"workers_per_node": 1, "batch": 29, "retries": 0})
    killed: list[int] = []

    def kill_workers_after_kazakh(done: int, total: int, sent: int) -> None:
        if done >= 3 and not killed:
            killed.extend(_worker_pids())
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    with pytest.raises(ModelError) as failure:
        run.translate_articles(load_project(project_dir), now=NOW, backend="ray", progress=kill_workers_after_kazakh)

    assert killed
    assert failure.value.message.startswith("Ray workers failed after 0 retries (")
    assert all(c.isprintable() for c in failure.value.message)  # Ray colours its errors; a terminal gets text
    assert "3 catalog(s) finished before the failure were written" in failure.value.message
    written = catalogs(project_dir)
    assert sorted(k for k in written if k.endswith(".po")) == sorted(f"kk/LC_MESSAGES/{slug}.po" for slug in SLUGS)
    assert {k: v for k, v in written.items() if k.startswith("kk/")} == {k: v for k, v in reference.items() if k.startswith("kk/")}

    rerun = run.translate_articles(load_project(project_dir), now=NOW, backend="ray")

    assert rerun.sent_to_model == 3 * 29  # only Russian
    assert catalogs(project_dir) == reference


def test_a_ray_task_that_times_out_ends_the_run_with_exit_2_and_no_half_written_catalog(project_dir, installed_models, ray_cluster):
    # A fresh actor starts a Python process and loads a model: far longer than 0.1 s.
    configure(project_dir, "ray", {"workers_per_node": 1, "timeout": 0.1})
    with pytest.raises(ModelError) as failure:
        translated(project_dir, "ray")
    assert failure.value.message.startswith("a Ray worker gave no answer within 0.1s; 0 catalog(s) finished")
    assert not list((project_dir / "locales").rglob("*.po"))


def test_ray_workers_run_the_package_shipped_from_the_editor_when_their_node_lacks_it(project_dir, installed_models, ray_cluster):
    from workflow import backends

    texts = ["Almaty is the largest city of Kazakhstan.", "   ", "The court postponed the hearing."]
    expected = translate.load_engine(translate.find_package("en", "kk")).translate(texts)
    configure(project_dir, "ray", {"workers_per_node": 1})
    backend = backends.open_backend(load_project(project_dir), ["kk"], name="ray")
    try:
        backend.load("kk")  # the package is shipped now, with the digest of its files
        package = translate.find_package("en", "kk").path
        package.rename(package.with_name("moved-away"))  # as on a node that never had it
        assert backend.translate("kk", texts) == expected
    finally:
        backend.close()


@pytest.mark.parametrize(
    "settings, message",
    [
        pytest.param({"address": "10.0.0.1:6379"}, 'translate.ray.address must be "auto", "local" or "ray://host:port"', id="bare-address"),
        pytest.param({"workers_per_node": 0}, "translate.ray.workers_per_node must be a whole number of at least 1", id="no-workers"),
        pytest.param({"gpus_per_worker": -1}, "translate.ray.gpus_per_worker must be a number of at least 0", id="negative-gpus"),
        pytest.param({"nodes": 4}, "unknown key translate.ray.nodes", id="unknown-key"),
    ],
)
def test_bad_ray_settings_are_refused_naming_the_key(project_dir, installed_models, settings, message):
    configure(project_dir, "ray", settings)
    before = tree_digest(project_dir)
    with pytest.raises(InputError) as caught:
        translated(project_dir, "ray")
    assert caught.value.message.startswith(message)
    assert tree_digest(project_dir) == before


def test_without_the_ray_extra_one_line_says_how_to_install_it(project_dir, installed_models):
    # A Python without Ray: the import is blocked, as on a machine where the extra is not installed.
    code = "import sys; sys.modules['ray'] = None; sys.argv = ['workflow', *sys.argv[1:]]; from workflow.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "translate", "--backend", "ray", "--project", str(project_dir)],
        capture_output=True, text=True, env=os.environ.copy(),
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["Error: the ray backend needs Ray: pip install 'newsroom-workflow[ray]'"]
