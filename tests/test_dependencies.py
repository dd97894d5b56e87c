"""Declared dependencies match the imports, and the lock pins what pyproject.toml declares."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import metadata, packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Declared on purpose although no module imports them, each for a reason the import graph cannot show.
NOT_IMPORTED = {
    "torch": "pinned to the CPU build that argostranslate's stanza would otherwise pull as CUDA",
    "pymorphy3-dicts-ru": "the Russian dictionary pymorphy3 loads by name at run time",
}


def declared(*extras: str) -> set[str]:
    requirements = list(PYPROJECT["dependencies"])
    for extra in extras:
        requirements += PYPROJECT["optional-dependencies"][extra]
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def imported(*folders: str) -> dict[str, str]:
    """Distribution name of every third-party top-level import under `folders`, with one file importing it."""
    distributions = packages_distributions()
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in ("workflow", "tests", "bench"):
                        continue
                    for dist in distributions.get(top, [top]):
                        found.setdefault(canonicalize_name(dist), str(path.relative_to(REPO)))
    return found


@pytest.mark.parametrize(
    "folders, extras",
    [(("workflow",), ("ray",)), (("workflow", "tests", "bench"), ("test", "ray"))],
    ids=["package", "tests-and-benchmark"],
)
def test_every_third_party_import_is_declared(folders, extras):
    missing = {dist: where for dist, where in imported(*folders).items() if dist not in declared(*extras)}
    assert missing == {}, "imported but not declared in pyproject.toml"


def test_every_declared_dependency_is_imported_or_has_a_reason():
    unused = declared("ray") - set(imported("workflow")) - set(NOT_IMPORTED)
    assert unused == set(), "declared in pyproject.toml but imported by no module of the package"


LOCK_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$", re.M)


def pins(lock: str) -> dict[str, str]:
    text = (REPO / "requirements" / lock).read_text(encoding="utf-8")
    assert "--hash=sha256:" in text
    return {canonicalize_name(name): version for name, version in LOCK_PIN.findall(text)}


@pytest.mark.parametrize("lock, extras", [("app.txt", ()), ("test.txt", ("test", "ray"))])
def test_the_lock_pins_every_declared_dependency_within_its_range(lock, extras):
    locked = pins(lock)
    requirements = list(PYPROJECT["dependencies"]) + [r for e in extras for r in PYPROJECT["optional-dependencies"][e]]
    for requirement in map(Requirement, requirements):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements/{lock}: run `bash scripts/lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (name, locked[name])


def test_the_test_lock_agrees_with_the_application_lock():
    app, test = pins("app.txt"), pins("test.txt")
    assert {name: test[name] for name in app} == app
    assert test["torch"].endswith("+cpu")


# Licences whose code may be combined with GPL-3.0-or-later code (the FSF's list); AGPL-3.0 by GPLv3 §13.
GPL3_COMPATIBLE = re.compile(
    r"\b(MIT|BSD|0BSD|Apache|ISC|MPL|Mozilla Public License 2\.0|PSF|Python Software Foundation|Zlib|CC0|BSL-1\.0"
    r"|CNRI-Python|LGPL|Lesser General Public|GPL-3\.0|GNU General Public License v3|AGPL-3\.0|GNU Affero General Public License v3"
    r"|GNU AFFERO GENERAL PUBLIC LICENSE)",
)


def licence_words(dist: str) -> str:
    meta = metadata(dist)
    return " ".join([meta.get("License-Expression") or "", (meta.get("License") or "")[:200]] + (meta.get_all("Classifier") or []))


def test_every_locked_dependency_has_a_licence_compatible_with_ours():
    assert PYPROJECT["license"] == "GPL-3.0-or-later"
    unknown = {dist: licence_words(dist)[:120] for dist in pins("app.txt") if not GPL3_COMPATIBLE.search(licence_words(dist))}
    assert unknown == {}, "licences not known to be compatible with GPL-3.0-or-later"
