"""The import wizard driven as a user would: preview, columns, check, import, then cancel, undo and saved rejects."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QMessageBox, QWizard

from tracker.core.models import Changes
from tracker.ui.import_wizard import ImportWizard

NEXT = QWizard.WizardButton.NextButton
IMPORT = QWizard.WizardButton.CommitButton
FINISH = QWizard.WizardButton.FinishButton
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def no_job_left_running():
    """A test must not leave an import running on the thread pool (napari-style leak check)."""
    yield
    assert QThreadPool.globalInstance().waitForDone(10_000), "a job was still running after the test"


@pytest.fixture
def open_wizard(qtbot, store):
    def make(path: Path, kind: str = "contacts") -> ImportWizard:
        wizard = ImportWizard(store, path, kind)
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitExposed(wizard)
        return wizard

    return make


def press(qtbot, wizard: ImportWizard, which: QWizard.WizardButton) -> None:
    button = wizard.button(which)
    assert button.isVisible() and button.isEnabled(), f"{button.text()} cannot be pressed"
    qtbot.mouseClick(button, LEFT)


def to_check_page(qtbot, wizard: ImportWizard) -> None:
    press(qtbot, wizard, NEXT)
    assert wizard.currentPage() is wizard.columns_page
    press(qtbot, wizard, NEXT)
    assert wizard.currentPage() is wizard.check_page


def run_import(qtbot, wizard: ImportWizard) -> list[Changes]:
    """Press Import on the check page and wait for the worker to finish; return what `imported` carried."""
    emitted: list[Changes] = []
    wizard.imported.connect(emitted.append)
    press(qtbot, wizard, IMPORT)
    assert wizard.currentPage() is wizard.import_page
    qtbot.waitUntil(lambda: not wizard.import_page.running, timeout=20_000)
    return emitted


def write_contacts(path: Path, rows: list[str], header: str = "First Name,Last Name,Email,Company") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_google_file_from_preview_to_report(qtbot, open_wizard, store, fixtures):
    wizard = open_wizard(fixtures / "google_contacts_sample.csv")
    assert wizard.windowTitle() == "Import contacts"
    preview = wizard.preview_page
    assert preview.model.rowCount() == 4
    assert preview.encoding.currentText() == "utf-8"
    assert preview.delimiter.currentData() == ","
    assert "4 rows" in preview.file_label.text()
    assert preview.model.headerData(18, Qt.Orientation.Horizontal) == "E-mail 1 - Value"
    assert not wizard.button(QWizard.WizardButton.BackButton).isVisible()

    press(qtbot, wizard, NEXT)
    columns = wizard.columns_page
    assert columns.combo_for("E-mail 1 - Value").currentData() == "email"
    assert columns.combo_for("First Name").currentData() == "first_name"
    assert columns.combo_for("Photo").currentData() == "ignore"
    assert len(columns.combos) == 21

    press(qtbot, wizard, NEXT)
    assert wizard.check_page.summary.text() == "4 rows: 4 new, 0 merged into existing contacts, 0 rejected."
    assert store.contacts.count() == 0  # the check is a dry run

    emitted = run_import(qtbot, wizard)
    page = wizard.import_page
    assert store.contacts.count() == 4
    assert store.contacts.by_email("marta@nowakflorist.example").company == "Nowak Florist"
    assert "4 created" in page.status.text()
    assert page.undo_button.isVisible() and page.undo_button.isEnabled()
    assert not page.save_button.isEnabled()  # nothing was rejected
    assert emitted == [Changes(contacts=True)]
    assert wizard.button(FINISH).isEnabled()
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()


def test_cp1252_semicolon_file_and_a_wrong_encoding(qtbot, open_wizard, fixtures):
    wizard = open_wizard(fixtures / "excel_fr_semicolon_cp1252.csv")
    preview = wizard.preview_page
    assert preview.delimiter.currentData() == ";"
    assert preview.delimiter.currentText().startswith(";")
    assert preview.encoding.currentText() == "cp1252"
    assert preview.model.index(0, 0).data() == "Élodie"
    assert preview.model.headerData(0, Qt.Orientation.Horizontal) == "Prénom"
    alternatives = [preview.encoding.itemText(i) for i in range(preview.encoding.count())]
    assert alternatives[0] == "cp1252" and "utf-8" in alternatives and "mac_roman" in alternatives
    assert not preview.error.isVisible()

    preview.encoding.setCurrentIndex(preview.encoding.findText("utf-8"))
    assert preview.error.isVisible()
    assert "not valid utf-8" in preview.error.text()
    assert "--encoding" not in preview.error.text()  # the CLI hint becomes a hint about this page
    assert preview.model.rowCount() == 0
    assert not wizard.button(NEXT).isEnabled()

    preview.encoding.setCurrentIndex(preview.encoding.findText("cp1252"))
    assert not preview.error.isVisible()
    assert wizard.button(NEXT).isEnabled()
    assert preview.model.index(1, 0).data() == "Gaël"


def test_typed_encoding_and_delimiter_read_the_file_again(qtbot, open_wizard, fixtures):
    wizard = open_wizard(fixtures / "excel_fr_semicolon_cp1252.csv")
    preview = wizard.preview_page
    preview.delimiter.setCurrentIndex(preview.delimiter.findData(","))
    assert preview.model.columnCount() == 1  # one wide column: the user sees the delimiter is wrong
    preview.delimiter.setCurrentIndex(preview.delimiter.findData(";"))
    assert preview.model.columnCount() == 5

    preview.encoding.lineEdit().setText("latin-1")
    preview.encoding.lineEdit().editingFinished.emit()
    assert preview.model.index(0, 0).data() == "Élodie"
    preview.encoding.lineEdit().setText("klingon")
    preview.encoding.lineEdit().editingFinished.emit()
    assert "not an encoding" in preview.error.text()
    assert not wizard.button(NEXT).isEnabled()


def test_ignoring_a_column_imports_without_it(qtbot, open_wizard, store, fixtures):
    wizard = open_wizard(fixtures / "google_contacts_sample.csv")
    press(qtbot, wizard, NEXT)
    company = wizard.columns_page.combo_for("Organization Name")
    assert company.currentData() == "company"
    company.setCurrentIndex(company.findData("ignore"))
    assert company.currentText() == "Don't import"
    press(qtbot, wizard, NEXT)
    assert wizard.mapping[wizard.table.header.index("Organization Name")] == "ignore"
    assert len(wizard.mapping) == 21
    run_import(qtbot, wizard)
    assert store.contacts.count() == 4
    assert store.contacts.by_email("marta@nowakflorist.example").company == ""
    assert store.contacts.by_email("hiroshi@satoramen.example").company == ""
    assert store.contacts.by_email("hiroshi@satoramen.example").first_name == "Hiroshi"


def test_choices_survive_going_back(qtbot, open_wizard, fixtures):
    wizard = open_wizard(fixtures / "google_contacts_sample.csv")
    press(qtbot, wizard, NEXT)
    notes = wizard.columns_page.combo_for("Labels")
    notes.setCurrentIndex(notes.findData("notes"))
    press(qtbot, wizard, NEXT)
    wizard.back()
    wizard.back()
    assert wizard.currentPage() is wizard.preview_page
    press(qtbot, wizard, NEXT)
    assert wizard.columns_page.combo_for("Labels").currentData() == "notes"


def test_nothing_usable_is_explained_and_blocks_import(qtbot, open_wizard, store, tmp_path):
    wizard = open_wizard(write_contacts(tmp_path / "people.csv", ["Anna,Lee,anna@example.com,Lee Ltd"]))
    press(qtbot, wizard, NEXT)
    for combo in wizard.columns_page.combos:
        combo.setCurrentIndex(combo.findData("ignore"))
    press(qtbot, wizard, NEXT)
    check = wizard.check_page
    assert check.error.isVisible()
    assert "No column of people.csv looks like a name, e-mail or phone" in check.error.text()
    assert "choose “E-mail” for the right column on the Columns page" in check.error.text()
    assert not wizard.button(IMPORT).isEnabled()
    assert store.contacts.count() == 0


def test_big_files_are_checked_on_a_worker(qtbot, open_wizard, monkeypatch, fixtures):
    monkeypatch.setattr(ImportWizard, "BACKGROUND_CHECK_BYTES", 0)
    wizard = open_wizard(fixtures / "google_contacts_sample.csv")
    press(qtbot, wizard, NEXT)
    press(qtbot, wizard, NEXT)
    check = wizard.check_page
    assert check.summary.text() == "Checking the file…"
    assert not wizard.button(IMPORT).isEnabled()
    qtbot.waitUntil(lambda: wizard.button(IMPORT).isEnabled(), timeout=10_000)
    assert check.summary.text().startswith("4 rows: 4 new")


def test_a_file_too_big_to_count_at_once_is_previewed_from_its_first_rows(
    qtbot, open_wizard, store, tmp_path, monkeypatch
):
    monkeypatch.setattr(ImportWizard, "BACKGROUND_CHECK_BYTES", 0)  # every file is big: checked on a worker
    rows = [f"Person{i:05d},Family{i:05d},person{i:05d}@example.com,Shop" for i in range(10_000)]
    wizard = open_wizard(write_contacts(tmp_path / "big.csv", rows))
    preview = wizard.preview_page
    assert "about 10,000 rows (first 50 shown)" in preview.file_label.text()
    assert len(wizard.table.rows) == 2000 and preview.model.rowCount() == 50
    to_check_page(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.button(IMPORT).isEnabled(), timeout=20_000)
    assert wizard.check_page.summary.text().startswith("10,000 rows: 10,000 new")
    run_import(qtbot, wizard)
    assert store.contacts.count() == 10_000


def test_cancel_a_big_import_leaves_nothing(qtbot, open_wizard, store, tmp_path):
    rows = [f"Person{i},Family{i},person{i}@example.com,Shop {i % 300}" for i in range(60_000)]
    wizard = open_wizard(write_contacts(tmp_path / "big.csv", rows))
    assert "60,000 rows" in wizard.preview_page.file_label.text()
    assert wizard.preview_page.model.rowCount() == 50
    to_check_page(qtbot, wizard)
    assert wizard.check_page.summary.text().startswith("60,000 rows: 60,000 new")

    emitted: list[Changes] = []
    wizard.imported.connect(emitted.append)
    press(qtbot, wizard, IMPORT)
    page = wizard.import_page
    assert page.running
    assert not wizard.button(FINISH).isEnabled()
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()
    qtbot.waitUntil(lambda: page.progress.value() > 0, timeout=20_000)
    qtbot.mouseClick(page.cancel_button, LEFT)
    qtbot.waitUntil(lambda: not page.running, timeout=20_000)

    assert page.status.text() == "Cancelled — nothing was imported."
    assert store.contacts.count() == 0
    assert emitted == []
    assert not page.undo_button.isVisible()
    assert wizard.button(FINISH).isEnabled()


def test_escape_while_importing_cancels_then_closes(qtbot, open_wizard, store, tmp_path):
    rows = [f"Person{i},Family{i},person{i}@example.com," for i in range(20_000)]
    wizard = open_wizard(write_contacts(tmp_path / "big.csv", rows))
    to_check_page(qtbot, wizard)
    press(qtbot, wizard, IMPORT)
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert wizard.isVisible()  # the window stays until the rollback is done
    assert wizard.import_page.status.text() == "Cancelling…"
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=20_000)
    assert wizard.import_page.status.text() == "Cancelled — nothing was imported."
    assert store.contacts.count() == 0


def test_undo_from_the_report_page(qtbot, open_wizard, store, fixtures, add_contact):
    add_contact("chloe.m@mail.example", first_name="Chloé", last_name="", company="Café Chloé")
    wizard = open_wizard(fixtures / "google_contacts_sample.csv")
    to_check_page(qtbot, wizard)
    assert wizard.check_page.summary.text() == "4 rows: 3 new, 1 merged into existing contacts, 0 rejected."
    run_import(qtbot, wizard)
    assert store.contacts.count() == 4
    assert store.contacts.by_email("chloe.m@mail.example").last_name == "Martin"

    page = wizard.import_page
    with qtbot.waitSignal(wizard.imported, timeout=5_000) as undone:
        qtbot.mouseClick(page.undo_button, LEFT)
    assert undone.args[0].contacts
    assert page.status.text().startswith("Import undone")
    assert "3 contacts removed" in page.status.text()
    assert not page.undo_button.isEnabled()
    assert store.contacts.count() == 1  # the contact that was there before stays, as it was
    assert store.contacts.by_email("chloe.m@mail.example").last_name == ""


def test_undo_runs_on_a_worker_with_the_button_disabled(qtbot, open_wizard, store, fixtures, monkeypatch):
    import threading

    from tracker.core.operations import imports as import_ops

    wizard = open_wizard(fixtures / "google_contacts_sample.csv")
    to_check_page(qtbot, wizard)
    run_import(qtbot, wizard)
    page = wizard.import_page
    threads: list[threading.Thread] = []
    release = threading.Event()
    real_undo = import_ops.undo_import

    def undo_on_a_worker(*args, **kwargs):
        threads.append(threading.current_thread())
        assert release.wait(10)  # held until the test has seen the page while it runs
        return real_undo(*args, **kwargs)

    monkeypatch.setattr(import_ops, "undo_import", undo_on_a_worker)
    qtbot.mouseClick(page.undo_button, LEFT)
    qtbot.waitUntil(lambda: bool(threads))
    assert threads[0] is not threading.main_thread()
    assert not page.undo_button.isEnabled() and page.running
    assert page.status.text() == f"Undoing import {page.report.batch_id}…"
    assert not wizard.button(FINISH).isEnabled()
    with qtbot.waitSignal(wizard.imported, timeout=5_000):
        release.set()
    qtbot.waitUntil(lambda: not page.running)
    assert page.status.text().startswith("Import undone")
    assert store.contacts.count() == 0
    assert not page.undo_button.isEnabled() and wizard.button(FINISH).isEnabled()


def test_undo_asks_first_when_work_done_since_would_go(qtbot, open_wizard, store, fixtures, monkeypatch):
    """A purchase logged by hand and a note edited after the import: the undo names them and waits for a yes."""
    wizard = open_wizard(fixtures / "google_contacts_sample.csv")
    to_check_page(qtbot, wizard)
    run_import(qtbot, wizard)
    marta = store.contacts.by_email("marta@nowakflorist.example")
    store.interactions.log(marta.id, "purchase", datetime(2026, 11, 2, 10, 0), amount=35)
    store.contacts.update(store.contacts.by_email("hiroshi@satoramen.example").id, notes="Lunch on Fridays")

    asked: list[tuple[str, Qt.TextFormat]] = []
    answer = [QMessageBox.StandardButton.No]

    def exec_box(box: QMessageBox) -> int:
        asked.append((box.text(), box.textFormat()))
        return answer[0].value

    monkeypatch.setattr(QMessageBox, "exec", exec_box)
    page = wizard.import_page
    qtbot.mouseClick(page.undo_button, LEFT)
    assert len(asked) == 1
    text, text_format = asked[0]
    assert text_format == Qt.TextFormat.PlainText
    assert text.startswith(
        f"Undoing import {wizard.import_page.report.batch_id} would also remove 1 interaction "
        "added by hand, and 1 contact edited since."
    )
    assert "4 contacts and 1 interaction are removed" in text
    assert store.contacts.count() == 4 and store.interactions.count() == 1  # "No" changed nothing
    assert page.undo_button.isEnabled()

    answer[0] = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(wizard.imported, timeout=5_000):
        qtbot.mouseClick(page.undo_button, LEFT)
    assert len(asked) == 2
    assert store.contacts.count() == 0 and store.interactions.count() == 0
    assert page.status.text() == (
        "Import undone: 4 contacts removed, 1 interaction removed. This included work "
        "done since: 1 interaction added by hand, and 1 contact edited since."
    )
    assert not page.undo_button.isEnabled()


def test_save_rejected_rows(qtbot, open_wizard, store, tmp_path, monkeypatch):
    source = write_contacts(
        tmp_path / "people.csv",
        [
            "Anna,Lee,anna@example.com,Lee Ltd",
            ",,not-an-address,",
            "Ben,Okafor,ben@example.com,",
        ],
    )
    saved = tmp_path / "rejected.csv"
    monkeypatch.setattr(ImportWizard, "_ask_save_path", lambda self: saved)
    wizard = open_wizard(source)
    to_check_page(qtbot, wizard)
    check = wizard.check_page
    assert check.summary.text() == "3 rows: 2 new, 0 merged into existing contacts, 1 rejected."
    assert "Line 3: invalid e-mail 'not-an-address'" in check.problems.text()

    run_import(qtbot, wizard)
    page = wizard.import_page
    assert store.contacts.count() == 2
    assert "1 rejected" in page.status.text()
    assert page.save_button.isEnabled()
    qtbot.mouseClick(page.save_button, LEFT)
    with saved.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert rows[0]["Email"] == "not-an-address"
    assert rows[0]["line"] == "3"
    assert "invalid e-mail" in rows[0]["reason"]
    assert f"Saved 1 rejected row to {saved}" in page.note.text()


def test_shop_orders_become_four_purchases(qtbot, open_wizard, store, fixtures):
    wizard = open_wizard(fixtures / "shopify_orders_sample.csv", kind="interactions")
    assert wizard.windowTitle() == "Import interactions"
    assert wizard.preview_page.model.rowCount() == 7
    press(qtbot, wizard, NEXT)
    columns = wizard.columns_page
    assert columns.combo_for("Name").currentData() == "order"  # order lines are grouped by the order number
    assert columns.combo_for("Email").currentData() == "email"
    assert columns.combo_for("Total").currentData() == "amount"
    press(qtbot, wizard, NEXT)
    assert wizard.check_page.summary.text().startswith("7 rows: 4 new interactions")

    emitted = run_import(qtbot, wizard)
    assert emitted == [Changes(contacts=True, interactions=True)]
    purchases = store.interactions.list()
    assert [i.kind for i in purchases] == ["purchase"] * 4
    assert sorted(i.amount for i in purchases) == [18.0, 25.0, 38.5, 52.0]
    assert store.contacts.count() == 3
    assert "4 created" in wizard.import_page.status.text()


def test_preview_model_passes_qt_model_checks(qtmodeltester, open_wizard, fixtures):
    wizard = open_wizard(fixtures / "excel_fr_semicolon_cp1252.csv")
    qtmodeltester.check(wizard.preview_page.model, force_py=True)


def test_a_file_that_is_not_csv_is_explained(qtbot, open_wizard, tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(200))
    wizard = open_wizard(path)
    assert wizard.preview_page.error.isVisible()
    assert "Excel .xlsx workbook" in wizard.preview_page.error.text()
    assert not wizard.button(NEXT).isEnabled()


def test_check_page_lists_different_people_sharing_a_phone(qtbot, open_wizard, fixtures):
    wizard = open_wizard(fixtures / "import" / "evidence_shared_phone.csv")
    to_check_page(qtbot, wizard)
    check = wizard.check_page
    assert check.summary.text() == "5 rows: 4 new, 1 merged into existing contacts, 0 rejected."
    assert "Line 3: Erik Lund shares the phone +46 70 123 45 67 with Anna Berg" in check.problems.text()
    assert "Line 6: Fjord Café AB shares the phone +46 8 123 456 78 with Nordic Bikes AB" in check.problems.text()
