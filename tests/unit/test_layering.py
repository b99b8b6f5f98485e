"""core stays Qt-free and headless: checked in the source and in a fresh interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import intsec_desktop.core

CORE = Path(intsec_desktop.core.__file__).parent
_IMPORT = re.compile(r"^\s*(?:import|from)\s+([\w.]+)", re.MULTILINE)
_DYNAMIC = re.compile(r"""import_module\(\s*["']([\w.]+)""")


def imported_modules(source: str) -> set[str]:
    return set(_IMPORT.findall(source)) | set(_DYNAMIC.findall(source))


def core_sources() -> dict[str, str]:
    found = {str(p.relative_to(CORE)): p.read_text() for p in sorted(CORE.rglob("*.py"))}
    assert "services/__init__.py" in found
    assert "vault/crypto.py" in found
    return found


def test_regex_sees_imports() -> None:
    sample = "import os\nfrom PySide6.QtCore import QObject\n    import PySide6\n"
    assert imported_modules(sample) == {"os", "PySide6.QtCore", "PySide6"}


def test_no_core_module_imports_qt_or_the_front_ends() -> None:
    offenders = {
        name: sorted(
            m
            for m in imported_modules(source)
            if m.split(".")[0] in ("PySide6", "PyQt6", "shiboken6")
            or m.startswith(("intsec_desktop.gui", "intsec_desktop.cli"))
        )
        for name, source in core_sources().items()
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_importing_services_leaves_qt_unloaded() -> None:
    probe = (
        "import sys\n"
        "import intsec_desktop.core.services\n"
        "import intsec_desktop.core.vault.opening\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
    assert result.stderr == ""
