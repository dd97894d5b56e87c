"""The `workflow` command line: parses options, calls the core, renders results. Nothing else lives here."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from workflow import articles as articles_mod
from workflow.errors import EXIT_INPUT, WorkflowError
from workflow.project import CONFIG_NAME, DEFAULT_CONFIG, find_root, load_project, valid_locales
from workflow.storage import atomic_write

app = typer.Typer(
    name="workflow",
    help=(
        "Translate English news articles into Kazakh and Russian, review them as gettext PO files, "
        "and publish only what translators accepted.\n\n"
        "\b\nExample: workflow segment articles/kazakh-migrant-refused-war-contract.md"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain help: examples such as '</s>' show as written, not as markup
    # A bug's traceback must not print local variables: they hold article and translator text, raw.
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# Help shows each value as a word (LOCALE, DIR), never typer's type labels (<list[str]>, <path>); a flag shows none.
ProjectOpt = Annotated[
    Path,
    typer.Option(
        "--project",
        "-p",
        metavar="DIR",
        help="Project directory holding workflow.toml (or any directory inside it).",
        show_default="the project the current directory is in",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]
LocaleOpt = Annotated[
    Optional[list[str]],
    typer.Option("--locale", "-l", metavar="LOCALE", help="Target locale (repeatable); default: every locale in workflow.toml."),
]
WaitOpt = Annotated[bool, typer.Option("--wait", help="Wait for another run's lock instead of refusing.")]
SlugsArg = Annotated[
    Optional[list[str]], typer.Argument(metavar="SLUG...", help="Article slugs; default: every article.", show_default=False)
]


def _argument_without_type(self: Any, ctx: Any) -> None:
    # An argument's metavar already says what it is ("SLUG..."): typer would append "<list[str]>" to it.
    return None


_VALUE_WORDS = {"str": "TEXT", "path": "PATH", "int": "N", "int range": "N", "float": "NUMBER"}


def _option_value_word(self: Any, ctx: Any) -> str | None:
    # A flag takes no value, so it shows none; a value option shows its metavar or a plain word (TEXT, PATH).
    if self.is_flag or self.count:
        return None
    if self.metavar is not None:
        return self.metavar
    label = self.display_type(ctx).strip("<>")
    label = label.removeprefix("list[").removesuffix("]")
    return _VALUE_WORDS.get(label, label.upper())


typer.core.TyperArgument.display_type_rich = _argument_without_type  # type: ignore[method-assign]
typer.core.TyperOption.display_type_rich = _option_value_word  # type: ignore[method-assign]


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 term', '2 terms': a count with its noun (English messages; pages use Babel's plural rules)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


# C0 and C1 controls and DEL (escape sequences: hidden text, OSC 52 clipboard writes, window titles) and the
# bidi controls that reorder what a reader sees (Trojan Source): shown as escapes, never sent to the terminal.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"<U+{ord(char):04X}>"


def visible(text: str) -> str:
    """`text` with every control character and bidi override shown as an escape (`\\x1b`, `<U+202E>`)."""
    return _INVISIBLE.sub(_escape, text)


class _Terminal(Console):
    """A console that prints every string as text: no markup, no emoji codes, control characters as escapes.

    Rich turns every string it prints (table cells and titles too) into Text through render_str: escaping
    there covers every renderer, including the ones added later.
    """

    def __init__(self, **kwargs: Any) -> None:
        # NO_COLOR (no-color.org): no escape sequences at all, not only no colours (rich would keep bold, italic).
        plain = bool(os.environ.get("NO_COLOR"))
        super().__init__(
            markup=False, emoji=False, highlight=False, soft_wrap=True, color_system=None if plain else "auto", **kwargs
        )

    def render_str(self, text: str, **kwargs: Any):  # noqa: ANN201 (rich's own signature)
        kwargs["markup"] = kwargs["emoji"] = False
        return super().render_str(visible(text), **kwargs)


# Piped output is read by people in logs and CI too: give tables room instead of rich's 80 columns.
out = _Terminal(width=None if sys.stdout.isatty() else 160)
err = _Terminal(stderr=True)


def now() -> dt.datetime:
    """The clock every command uses; SOURCE_DATE_EPOCH pins it for reproducible runs and tests."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def to_jsonable(value: Any) -> Any:
    """Dataclasses, paths and dates as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, WorkflowError):
        return error_line(value).removeprefix("Error: ")
    return value


# JSON escapes C0 controls itself; these it would write raw, and a terminal showing the JSON would obey them.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def print_json(value: Any) -> None:
    """`value` as JSON; C1 controls, DEL, bidi controls and lone surrogates as \\u escapes (same data, safe to view)."""
    text = json.dumps(to_jsonable(value), ensure_ascii=False, indent=2)
    sys.stdout.write(_JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to the project holding it (also with --project), else as given."""
    if not Path(path).is_absolute():
        return str(path)  # as the user typed it, or under a project root given relative to here
    absolute = Path(os.path.abspath(path))
    for parent in absolute.parents:  # as named, not where links lead: a message about a link names the link
        if os.path.lexists(parent / CONFIG_NAME):
            return absolute.relative_to(parent).as_posix()
    return str(path)


def error_line(exc: WorkflowError) -> str:
    """`Error: path:line: message`, the path relative to its project: the core's errors carry the real Path."""
    return f"Error: {exc.shown(shown_path(exc.path) if exc.path is not None else None)}"


# typer vendors its own click: its ClickException is the base of the BadParameter it exports.
_CLICK_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main() -> None:
    """Entry point: user errors become one `Error: ...` line and their exit code, never a traceback.

    Usage errors keep typer's text and exit code 2, with what was typed made visible.
    """
    try:
        code = app(standalone_mode=False)
    except WorkflowError as exc:
        err.print(error_line(exc), markup=False)
        raise SystemExit(exc.exit_code) from None
    except OSError as exc:
        # storage.py turns the failures of project files into WorkflowError; this is the net under it.
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"Error: {where}{exc.strerror or exc}", markup=False)
        raise SystemExit(EXIT_INPUT) from None
    except _CLICK_ERROR as exc:
        # click prints what was typed (an unknown option, an extra argument) as is: a bidi override or escape
        # sequence in it would reach the terminal. Same lines, each made visible.
        shown = io.StringIO()
        exc.show(file=shown)
        sys.stderr.write("".join(f"{visible(line)}\n" for line in shown.getvalue().splitlines()))
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        err.print("Aborted!", markup=False)
        raise SystemExit(1) from None
    raise SystemExit(code if isinstance(code, int) else 0)


