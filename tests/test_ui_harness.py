"""What every UI test gets checked for: a Qt warning fails it (pyproject.toml's pytest-qt options, the offscreen
platform's own notices aside), and so does a QThreadPool job it leaves running (conftest.py)."""

from __future__ import annotations

from pathlib import Path

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py").read_text(encoding="utf-8")
PYPROJECT = Path(__file__).parents[1].joinpath("pyproject.toml").read_text(encoding="utf-8")

WARNINGS = """
from PySide6.QtCore import qWarning


def test_a_real_warning(qtbot):
    qWarning("QObject::connect: No such signal QObject::changed()")


def test_the_offscreen_platform_notice(qtbot):
    qWarning("This plugin does not support propagateSizeHints()")
"""

JOBS = '''
import threading

import pytest
from PySide6.QtCore import QRunnable, QThreadPool


class Waiting(QRunnable):
    def __init__(self, gate):
        super().__init__()
        self.gate = gate

    def run(self):
        self.gate.wait()


@pytest.fixture(scope="session")
def gate():
    """Opened only when the session ends, after every test's checks: until then a job waiting on it runs."""
    event = threading.Event()
    yield event
    event.set()


def test_a_finished_job_is_fine(qtbot):
    opened = threading.Event()
    opened.set()
    QThreadPool.globalInstance().start(Waiting(opened))


def test_leaves_a_job_running(qtbot, gate):
    QThreadPool.globalInstance().start(Waiting(gate))
'''


def test_a_job_left_running_fails_the_test_that_started_it(pytester):
    short_wait = CONFTEST.replace("THREAD_POOL_WAIT_MS = 10_000", "THREAD_POOL_WAIT_MS = 100")
    assert short_wait != CONFTEST
    pytester.makeconftest(short_wait)
    pytester.makepyfile(test_jobs=JOBS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_leaves_a_job_running*", "*a QThreadPool job was still running 100 ms after*"]
    )


def test_a_qt_warning_fails_the_test_and_platform_notices_do_not(pytester):
    pytester.makepyprojecttoml(PYPROJECT)
    pytester.makepyfile(test_warnings=WARNINGS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_warnings.py")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_warnings.py::test_a_real_warning*"])
