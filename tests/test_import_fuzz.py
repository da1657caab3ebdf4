"""Property-based: whatever bytes a file holds, import never crashes, counts add up, failures leave nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.core.errors import TrackerError
from tracker.core.importing import import_contacts, import_interactions
from tracker.core.store import Store

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "anna@example.com",
            "ANNA@example.com ",
            "bad@",
            "+48 600 100 200",
            "Zoë",
            "王伟",
            "",
            '"',
            '""',
            "a\nb",
            "\x00",
            "\ufeff",
            "2026-05-01",
            "31/02/2026",
            "purchase",
            "nps",
            "-5",
            "1.234,50",
            "=cmd()",
            "x" * 5000,
        ]
    ),
)
HEADERS = st.lists(
    st.sampled_from(
        [
            "Name",
            "Email",
            "E-mail 1 - Value",
            "Phone",
            "Company",
            "Tags",
            "date",
            "type",
            "amount",
            "score",
            "",
            "Notes",
            "email",
        ]
    ),
    min_size=1,
    max_size=6,
)


def render(header, rows, delimiter):
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return "\r\n".join(lines)


@st.composite
def csv_bytes(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = draw(HEADERS)
    rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 2), max_size=8))
    text = render(header, rows, delimiter)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "gb18030", "cp1251"]))
    data = text.encode(encoding, errors="replace")
    mangle = draw(st.sampled_from(["none", "truncate", "bom-in-middle", "raw"]))
    if mangle == "truncate" and len(data) > 3:
        data = data[: draw(st.integers(1, len(data) - 1))]
    elif mangle == "bom-in-middle":
        data = data[: len(data) // 2] + b"\xef\xbb\xbf" + data[len(data) // 2 :]
    elif mangle == "raw":
        data = draw(st.binary(max_size=300))
    return data


def snapshot(store: Store):
    return (
        store.conn.execute("SELECT * FROM contacts ORDER BY id").fetchall(),
        store.conn.execute("SELECT * FROM interactions ORDER BY id").fetchall(),
        store.conn.execute("SELECT * FROM imports ORDER BY id").fetchall(),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_bytes(), kind=st.sampled_from(["contacts", "interactions"]))
def test_random_files_never_crash_and_never_half_import(tmp_path_factory, data, kind):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "input.csv"
    path.write_bytes(data)
    with Store.open(folder / "t.db") as store:
        store.contacts.add(first_name="Existing", email="anna@example.com")
        before = snapshot(store)
        importer = import_contacts if kind == "contacts" else import_interactions
        try:
            report = importer(store, path)
        except TrackerError as exc:
            assert str(exc) and "\n" not in str(exc)
            assert snapshot(store) == before
        else:
            assert report.rows == report.created + report.updated + report.rejected + report.skipped_rows
            if report.rows == 0:
                assert snapshot(store)[:2] == before[:2]
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
