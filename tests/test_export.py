"""CSV export for Excel: BOM, CRLF, and formula injection neutralised while keeping the text."""

from __future__ import annotations

import csv
import io

import pytest

from tracker.core.errors import InvalidInput
from tracker.core.export import neutralise, write_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+31 6 1234", "'+31 6 1234"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Anna = nice", "Anna = nice"),
        ("Zoë Müller", "Zoë Müller"),
        (None, ""),
        (42, "42"),
        (-3.5, "-3.5"),
        (["vip", "wedding"], "vip, wedding"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_written_file_opens_in_excel_and_keeps_text(tmp_path):
    target = tmp_path / "out.csv"
    rows = [{"name": "Zoë", "note": "=1+1", "phone": "+48 600 100 200"}, {"name": "王伟", "note": "line1\nline2"}]
    assert write_csv(target, ("name", "note", "phone"), rows, database=None) == 2
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and data.count(b"\r\n") == 3
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[0] == ["name", "note", "phone"]
    assert parsed[1] == ["Zoë", "'=1+1", "'+48 600 100 200"]
    assert parsed[2] == ["王伟", "line1\nline2", ""]


def test_export_to_a_folder_is_refused_without_leftovers(tmp_path):
    with pytest.raises(InvalidInput):
        write_csv(tmp_path, ("a",), [], database=None)
    assert list(tmp_path.iterdir()) == []
