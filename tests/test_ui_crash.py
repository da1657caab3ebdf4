"""A bug that escapes to the event loop: the traceback goes to the log, the user reads one sentence, the app goes
on, and a write it interrupted was rolled back."""

from __future__ import annotations

import re
import stat
import sys
import threading

import pytest
from PySide6.QtWidgets import QApplication, QPushButton

from tracker.ui import crash

STAMP = re.compile(r"^--- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d Tracker ", re.MULTILINE)


@pytest.fixture
def shown(monkeypatch) -> list[str]:
    """The sentences the crash dialog would have shown; the hooks are put back after the test."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    said: list[str] = []
    monkeypatch.setattr(crash, "show_crash_message", said.append)
    return said


@pytest.fixture
def log_path(tmp_path):
    return tmp_path / "logs" / "tracker.log"


def sentence(problem: str, log_path) -> str:
    return (
        f"Something went wrong ({problem}); details were saved to {log_path}. "
        "No half-finished change was saved to your database."
    )


def test_a_bug_in_a_slot_is_logged_and_said_once_and_the_app_goes_on(qtbot, shown, log_path):
    crash.install(log_path)
    button = QPushButton("Save")
    qtbot.addWidget(button)

    def save_contact():
        raise ValueError("no column named 'nickname'\nsecond line of detail")

    button.clicked.connect(save_contact)
    button.click()
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert shown == [sentence("ValueError: no column named 'nickname'", log_path)]
    log = log_path.read_text(encoding="utf-8")
    assert len(STAMP.findall(log)) == 1
    assert "Traceback (most recent call last)" in log and "in save_contact" in log
    assert "ValueError: no column named 'nickname'\nsecond line of detail" in log
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600  # it may quote a customer's data

    button.click()  # still alive, and a second report is appended
    qtbot.waitUntil(lambda: len(shown) == 2)
    assert len(STAMP.findall(log_path.read_text(encoding="utf-8"))) == 2


def test_a_write_the_bug_interrupted_is_rolled_back(qtbot, shown, log_path, store):
    crash.install(log_path)
    button = QPushButton("Tag")
    qtbot.addWidget(button)

    def add_then_fail():
        with store.transaction():
            store.contacts.add(email="anna@example.com", first_name="Anna")
            raise RuntimeError("tagging failed half-way")

    button.clicked.connect(add_then_fail)
    button.click()
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert shown[0].endswith("No half-finished change was saved to your database.")
    assert store.conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 0
    assert not store.conn.in_transaction


def test_a_bug_in_a_python_thread_is_said_on_the_gui_thread(qtbot, shown, log_path):
    crash.install(log_path)
    where: list[bool] = []

    def dialog(text):
        where.append(threading.current_thread() is threading.main_thread())
        shown.append(text)

    crash.show_crash_message = dialog

    def work():
        raise OSError("the export folder vanished")

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()  # threading.excepthook has run (and logged) before the thread ends
    assert "OSError: the export folder vanished" in log_path.read_text(encoding="utf-8")
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert shown == [sentence("OSError: the export folder vanished", log_path)] and where == [True]


def test_a_bug_while_the_dialog_is_open_is_logged_but_asks_no_second_time(qtbot, shown, log_path):
    reporter = crash.install(log_path)

    def dialog(text):
        shown.append(text)
        try:
            raise KeyError("repaint")
        except KeyError as exc:
            reporter.excepthook(KeyError, exc, exc.__traceback__)
        QApplication.processEvents()  # the dialog's own event loop delivers the second report

    crash.show_crash_message = dialog
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError as exc:
        reporter.excepthook(ZeroDivisionError, exc, exc.__traceback__)
    qtbot.waitUntil(lambda: len(shown) == 1)
    QApplication.processEvents()
    assert shown == [sentence("ZeroDivisionError: division by zero", log_path)]
    assert len(STAMP.findall(log_path.read_text(encoding="utf-8"))) == 2


def report(reporter: crash.CrashReporter, message: str) -> None:
    try:
        raise RuntimeError(message)
    except RuntimeError as exc:
        reporter.excepthook(RuntimeError, exc, exc.__traceback__)


def test_the_log_is_capped_to_two_files(qtbot, shown, log_path, monkeypatch):
    monkeypatch.setattr(crash, "MAX_LOG_BYTES", 2_000)
    reporter = crash.install(log_path)
    for number in range(6):
        report(reporter, f"report {number} " + "x" * 900)
    assert sorted(p.name for p in log_path.parent.iterdir()) == ["tracker.log", "tracker.log.1"]
    assert all(p.stat().st_size < 2_000 + 1_500 for p in log_path.parent.iterdir())
    assert "report 5 " in log_path.read_text(encoding="utf-8")
    assert "report 0 " not in log_path.read_text(encoding="utf-8") + (log_path.parent / "tracker.log.1").read_text()


def test_a_log_that_cannot_be_written_is_said_and_nothing_else_breaks(qtbot, shown, tmp_path, capsys):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    reporter = crash.install(blocked / "tracker.log")
    report(reporter, "disk trouble")
    qtbot.waitUntil(lambda: len(shown) == 1)
    where = blocked / "tracker.log"
    assert shown == [
        f"Something went wrong (RuntimeError: disk trouble); the details could not be saved to {where}."
        " No half-finished change was saved to your database."
    ]
    assert "RuntimeError: disk trouble" in capsys.readouterr().err  # the terminal, the last place left


def test_the_app_installs_the_hooks_before_the_window_opens(qtbot, shown, tmp_path, monkeypatch):
    import tracker.ui.main_window
    from tracker.ui.app import run_app

    seen: list[object] = []

    class Started(Exception):
        pass

    def window_instead(store, settings):
        seen.extend([sys.excepthook, threading.excepthook])
        store.close()
        raise Started

    monkeypatch.setattr(crash, "default_log_path", lambda: tmp_path / "tracker.log")
    monkeypatch.setattr(tracker.ui.main_window, "MainWindow", window_instead)
    monkeypatch.setattr(QApplication, "setWindowIcon", staticmethod(lambda icon: None))
    with pytest.raises(Started):
        run_app(tmp_path / "t.db")
    assert [type(getattr(hook, "__self__", None)) for hook in seen] == [crash.CrashReporter] * 2
    assert seen[0].__self__.log_path == tmp_path / "tracker.log"
