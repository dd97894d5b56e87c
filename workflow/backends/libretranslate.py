"""A shared LibreTranslate server (or several) does the inference, over its HTTP API only.

LibreTranslate is AGPL-3.0 and pins its own argostranslate fork, so it is never imported: the
workflow sends it JSON with the standard library's urllib. Batches go out in order, spread over the
configured URLs; 429, 5xx, refused connections and timeouts are retried with backoff (translating is
idempotent, so a repeat is safe), then the run fails with what had arrived.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from workflow.backends import Progress, TranslationFailed, settings_table
from workflow.errors import InputError, ModelError
from workflow.project import Project

DEFAULTS = {
    "urls": ["http://127.0.0.1:5000"],
    "api_key_env": "LIBRETRANSLATE_API_KEY",  # the key is a secret: it lives in the environment, not the config
    "timeout": 120.0,  # seconds per request
    "retries": 4,  # further tries of a batch after the first
    "backoff": 0.5,  # seconds before the first retry, doubling each time
    "batch_limit": 16,  # texts per request; halved while the server refuses more (its LT_BATCH_LIMIT)
    "char_limit": 0,  # characters per text; 0: what the server's /frontend/settings reports
    "concurrency": 1,  # requests in flight per URL
    "models": {},  # locale -> "package-code version" the server runs (its API does not say)
}
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Settings:
    """`[translate.libretranslate]`, validated."""

    urls: tuple[str, ...]
    api_key: str = field(repr=False)  # a secret: never shown
    timeout: float
    retries: int
    backoff: float
    batch_limit: int
    char_limit: int
    concurrency: int
    models: dict[str, str] = field(hash=False, compare=False)


def read_settings(table: dict[str, Any], where: str) -> Settings:
    """Validate the `[translate.libretranslate]` table; InputError naming the bad key."""
    value = settings_table(table, DEFAULTS, "libretranslate", where)
    urls = value["urls"]
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise InputError("translate.libretranslate.urls must be a list of http(s) URLs", where)
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"translate.libretranslate.urls: {url!r} is not an http(s) URL", where)

    def number(key: str, kind: type, low: float) -> Any:
        got = value[key]
        if isinstance(got, bool) or not isinstance(got, (int, float)) or (kind is int and not isinstance(got, int)) or got < low:
            raise InputError(f"translate.libretranslate.{key} must be a {'whole ' if kind is int else ''}number of at least {low}", where)
        return kind(got)

    models = value["models"]
    if not isinstance(models, dict) or not all(isinstance(v, str) and v.strip() for v in models.values()):
        raise InputError('translate.libretranslate.models maps a locale to "package-code version"', where)
    env = value["api_key_env"]
    if not isinstance(env, str):
        raise InputError("translate.libretranslate.api_key_env names an environment variable", where)
    return Settings(
        urls=tuple(u.rstrip("/") for u in urls),
        api_key=os.environ.get(env, "") if env else "",
        timeout=number("timeout", float, 0.1),
        retries=number("retries", int, 0),
        backoff=number("backoff", float, 0),
        batch_limit=number("batch_limit", int, 1),
        char_limit=number("char_limit", int, 0),
        concurrency=number("concurrency", int, 1),
        models=dict(models),
    )


class _Retryable(Exception):
    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


def _request(url: str, payload: dict | None, timeout: float) -> Any:
    """GET (payload None) or POST JSON; the decoded reply. _Retryable for what a retry may cure."""
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        detail = _error_text(exc)
        if exc.code in RETRY_STATUS:
            after = exc.headers.get("Retry-After") if exc.headers else None
            raise _Retryable(f"HTTP {exc.code}{detail}", float(after) if after and after.isdigit() else None) from None
        raise ModelError(f"{url}: HTTP {exc.code}{detail}") from None
    except (urllib.error.URLError, http.client.HTTPException, socket.timeout, TimeoutError, ConnectionError) as exc:
        # Refused, reset, cut off mid-reply (a server killed while answering) or too slow: try again.
        reason = getattr(exc, "reason", exc)
        raise _Retryable(str(reason) or type(exc).__name__) from None
    try:
        return json.loads(body)
    except ValueError:
        raise _Retryable("the reply is not JSON") from None


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        reply = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        return ""
    error = reply.get("error") if isinstance(reply, dict) else None
    # A server's words end up in a terminal: printable characters only, one line.
    return f" ({''.join(c for c in str(error) if c.isprintable())[:200]})" if error else ""


@dataclass
class LibreTranslateBackend:
    """One or more LibreTranslate servers, each checked for every language pair before any work."""

    settings: Settings
    source: str
    models: dict[str, str]
    char_limit: int

    @classmethod
    def open(cls, project: Project, locales: Sequence[str], table: dict[str, Any]) -> LibreTranslateBackend:
        settings = read_settings(table, str(project.config_path))
        limits = []
        version = ""
        for url in settings.urls:
            languages = _ask(settings, f"{url}/languages")
            targets = {
                entry.get("code"): set(entry.get("targets") or ())
                for entry in (languages if isinstance(languages, list) else [])
                if isinstance(entry, dict)
            }
            for loc in locales:
                if loc not in targets.get(project.source_locale, ()):
                    raise ModelError(
                        f"LibreTranslate at {url} has no {project.source_locale}→{loc} model; install the package "
                        "on that server (see README 'When one machine is not enough')"
                    )
            front = _ask(settings, f"{url}/frontend/settings")
            limit = front.get("charLimit") if isinstance(front, dict) else None
            if isinstance(limit, int) and limit > 0:
                limits.append(limit)
            version = version or _server_version(settings, url)
        if settings.char_limit:
            limits.append(settings.char_limit)
        server = f"LibreTranslate {version}".strip()
        models = {
            # LibreTranslate's API names languages, not packages: the operator states the package
            # it runs, else the catalog says which server software translated.
            loc: settings.models.get(loc) or f"{server} {project.source_locale}→{loc}"
            for loc in locales
        }
        return cls(settings, project.source_locale, models, min(limits) if limits else 0)

    def load(self, locale: str) -> None:
        pass  # the server loaded its models when it started

    def translate(self, locale: str, texts: Sequence[str], progress: Progress | None = None) -> list[str]:
        results: dict[int, str] = {}
        todo = []
        for i, text in enumerate(texts):
            if text.strip():
                if self.char_limit and len(text) > self.char_limit:
                    # Splitting it would change what the model sees, so the limit must move instead.
                    raise TranslationFailed(
                        f"a segment of {len(text)} characters is over the LibreTranslate limit of "
                        f"{self.char_limit} (the server's --char-limit / LT_CHAR_LIMIT, or char_limit); raise it"
                    )
                todo.append(i)
            else:
                results[i] = text  # as the local engine does: nothing to translate
        size = self.settings.batch_limit
        batches: queue.Queue = queue.Queue()
        for k in range(0, len(todo), size):
            batches.put(todo[k : k + size])
        lock = threading.Lock()
        failed: list[str] = []

        def work(url: str) -> None:
            while not failed:
                try:
                    batch = batches.get_nowait()
                except queue.Empty:
                    return
                try:
                    out = self._translate_batch(url, locale, [texts[i] for i in batch])
                except ModelError as exc:
                    with lock:
                        failed.append(exc.message)
                    return
                with lock:
                    results.update(zip(batch, out))
                    if progress is not None:
                        progress(len(results))

        workers = [url for url in self.settings.urls for _ in range(self.settings.concurrency)]
        with ThreadPoolExecutor(max_workers=len(workers)) as pool:
            for future in [pool.submit(work, url) for url in workers]:
                future.result()
        if failed:
            raise TranslationFailed(failed[0], results)
        return [results[i] for i in range(len(texts))]

    def _translate_batch(self, url: str, locale: str, texts: list[str]) -> list[str]:
        payload = {"q": texts, "source": self.source, "target": locale, "format": "text"}
        if self.settings.api_key:
            payload["api_key"] = self.settings.api_key
        try:
            reply = _ask(self.settings, f"{url}/translate", payload)
        except ModelError as exc:
            # The server's batch limit (LT_BATCH_LIMIT) is not in its API: learn it from its refusal,
            # by halves. Results do not depend on how texts are grouped into requests.
            if "HTTP 400" in exc.message and "exceeds text limit" in exc.message and len(texts) > 1:
                half = len(texts) // 2
                return self._translate_batch(url, locale, texts[:half]) + self._translate_batch(url, locale, texts[half:])
            raise
        out = reply.get("translatedText") if isinstance(reply, dict) else None
        if not isinstance(out, list) or len(out) != len(texts) or not all(isinstance(t, str) for t in out):
            raise ModelError(f"{url}/translate: the reply does not hold one translation per text")
        return out

    def close(self) -> None:
        pass


def _ask(settings: Settings, url: str, payload: dict | None = None) -> Any:
    """One request, retried with exponential backoff while the failure is one a retry may cure."""
    for attempt in range(settings.retries + 1):
        try:
            return _request(url, payload, settings.timeout)
        except _Retryable as exc:
            if attempt == settings.retries:
                raise ModelError(
                    f"LibreTranslate at {url} failed {attempt + 1} time(s): {exc}"
                ) from None
            time.sleep(exc.wait if exc.wait is not None else settings.backoff * 2**attempt)
    raise AssertionError("unreachable")


def _server_version(settings: Settings, url: str) -> str:
    """The server's LibreTranslate version from its API spec, or "" if it does not say."""
    try:
        spec = _request(f"{url}/spec", None, settings.timeout)
    except (_Retryable, ModelError):
        return ""
    version = spec.get("info", {}).get("version") if isinstance(spec, dict) else None
    return "".join(c for c in version if c.isprintable())[:40] if isinstance(version, str) else ""