# --- project ----------------------------------------------------------------------------------------


@app.command()
def init(
    project: Annotated[Path, typer.Option("--project", "-p", metavar="DIR", help="Directory to make the project in.")] = Path("."),
) -> None:
    """Start a project that runs: workflow.toml, an example article, an empty glossary, and locales/.

    The glossary has a column for each target locale; the example article can be segmented at once.

    \b
    Example: workflow init --project newsroom
    """
    from workflow import project as project_mod

    config = project / CONFIG_NAME
    if config.exists() or config.is_symlink():
        raise WorkflowError("already exists; nothing changed", config)
    enclosing = find_root(project)
    if enclosing is not None:
        # A project inside a project: commands run here would silently use the inner one's articles.
        raise WorkflowError(f"already inside the project at {enclosing}; nothing changed", project)
    from workflow import glossary as glossary_mod

    # The header row alone: the glossary's columns for the project's target locales, ready for a spreadsheet.
    files = {**project_mod.starter_files(), "glossary/terms.csv": glossary_mod.to_csv(())}
    folders = [project / sub for sub in ("articles", "glossary", "locales")]
    for folder in folders:  # all checked before the first is made: a refusal leaves nothing half-made
        if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
            raise WorkflowError("exists and is not a directory; move it away or pass --project DIR", folder)
    made = [folder for folder in folders if not folder.is_dir()]
    written: list[Path] = []
    try:
        for folder in made:
            folder.mkdir(parents=True)
        for name, text in files.items():
            path = project / name
            if not (path.exists() or path.is_symlink()):  # never overwrite what the user already put there
                atomic_write(path, text)
                written.append(path)
        atomic_write(config, DEFAULT_CONFIG)
    except OSError:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    example = project_mod.EXAMPLE_SLUG
    out.print(f"Created {config}, articles/{example}.md and an empty glossary/terms.csv.", markup=False)
    where = "" if project == Path(".") else f"cd {project} && "
    out.print(f"Next: {where}workflow segment {example}   (`workflow --help` lists every command)", markup=False)


@app.command()
def locales(json_out: JsonOpt = False, project: ProjectOpt = Path(".")) -> None:
    """List every locale code Babel knows, with its name: the codes workflow.toml accepts.

    The project's own target locales are marked with `*`.

    \b
    Example: workflow locales | grep -i kazakh
    """
    from babel import Locale

    targets = load_project(project).locales if find_root(project) is not None else ()
    rows = []
    for code in valid_locales():
        try:
            name = Locale.parse(code).get_display_name("en") or code
        except (ValueError, LookupError):  # a few Babel identifiers have no display data; still valid codes
            name = code
        rows.append({"code": code, "name": name, "target": code in targets})
    if json_out:
        print_json(rows)
        return
    for row in rows:
        out.print(f"{'*' if row['target'] else ' '} {row['code']:<16} {row['name']}", markup=False)


# --- segment (articles.py) ------------------------------------------------------------------------------


