"""Reading the formats besides CSV, against references measured in the same run (run by hand; pytest skips it).

- Workbooks: a 100k-row .xlsx (11 columns, shared strings, dates, numbers) read by Tracker's sheet reader
  (python-calamine, cells turned into CSV text) against openpyxl's read-only mode (values only) and against
  calamine's own to_python(); the time to load each library in a fresh interpreter; and the whole import of the
  workbook against the import of the same rows as a CSV.
- vCard: 100k cards (3.0, two e-mails, two phones, an address, a birthday) imported against the same rows as CSV.

openpyxl is not a dependency: install it anywhere on the path to get its figures (`pip install --target DIR
openpyxl` and PYTHONPATH=DIR), else they are left out.

    .venv/bin/python tests/bench/bench_formats.py [--rows 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures" / "formats"))

from make_spreadsheets import write_xlsx  # noqa: E402

from tracker.core.importing import import_contacts  # noqa: E402
from tracker.core.importing.sources import open_table  # noqa: E402
from tracker.core.store import Store  # noqa: E402

HEADER = ["First Name", "Last Name", "Email", "Phone", "Company", "Birthday", "Customer since", "Spent", "Tags",
          "Notes", "Newsletter"]  # fmt: skip


def customers(count: int) -> list[list[object]]:
    rows: list[list[object]] = []
    start = datetime(2020, 1, 1, 9, 0)
    for i in range(count):
        rows.append(
            [
                f"First{i}",
                f"Last{i % 5000}",
                f"customer{i}@example.com",
                447700000000 + i,  # a phone stored as a number, as Excel does
                f"Company {i % 300}" if i % 3 == 0 else "",
                date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
                start + timedelta(minutes=37 * i),
                round(10 + (i % 1000) * 1.37, 2),
                "VIP" if i % 10 == 0 else "Customers",
                "Prefers mornings" if i % 7 == 0 else "",
                i % 2 == 0,
            ]
        )
    return rows


def vcards(count: int) -> str:
    cards = []
    for i in range(count):
        cards.append(
            "BEGIN:VCARD\r\nVERSION:3.0\r\n"
            f"N:Last{i % 5000};First{i};;;\r\nFN:First{i} Last{i % 5000}\r\n"
            f"ORG:Company {i % 300};\r\n"
            f"item1.EMAIL;type=INTERNET;type=pref:customer{i}@example.com\r\n"
            f"item2.EMAIL;type=INTERNET:other{i}@example.org\r\n"
            f"item3.TEL;type=pref:+44 7700 {i:06d}\r\nitem3.X-ABLabel:_$!<Mobile>!$_\r\n"
            f"TEL;type=WORK;type=VOICE:020 7946 {i % 10000:04d}\r\n"
            f"item4.ADR;type=HOME:;;{i} High Street;London;;SW1A {i % 9}AA;United Kingdom\r\n"
            f"BDAY:{1950 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}\r\n"
            "NOTE:Likes tulips\\, not roses.\\nCall after 5pm.\r\nCATEGORIES:Customers\r\nEND:VCARD\r\n"
        )
    return "".join(cards)


def timed(work) -> tuple[float, object]:
    began = time.perf_counter()
    result = work()
    return time.perf_counter() - began, result


def load_time(module: str, repeat: int = 5) -> float:
    """The best time of `import module` in a fresh interpreter, less that of an empty one."""

    def run(code: str) -> float:
        best = float("inf")
        for _ in range(repeat):
            began = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            best = min(best, time.perf_counter() - began)
        return best

    return run(f"import {module}") - run("pass")


def read_with_tracker(path: Path) -> int:
    with open_table(path) as opened:
        return sum(1 for _ in opened.rows())


def read_with_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as workbook:
        return len(workbook.get_sheet_by_index(0).to_python())


def read_with_openpyxl(path: Path) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return count


def import_into(folder: Path, name: str, path: Path) -> tuple[float, int]:
    with Store.open(folder / f"{name}.db") as store:
        seconds, report = timed(lambda: import_contacts(store, path))
        return seconds, report.created  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the generated files here (default: a temporary folder)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-formats-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = customers(args.rows)
    xlsx = folder / "customers.xlsx"
    seconds, _ = timed(lambda: write_xlsx(xlsx, [("Customers", [HEADER, *rows])]))
    print(f"{args.rows:,} rows: wrote {xlsx.name} ({xlsx.stat().st_size / 1e6:.1f} MB) in {seconds:.1f} s")
    as_csv = folder / "customers.csv"
    with open_table(xlsx) as opened, as_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(opened.header)
        writer.writerows(row for _, row in opened.rows())

    print("\nLoad time of the reader (fresh interpreter, best of 5, less an empty one):")
    print(f"  python_calamine  {load_time('python_calamine') * 1000:6.0f} ms")
    try:
        import openpyxl  # noqa: F401

        have_openpyxl = True
        print(f"  openpyxl         {load_time('openpyxl') * 1000:6.0f} ms")
    except ImportError:
        have_openpyxl = False
        print("  openpyxl         (not installed: left out)")

    print(f"\nReading the {args.rows:,}-row sheet:")
    tracker_s, count = timed(lambda: read_with_tracker(xlsx))
    print(f"  Tracker (calamine, cells as text, header found)  {tracker_s:6.2f} s  ({count:,} rows)")
    raw_s, _ = timed(lambda: read_with_calamine(xlsx))
    print(f"  calamine to_python() alone                       {raw_s:6.2f} s  (Tracker {tracker_s / raw_s:.1f}x)")
    if have_openpyxl:
        op_s, _ = timed(lambda: read_with_openpyxl(xlsx))
        faster = op_s / tracker_s
        print(f"  openpyxl read-only, values only                  {op_s:6.2f} s  (Tracker {faster:.1f}x faster)")

    print("\nWhole import (contacts):")
    csv_s, made = import_into(folder, "from-csv", as_csv)
    print(f"  the rows as CSV       {csv_s:6.2f} s  ({made:,} contacts)")
    xlsx_s, made = import_into(folder, "from-xlsx", xlsx)
    print(f"  the .xlsx workbook    {xlsx_s:6.2f} s  ({made:,} contacts; {xlsx_s / csv_s:.2f}x the CSV's time)")

    vcf = folder / "contacts.vcf"
    vcf.write_text(vcards(args.rows), encoding="utf-8")
    vcf_csv = folder / "contacts-from-vcf.csv"
    with open_table(vcf) as opened:
        read_s, _ = timed(lambda: sum(1 for _ in opened.rows()))
    with open_table(vcf) as opened, vcf_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(opened.header)
        writer.writerows(row for _, row in opened.rows())
    print(f"\nvCard: {args.rows:,} cards ({vcf.stat().st_size / 1e6:.1f} MB) read as rows in {read_s:.2f} s")
    csv_s, made = import_into(folder, "vcf-as-csv", vcf_csv)
    print(f"  the same rows as CSV  {csv_s:6.2f} s  ({made:,} contacts)")
    vcf_s, made = import_into(folder, "from-vcf", vcf)
    print(f"  the .vcf file         {vcf_s:6.2f} s  ({made:,} contacts; {vcf_s / csv_s:.2f}x the CSV's time)")
    print(f"\nFiles in {folder}")


if __name__ == "__main__":
    main()
