"""`workflow models ...` and `workflow demo`: the argostranslate packages translate.py runs, listed, installed, built."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from workflow.cli.options import JsonOpt, LocaleOpt, ProjectOpt, app
from workflow.cli.render import Column, out, show_rows, to_jsonable
from workflow.project import find_root, load_project


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
    show_rows(
        packages,
        json_out=json_out,
        as_json=lambda p: {**to_jsonable(p), "in_use": p.path in in_use, **({"demo": True} if p.demo else {})},
        title=f"Model packages in {where}",
        columns=[
            Column("code", lambda p: p.code),
            Column("from", lambda p: p.from_code),
            Column("to", lambda p: p.to_code),
            Column("version", lambda p: f"{p.version} (demo, not a translation)" if p.demo else p.version),
            Column("in use", lambda p: "yes" if p.path in in_use else ""),
            Column("path", lambda p: str(p.path)),
        ],
        empty=f"No model packages in {where}; install one with `workflow models install FILE.argosmodel`.",
    )


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
