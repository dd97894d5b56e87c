"""Spelling through the hunspell C library (ctypes) and the system's hunspell dictionaries.

Only ever a warning: hunspell-kk rejects the correct ablative Қазақстаннан and accepts the wrong
Қазақстандан. Where the library or a dictionary is missing, the check is off and says so once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import re
from pathlib import Path

from workflow.checks.base import WARNING, Unit, check, prose
from workflow.languages import language

_CYRILLIC_WORD = re.compile(r"[\u0400-\u04FF]+")
_VOWELS = "аеёиоуыэюяәіөүұ"
# A glossary form followed by this many more letters is taken as one of its case forms (Алматыға, Ажыгалиевой).
_MAX_SUFFIX = 6


def dictionary_dirs() -> tuple[str, ...]:
    """Where hunspell dictionaries are looked for: $DICPATH (hunspell's own variable), else the system's."""
    if "DICPATH" in os.environ:
        return tuple(p for p in os.environ["DICPATH"].split(os.pathsep) if p)
    return ("/usr/share/hunspell", "/usr/share/myspell/dicts", "/usr/share/myspell")


# One value: the C library, loaded once per process (loading it is not free, and it never changes).
@functools.cache
def _library():
    name = ctypes.util.find_library("hunspell-1.7") or ctypes.util.find_library("hunspell")
    if not name:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.Hunspell_create.restype = ctypes.c_void_p
    lib.Hunspell_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    lib.Hunspell_spell.restype = ctypes.c_int
    lib.Hunspell_spell.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    return lib


def _find(name: str, dirs: tuple[str, ...]) -> Path | None:
    for d in dirs:
        aff = Path(d) / f"{name}.aff"
        if aff.is_file() and aff.with_suffix(".dic").is_file():
            return aff
    return None


# One Hunspell handle per dictionary a process checks with (a handful: one per target locale), kept
# because loading a dictionary takes longer than checking an article. Keyed by the directories
# searched, so a project with its own DICPATH gets its own.
@functools.cache
def _speller(locale: str, dirs: tuple[str, ...]):
    """(spell function, None) or (None, why the check is off)."""
    name = language(locale).dictionary
    if name is None:
        return None, f"no hunspell dictionary is known for {locale}"
    lib = _library()
    if lib is None:
        return None, "the hunspell library is not installed (Debian: apt-get install libhunspell-1.7-0)"
    aff = _find(name, dirs)
    if aff is None:
        package = f"hunspell-{locale.split('_')[0]}"
        return None, f"no {name} dictionary in {', '.join(dirs) or '$DICPATH'} (Debian: apt-get install {package})"
    head = aff.read_bytes()[:200].decode("latin-1")
    encoding = m.group(1) if (m := re.search(r"^\s*\ufeff?SET\s+(\S+)", head.replace("ï»¿", ""), re.M)) else "UTF-8"
    handle = lib.Hunspell_create(str(aff).encode(), str(aff.with_suffix(".dic")).encode())
    if not handle:
        return None, f"hunspell could not load {aff}"

    def spell(word: str) -> bool:
        try:
            data = word.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            return False
        return lib.Hunspell_spell(handle, data) != 0

    return spell, None


def status(locale: str) -> str | None:
    """None when spelling is checked in `locale`; else why it is off."""
    return _speller(locale, dictionary_dirs())[1]


def _stems(keep: tuple[str, ...]) -> tuple[str, ...]:
    words = {w.lower() for form in keep for w in _CYRILLIC_WORD.findall(form)}
    return tuple({w.rstrip(_VOWELS) or w for w in words} | words)


@check(WARNING)
def spelling(unit: Unit) -> list[str]:
    """not in the dictionary: {missing}"""
    spell, _ = _speller(unit.locale, dictionary_dirs())
    if spell is None:
        return []
    stems = _stems(unit.keep)
    wrong = []
    for word in _CYRILLIC_WORD.findall(prose(unit.translation, unit.protected)):
        low = word.lower()
        if len(word) < 2 or word.isupper():  # abbreviations: ООН, ҚР
            continue
        if any(low.startswith(s) and len(low) - len(s) <= _MAX_SUFFIX for s in stems):
            continue
        if not spell(word):
            wrong.append(word)
    return list(dict.fromkeys(wrong))
