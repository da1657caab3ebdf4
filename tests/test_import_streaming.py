"""Imports stream: memory stays flat whatever the file size, files are written in chunks inside one batch, inputs that
are not regular files are refused before they are opened, and bad arguments end in one line (exit 2)."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.errors import ImportRejected
from tracker.core.importing import import_contacts, import_interactions, reading
from tracker.core.importing import report as report_module
from tracker.core.store import Store


def run(capsys, db_path: Path, *args: object) -> tuple[int, str, str]:
    """`tracker --db DB ARGS…` in-process, as tests/test_cli.py runs it: (exit code, stdout, stderr)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), *(str(a) for a in args)])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def one_line_error(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 2, f"exit {code}, stderr {err!r}"
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: "), err
    assert "Traceback" not in out + err and "Unexpected error" not in err
    return lines[0]


def nothing_written(db_path: Path) -> bool:
    with Store.open(db_path) as store:
        return (store.contacts.count(), store.interactions.count(), store.imports.list()) == (0, 0, [])


def activity_log(path: Path, rows: int, *, people: int = 500) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "date", "type", "amount"])
        for i in range(rows):
            writer.writerow(
                [
                    f"p{i % people}@example.com",
                    f"2026-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:{(i // 60) % 60:02d}",
                    "purchase",
                    f"{i % 400}.50",
                ]
            )
    return path


# Inputs that are not regular files ---------------------------------------------------------------------


def test_cli_refuses_dev_zero_in_one_line(capsys, db_path):
    message = one_line_error(run(capsys, db_path, "import", "contacts", "/dev/zero"))
    assert "/dev/zero is not a regular file" in message
    assert nothing_written(db_path)


@pytest.mark.parametrize("importer", [import_contacts, import_interactions])
def test_a_fifo_is_refused_without_blocking(store, tmp_path, importer):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(ImportRejected, match="named pipe") as refused:
        importer(store, fifo)  # opening a FIFO for reading would wait for a writer forever
    assert "\n" not in str(refused.value)
    assert store.imports.list() == []


def test_devices_sockets_and_folders_are_refused(store, tmp_path):
    with pytest.raises(ImportRejected, match="device"):
        import_contacts(store, "/dev/zero")
    with pytest.raises(ImportRejected, match="folder"):
        import_contacts(store, tmp_path)
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "s.csv"))
        with pytest.raises(ImportRejected, match="socket"):
            import_interactions(store, tmp_path / "s.csv")
    finally:
        server.close()
    assert store.imports.list() == []


# Arguments that are not what they claim to be ---------------------------------------------------------------


@pytest.mark.parametrize("codec", ["rot13", "base64", "hex"])
def test_an_encoding_that_is_not_a_text_encoding_is_one_line(capsys, db_path, tmp_path, codec):
    source = tmp_path / "log.csv"
    source.write_text("email,date,type\na@example.com,2026-05-01,call\n", encoding="utf-8")
    message = one_line_error(run(capsys, db_path, "import", "interactions", source, "--encoding", codec))
    assert "not a text encoding" in message
    assert nothing_written(db_path)


def test_a_date_format_strptime_cannot_compile_is_one_line(capsys, db_path, tmp_path):
    source = tmp_path / "log.csv"
    source.write_text("email,date,type\na@example.com,20262026,call\n", encoding="utf-8")
    message = one_line_error(run(capsys, db_path, "import", "interactions", source, "--date-format", "%Y%Y"))
    assert "'%Y%Y'" in message
    assert nothing_written(db_path)


@pytest.mark.parametrize(
    ("encoding", "name", "fill", "first", "last"),
    [
        ("gb18030", "王伟", "中", "王伟", ""),
        ("cp932", "佐藤 花子", "日", "花子", "佐藤"),
        ("big5", "王偉", "中", "王偉", ""),
    ],
)
def test_a_legacy_file_whose_long_line_is_cut_inside_a_character_imports(
    capsys, db_path, tmp_path, encoding, name, fill, first, last
):
    """The 16 KB scoring sample cut a long line inside a two-byte character: 'incomplete multibyte sequence'."""
    prefix = f"{name},x@example.com,".encode(encoding)
    odd = b"x" if (16384 - len(prefix)) % 2 == 0 else b""
    line = prefix + odd + (fill * 9000).encode(encoding)
    source = tmp_path / "long.csv"
    source.write_bytes(b"Name,Email,Notes\n" + line + b"\n")
    code, out, err = run(capsys, db_path, "import", "contacts", source, "--json")
    assert code == 0, err
    assert json.loads(out)["encoding"] == encoding
    with Store.open(db_path) as store:
        person = store.contacts.require("x@example.com")
    assert (person.first_name, person.last_name) == (first, last)
    assert person.notes == odd.decode() + fill * 9000


