"""The import wizard: preview a CSV, say what each column holds, check what would happen, then import with undo.

Every page asks the core and shows its answer: `read_table` for the preview, `suggest_mapping` for the columns, a dry
run for the check, and the real import as a job on its own connection, so the window stays responsive and the user
can cancel (the core rolls the whole batch back). The file is read once for the preview (its first rows; a file
dropped on the window is read once for deciding its kind and the preview), the columns page works from those rows,
and only the check and the import read it to the end. The columns chosen go to the core by position, as a mapping.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from tracker.core.errors import ImportRejected, TrackerError
from tracker.core.importing import ImportReport
from tracker.core.importing.columns import (
    CONTACT_FIELDS,
    INTERACTION_FIELDS,
    header_recognition,
    suggest_mapping,
)
from tracker.core.importing.encodings import rank_encodings
from tracker.core.importing.reading import PEEK_ROWS, Table, encoding_sample, read_table
from tracker.core.importing.report import Cancelled, Progress
from tracker.core.operations.imports import import_file
from tracker.core.store import Store
from tracker.ui.import_parts import (
    FIELD_LABELS,
    HINT_STYLE,
    PREVIEW_ROWS,
    PreviewModel,
    codec_name,
    error_label,
    plural,
    show_error,
    window_sentence,
)
from tracker.ui.import_run_pages import CheckPage, ImportPage
from tracker.ui.text import plain, plain_tooltip

SAMPLE_ROWS = 200  # rows map_columns looks at to recognise unnamed columns, as the importers do
COMMON_ENCODINGS = ("utf-8", "utf-16", "cp1252", "cp1251", "gb18030", "cp932", "mac_roman")
DELIMITERS = ((",", ", comma"), (";", "; semicolon"), ("\t", "Tab"), ("|", "| pipe"))
FORMAT_NAMES = {
    "vcard": " (vCard)",
    "xlsx": " (Excel workbook)",
    "xlsb": " (Excel binary workbook)",
    "xls": " (Excel 97–2003 workbook)",
    "ods": " (LibreOffice spreadsheet)",
    "zip": " (ZIP of CSV files)",
}


class PreviewPage(QWizardPage):
    """The file as Tracker reads it; the encoding and delimiter (a CSV's), or the sheet (a workbook's), can be
    changed and the file is read again."""

    def __init__(self, owner: ImportWizard, table: Table | None = None):
        super().__init__()
        self.owner = owner
        self.setTitle("Preview")
        self.setSubTitle("Check that names and accents read correctly. If they do not, try another encoding.")
        self.file_label = QLabel()
        self.file_label.setTextFormat(Qt.TextFormat.RichText)  # the file name in it is escaped
        self.file_label.setWordWrap(True)
        self.encoding = QComboBox()
        self.encoding.setEditable(True)
        self.encoding.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.encoding.setMinimumWidth(180)
        self.encoding.setToolTip("How the file's bytes become letters; type any encoding Python knows.")
        self.delimiter = QComboBox()
        for value, text in DELIMITERS:
            self.delimiter.addItem(text, value)
        self.sheet = QComboBox()
        self.sheet.setMinimumWidth(160)
        self.sheet.setToolTip("The sheet of the workbook to import.")
        self.error = error_label()
        self.model = PreviewModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table instead of walking its cells
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setDefaultSectionSize(140)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.verticalHeader().setToolTip("Line in the file")

        options = QHBoxLayout()
        self.option_labels: dict[str, QLabel] = {}
        for key, text, combo in (
            ("encoding", "&Encoding:", self.encoding),
            ("delimiter", "&Delimiter:", self.delimiter),
            ("sheet", "S&heet:", self.sheet),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            self.option_labels[key] = label
            options.addWidget(label)
            options.addWidget(combo)
            options.addSpacing(16)
        options.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        layout.addLayout(options)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)

        self._asked: tuple[str | None, str | None, str | None] | None = None
        self._workbook = False  # the file shown last is a workbook: the sheet is its one choice
        self.encoding.currentIndexChanged.connect(self._options_changed)
        typed = self.encoding.lineEdit()
        assert typed is not None  # the encoding combo is editable
        typed.editingFinished.connect(self._options_changed)
        self.delimiter.currentIndexChanged.connect(self._options_changed)
        self.sheet.currentIndexChanged.connect(self._options_changed)
        if table is None:
            self._read(None, None)
        else:  # read already, as the window decided what a dropped file holds
            self._show(None, table)
        self._fill_encodings()

    def isComplete(self) -> bool:
        return self.owner.table is not None

    def _options_changed(self) -> None:
        table = self.owner.table
        if self._workbook:  # only its sheet can be chosen (another after one that could not be read, too)
            self._read(None, None, self.sheet.currentText() or None)
            return
        encoding = self.encoding.currentText().strip() or None
        delimiter = self.delimiter.currentData() if table is None or table.format in ("csv", "zip") else None
        self._read(encoding, delimiter)

    def _read(self, encoding: str | None, delimiter: str | None, sheet: str | None = None) -> None:
        if (encoding, delimiter, sheet) == self._asked:
            return  # editingFinished after a pick from the list, or focus leaving the field: nothing new to read
        self._asked = (encoding, delimiter, sheet)
        try:
            table = self.owner.read_preview(self.owner.path, encoding=encoding, delimiter=delimiter, sheet=sheet)
        except ImportRejected as exc:
            self.owner.table = None
            self.model.set_table(None)
            show_error(self.error, window_sentence(exc))
            self.file_label.setText(f"<b>{html.escape(self.owner.path.name)}</b>")
        else:
            self._show(encoding, table)
        self.completeChanged.emit()

    def _show(self, encoding: str | None, table: Table) -> None:
        """Show a file read with `encoding` (None: detected) and keep it for the next pages."""
        self.owner.table = table
        self.owner.encoding = encoding  # None: let the importer detect it exactly as the preview did
        self.model.set_table(table)
        show_error(self.error, None)
        extra = f", header on line {table.header_line}" if table.header_line != 1 else ""
        shown = f"first {PREVIEW_ROWS} shown" if len(table.rows) > PREVIEW_ROWS else "all shown"
        counted = (
            plural(table.total_rows, "row")
            if table.total_rows is not None
            else "about " + plural(_roughly(table.estimated_rows), "row")
        )
        what = FORMAT_NAMES.get(table.format, "")
        sheet = f", sheet {html.escape(table.sheet)}" if table.sheet else ""
        self.file_label.setText(
            f"<b>{html.escape(self.owner.path.name)}</b>{what}{sheet} — {counted} "
            f"({shown}){extra}, {plural(len(table.header), 'column')}"
        )
        self._show_options(table)
        if table.sheets:
            self._asked = (None, None, table.sheet)
        else:
            self._asked = (
                encoding or table.encoding,
                table.delimiter if table.format in ("csv", "zip") else None,
                None,
            )

    def _show_options(self, table: Table) -> None:
        """The choices that apply to the file's format: encoding and delimiter for a CSV (encoding alone for a vCard
        file), the sheet for a workbook."""
        workbook = self._workbook = bool(table.sheets)
        delimited = table.format in ("csv", "zip")
        for key, shown in (("encoding", not workbook), ("delimiter", delimited), ("sheet", workbook)):
            self.option_labels[key].setVisible(shown)
        self.encoding.setVisible(not workbook)
        self.delimiter.setVisible(delimited)
        self.sheet.setVisible(workbook)
        if delimited:
            self.delimiter.blockSignals(True)
            if self.delimiter.findData(table.delimiter) < 0:
                self.delimiter.addItem(table.delimiter, table.delimiter)
            self.delimiter.setCurrentIndex(self.delimiter.findData(table.delimiter))
            self.delimiter.blockSignals(False)
        if workbook:
            self.sheet.blockSignals(True)
            self.sheet.clear()
            self.sheet.addItems(list(table.sheets))
            self.sheet.setCurrentIndex(max(0, self.sheet.findText(table.sheet or "")))
            self.sheet.blockSignals(False)

    def _fill_encodings(self) -> None:
        """The detected encoding first, then the runners-up for a legacy file, then the usual ones."""
        table = self.owner.table
        if table is not None and table.sheets:
            return  # a workbook has no encoding to choose
        detected = table.encoding if table else None
        if table is not None and table.format == "zip":
            detected = detected.split(",")[0] if detected else None  # members read apart: "utf-8, cp1252"
        names = [detected] if detected else []
        if detected and not codec_name(detected).startswith("utf") and (table is None or table.format == "csv"):
            try:
                ranked = rank_encodings(
                    encoding_sample(self.owner.path), header_bonus=header_recognition, complete=False
                )
            except (OSError, TrackerError):
                ranked = []
            names += [name for name, _ in ranked[:5]]
        names += COMMON_ENCODINGS
        seen: set[str] = set()
        self.encoding.blockSignals(True)
        for name in names:
            if codec_name(name) not in seen:
                seen.add(codec_name(name))
                self.encoding.addItem(name)
        self.encoding.setCurrentIndex(0 if detected else -1)
        self.encoding.blockSignals(False)


class ColumnsPage(QWizardPage):
    """One row per column of the file: its title, a few values, and the field it goes into."""

    def __init__(self, owner: ImportWizard):
        super().__init__()
        self.owner = owner
        self.setTitle("Columns")
        need = (
            "A contact needs a name, an e-mail address or a phone number."
            if owner.kind == "contacts"
            else "Each row needs an e-mail address, a phone or a customer number, and a date."
        )
        self.setSubTitle(f"Choose what each column holds; columns set to “Don't import” are skipped. {need}")
        self.combos: list[QComboBox] = []
        self._shown: Table | None = None
        self.scroll_area = QScrollArea()  # `scroll` would hide QWidget.scroll()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area)

    def initializePage(self) -> None:
        table = self.owner.table
        if table is not self._shown:  # keep the user's choices when they come back to this page
            assert table is not None  # the preview page has read the file
            self._build(table)

    def _build(self, table: Table) -> None:
        previous = self._shown.header if self._shown is not None else None
        chosen = [combo.currentData() for combo in self.combos]
        self._shown = table
        preset = self._preset(table)
        if previous == table.header:  # read again with another encoding or delimiter that changed no title
            preset = dict(enumerate(chosen))
        fields = CONTACT_FIELDS if self.owner.kind == "contacts" else INTERACTION_FIELDS
        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(16)
        for position, title in enumerate(("Column", "Examples", "Import as")):
            heading = QLabel(f"<b>{title}</b>")
            grid.addWidget(heading, 0, position)
        self.combos = []
        sample = table.rows[:SAMPLE_ROWS]
        for position, title in enumerate(table.header):
            combo = QComboBox()
            for field in (*fields, "ignore"):
                combo.addItem(FIELD_LABELS.get(field, field), field)
            combo.setCurrentIndex(combo.findData(preset.get(position, "ignore")))
            combo.setAccessibleName(f"Import {title} as")
            # plain text, and && for a literal & (the buddy makes & a shortcut key)
            name = plain(QLabel((title or f"(column {position + 1} has no title)").replace("&", "&&")))
            name.setBuddy(combo)
            values = [row[position].strip() for row in sample if position < len(row) and row[position].strip()]
            examples = plain(QLabel("   ·   ".join(_short(v) for v in values[:3]) or "(empty in the first rows)"))
            examples.setStyleSheet(HINT_STYLE)
            examples.setToolTip(plain_tooltip("\n".join(values[:3])))
            examples.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # clip, don't widen
            combo.currentIndexChanged.connect(lambda _=0, n=name, c=combo: _dim_if_ignored(n, c))
            _dim_if_ignored(name, combo)
            grid.addWidget(name, position + 1, 0)
            grid.addWidget(examples, position + 1, 1)
            grid.addWidget(combo, position + 1, 2)
            self.combos.append(combo)
        grid.setRowStretch(len(table.header) + 1, 1)
        self.scroll_area.setWidget(grid_widget)

    def _preset(self, table: Table) -> dict[int, str]:
        return suggest_mapping(table.header, table.rows, interactions=self.owner.kind == "interactions")

    def combo_for(self, title: str) -> QComboBox:
        assert self.owner.table is not None  # the columns page is built from the previewed table
        return self.combos[self.owner.table.header.index(title)]

    def mapping(self) -> dict[int, str]:
        """Every column by its position → field, ignored ones included, so the user's choice always wins (and two
        columns with the same title can hold different fields)."""
        return {position: combo.currentData() for position, combo in enumerate(self.combos)}


def _roughly(count: int) -> int:
    """A count to two significant figures, for an estimate."""
    return round(count, 1 - len(str(count))) if count >= 100 else count


def _dim_if_ignored(title: QLabel, combo: QComboBox) -> None:
    """Columns that will be imported stand out from the many a Google or Outlook export leaves empty."""
    title.setStyleSheet("color: #888;" if combo.currentData() == "ignore" else "font-weight: 600;")


def _short(text: str, limit: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ImportWizard(QWizard):
    """Import a contacts or interactions CSV in four steps: preview, columns, check, import."""

    imported = Signal(object)  # Changes, after an import and after its undo
    BACKGROUND_CHECK_BYTES = 5 * 1024 * 1024  # bigger files are dry-run on a worker thread

    def __init__(
        self,
        store: Store,
        path: Path | str,
        kind: str = "contacts",
        parent: QWidget | None = None,
        *,
        table: Table | None = None,
    ):
        """`table`: the file as `read_preview` read it, when the caller has read it already (a dropped file)."""
        super().__init__(parent)
        if kind not in ("contacts", "interactions"):
            raise ValueError(f"kind must be 'contacts' or 'interactions', not {kind!r}")
        self.store = store
        self.path = Path(path)
        self.kind = kind
        self.table: Table | None = None
        self.encoding: str | None = None
        self.mapping: dict[int, str] = {}
        self.close_when_done = False
        self.setWindowTitle(f"Import {kind}")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage)  # the import page has its own Cancel
        self.resize(900, 600)
        self.preview_page = PreviewPage(self, table)
        self.columns_page = ColumnsPage(self)
        self.check_page = CheckPage(self)
        self.import_page = ImportPage(self)
        for page in (self.preview_page, self.columns_page, self.check_page, self.import_page):
            self.addPage(page)

    @classmethod
    def read_preview(
        cls,
        path: Path | str,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        sheet: str | None = None,
    ) -> Table:
        """The file as the Preview page shows it: its first rows (a file small enough to check on the GUI thread is
        counted to the end). Read once per choice of encoding and delimiter (or sheet); the columns page works from
        it. A CSV, a vCard file, an .xlsx/.xls/.ods workbook or a ZIP of CSV files (a Mailchimp export)."""
        return read_table(
            path,
            encoding=encoding,
            delimiter=delimiter,
            sheet=sheet,
            limit=PEEK_ROWS,
            count_up_to=cls.BACKGROUND_CHECK_BYTES,
        )

    def work(self, *, dry_run: bool) -> Callable[..., ImportReport]:
        """The import as a job's work: `work(store, progress=…, cancelled=…)` → ImportReport."""
        assert self.table is not None  # the check and import pages come after the preview has read the file
        kind = self.kind
        options: dict[str, object] = {
            "encoding": self.encoding,
            "delimiter": self.table.delimiter if self.table.format in ("csv", "zip") else None,
            "sheet": self.table.sheet,
            "mapping": dict(self.mapping),
            "dry_run": dry_run,
        }
        path = self.path

        def run(store: Store, progress: Progress | None = None, cancelled: Cancelled | None = None) -> ImportReport:
            # the core reports bytes read of the file's size; a Qt signal carries 32-bit ints: send thousandths
            thousandths = (lambda done, total: progress(done * 1000 // max(total, 1), 1000)) if progress else None
            try:
                return import_file(store, path, kind, progress=thousandths, cancelled=cancelled, **options).report
            except ImportRejected as exc:  # worded here: a job reports a failure as a sentence
                raise ImportRejected(window_sentence(exc)) from None

        return run

    def _ask_save_path(self) -> Path | None:
        """Where to save the rejected rows; tests replace this instead of driving the file dialog."""
        suggested = self.path.with_name(f"{self.path.stem}-rejected.csv")
        chosen, _ = QFileDialog.getSaveFileName(self, "Save rejected rows", str(suggested), "CSV files (*.csv)")
        return Path(chosen) if chosen else None

    def reject(self) -> None:
        """Closing while the import runs cancels it; the window closes once the rollback is done (or, while an undo
        runs, once it has answered)."""
        if self.import_page.running:
            self.close_when_done = True
            self.import_page.cancel()
            return
        self.check_page.stop()
        super().reject()
