"""`workflow glossary ...`: list, add, remove, import, export and check the project's terms (glossary.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from workflow import articles as articles_mod
from workflow.cli.options import JsonOpt, LocaleOpt, ProjectOpt, SlugsArg, WaitOpt, app
from workflow.cli.render import Column, err, out, plural, show_rows
from workflow.project import load_project
from workflow.storage import atomic_write


glossary_app = typer.Typer(
    help=(
        "The term list (glossary/terms.csv): names that must come out in one agreed spelling in each target language.\n\n"
        "\b\nExample: workflow glossary list"
    ),
    no_args_is_help=True,
)


app.add_typer(glossary_app, name="glossary")


def _glossary_of(proj):
    from workflow import glossary as glossary_mod

    return glossary_mod.project_glossary(proj)


@glossary_app.command("list")
def glossary_list(json_out: JsonOpt = False, project: ProjectOpt = Path(".")) -> None:
    """List the glossary's terms: English form, the form in each target locale, kind and gender.

    \b
    Example: workflow glossary list --json
    """
    proj = load_project(project)
    gl = _glossary_of(proj)
    columns = [Column(key, lambda t, key=key: getattr(t, key)) for key in ("english",)]
    columns += [Column(loc, lambda t, loc=loc: t.targets.get(loc, "")) for loc in gl.locales]
    columns += [Column(key, lambda t, key=key: getattr(t, key)) for key in ("kind", "gender")]
    show_rows(gl.terms, json_out=json_out, columns=columns, title=f"{proj.relative(proj.glossary_path)}: {plural(len(gl.terms), 'term')}")


def _per_locale(values: list[str] | None, option: str) -> dict[str, list[str]]:
    """`--target LOC=FORM` values by locale, spelt as the glossary's columns; InputError for a value without `=` or an unknown locale."""
    from workflow.errors import InputError
    from workflow.glossary import column_locale
    from workflow.project import check_locale

    found: dict[str, list[str]] = {}
    for value in values or []:
        locale, sep, form = value.partition("=")
        if not sep or not locale.strip():
            raise InputError(f"{option} takes LOCALE=FORM, e.g. {option} ky=Бишкек; got {value!r}")
        # The locale names a column (of an empty glossary, a new one): only one the column reader reads back.
        found.setdefault(check_locale(column_locale(locale)), []).append(form)
    return found


