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


#: Loaded when first used, after the window's first paint (time to window, issue 16): the store's tables other than
#: the contacts (the engagement queries and the search index behind them, imports, dashboard, purchases, follow-ups,
#: interactions), backups, the exports and csv, the operations (the first command), the window's clock.
#: (PySide6 itself loads tempfile, zipfile, argparse, logging, inspect and shutil: a bare window pays for those too.)
LAZY_FOR_THE_WINDOW = (
    "tracker.core.store.engagement",
    "tracker.core.search",
    "tracker.core.store.interactions",
    "tracker.core.store.follow_ups",
    "tracker.core.store.imports",
    "tracker.core.store.dashboard",
    "tracker.core.store.purchases",
    "tracker.core.backups",
    "tracker.core.export",
    "tracker.core.contacts_export",
    "tracker.core.safe_write",
    "tracker.core.operations",
    "tracker.ui.contacts_export",
    "tracker.ui.clock",
    "csv",
    "unicodedata",
)


def test_the_window_is_built_without_what_it_needs_only_later(tmp_path):
    """Importing the window's module, opening an existing file as the app does and building the window (Store.open
    with verify=False, MainWindow) loads none of LAZY_FOR_THE_WINDOW; the contacts table alone is made (the window
    asks whether the file is empty). Each of them loads on first use (tests of the window and the store use them)."""
    from tracker.core.store import Store

    db = tmp_path / "existing.db"
    Store.open(db).close()
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "import tracker.ui.main_window\n"
        "imported = set(sys.modules)\n"
        "from PySide6.QtCore import QSettings\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from tracker.core.store import Store\n"
        "app = QApplication([])\n"
        "store = Store.open(sys.argv[1], verify=False)\n"
        "window = tracker.ui.main_window.MainWindow(store, QSettings(sys.argv[2], QSettings.Format.IniFormat))\n"
        f"lazy = {LAZY_FOR_THE_WINDOW!r}\n"
        "print(','.join(sorted(n for n in lazy if n in imported)))\n"
        "print(','.join(sorted(n for n in lazy if n in sys.modules)))\n"
        "print('tracker.core.store.contacts' in sys.modules)\n"
        "store.close()\n"
        "os._exit(0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(db), str(tmp_path / "settings.ini")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    on_import, built, contacts = result.stdout.splitlines()
    assert on_import == "", f"importing tracker.ui.main_window pulled in: {on_import}"
    assert built == "", f"building the window pulled in: {built}"
    assert contacts == "True"  # the one table the window uses before its first paint, made on first access


def test_the_window_paints_without_making_the_qt_namespace_enums(tmp_path):
    """Time to window (issue 16): PySide6 makes the Python enum classes of a type on its first use, all of them at
    once; for the `Qt` namespace that is 93 classes, ~25 ms. Building the window on a file with contacts, showing it
    and delivering its first paint makes none of them (the contacts tab is built after that paint and may); the
    welcome page of an empty file is not made either."""
    from tracker.core.store import Store

    db = tmp_path / "with-contacts.db"
    with Store.open(db) as store:
        store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com")
    code = (
        "import enum, gc, os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from tracker.core.store import Store\n"
        "from tracker.ui.main_window import MainWindow\n"
        "app = QApplication([])\n"
        "store = Store.open(sys.argv[1], verify=False)\n"
        "window = MainWindow(store, QSettings(sys.argv[2], QSettings.Format.IniFormat))\n"
        "loop = QEventLoop()\n"
        "made = []\n"
        "class FirstPaint(QObject):\n"
        "    def eventFilter(self, watched, event):\n"
        "        if event.type() == QEvent.Type.Paint and not made:\n"
        "            made.extend(c.__qualname__ for c in gc.get_objects() if isinstance(c, type)\n"
        "                        and issubclass(c, enum.Enum) and c.__qualname__.startswith('Qt.'))\n"
        "            made.append('painted')\n"
        "            QTimer.singleShot(0, loop.quit)\n"
        "        return False\n"
        "spy = FirstPaint()\n"
        "window.installEventFilter(spy)\n"
        "window.show()\n"
        "QTimer.singleShot(30000, loop.quit)\n"
        "loop.exec()\n"
        "print(','.join(made))\n"
        "print(window._empty is None)\n"
        "os._exit(0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(db), str(tmp_path / "settings.ini")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    made, no_welcome_page = result.stdout.splitlines()
    assert made == "painted", f"made before the first paint: {made}"
    assert no_welcome_page == "True"