def test_an_explicit_encoding_failing_late_in_the_file_names_the_line_and_writes_nothing(capsys, db_path, tmp_path):
    rows = [f"Person {i},p{i}@example.com" for i in range(60_000)]  # well past the detection sample
    source = tmp_path / "late.csv"
    source.write_bytes(("Name,Email\n" + "\n".join(rows) + "\n").encode() + b"M\xfcller,m@example.com\n")
    message = one_line_error(run(capsys, db_path, "import", "contacts", source, "--encoding", "utf-8"))
    assert "not valid utf-8" in message and "line 60,002" in message
    assert nothing_written(db_path)


def test_a_guessed_encoding_meeting_an_undefined_byte_late_replaces_it_and_warns(store, tmp_path):
    """cp1252 from the start of the file; byte 0x81 (undefined in cp1252) far beyond the detection sample."""
    rows = [f"Person {i},p{i}@example.com" for i in range(60_000)]
    source = tmp_path / "late.csv"
    source.write_bytes(
        "Name,Email\nJürgen Müller,jm@example.com\n".encode("cp1252")
        + "\n".join(rows).encode()
        + b"\nBad\x81Byte,bad@example.com\n"
    )
    report = import_contacts(store, source)
    assert report.encoding == "cp1252"
    assert store.contacts.require("jm@example.com").last_name == "Müller"
    assert store.contacts.require("bad@example.com").first_name == "Bad\ufffdByte"
    assert [(w.line, "replaced" in w.reason) for w in report.warnings] == [(60_003, True)]
    assert report.rows == report.created == 60_002


def test_a_late_non_utf8_byte_in_an_ascii_start_still_picks_the_legacy_code_page(store, tmp_path):
    rows = [f"Person {i},p{i}@example.com" for i in range(60_000)]
    source = tmp_path / "late.csv"
    source.write_bytes(("Name,Email\n" + "\n".join(rows)).encode() + "\nZoë Weiß,zw@example.com\n".encode("cp1252"))
    report = import_contacts(store, source)
    assert report.encoding == "cp1252" and report.warnings == []
    assert store.contacts.require("zw@example.com").last_name == "Weiß"


# Streaming ---------------------------------------------------------------------------------------------


def test_rows_come_out_before_the_file_is_read_whole(tmp_path):
    source = activity_log(tmp_path / "big.csv", 100_000)
    size = source.stat().st_size
    with reading.open_csv(source) as opened:
        assert opened.header == ["email", "date", "type", "amount"]
        rows = opened.rows()
        first = [next(rows) for _ in range(10)]
        assert first[0] == (2, ["p0@example.com", "2026-01-01 00:00:00", "purchase", "0.50"])
        assert opened.bytes_read < size / 4


def test_progress_is_bytes_read_of_the_file_size(store, tmp_path):
    source = activity_log(tmp_path / "log.csv", 30_000)
    seen: list[tuple[int, int]] = []
    import_interactions(store, source, progress=lambda done, total: seen.append((done, total)))
    size = source.stat().st_size
    assert len(seen) > 2 and {total for _, total in seen} == {size}
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (size, size)


def test_contacts_merge_across_chunks_in_one_batch_and_undo_whole(store, tmp_path, monkeypatch):
    monkeypatch.setattr("tracker.core.importing.contacts.CHUNK_ROWS", 3)
    store.contacts.add(first_name="Old", email="old@example.com")
    lines = [
        "Name,Email,Phone,Company",
        "Anna,anna@example.com,,",
        "Bob,bob@example.com,,",
        "Old,old@example.com,,",
        "Cy,,+47 912 34 567,",
        ",ANNA@example.com,+46 70 123 45 67,Berg",
        "Dee,dee@example.com,,",
        ",old@example.com,,Old Co",
        "Cy N,,'+4791234567,Cy AS",
        ",broken@,,",
    ]
    source = tmp_path / "c.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_contacts(store, source)
    assert (report.rows, report.created, report.updated, report.rejected) == (9, 4, 4, 1)
    anna = store.contacts.require("anna@example.com")
    assert (anna.first_name, anna.phone, anna.company) == ("Anna", "+46 70 123 45 67", "Berg")
    assert store.contacts.require("old@example.com").company == "Old Co"
    assert store.contacts.count() == 5
    result, _ = store.imports.undo(report.batch_id)
    assert (result["contacts_removed"], result["contacts_restored"]) == (4, 1)
    assert store.contacts.count() == 1 and store.contacts.require("old@example.com").company == ""