@app.command()
def segment(
    article: Annotated[
        str, typer.Argument(metavar="SLUG|PATH", help="An article's slug, or the path of a Markdown article with YAML front matter.")
    ],
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Show how an article is cut into segments: id, kind, source line and text.

    The title comes first; then each heading, paragraph, quotation, list item, table cell, footnote, attribution line and text in an HTML block (captions, alt text), split into sentences; code stays out. Ids are stable: editing one sentence changes only its own id. Link targets and inline code are listed as protected: they are never translated.

    \b
    Example: workflow segment articles/kazakh-migrant-refused-war-contract.md --json

    \b
    Example: workflow segment kazakh-migrant-refused-war-contract
    """
    proj = load_project(project) if find_root(project) is not None else None
    path = Path(article)
    if proj is not None and not path.exists() and "/" not in article and not article.endswith(".md"):
        parsed = articles_mod.load_articles(proj, [article])[0]  # a slug, as the other commands take
    else:
        parsed = articles_mod.read_article(path, proj)
    rows = [
        {
            "id": s.id,
            "kind": s.kind,
            "line": s.line,
            "block": s.block,
            "index": s.index,
            "text": s.text,
            "protected": list(s.protected),
        }
        for s in parsed.segments
    ]
    if json_out:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title=f"{parsed.slug}: {plural(len(rows), 'segment')}", title_justify="left")
    for col in ("line", "kind", "id", "text"):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(str(row["line"]), row["kind"], row["id"], row["text"])
    out.print(table)


# --- models (translate.py) ----------------------------------------------------------------------------

ModelsDirOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--models-dir",
        help="Where argostranslate packages are installed.",
        show_default="ARGOS_PACKAGES_DIR, else argostranslate's data dir",
    ),
]

def _use_models_dir(models_dir: Path | None, project: Path) -> tuple[Path | None, Path]:
    """(the directory chosen: --models-dir, else the project's paths.models, else None; the one in use)."""
    from workflow import translate as translate_mod

    if models_dir is None and find_root(project) is not None:
        models_dir = load_project(project).models_dir
    return models_dir, translate_mod.models_dir(models_dir)


models_app = typer.Typer(
    help="List, install and build argostranslate model packages.\n\n\b\nExample: workflow models list",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list(json_out: JsonOpt = False, models_dir: ModelsDirOpt = None, project: ProjectOpt = Path(".")) -> None:
    """List installed translation packages: code, languages, version and where each lives.

    The `in use` column marks the package `workflow translate` uses for each language pair (the newest
    version, when several are installed).

    \b
    Example: workflow models list --json
    """
    from workflow import translate as translate_mod

    chosen, where = _use_models_dir(models_dir, project)
    packages = translate_mod.list_packages(chosen)
    in_use = {p.path for p in translate_mod.packages_in_use(chosen).values()}
    if json_out:
        print_json([{**to_jsonable(p), "in_use": p.path in in_use, **({"demo": True} if p.demo else {})} for p in packages])
        return
    if not packages:
        out.print(f"No model packages in {where}; install one with `workflow models install FILE.argosmodel`.")
        return
    from rich.table import Table

    table = Table(title=f"Model packages in {where}", title_justify="left")
    for col in ("code", "from", "to", "version", "in use", "path"):
        table.add_column(col, overflow="fold")
    for pkg in packages:
        version = f"{pkg.version} (demo, not a translation)" if pkg.demo else pkg.version
        table.add_row(pkg.code, pkg.from_code, pkg.to_code, version, "yes" if pkg.path in in_use else "", str(pkg.path))
    out.print(table)


@models_app.command("install")
def models_install(
    source: Annotated[str, typer.Argument(help="A .argosmodel file, or a package code such as translate-en_ru (needs internet).")],
    models_dir: ModelsDirOpt = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Install a model package, checking it fully and load-testing it before it goes into place.

    \b
    Example: workflow models install translate-en_kk-nllb.argosmodel
    """
    from workflow import translate as translate_mod

    chosen, where = _use_models_dir(models_dir, project)
    before = {p.path: p.version for p in translate_mod.list_packages(chosen)}
    pkg = translate_mod.install_package(source, chosen)
    if before.get(pkg.path) == pkg.version:
        out.print(
            f"Reinstalled {pkg.code} {pkg.version} ({pkg.from_code}→{pkg.to_code}) in {where}: "
            "this version was already installed; its files were replaced with the package's",
            markup=False,
        )
        return
    out.print(f"Installed {pkg.code} {pkg.version} ({pkg.from_code}→{pkg.to_code}) in {where}", markup=False)


@models_app.command("remove")
def models_remove(
    package: Annotated[
        str, typer.Argument(metavar="CODE|NAME", help="A package code (translate-en_kk), or the directory name `models list` shows.")
    ],
    models_dir: ModelsDirOpt = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Uninstall a model package; name its directory when several versions of one code are installed.

    \b
    Example: workflow models remove translate-en_kk
    """
    from workflow import translate as translate_mod

    chosen, where = _use_models_dir(models_dir, project)
    pkg = translate_mod.remove_package(package, chosen)
    left = translate_mod.packages_in_use(chosen).get((pkg.from_code, pkg.to_code))
    then = f"; {pkg.from_code}→{pkg.to_code} now uses {left.name}" if left else f"; no {pkg.from_code}→{pkg.to_code} model is left"
    out.print(f"Removed {pkg.name} ({pkg.code} {pkg.version}) from {where}{then}.", markup=False)


@models_app.command("build")
def models_build(
    model: Annotated[Path, typer.Option("--model", help="CTranslate2 model directory (from ct2-transformers-converter).")],
    sp_model: Annotated[Path, typer.Option("--sp-model", help="SentencePiece model of the source side (or both sides).")],
    from_code: Annotated[str, typer.Option("--from", help="Source language code, e.g. en.")],
    to_code: Annotated[str, typer.Option("--to", help="Target language code, e.g. kk.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .argosmodel file to write.")],
    target_sp_model: Annotated[
        Optional[Path], typer.Option("--target-sp-model", help="SentencePiece model of the target side, if it differs.")
    ] = None,
    version: Annotated[str, typer.Option("--version", help="Package version.")] = "1.0",
    source_prefix: Annotated[
        str, typer.Option("--source-prefix", help="Token put before every source sentence, e.g. eng_Latn (NLLB).")
    ] = "",
    source_suffix: Annotated[
        str, typer.Option("--source-suffix", help="Token put after every source sentence, e.g. '</s>' (NLLB).")
    ] = "",
    target_prefix: Annotated[
        str, typer.Option("--target-prefix", help="Token that starts every translation, e.g. kaz_Cyrl (NLLB).")
    ] = "",
    name: Annotated[Optional[str], typer.Option("--name", help="Package directory name.")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Make an .argosmodel package from a CTranslate2 model and its SentencePiece model.

    The model is load-tested first; prefix tokens must be in its vocabulary.

    \b
    Example: workflow models build --model nllb-ct2 --sp-model nllb-ct2/sentencepiece.bpe.model --from en --to kk --source-prefix eng_Latn --source-suffix '</s>' --target-prefix kaz_Cyrl -o translate-en_kk-nllb.argosmodel
    """
    from workflow import translate as translate_mod

    path = translate_mod.build_package(
        model,
        sp_model,
        from_code,
        to_code,
        output,
        version=version,
        target_sp_model=target_sp_model,
        source_prefix=source_prefix,
        source_suffix=source_suffix,
        target_prefix=target_prefix,
        name=name,
    )
    out.print(f"Wrote {path}; install it with: workflow models install {path}", markup=False)


@app.command("demo")
def demo_cmd(locale: LocaleOpt = None, models_dir: ModelsDirOpt = None, project: ProjectOpt = Path(".")) -> None:
    """Install a demonstration package for each target locale that has no real model, to try the flow offline.

    Its drafts are the English text with the glossary's names put in: NOT a translation. Every draft says
    so in its PO comment (`# machine: ... demo (not a translation)`), and `workflow publish` refuses one a
    translator accepted unchanged. A real model, once installed, is used instead. Other argostranslate
    programs would take it for a model too: keep it apart with --models-dir (as scripts/main-job does),
    and remove it with `workflow models remove translate-en_kk-demo`.

    \b
    Example: workflow demo --models-dir .venv/demo-models
    """
    from workflow import translate as translate_mod

    from workflow.project import select_locales

    proj = load_project(project)
    chosen, where = _use_models_dir(models_dir, project)
    in_use = translate_mod.packages_in_use(chosen)
    for loc in select_locales(proj, locale):
        pair = f"{proj.source_locale}→{loc}"
        current = in_use.get((proj.source_locale, loc))
        if current is not None and not current.demo:
            out.print(f"{pair}: a real model is installed ({current.name}); no demonstration package needed.", markup=False)
            continue
        if current is not None:
            out.print(f"{pair}: the demonstration package {current.name} is already installed.", markup=False)
            continue
        import tempfile

        with tempfile.TemporaryDirectory(prefix="workflow-demo-") as tmp:
            built = translate_mod.build_demo_package(proj.source_locale, loc, Path(tmp) / "demo.argosmodel")
            pkg = translate_mod.install_file(built, chosen)
        out.print(f"{pair}: installed {pkg.name} in {where}: a demonstration, its drafts are {translate_mod.DEMO_MARK}.", markup=False)
    out.print(
        "Next: `workflow translate`, then `workflow review`. For real drafts install a model "
        "(`workflow models install FILE.argosmodel`; README: Getting a Kazakh model), then `workflow translate --retranslate`.",
        markup=False,
    )


# --- translate (run.py) -------------------------------------------------------------------------------


@app.command("translate")
def translate_cmd(
    slugs: SlugsArg = None,
    locale: LocaleOpt = None,
    retranslate: Annotated[
        bool,
        typer.Option(
            "--retranslate",
            help=(
                "Also send fuzzy entries to the model again (machine drafts, and sentences edited since review). "
                "A draft still exactly as the model wrote it is replaced; a translation a translator wrote, edited "
                "or accepted is never replaced: it stays in its entry, fuzzy, with the old English as `#| msgid`, "
                "and the new draft is offered beside it as a `# machine draft (MODEL): ...` comment."
            ),
        ),
    ] = False,
    beam_size: Annotated[Optional[int], typer.Option(min=1, help="Beam size; default from workflow.toml.")] = None,
    batch_size: Annotated[Optional[int], typer.Option(min=1, help="Segments per model batch; default from workflow.toml.")] = None,
    models_dir: ModelsDirOpt = None,
    backend: Annotated[
        Optional[str],
        typer.Option(
            help="Where the model runs: local, libretranslate or ray; default [translate] backend in workflow.toml.",
            show_default=False,
        ),
    ] = None,
    wait: WaitOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Machine-translate new segments into each locale and merge them into the PO catalogs.

    New sentences are added as fuzzy entries for translators to review; reviewed entries are never
    changed; edited sentences keep their old translation, marked fuzzy with the previous source;
    removed ones become obsolete. Exit code 2 if a locale has no model installed (nothing is touched),
    or if the backend fails mid-run after its retries (catalogs of fully translated articles are written).

    \b
    Example: workflow translate kazakh-migrant-refused-war-contract --locale ru
    """
    from workflow import run

    proj = load_project(project)
    proj = dataclasses.replace(proj, models_dir=_use_models_dir(models_dir, project)[0])
    show = not quiet and not json_out and err.is_terminal
    with _progress_bar(show) as progress:
        report = run.translate_articles(
            proj,
            slugs,
            locale,
            retranslate=retranslate,
            beam_size=beam_size,
            batch_size=batch_size,
            now=now(),
            progress=progress,
            wait=wait,
            backend=backend,
        )
    if json_out:
        print_json(report)
        _report_errors(report.errors)
        return
    written = sum(r.written for r in report.results)
    for loc, model in report.models.items():
        out.print(f"{loc}: model {model}", markup=False)
    memory_part = f"{report.from_memory} served from memory, " if report.from_memory else ""
    out.print(
        f"{plural(report.articles, 'article')}, {plural(report.segments, 'segment')}: {memory_part}{report.sent_to_model} sent to the model, "
        f"{plural(written, 'catalog')} updated in {report.timings.total:.1f}s. Next: `workflow review`.",
        markup=False,
    )
    _report_errors(report.errors)


@contextlib.contextmanager
def _progress_bar(show: bool):
    """A rich progress bar over article-locale pairs with a segments-per-second rate, or nothing."""
    if not show:
        yield None
        return
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("translating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[sent]} segments, {task.fields[rate]} seg/s"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    start = time.perf_counter()
    with bar:
        task = bar.add_task("translate", total=None, sent=0, rate="–")

        def update(done: int, total: int, sent: int) -> None:
            rate = sent / max(time.perf_counter() - start, 1e-6)
            bar.update(task, completed=done, total=total, sent=sent, rate=f"{rate:.0f}")

        yield update

# --- review (review.py) -------------------------------------------------------------------------------

ReviewArgs = Annotated[
    Optional[list[str]],
    typer.Argument(
        help="Article slugs (default: every article); begin with the word `queue` to list pending entries instead.",
        show_default=False,
        metavar="queue|SLUG",
    ),
]


# Colour says the state at a glance on a terminal; rich drops it when output is piped or NO_COLOR is set.
_STATE_STYLES = {
    "done": "bold green",
    "reviewed": "green",
    "machine": "blue",
    "changed": "yellow",
    "flagged": "bold red",
    "blocked": "bold red",
    "stale": "yellow",
}


def _state_cell(text: str, state: str):
    """A table cell coloured by state; its text passes through `visible` like every string the CLI prints."""
    from rich.text import Text

    return Text(visible(text), style=_STATE_STYLES.get(state, ""))


def _review_glossary(proj):
    """The project glossary for checks and hints, or None while the glossary module is absent."""
    try:
        from workflow import glossary as glossary_mod
    except ImportError:
        return None
    return glossary_mod.load_glossary(proj.glossary_path)


@app.command("review")
def review_cmd(
    targets: ReviewArgs = None,
    locale: LocaleOpt = None,
    order: Annotated[
        str, typer.Option("--order", help="queue order: risk (check errors, then the model's lowest confidence first) or article.")
    ] = "risk",
    html: Annotated[
        Optional[Path],
        typer.Option(
            "--html",
            metavar="FILE",
            help="Also write the editors' dashboard: every article × locale with its state, blockers and PO file.",
        ),
    ] = None,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Show review progress, read from the PO catalogs (translators accept work only in their PO editor).

    `workflow review [SLUG...]`: per article and locale, how many entries are reviewed, machine-translated
    awaiting review, changed since review, untranslated and flagged, and the percent done.

    `workflow review queue [SLUG...]`: the pending entries, riskiest first (`--order article` for article
    order), with reference, source, the model's confidence,
    current translation, why each is pending and what the checks found: errors (`!`: a changed number
    or date, unbalanced quotes, English left in, a broken glossary term...) block publishing unless a
    `# qa-ok: CHECK` translator comment accepts them; warnings (`?`: spelling, doubled words) do not.

    `workflow review --html FILE`: also write a page editors keep open: each article × locale as a cell
    with a bar of reviewed / awaiting / changed / untranslated / flagged entries, whether it is ready,
    blocked (and why, entry by entry) or withdrawn, and a link to its PO file.

    \b
    Example: workflow review queue --locale ru kazakh-migrant-refused-war-contract --json

    \b
    Example: workflow review --html review.html
    """
    from workflow import checks as checks_mod
    from workflow import review as review_mod
    from workflow.project import select_locales

    targets = list(targets or [])
    show_queue = bool(targets) and targets[0] == "queue"
    slugs = targets[1:] if show_queue else targets
    proj = load_project(project)
    locales_ = select_locales(proj, locale)
    if order not in ("risk", "article"):
        from workflow.errors import InputError

        raise InputError(f"unknown order {order!r} (use risk or article)")
    parsed, errors = articles_mod.scan_articles(proj, slugs or None)
    reviews, catalog_errors = review_mod.review_project(proj, parsed, locales_, _review_glossary(proj))
    errors += catalog_errors
    if html is not None:
        from workflow import publish as publish_mod

        board = publish_mod.dashboard(proj, parsed, locales_, now=now(), glossary=_review_glossary(proj))
        atomic_write(html, publish_mod.render_dashboard(proj, board, html.resolve()))
        err.print(
            f"Wrote the dashboard {html}: {plural(len(board.rows), 'article')}, {plural(len(board.blocked), 'blocked edition')}.",
            markup=False,
        )
    if show_queue:
        queue = review_mod.by_risk(reviews) if order == "risk" else [(r, e) for r in reviews for e in r.queue]
        rows = [
            {
                "slug": r.slug,
                "locale": r.locale,
                "catalog": f"{r.po_path}:{e.line}" if e.line else r.po_path,
                "reference": e.reference,
                "msgctxt": e.msgctxt,
                "source": e.msgid,
                "translation": e.msgstr,
                "previous_source": e.previous_msgid,
                "status": e.status,
                "reason": e.reason,
                "flags": list(e.flags),
                "warnings": list(e.warnings),
                "overridden": list(e.overridden),
                "provenance": e.provenance,
                "confidence": e.confidence,
                "memory": e.memory,
            }
            for r, e in queue
        ]
        for notice in checks_mod.notices(locales_):
            err.print(f"Note: {notice}", markup=False)
        if json_out:
            print_json(rows)
            _report_errors(errors)
            return
        for row in rows:
            by = f" ({row['provenance']}" + (f", confidence {row['confidence']:.2f}" if row["confidence"] is not None else "") + ")" if row["provenance"] else ""
            by += f" ({row['memory']})" if row["memory"] else ""
            out.print(f"{row['reference']}  [{row['locale']}] {row['reason']}{by}  → {row['catalog']}", markup=False)
            out.print(f"  en: {row['source']}", markup=False)
            if row["previous_source"] is not None:
                out.print(f"  was: {row['previous_source']}", markup=False)
            out.print(f"  {row['locale']}: {row['translation'] or '(empty)'}", markup=False)
            for flag in row["flags"]:
                out.print(f"  ! {flag}", markup=False)
            for flag in row["overridden"]:
                by = "glossary-ok" if flag.startswith("glossary: ") else "qa-ok"
                out.print(f"  ~ {flag} (overridden by a {by} comment)", markup=False)
            for warning in row["warnings"]:
                out.print(f"  ? {warning}", markup=False)
            out.print("")
        out.print(f"{len(rows)} pending entr{'y' if len(rows) == 1 else 'ies'}.", markup=False)
        _report_errors(errors)
        return
    summary = [
        {
            "slug": r.slug,
            "locale": r.locale,
            "catalog": r.po_path,
            "exists": r.exists,
            "total": r.total,
            "reviewed": r.reviewed,
            "machine": r.machine,
            "changed": r.changed,
            "untranslated": r.untranslated,
            "flagged": r.flagged,
            "percent": r.percent,
            "state": r.state,
            "next": r.next,
        }
        for r in reviews
    ]
    if json_out:
        print_json(summary)
        _report_errors(errors)
        return
    from rich.table import Table

    table = Table(title="Review progress (from the PO catalogs)", title_justify="left")
    for col in ("article", "locale", "reviewed", "machine", "changed", "untranslated", "flagged", "done"):
        table.add_column(col, justify="left" if col in ("article", "locale") else "right", overflow="fold")
    for row in summary:
        table.add_row(
            row["slug"] + ("" if row["exists"] else " (no catalog yet)"),
            row["locale"],
            *(_state_cell(str(row[k]), k if row[k] else "") for k in ("reviewed", "machine", "changed", "untranslated", "flagged")),
            _state_cell(_done_cell(row), row["state"]),
        )
    out.print(table)
    out.print("`workflow review queue --locale L` lists what is pending.", markup=False)
    _report_errors(errors)


def _done_cell(row: dict) -> str:
    """Percent reviewed; or why 100% is not done (flagged), or that the counts are unknown (stale)."""
    if row["state"] == "stale":
        return f"stale: run `{row['next']}`"
    if row["state"] == "blocked":
        return f"blocked: {row['flagged']} flagged"
    return f"{row['percent']:.1f}%"


def _report_errors(errors) -> None:
    """Each bad article or catalog on its own `Error:` line, after the others were reported; then exit 1."""
    for exc in errors:
        err.print(error_line(exc), markup=False)
    if errors:
        raise typer.Exit(1)


# --- glossary (glossary.py) ---------------------------------------------------------------------------

glossary_app = typer.Typer(
    help=(
        "The term list (glossary/terms.csv): names that must come out in one agreed Kazakh and Russian spelling.\n\n"
        "\b\nExample: workflow glossary list"
    ),
    no_args_is_help=True,
)
app.add_typer(glossary_app, name="glossary")



def _glossary_of(proj):
    from workflow import glossary as glossary_mod

    return glossary_mod.load_glossary(proj.glossary_path, proj.relative(proj.glossary_path))


@glossary_app.command("list")
def glossary_list(json_out: JsonOpt = False, project: ProjectOpt = Path(".")) -> None:
    """List the glossary's terms: English form, Kazakh and Russian forms, kind and gender.

    \b
    Example: workflow glossary list --json
    """
    proj = load_project(project)
    terms = _glossary_of(proj).terms
    if json_out:
        print_json(list(terms))
        return
    from rich.table import Table

    table = Table(title=f"{proj.relative(proj.glossary_path)}: {plural(len(terms), 'term')}", title_justify="left")
    for col in ("english", "kk", "ru", "kind", "gender"):
        table.add_column(col, overflow="fold")
    for t in terms:
        table.add_row(t.english, t.kk, t.ru, t.kind, t.gender)
    out.print(table)


@glossary_app.command("add")
def glossary_add(
    english: Annotated[str, typer.Argument(help="The English form, as articles spell it.")],
    kk: Annotated[str, typer.Option("--kk", help="Kazakh form (nominative).")],
    ru: Annotated[str, typer.Option("--ru", help="Russian form (nominative).")],
    kind: Annotated[str, typer.Option("--kind", help="person, place, organisation or other.")] = "other",
    gender: Annotated[str, typer.Option("--gender", help="m or f; required for persons.")] = "",
    note: Annotated[str, typer.Option("--note", help="A note for translators.")] = "",
    variant: Annotated[Optional[list[str]], typer.Option("--variant", help="Another English spelling (repeatable).")] = None,
    avoid_kk: Annotated[Optional[list[str]], typer.Option("--avoid-kk", help="A Kazakh rendering to flag (repeatable).")] = None,
    avoid_ru: Annotated[Optional[list[str]], typer.Option("--avoid-ru", help="A Russian rendering to flag (repeatable).")] = None,
    wait: WaitOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Add a term to the glossary (refused if its English form or a variant is already a term).

    \b
    Example: workflow glossary add "Astana" --kk Астана --ru Астана --kind place
    """
    from workflow import glossary as glossary_mod

    proj = load_project(project)
    shown = proj.relative(proj.glossary_path)
    cells = {
        "english": english, "kk": kk, "ru": ru, "kind": kind, "gender": gender, "note": note,
        "variants": "; ".join(variant or []), "avoid_kk": "; ".join(avoid_kk or []), "avoid_ru": "; ".join(avoid_ru or []),
    }
    term = glossary_mod.term_from_cells(cells, shown, None)
    updated = glossary_mod.update_glossary(proj, lambda g, where: glossary_mod.add_term(g, term, where), wait=wait)
    out.print(f"Added {term.english} → kk {term.kk}, ru {term.ru} to {shown} ({plural(len(updated.terms), 'term')}).", markup=False)


@glossary_app.command("remove")
def glossary_remove(
    english: Annotated[str, typer.Argument(help="The English form of the term to remove.")],
    wait: WaitOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Remove a term from the glossary.

    \b
    Example: workflow glossary remove "The Urals Weekly"
    """
    from workflow import glossary as glossary_mod

    proj = load_project(project)
    shown = proj.relative(proj.glossary_path)
    updated = glossary_mod.update_glossary(proj, lambda g, where: glossary_mod.remove_term(g, english, where), wait=wait)
    out.print(f"Removed {english} from {shown} ({plural(len(updated.terms), 'term')}).", markup=False)


@glossary_app.command("import")
def glossary_import(
    file: Annotated[Path, typer.Argument(help="A glossary CSV (same columns) or a TBX file (.tbx).")],
    wait: WaitOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Import terms from CSV or TBX: terms with the same English form are replaced, new ones appended.

    \b
    Example: workflow glossary import shared-terms.tbx
    """
    from workflow import glossary as glossary_mod
    from workflow.errors import InputError

    proj = load_project(project)
    shown = proj.relative(proj.glossary_path)
    if not file.exists():
        raise InputError("no such glossary file to import", file)
    proj.inside(file)  # a file in the project that links out of it is not read (its lines would be echoed)
    imported = glossary_mod.load_glossary(file, str(file)).terms
    counts: dict[str, int] = {}

    def merge(current, where):
        merged, counts["added"], counts["replaced"] = glossary_mod.merge_terms(current, imported, where)
        return merged

    updated = glossary_mod.update_glossary(proj, merge, wait=wait)
    added, replaced = counts["added"], counts["replaced"]
    out.print(f"Imported {file}: {added} added, {replaced} replaced; {shown} has {plural(len(updated.terms), 'term')}.", markup=False)


@glossary_app.command("export")
def glossary_export(
    format_: Annotated[str, typer.Option("--format", "-f", help="csv or tbx (TBX-Basic, for OmegaT, memoQ, Weblate).")] = "csv",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (atomically); default: standard output.")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Export the glossary as CSV (formula-like cells neutralised) or TBX; CSV → TBX → CSV gives the same file.

    \b
    Example: workflow glossary export --format tbx --output terms.tbx
    """
    from workflow import glossary as glossary_mod
    from workflow.errors import InputError

    if format_ not in ("csv", "tbx"):
        raise InputError(f"unknown format {format_!r} (use csv or tbx)")
    proj = load_project(project)
    terms = _glossary_of(proj).terms
    text = glossary_mod.to_csv(terms) if format_ == "csv" else glossary_mod.to_tbx(terms)
    if output is None:
        sys.stdout.write(text)
        return
    atomic_write(output, text)
    err.print(f"Wrote {output} ({plural(len(terms), 'term')}, {format_}).", markup=False)


@glossary_app.command("check")
def glossary_check(
    slugs: SlugsArg = None,
    locale: LocaleOpt = None,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Flag every translated segment (reviewed ones too) where a glossary term is not rendered canonically.

    Read-only: nothing is rewritten or un-reviewed. Exit code 1 if anything is flagged.

    \b
    Example: workflow glossary check kazakh-migrant-refused-war-contract --locale ru
    """
    from workflow import glossary as glossary_mod
    from workflow import review as review_mod
    from workflow.errors import GateError
    from workflow.project import select_locales

    proj = load_project(project)
    gl = _glossary_of(proj)
    locales_ = select_locales(proj, locale)
    rows = []
    overridden = []
    checked = 0
    for article in articles_mod.load_articles(proj, slugs or None):
        named = glossary_mod.named_terms(gl, (s.text for s in article.segments))
        for loc in locales_:
            # With the glossary, review knows which flags a `# glossary-ok:` comment overrides.
            review = review_mod.review_article(proj, article, loc, gl)
            for entry in review.entries:
                if not entry.msgstr:
                    continue
                checked += 1
                for flag in glossary_mod.check_translation(gl, entry.segment.text, entry.msgstr, loc, named):
                    row = {
                        "po": review.po_path, "line": entry.line, "reference": entry.reference, "locale": loc,
                        "status": entry.status, "term": flag.term.english, "expected": flag.expected,
                        "found": flag.found, "message": flag.message, "msgstr": entry.msgstr,
                    }
                    (overridden if f"glossary: {flag.message}" in entry.overridden else rows).append(row)
    if json_out:
        print_json(rows)
    else:
        for row in rows:
            out.print(f"{row['po']}:{row['line']}: [{row['status']}] {row['message']}", markup=False)
        for row in overridden:
            out.print(
                f"{row['po']}:{row['line']}: [{row['status']}] overridden by `# {glossary_mod.OVERRIDE_PREFIX} {row['term']}`: "
                f"{row['message']}",
                markup=False,
            )
    if rows:
        segments = len({(r["po"], r["line"]) for r in rows})
        raise GateError(
            f"{plural(len(rows), 'glossary flag')} in {segments} of {plural(checked, 'translated segment')}"
        )
    if not json_out:
        if not checked:
            # Nothing translated yet is not a pass: say what would give the check something to read.
            out.print(
                "Nothing to check yet: no translated segments in the catalogs (run `workflow translate` first).",
                markup=False,
            )
        else:
            out.print(f"All {plural(checked, 'translated segment')} render the glossary's terms canonically.", markup=False)


# --- publish (publish.py) -----------------------------------------------------------------------------


OutOpt = Annotated[
    Optional[Path], typer.Option("--out", help="Output directory.", show_default="paths.public of workflow.toml")
]


def _short(text: str, width: int = 60) -> str:
    """A sentence cut to `width` characters with an ellipsis, on one line."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command("publish")
def publish_cmd(
    slugs: SlugsArg = None,
    locale: LocaleOpt = None,
    out_dir: OutOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be published; write nothing.")] = False,
    wait: WaitOpt = False,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Publish every article whose translation is fully reviewed: Markdown, HTML, index and manifest.

    An article with any segment not accepted in its PO file (fuzzy, empty, or source changed since
    review) or flagged by a check is not published; its pending segments are listed (source line,
    sentence, PO file to open) and the exit code is 1, while ready articles in the same run are still
    published. A blocked article whose live edition still shows sentences the source has dropped is
    reported as stale. Withdrawn stories (`workflow withdraw`) are not published, and a run over every
    article removes the editions of articles deleted from articles/. Unchanged files are not rewritten.

    \b
    Example: workflow publish kazakh-migrant-refused-war-contract --locale ru --dry-run
    """
    from workflow import publish as publish_mod

    proj = load_project(project)
    report = publish_mod.publish(proj, slugs, locale, now=now(), out_dir=out_dir, dry_run=dry_run, wait=wait)
    if json_out:
        print_json(
            {
                **to_jsonable(report),
                "blocked": len(report.blocked),
                "changed": len(report.changed),
                "withdrawn": len(report.withdrawn),
            }
        )
    else:
        _render_publish(proj, report)
    _report_errors(report.errors)
    # Asking for a withdrawn story by name and not getting it is a refusal too.
    if report.blocked or (slugs and report.withdrawn):
        raise typer.Exit(1)


def _render_publish(proj, report) -> None:
    for edition in report.blocked:
        to_open = f"; open {edition.catalog}" if edition.catalog else ""
        out.print(f"Blocked {edition.locale}/{edition.slug}: {plural(len(edition.pending), 'segment')} pending{to_open}", markup=False)
        for p in edition.pending:
            out.print(f"  {p.reference}  {p.segment}  {p.reason}", markup=False)
            out.print(f"    “{_short(p.text)}”" + (f"  → {p.catalog}" if p.catalog else ""), markup=False)
    for stale in report.stale:
        page = proj.relative(report.out_dir / stale.files[-1])
        where = f"the live edition ({page}, published {stale.published})"
        if stale.sentences:
            out.print(
                f"Stale {stale.locale}/{stale.slug}: {where} still shows {plural(len(stale.sentences), 'sentence')} "
                "the source no longer has:",
                markup=False,
            )
            for sentence in stale.sentences:
                if sentence.text:
                    out.print(f"  - {_short(sentence.text)}  → {sentence.catalog}", markup=False)
                else:
                    out.print(f"  - a sentence no longer in the catalog (key {sentence.key})", markup=False)
        else:
            out.print(f"Stale {stale.locale}/{stale.slug}: {where} was made from an earlier version of the source.", markup=False)
        out.print(
            f"  Review the pending segments above and run `workflow publish {stale.slug} --locale {stale.locale}`, "
            f"or take it down now: `workflow withdraw {stale.slug} --locale {stale.locale}`.",
            markup=False,
        )
    for edition in report.withdrawn:
        out.print(
            f"Withdrawn {edition.locale}/{edition.slug}: not published; "
            f"`workflow withdraw --undo {edition.slug}` lifts the withdrawal",
            markup=False,
        )
    for edition in report.editions:
        if edition.published:
            out.print(f"Ready {edition.locale}/{edition.slug}", markup=False)
    for f in report.changed:
        out.print(f"{f.action} {report.out_dir / f.path}", markup=False)
    published = sum(e.published for e in report.editions)
    unchanged = len(report.files) - len(report.changed)
    verb = "would change" if report.dry_run else "changed"
    summary = f"{published} published, {len(report.blocked)} blocked"
    if report.withdrawn:
        summary += f", {len(report.withdrawn)} withdrawn"
    if report.stale:
        summary += f", {plural(len(report.stale), 'live edition')} stale"
    summary += f"; {plural(len(report.changed), 'file')} {verb}"
    if report.changed:
        summary += f", {unchanged} unchanged" if unchanged else ""
    elif report.files and not report.blocked:
        # Only when nothing is held back: "all up to date" beside a blocked correction would be false comfort.
        summary += f": nothing changed, all {plural(unchanged, 'file')} already up to date"
    out.print(summary + ".", markup=False)


@app.command("withdraw")
def withdraw_cmd(
    slug: Annotated[str, typer.Argument(help="The slug of the story to take down (or, with --undo, to allow again).")],
    locale: Annotated[
        Optional[list[str]],
        typer.Option("--locale", "-l", help="Only this locale (repeatable); default: every locale, also ones added later."),
    ] = None,
    undo: Annotated[
        bool, typer.Option("--undo", help="Lift the withdrawal so that `workflow publish` may publish the story again.")
    ] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why, for the record (withdrawn.toml and the manifest).")] = "",
    out_dir: OutOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be removed (or lifted); write nothing.")] = False,
    wait: WaitOpt = False,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Take a story down: remove its published editions, update the indexes and record the withdrawal.

    The withdrawal is recorded in withdrawn.toml (keep it in git): from then on `workflow publish` does
    not publish the story, and removes any edition of it it finds, until `workflow withdraw --undo SLUG`.
    Only files the publish manifest lists are removed, never anything else in the output directory;
    each removal is logged in the manifest with its time and reason.

    \b
    Example: workflow withdraw kazakh-migrant-refused-war-contract --reason "legal request"
    """
    from workflow import publish as publish_mod

    proj = load_project(project)
    if undo:
        report = publish_mod.undo_withdrawal(proj, slug, locale, dry_run=dry_run, wait=wait)
    else:
        report = publish_mod.withdraw(proj, slug, locale, now=now(), out_dir=out_dir, note=reason, dry_run=dry_run, wait=wait)
    if json_out:
        print_json(report)
        return
    where = ", ".join(report.locales) if report.locales else "every locale"
    if report.undo:
        out.print(
            f"{'Would lift' if report.dry_run else 'Lifted'} the withdrawal of {slug} ({where}) in {report.record}; "
            f"publish it again with `workflow publish {slug}`.",
            markup=False,
        )
        return
    for f in report.files:
        if f.action != "unchanged":
            out.print(f"{f.action} {report.out_dir / f.path}", markup=False)
    verb = "Would withdraw" if report.dry_run else "Withdrew"
    out.print(
        f"{verb} {slug} ({where}), recorded in {report.record}: {plural(len(report.removed), 'published file')} "
        f"{'would be ' if report.dry_run else ''}removed. `workflow withdraw --undo {slug}` lifts it.",
        markup=False,
    )


# --- exchange with CAT tools (exchange.py) ------------------------------------------------------------


@app.command("export")
def export_cmd(
    slug: Annotated[str, typer.Argument(help="The article's slug.")],
    locale: Annotated[str, typer.Option("--locale", "-l", help="The target locale of the catalog to export.")],
    format_: Annotated[str, typer.Option("--format", "-f", help="xliff (XLIFF 1.2: OmegaT, memoQ, Trados).")] = "xliff",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (atomically); default: standard output.")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Export one article's catalog for a CAT tool: reviewed entries final and approved, drafts needs-review,
    provenance, glossary hints and check findings as notes.

    \b
    Example: workflow export --format xliff kazakh-migrant-refused-war-contract --locale kk -o kk.xlf
    """
    from workflow import exchange
    from workflow.errors import InputError
    from workflow.project import select_locales

    if format_ != "xliff":
        raise InputError(f"unknown format {format_!r} (use xliff)")
    proj = load_project(project)
    (loc,) = select_locales(proj, [locale])
    article = articles_mod.load_articles(proj, [slug])[0]
    _emit(exchange.to_xliff(proj, article, loc, _review_glossary(proj)), output, f"{slug}, {loc}, XLIFF 1.2")


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="An XLIFF 1.2 file exported by `workflow export` and edited in a CAT tool.")],
    wait: WaitOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Merge an XLIFF file back into its PO catalog as a translator's edit: approved units become reviewed,
    others fuzzy drafts; reviewed work is never replaced by an unapproved or older translation.

    \b
    Example: workflow import kk.xlf
    """
    from workflow import exchange
    from workflow.storage import project_lock

    proj = load_project(project)
    imported = exchange.read_xliff(proj, file)  # checked whole before the lock: a refusal leaves nothing
    with project_lock(proj.root, wait=wait):
        imported = exchange.read_xliff(proj, file)  # again under the lock: the catalog may have changed meanwhile
        written = exchange.apply_xliff(proj, imported, now())
    accepted = sum(c.reviewed for c in imported.changes)
    po = proj.relative(proj.po_path(imported.article.slug, imported.locale))
    out.print(
        f"Imported {file} into {po}: {accepted} reviewed, {len(imported.changes) - accepted} as drafts, "
        f"{len(imported.kept)} kept (newer or reviewed in the catalog){'' if written else '; nothing changed'}.",
        markup=False,
    )


# --- memory (memory.py) -------------------------------------------------------------------------------

memory_app = typer.Typer(
    help=(
        "The translation memory: every reviewed entry of every catalog, plus imported TMX files.\n\n"
        "Example: workflow memory export --format tmx --output newsroom.tmx"
    ),
    no_args_is_help=True,
)
app.add_typer(memory_app, name="memory")


@memory_app.command("export")
def memory_export(
    format_: Annotated[str, typer.Option("--format", "-f", help="tmx (TMX 1.4b, for OmegaT, memoQ, Trados, Weblate).")] = "tmx",
    locale: LocaleOpt = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (atomically); default: standard output.")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Export the memory (reviewed translations, and imported units) as TMX 1.4b, each unit with its origin.

    \b
    Example: workflow memory export --format tmx --locale ru --output ru.tmx
    """
    from workflow import memory as memory_mod
    from workflow.errors import InputError
    from workflow.project import select_locales

    if format_ != "tmx":
        raise InputError(f"unknown format {format_!r} (use tmx)")
    proj = load_project(project)
    memories = [memory_mod.load_memory(proj, loc) for loc in select_locales(proj, locale)]
    text = memory_mod.to_tmx(memories, proj.source_locale, now())
    _emit(text, output, f"{sum(len(m) for m in memories)} units, tmx")


def _emit(text: str, output: Path | None, what: str) -> None:
    """An export to standard output (file data, exactly), or written whole to OUTPUT with a line saying so."""
    if output is None:
        sys.stdout.write(text)
        return
    atomic_write(output, text)
    err.print(f"Wrote {output} ({what}).", markup=False)


@memory_app.command("import")
def memory_import(
    file: Annotated[Path, typer.Argument(help="A TMX file (1.4b) of reviewed translations from elsewhere.")],
    wait: WaitOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Import a TMX file: its units for the project's locales are kept in locales/memory/ and serve lookups.

    The project's own reviewed entries always come first; imported units are labelled `tmx:<file>`.

    \b
    Example: workflow memory import agency-memory.tmx
    """
    from workflow import memory as memory_mod
    from workflow.storage import project_lock

    proj = load_project(project)
    imported = memory_mod.read_import(proj, file, now())  # checked whole before the lock: a refusal leaves nothing
    with project_lock(proj.root, wait=wait):
        target = memory_mod.save_import(proj, imported)
    per_locale = ", ".join(f"{loc} {n}" for loc, n in imported.counts.items())
    out.print(f"Imported {file}: {per_locale} unit(s), kept as {proj.relative(target)}.", markup=False)


if __name__ == "__main__":
    main()
