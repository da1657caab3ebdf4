"""What an import did, row by row: counts that add up, problems with line numbers, the rejected rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tracker.core.export import write_csv

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


@dataclass(slots=True)
class Problem:
    """A row that was rejected, or taken with a warning (`rejected=False`)."""

    line: int
    reason: str
    values: list[str] = field(default_factory=list)
    rejected: bool = True


@dataclass(slots=True)
class ImportReport:
    """Counts satisfy rows = created + updated + rejected."""

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
    problems: list[Problem] = field(default_factory=list)

    def reject(self, line: int, reason: str, values: list[str]) -> None:
        self.rejected += 1
        self.problems.append(Problem(line, reason, values, True))

    def warn(self, line: int, reason: str, values: list[str]) -> None:
        self.problems.append(Problem(line, reason, values, False))

    @property
    def rejects(self) -> list[Problem]:
        return [p for p in self.problems if p.rejected]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.rejected]

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        text = (f"{verb} {self.rows} rows from {self.source}: {self.created} created, "
                f"{self.updated} updated/merged, {self.rejected} rejected")
        if self.contacts_created:
            text += f" ({self.contacts_created} new contacts)"
        return text + "."

    def counts(self) -> dict:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "rejected": self.rejected,
                "contacts_created": self.contacts_created}

    def to_dict(self, problem_limit: int = 200) -> dict:
        return {
            **self.counts(),
            "kind": self.kind,
            "source": self.source,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "mapping": self.mapping,
            "batch_id": self.batch_id,
            "dry_run": self.dry_run,
            "rejects": [{"line": p.line, "reason": p.reason} for p in self.rejects[:problem_limit]],
            "warnings": [{"line": p.line, "reason": p.reason} for p in self.warnings[:problem_limit]],
        }

    def write_rejects(self, path: Path | str, *, database: Path | str | None) -> int:
        """The rejected rows as they were in the file, with `line` and `reason` columns added (never over the live
        `database`, its backups or anything not a regular file)."""
        width = max([len(self.header)] + [len(p.values) for p in self.rejects])
        header = list(self.header) + [f"column {i + 1}" for i in range(len(self.header), width)]
        columns = [*header, "line", "reason"]
        rows = []
        for problem in self.rejects:
            row = dict(zip(header, problem.values, strict=False))
            row.update(line=problem.line, reason=problem.reason)
            rows.append(row)
        return write_csv(path, columns, rows, database=database)
