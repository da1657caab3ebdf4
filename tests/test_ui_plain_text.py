"""Text from the user's data (names, notes, reasons, column titles, file names) is shown as written everywhere in the
window: never as rich text, where `<img src=…>` would load a local image and `<b>` would change the layout."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtGui import Qt as QtGui
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWizard

from tracker.core.followups import suggest_follow_ups
from tracker.ui.followups_model import FollowUpsModel
from tracker.ui.import_parts import PreviewModel
from tracker.ui.import_wizard import ImportWizard
from tracker.ui.interactions_model import InteractionsModel
from tracker.ui.main_window import MainWindow
from tracker.ui.text import centred, error_box, plain, plain_tooltip

AS_OF = date(2026, 11, 23)
RICH = '<img src="/tmp/x.png"><b>bold</b> &amp; more'
CELL = "<img src=/tmp/x.png><b>bold</b> &amp; more"  # the same in a CSV cell (no quotes)


@pytest.fixture(autouse=True)
def no_job_left_running():
    yield
    assert QThreadPool.globalInstance().waitForDone(10_000), "a job was still running after the test"


def shown(text: str) -> str:
    """What Qt shows for a tooltip (or an AutoText label): rich text when Qt.mightBeRichText says so."""
    document = QTextDocument()
    if QtGui.mightBeRichText(text):
        document.setHtml(text)
    else:
        document.setPlainText(text)
    return document.toPlainText()


@pytest.mark.parametrize("text", [RICH, "plain", "two\nlines", "a &lt; b", "<p>x</p>\n<b>y</b>", ""])
def test_plain_tooltip_shows_the_text_as_written(qtbot, text):
    assert shown(plain_tooltip(text)) == text


def test_follow_up_tooltip_shows_the_reason_as_written(store):
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    store.follow_ups.schedule(anna.id, AS_OF, RICH)
    model = FollowUpsModel()
    model.set_items(suggest_follow_ups(store, AS_OF))
    (item,) = model.items()
    tip = model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert RICH in item.reason
    assert shown(tip) == f"{item.reason}\n{item.action}"
    assert "&lt;img" in tip


def test_interaction_note_tooltip_shows_the_note_as_written(store):
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    store.interactions.log(anna.id, "call", datetime(2026, 11, 1, 12), note=RICH)
    model = InteractionsModel()
    model.set_items(store.interactions.list())
    column = model.columns.index("Note")
    assert shown(model.index(0, column).data(Qt.ItemDataRole.ToolTipRole)) == RICH


def test_status_bar_undo_text_with_a_name_is_plain(qtbot, store, tmp_path):
    rich = store.contacts.add(first_name=RICH, email="rich@example.com")
    window = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.contacts_tab.model.total() == 1)
    window.contacts_tab.save_contact(rich.id, {"phone": "+31 6 1234 5678"})
    qtbot.waitUntil(lambda: "Undo: Edit" in window.status.text())
    assert window.status.textFormat() == Qt.TextFormat.PlainText
    assert f"Undo: Edit {RICH}" in window.status.text()
    window.close()


def test_about_box_quotes_the_database_path_as_written(qtbot, tmp_path, monkeypatch):
    from tracker.core.store import Store

    folder = tmp_path / "<img src=x><b>shop"
    folder.mkdir()
    with Store.open(folder / "t.db") as store:
        window = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        seen: list[str] = []
        monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text: seen.append(text)))
        window.about()
        document = QTextDocument()
        document.setHtml(seen[0])
        assert f"Database: {folder / 't.db'}" in document.toPlainText()
        window.close()


def test_error_box_is_plain_text(qtbot):
    box = error_box(None, RICH)
    assert box.textFormat() == Qt.TextFormat.PlainText and box.text() == RICH
    assert box.icon() == QMessageBox.Icon.Warning  # unless told otherwise
    assert error_box(None, "x", QMessageBox.Icon.Critical).icon() == QMessageBox.Icon.Critical


def test_plain_and_centred_labels_set_the_same_values_as_the_enums(qtbot):
    """plain() and centred() set the label's property by its key name (no Qt enums before the first paint): the
    same values as setTextFormat(PlainText) and setAlignment(AlignCenter), and the label shows markup as written."""
    label = plain(QLabel(RICH))
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert centred(QLabel("x")).alignment() == Qt.AlignmentFlag.AlignCenter
    qtbot.addWidget(label)
    label.show()
    assert label.sizeHint().width() > QLabel("bold & more").sizeHint().width()  # the tags are shown, not applied


def test_app_start_failure_dialog_is_plain_text(qtbot, tmp_path, monkeypatch):
    from tracker.ui.app import run_app

    broken = tmp_path / "<img src=x>.db"
    broken.write_bytes(b"not a database at all, just text" * 10)
    seen: list[tuple[Qt.TextFormat, str]] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: seen.append((self.textFormat(), self.text())) or 0)
    for static in ("critical", "warning", "information"):  # these guess rich text from the message
        monkeypatch.setattr(
            QMessageBox, static, staticmethod(lambda parent, title, text, *a, **k: seen.append((None, text)) or 0)
        )
    monkeypatch.setattr(QApplication, "setWindowIcon", staticmethod(lambda icon: None))
    assert run_app(broken) == 2
    assert seen and seen[0][0] == Qt.TextFormat.PlainText and "<img src=x>.db" in seen[0][1]


# The import wizard ------------------------------------------------------------------------------------------


@pytest.fixture
def rich_file(tmp_path) -> Path:
    path = tmp_path / "<img src=x><b>shop.csv"
    path.write_text(f"First Name,Email,{CELL}\nAnna,anna@example.com,{CELL}\nBen,<b>x</b>,\n", encoding="utf-8")
    return path


def test_preview_cell_tooltips_show_the_value_as_written(rich_file):
    from tracker.core.importing.reading import read_table

    model = PreviewModel()
    model.set_table(read_table(rich_file))
    assert shown(model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)) == CELL


def test_wizard_shows_file_name_column_titles_and_examples_as_written(qtbot, store, rich_file):
    wizard = ImportWizard(store, rich_file, "contacts")
    qtbot.addWidget(wizard)
    wizard.show()
    assert shown(wizard.preview_page.file_label.text()).startswith(rich_file.name)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    title = CELL
    labels = wizard.columns_page.findChildren(QLabel)
    column_labels = [label for label in labels if label.buddy() is wizard.columns_page.combo_for(title)]
    assert len(column_labels) == 1
    assert column_labels[0].textFormat() == Qt.TextFormat.PlainText
    assert column_labels[0].text().replace("&&", "&") == title
    examples = [label for label in labels if label.toolTip() and title in shown(label.toolTip())]
    assert examples and all(label.textFormat() == Qt.TextFormat.PlainText for label in examples)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    problems = wizard.check_page.problems
    qtbot.waitUntil(lambda: "<b>x</b>" in problems.text())
    assert problems.textFormat() == Qt.TextFormat.PlainText
    summary = wizard.check_page.summary
    assert summary.textFormat() == Qt.TextFormat.PlainText
    wizard.reject()
