"""The layering rule: tracker.core is a library without Qt, GUI backends, click, tracker.ui or tracker.cli; the
command line loads no Qt until it opens the window (import-linter's contracts in pyproject.toml check the same
statically)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import tracker.core

# matplotlib itself loads matplotlib.backends.registry (a table of names); what must not load is a GUI backend.
RUNTIME_FORBIDDEN = (
    "PySide6",
    "shiboken6",
    "matplotlib.backends.backend_qt",
    "matplotlib.pyplot",
    "tracker.ui",
    "tracker.cli",
)
SOURCE_FORBIDDEN = (*RUNTIME_FORBIDDEN, "click", "matplotlib.backends")
CLI_FORBIDDEN = ("PySide6", "shiboken6", "matplotlib.backends.backend_qt", "tracker.ui")


def test_core_loads_without_qt_or_the_app():
    """Checked in a fresh interpreter: pytest-qt has already loaded PySide6 into this one."""
    code = (
        "import sys, pkgutil, importlib, tracker.core\n"
        "for m in pkgutil.walk_packages(tracker.core.__path__, 'tracker.core.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = [n for n in sys.modules if n.startswith({RUNTIME_FORBIDDEN!r})]\n"
        "print(','.join(sorted(bad)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"tracker.core pulled in: {result.stdout.strip()}"


def test_cli_loads_without_qt_or_the_window():
    """The command line starts fast and works without a display: importing every tracker.cli module and building
    the command group loads no Qt; only running `tracker` without a command opens the window."""
    code = (
        "import sys, pkgutil, importlib, tracker.cli\n"
        "for m in pkgutil.walk_packages(tracker.cli.__path__, 'tracker.cli.'):\n"
        "    importlib.import_module(m.name)\n"
        "from click.testing import CliRunner\n"
        "from tracker.cli.base import cli\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        f"bad = [n for n in sys.modules if n.startswith({CLI_FORBIDDEN!r})]\n"
        "print(','.join(sorted(bad)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"tracker.cli pulled in: {result.stdout.strip()}"


def test_the_window_module_loads_without_the_import_stack_or_the_models():
    """Time to window (issue 16): the main window's module needs neither the importers (and phonenumbers, chardet,
    calamine behind them), matplotlib, numpy nor scipy before its first paint; they load when first used. Nor the
    calendar reader and writer (icalendar, recurring-ical-events), loaded for an .ics import or export."""
    heavy = (
        "tracker.core.importing",
        "phonenumbers",
        "chardet",
        "python_calamine",
        "matplotlib",
        "numpy",
        "scipy",
        "icalendar",
        "recurring_ical_events",
    )
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "import tracker.ui.main_window\n"
        f"bad = [n for n in sys.modules if n.startswith({heavy!r})]\n"
        "print(','.join(sorted(bad)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"tracker.ui.main_window pulled in: {result.stdout.strip()}"


def test_core_sources_do_not_import_click_or_pyplot():
    """The check reads our own import statements (a library the core uses may load click itself)."""
    offenders = []
    for path in Path(tracker.core.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(SOURCE_FORBIDDEN)]
    assert offenders == []