@glossary_app.command("add")
def glossary_add(
    english: Annotated[str, typer.Argument(help="The English form, as articles spell it.")],
    target: Annotated[
        Optional[list[str]], typer.Option("--target", "-t", help="LOCALE=FORM: the form (nominative) in a target locale; one per locale.")
    ] = None,
    kind: Annotated[str, typer.Option("--kind", help="person, place, organisation or other.")] = "other",
    gender: Annotated[str, typer.Option("--gender", help="m or f; required for persons.")] = "",
    note: Annotated[str, typer.Option("--note", help="A note for translators.")] = "",
    variant: Annotated[Optional[list[str]], typer.Option("--variant", help="Another English spelling (repeatable).")] = None,
    avoid: Annotated[Optional[list[str]], typer.Option("--avoid", help="LOCALE=FORM: a rendering to flag (repeatable).")] = None,
    wait: WaitOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Add a term to the glossary (refused if its English form or a variant is already a term).

    \b
    Example: workflow glossary add "Bishkek" --target ky=Бишкек --target uz=Bishkek --kind place
    """
    from workflow import glossary as glossary_mod
    from workflow.errors import InputError

    proj = load_project(project)
    targets = _per_locale(target, "--target")
    avoided = _per_locale(avoid, "--avoid")
    for locale, forms in targets.items():
        if len(forms) > 1:
            raise InputError(f"--target {locale}= given {len(forms)} times; a term has one form per locale")
    cells = {"english": english, "kind": kind, "gender": gender, "note": note, "variants": "; ".join(variant or [])}
    cells |= {loc: forms[0] for loc, forms in targets.items()}
    cells |= {glossary_mod.columns((loc,))[-1]: "; ".join(forms) for loc, forms in avoided.items()}
    added: list = []

    def change(current):
        # The glossary's columns; a glossary without terms yet takes the locales given.
        added.clear()
        locales = current.locales if current.terms else tuple(dict.fromkeys((*current.locales, *targets)))
        for loc in (*targets, *avoided):
            if loc not in locales:
                raise InputError(
                    f"the glossary has no {loc} column (columns: {', '.join(glossary_mod.columns(locales))}); "
                    f"add the columns {loc} and avoid_{loc} with a {loc} form for every term first",
                    current.path,
                )
        term = glossary_mod.term_from_cells(cells, locales, current.path)
        added.append(term)
        return glossary_mod.add_term(current, term)

    change(_glossary_of(proj))  # a bad term is refused before the lock is taken: nothing is touched
    updated = glossary_mod.update_glossary(proj, change, wait=wait)
    forms = ", ".join(f"{loc} {form}" for loc, form in added[0].targets.items())
    out.print(f"Added {added[0].english} → {forms} to {proj.relative(proj.glossary_path)} ({plural(len(updated.terms), 'term')}).", markup=False)


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
    updated = glossary_mod.update_glossary(proj, lambda g: glossary_mod.remove_term(g, english), wait=wait)
    out.print(f"Removed {english} from {proj.relative(proj.glossary_path)} ({plural(len(updated.terms), 'term')}).", markup=False)


@glossary_app.command("import")
def glossary_import(
    file: Annotated[Path, typer.Argument(help="A glossary CSV (same columns) or a TBX file (.tbx).")],
    wait: WaitOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Import terms from CSV or TBX: terms with the same English form are replaced, new ones appended.

    A TBX file's languages that are not the glossary's columns are left out.

    \b
    Example: workflow glossary import shared-terms.tbx
    """
    from workflow import glossary as glossary_mod
    from workflow.errors import InputError

    proj = load_project(project)
    if not file.exists():
        raise InputError("no such glossary file to import", file)
    proj.inside(file)  # a file in the project that links out of it is not read (its lines would be echoed)
    imported = glossary_mod.load_glossary(file, _glossary_of(proj).locales or tuple(proj.locales)).terms
    counts: dict[str, int] = {}

    def merge(current):
        merged, counts["added"], counts["replaced"] = glossary_mod.merge_terms(current, imported)
        return merged

    updated = glossary_mod.update_glossary(proj, merge, wait=wait)
    added, replaced = counts["added"], counts["replaced"]
    shown = proj.relative(proj.glossary_path)
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
    gl = _glossary_of(proj)
    terms = gl.terms
    text = glossary_mod.to_csv(terms, gl.locales) if format_ == "csv" else glossary_mod.to_tbx(terms, gl.locales)
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

    Read-only: nothing is rewritten or un-reviewed. Exit code 1 if anything is flagged. A locale whose
    language has no module (so inflected forms are not recognised) gets a note on standard error.

    \b
    Example: workflow glossary check kazakh-migrant-refused-war-contract
    """
    from workflow import glossary as glossary_mod
    from workflow.errors import GateError
    from workflow.project import select_locales

    proj = load_project(project)
    gl = _glossary_of(proj)
    report = glossary_mod.check_catalogs(proj, gl, articles_mod.load_articles(proj, slugs or None), select_locales(proj, locale))
    for note in report.notes:
        err.print(f"Note: {note}", markup=False)
    rows, overridden = [], []
    for f in report.flags:
        row = {
            "po": f.po, "line": f.line, "reference": f.reference, "locale": f.locale, "status": f.status,
            "term": f.flag.term.english, "expected": f.flag.expected, "found": f.flag.found, "message": f.flag.message,
            "msgstr": f.msgstr,
        }
        (overridden if f.overridden else rows).append(row)
    checked = report.checked
    show_rows(rows, json_out=json_out, lines=lambda row: [f"{proj.reference(proj.root / row['po'], row['line'])}: [{row['status']}] {row['message']}"])
    if not json_out:  # what a `# glossary-ok:` comment let through is said, not counted (and not in --json's rows)
        show_rows(
            overridden,
            json_out=False,
            lines=lambda row: [
                f"{proj.reference(proj.root / row['po'], row['line'])}: [{row['status']}] overridden by `# {glossary_mod.OVERRIDE_PREFIX} {row['term']}`: "
                f"{row['message']}"
            ],
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
