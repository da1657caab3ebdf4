"""What an import did, row by row: counts that add up, problems with line numbers, the rejected rows.

A file may have millions of bad rows, so the report keeps only the first KEPT_PROBLEMS problems in memory (for the
summary, the wizard and --json); the rejected rows after those go to a temporary file, and `write_rejects` writes
them all.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from tracker.core.errors import ImportHint, with_remedy
from tracker.core.export import neutralise
from tracker.core.safe_write import write_whole

Progress = Callable[[int, int], None]  # (bytes read, file size)
Cancelled = Callable[[], bool]
KEPT_PROBLEMS = 1000


@dataclass(slots=True)
class Problem:
    """A row that was rejected, or taken with a warning (`rejected=False`); `reason` names no control of a front
    end, `hint` says what the user can do about it (each front end words it: `worded`)."""

    line: int
    reason: str
    values: list[str] = field(default_factory=list)
    rejected: bool = True
    hint: ImportHint | None = None

    def worded(self, remedy: str | None) -> str:
        """The reason with a front end's wording of the hint: "unknown type 'tasting'; add it …"."""
        return with_remedy(self.reason, remedy) if remedy else self.reason


@dataclass(slots=True)
class ImportReport:
    """Counts satisfy rows = created + updated + rejected + skipped (rows read and deliberately not imported, by
    reason: a refunded or cancelled order is not a purchase)."""

    kind: str
    source: str
    encoding: str = ""
    delimiter: str = ""
    header: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    contacts_created: int = 0
    batch_id: int | None = None
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)  # the first KEPT_PROBLEMS, in file order
    warned: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason → rows
    _spilled: IO[str] | None = field(default=None, repr=False, compare=False)  # rejects after those, as CSV
    _spilled_width: int = field(default=0, repr=False, compare=False)

    def reject(self, line: int, reason: str, values: list[str], hint: ImportHint | None = None) -> None:
        self.rejected += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(Problem(line, reason, values, True, hint))
            return
        if self._spilled is None:
            spill = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the report
            self._spilled = io.TextIOWrapper(spill, encoding="utf-8", newline="")
        csv.writer(self._spilled).writerow([line, reason, *values])
        self._spilled_width = max(self._spilled_width, len(values))

    def skip(self, reason: str, rows: int = 1) -> None:
        """Rows read and deliberately left out (not a problem with the file): counted by reason."""
        self.skipped[reason] = self.skipped.get(reason, 0) + rows

    @property
    def skipped_rows(self) -> int:
        return sum(self.skipped.values())

    def warn(self, line: int, reason: str, values: list[str]) -> None:
        self.warned += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(Problem(line, reason, values, False))

    @property
    def problem_count(self) -> int:
        """Every problem, kept in memory or not."""
        return self.rejected + self.warned

    @property
    def rejects(self) -> list[Problem]:
        return [p for p in self.problems if p.rejected]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.rejected]

    def skipped_text(self) -> str:
        """', 6 skipped (refunded order), 1 skipped (…)' — the rows left out on purpose, by reason, for a summary
        (every front end's); '' when none were."""
        return "".join(f", {count:,} skipped ({reason})" for reason, count in sorted(self.skipped.items()))

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        text = (
            f"{verb} {self.rows} rows from {self.source}: {self.created} created, "
            f"{self.updated} updated/merged, {self.rejected} rejected"
        )
        text += self.skipped_text()
        if self.contacts_created:
            text += f" ({self.contacts_created} new contacts)"
        return text + "."

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "skipped": self.skipped_rows,
            "contacts_created": self.contacts_created,
        }

    def to_dict(self, problem_limit: int = 200) -> dict[str, Any]:
        return {
            **self.counts(),
            "kind": self.kind,
            "source": self.source,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "mapping": self.mapping,
            "batch_id": self.batch_id,
            "dry_run": self.dry_run,
            "skipped_by_reason": dict(sorted(self.skipped.items())),
            "rejects": [{"line": p.line, "reason": p.reason} for p in self.rejects[:problem_limit]],
            "warnings": [{"row": p.line, "line": p.line, "reason": p.reason} for p in self.warnings[:problem_limit]],
        }

    def write_rejects(self, path: Path | str, *, database: Path | str | None) -> int:
        """The rejected rows as they were in the file, with `line` and `reason` columns added (never over the live
        `database`, its backups or anything not a regular file)."""
        width = max([len(self.header), self._spilled_width] + [len(p.values) for p in self.rejects])
        header = list(self.header) + [f"column {i + 1}" for i in range(len(self.header), width)]
        written = 0

        def write(handle: BinaryIO) -> None:
            nonlocal written
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow([neutralise(c) for c in (*header, "line", "reason")])
            for line, reason, values in self._all_rejects():
                cells = [*values[:width], *[""] * (width - len(values))]
                writer.writerow([*(neutralise(c) for c in cells), line, neutralise(reason)])
                written += 1
            text.flush()
            text.detach()

        write_whole(path, write, database=database)
        return written

    def _all_rejects(self) -> Iterator[tuple[int, str, list[str]]]:
        for problem in self.rejects:
            yield problem.line, problem.reason, problem.values
        if self._spilled is not None:
            self._spilled.flush()
            self._spilled.seek(0)
            for line, reason, *values in csv.reader(self._spilled):
                yield int(line), reason, values
            self._spilled.seek(0, io.SEEK_END)