def test_interaction_duplicates_and_order_lines_across_chunks(store, tmp_path, monkeypatch):
    monkeypatch.setattr("tracker.core.importing.interactions.CHUNK_ROWS", 2)
    known = store.contacts.add(first_name="Known", email="known@example.com")
    store.interactions.log(known.id, "call", __import__("datetime").datetime(2026, 5, 1, 9))
    rows = [
        "email,date,type,amount,note,order id",
        "a@example.com,2026-05-01 10:00:00,purchase,10,,A1",
        "b@example.com,2026-05-02 10:00:00,call,,,",
        "a@example.com,2026-05-01 10:00:00,purchase,10,,A2",  # another order at the same moment: kept
        "known@example.com,2026-05-01 09:00:00,call,,,",  # already stored
        "a@example.com,2026-05-01 10:00:00,purchase,10,,A1",  # a repeat of line 2
        "b@example.com,2026-05-02 10:00:00,call,,,",  # a repeat of line 3
        "b@example.com,2026-05-02 10:00:00,call,,other,",
    ]  # another note: kept
    source = tmp_path / "log.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = import_interactions(store, source)
    assert (report.rows, report.created, report.updated, report.rejected) == (7, 4, 3, 0)
    assert report.contacts_created == 2
    assert store.interactions.count() == 5


@pytest.mark.parametrize("cache_limit", [200_000, 1])
def test_shop_line_items_split_over_chunks_make_one_purchase(store, fixtures, monkeypatch, cache_limit):
    """With a cache of one entry the order numbers already written are looked up in a temporary table."""
    monkeypatch.setattr("tracker.core.importing.interactions.CHUNK_ROWS", 1)
    monkeypatch.setattr("tracker.core.importing.interactions._CACHE_LIMIT", cache_limit)
    report = import_interactions(store, fixtures / "shopify_orders_sample.csv")
    assert (report.rows, report.created, report.updated, report.rejected) == (7, 4, 3, 0)
    purchases = sorted(store.interactions.list(kinds=["purchase"]), key=lambda i: i.occurred_at)
    assert [(p.amount, p.note) for p in purchases] == [
        (38.5, "Tulips (10); Vase"),
        (18.0, "Rose bouquet"),
        (25.0, "Peonies"),
        (52.0, "Wedding sample box; Card; Ribbon"),
    ]


def test_rejects_beyond_those_kept_in_memory_are_all_written(store, tmp_path, monkeypatch):
    monkeypatch.setattr(report_module, "KEPT_PROBLEMS", 5)
    lines = "".join(f",bad{i}@\n" for i in range(30))
    source = tmp_path / "bad.csv"
    source.write_text("Name,Email\nGood,good@example.com\n" + lines, encoding="utf-8")
    report = import_contacts(store, source)
    assert (report.rows, report.created, report.rejected) == (31, 1, 30)
    assert len(report.problems) == 5 and report.problem_count == 30
    target = tmp_path / "rejects.csv"
    assert report.write_rejects(target, database=store.path) == 30
    with target.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [row["line"] for row in written] == [str(n) for n in range(3, 33)]
    assert written[-1]["Email"] == "bad29@" and "bad29@" in written[-1]["reason"]


def test_an_import_holds_a_fraction_of_the_file_in_memory(tmp_path):
    """200k rows (11 MB): read whole, the import peaked at ~250 MB; streamed, at ~75 MB (a third of it the
    interpreter and SQLite's 32 MB page cache)."""
    source = activity_log(tmp_path / "log.csv", 200_000, people=5_000)
    code = (
        "import sys\n"
        "from tracker.core.importing import import_interactions\n"
        "from tracker.core.store import Store\n"
        "with Store.open(sys.argv[1]) as store:\n"
        "    report = import_interactions(store, sys.argv[2])\n"
        "peak = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
        "print(report.created, report.updated, report.rejected, peak // 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "t.db"), str(source)], capture_output=True, text=True, check=True
    )
    created, updated, rejected, peak_mb = map(int, done.stdout.split())
    assert created + updated + rejected == 200_000 and rejected == 0
    assert peak_mb < 130, f"peak RSS {peak_mb} MB"
