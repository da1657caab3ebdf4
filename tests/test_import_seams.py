"""The seams between the import wizard, the CLI and the core (issue 14): the core says what is wrong and, as a
structured hint, what the user can change; each front end words that with its own controls. Column choices reach
the core as a mapping by position, and a dropped file is parsed once before the check."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWizard

from tracker.cli.base import main
from tracker.core.errors import ImportHint, ImportRejected
from tracker.core.importing import import_contacts, import_interactions
from tracker.core.importing.reading import CsvFile
from tracker.ui.import_wizard import ImportWizard
from tracker.ui.main_window import MainWindow

NEXT = QWizard.WizardButton.NextButton


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


#: (file name, contents, encoding, importer, options) → (hint, field, CLI words, window words)
REJECTED = {
    "no identity": (
        ("odd.csv", "Colour,Size\nred,3\n", "utf-8", "contacts", {}),
        (
            ImportHint.MAPPING,
            "email",
            "say which column with --map 'Column=email'",
            "choose “E-mail” for the right column on the Columns page",
        ),
    ),
    "no dates": (
        ("log.csv", "email,type\na@example.com,call\n", "utf-8", "interactions", {}),
        (
            ImportHint.MAPPING,
            "date",
            "say which column with --map 'Column=date'",
            "choose “Date” for the right column on the Columns page",
        ),
    ),
    "no type": (
        ("log.csv", "email,date\na@example.com,2026-05-01\n", "utf-8", "interactions", {}),
        (
            ImportHint.KIND,
            "kind",
            "say which column with --map 'Column=kind' or give every row one with --kind",
            "choose “Type (what happened)” for the right column on the Columns page",
        ),
    ),
    "wrong encoding": (
        ("fr.csv", "Prénom,Email\nÉlodie,e@example.com\n", "cp1252", "contacts", {"encoding": "utf-8"}),
        (ImportHint.ENCODING, None, "try another --encoding, e.g. cp1252", "choose another encoding on the first page"),
    ),
}


def run_cli(capsys, db_path: Path, *args: object) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), *(str(a) for a in args)])
    return exit_info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("case", REJECTED)
def test_the_core_says_what_is_wrong_with_a_hint_and_names_no_flag(store, tmp_path, case):
    (name, text, encoding, kind, options), (hint, field, _, _) = REJECTED[case]
    importer = import_contacts if kind == "contacts" else import_interactions
    with pytest.raises(ImportRejected) as rejected:
        importer(store, write(tmp_path / name, text, encoding), **options)
    assert (rejected.value.hint, rejected.value.field) == (hint, field)
    assert "--" not in str(rejected.value)
    assert store.contacts.count() == 0


@pytest.mark.parametrize("case", REJECTED)
def test_the_cli_words_the_hint_as_its_flags_on_one_line(capsys, db_path, tmp_path, case):
    (name, text, encoding, kind, options), (_, _, cli_words, _) = REJECTED[case]
    flags = ["--encoding", options["encoding"]] if "encoding" in options else []
    code, err = run_cli(capsys, db_path, "import", kind, write(tmp_path / name, text, encoding), *flags)
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith("tracker: ") and err.rstrip().endswith(".")
    assert cli_words in err


@pytest.mark.parametrize(
    ("choice", "words"),
    [(["Nope=email"], "has no column 'Nope'"), (["Email"], "'Email' is not a column and a field joined by '='")],
)
def test_a_wrong_map_is_one_cli_line_pointing_at_map(capsys, db_path, tmp_path, choice, words):
    source = write(tmp_path / "people.csv", "Name,Email\nAnna,anna@example.com\n")
    code, err = run_cli(capsys, db_path, "import", "contacts", source, *(a for c in choice for a in ("--map", c)))
    assert code == 2 and len(err.splitlines()) == 1
    assert words in err and "check the --map values" in err


def test_the_core_takes_columns_by_position_or_title(store, tmp_path):
    source = write(tmp_path / "people.csv", "Name,Contact,Contact\nAnna Berg,anna@example.com,+49 30 1234567\n")
    import_contacts(store, source, mapping={1: "email", 2: "phone"})
    anna = store.contacts.by_email("anna@example.com")
    assert (anna.first_name, anna.last_name, anna.phone) == ("Anna", "Berg", "+49 30 1234567")
    with pytest.raises(ImportRejected, match="no column 4") as rejected:
        import_contacts(store, source, mapping={3: "email"})
    assert rejected.value.hint is ImportHint.COLUMN_CHOICE
    with pytest.raises(TypeError):
        import_contacts(store, source, mapping=["Contact=email"])  # strings are the CLI's to parse


# The window ---------------------------------------------------------------------------------------------------


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
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("case", [case for case in REJECTED if case != "wrong encoding"])
def test_the_wizard_words_a_missing_column_as_its_columns_page(qtbot, open_wizard, tmp_path, case):
    (name, text, encoding, kind, _), (_, _, _, window_words) = REJECTED[case]
    wizard = open_wizard(write(tmp_path / name, text, encoding), kind)
    press(qtbot, wizard, NEXT)
    press(qtbot, wizard, NEXT)
    shown = wizard.check_page.error.text()
    assert wizard.check_page.error.isVisible()
    assert shown.endswith(f"; {window_words}.") and "--" not in shown


def test_the_wizard_words_a_wrong_encoding_as_its_first_page(open_wizard, tmp_path):
    (name, text, encoding, _, _), (_, _, _, window_words) = REJECTED["wrong encoding"]
    wizard = open_wizard(write(tmp_path / name, text, encoding))
    preview = wizard.preview_page
    preview.encoding.setCurrentIndex(preview.encoding.findText("utf-8"))
    shown = preview.error.text()
    assert "not valid utf-8" in shown
    assert shown.endswith(f"; {window_words}.") and "--" not in shown


def test_two_columns_with_one_title_are_imported_as_the_user_chose(qtbot, open_wizard, store, tmp_path):
    source = write(
        tmp_path / "people.csv",
        "Name,Contact,Contact\nAnna Berg,anna@example.com,+49 30 1234567\nBo Lund,bo@example.com,+46 70 1234567\n",
    )
    wizard = open_wizard(source)
    press(qtbot, wizard, NEXT)
    _, email, phone = wizard.columns_page.combos
    email.setCurrentIndex(email.findData("email"))
    phone.setCurrentIndex(phone.findData("phone"))
    press(qtbot, wizard, NEXT)
    assert wizard.check_page.summary.text().startswith("2 rows: 2 new")
    press(qtbot, wizard, QWizard.WizardButton.CommitButton)
    qtbot.waitUntil(lambda: not wizard.import_page.running, timeout=20_000)
    anna, bo = store.contacts.by_email("anna@example.com"), store.contacts.by_email("bo@example.com")
    assert (anna.first_name, anna.phone) == ("Anna", "+49 30 1234567")
    assert (bo.first_name, bo.phone) == ("Bo", "+46 70 1234567")


def test_a_dropped_file_is_parsed_once_until_the_check(qtbot, store, tmp_path, fixtures, monkeypatch):
    opened: list[Path] = []
    real_open = CsvFile._open

    def counted(self: CsvFile, *args, **kwargs):
        opened.append(self.path)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(CsvFile, "_open", counted)
    window = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    path = fixtures / "activity_log_sample.csv"
    opened.clear()  # whatever the window read for itself at start
    window.import_dropped(path)
    wizard = window.findChild(ImportWizard)
    assert wizard is not None and wizard.kind == "interactions"  # decided from the same read as the preview
    assert wizard.preview_page.model.rowCount() > 0
    press(qtbot, wizard, NEXT)
    assert wizard.currentPage() is wizard.columns_page and wizard.columns_page.combos
    assert opened == [path]
    press(qtbot, wizard, NEXT)  # the dry run reads the whole file, once
    assert wizard.check_page.report is not None
    assert opened == [path, path]
    wizard.close()


def test_an_unknown_kind_is_said_plainly_and_each_front_end_says_how_to_add_it(store, capsys, db_path, tmp_path):
    from tracker.cli.base import row_reason
    from tracker.ui.import_parts import window_row_reason

    store.contacts.add(email="anna@example.com", first_name="Anna")
    source = write(tmp_path / "log.csv", "email,type,date\nanna@example.com,teleport,2026-11-02\n")
    (problem,) = import_interactions(store, source).rejects
    assert (problem.reason, problem.hint) == ("unknown type 'teleport'", ImportHint.UNKNOWN_KIND)
    assert row_reason(problem) == "unknown type 'teleport'; add it with `tracker kinds add NAME --stage LEVEL`."
    assert window_row_reason(problem) == "unknown type 'teleport'; add it in Tools → Engagement settings."

    code, err = run_cli(capsys, db_path, "log", "anna@example.com", "teleport")
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("tracker: Unknown interaction kind 'teleport'; known kinds: ")
    assert err.rstrip().endswith("; add it with `tracker kinds add NAME --stage LEVEL`.")


def test_the_wizard_says_to_add_an_unknown_kind_in_the_settings(qtbot, open_wizard, store, tmp_path):
    store.contacts.add(email="anna@example.com", first_name="Anna")
    source = write(tmp_path / "log.csv", "email,type,date\nanna@example.com,teleport,2026-11-02\n")
    wizard = open_wizard(source, "interactions")
    press(qtbot, wizard, NEXT)
    press(qtbot, wizard, NEXT)
    assert wizard.check_page.problems.text() == (
        "Line 2: unknown type 'teleport'; add it in Tools → Engagement settings."
    )


def test_the_cli_import_report_words_the_unknown_kind_remedy_for_the_command_line(capsys, tmp_path):
    from tracker.cli import main

    source = tmp_path / "log.csv"
    source.write_text("email,date,type\nanna@example.com,2026-05-01,teleport\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(tmp_path / "t.db"), "import", "interactions", str(source)])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert "line 2: rejected: unknown type 'teleport'; add it with `tracker kinds add NAME --stage LEVEL`." in out
