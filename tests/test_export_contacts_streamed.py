"""The contacts export written a page at a time (core.contacts_export): the same bytes as the CLI's
`contacts --export` and as the whole-list write it replaced, in the order and for the contacts given, with progress
to the end and a cancel that leaves nothing behind."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.contacts_export import ExportCancelled, export_contacts
from tracker.core.export import CONTACT_EXPORT_COLUMNS, write_csv
from tracker.core.store import Store

AS_OF = date(2026, 11, 23)


@pytest.fixture
def shop(store, log) -> Store:
    """Seven contacts with everything the export shows: levels, scores, a follow-up, consent both ways, a phone in
    E.164, tags, a cell a spreadsheet would run as a formula, a non-ASCII name."""
    anna = store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com", tags="vip, bakery")
    ben = store.contacts.add(first_name="Ben", phone="+33 6 12 34 56 78", consent=False, source="shop")
    cleo = store.contacts.add(first_name="Cleo", company="=HYPERLINK(1)", email="cleo@example.com", consent=True)
    zoe = store.contacts.add(first_name="Zoë", last_name="Müller", email="zoe@example.com", tags="vip")
    store.contacts.add(last_name="Ōta", email="ota@example.com")
    store.contacts.add(company="Atlas", phone="020 7946 0000")
    store.contacts.add(first_name="Dee", email="dee@example.com", tags="vip")
    for days in (3, 40, 90):
        log(anna, "purchase", (AS_OF - timedelta(days=days)).isoformat(), amount=12.5)
    log(ben, "email_open", (AS_OF - timedelta(days=1)).isoformat())
    log(cleo, "call", (AS_OF - timedelta(days=400)).isoformat())
    log(zoe, "nps", (AS_OF - timedelta(days=5)).isoformat(), score=10)
    store.follow_ups.schedule(ben.id, AS_OF + timedelta(days=2), "Call back")
    return store


def cli_export(db: Path, target: Path, *args: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db), "contacts", "--as-of", AS_OF.isoformat(), "--export", str(target), *args])
    assert exit_info.value.code == 0


def listed_ids(store: Store, **filters) -> list[int]:
    return [r.contact.id for r in store.engagement.contact_rows(AS_OF, store.settings(), **filters)]


@pytest.mark.parametrize("chunk", [1, 3, 2_000])
def test_the_file_is_the_one_the_command_line_writes(shop, db_path, tmp_path, chunk):
    from_cli = tmp_path / "cli.csv"
    cli_export(db_path, from_cli)
    streamed = tmp_path / "streamed.csv"
    assert export_contacts(shop, streamed, listed_ids(shop), AS_OF, chunk=chunk) == 7
    assert streamed.read_bytes() == from_cli.read_bytes()


def test_the_values_are_those_of_the_whole_list_write_it_replaces(shop, tmp_path):
    rows = shop.engagement.contact_rows(AS_OF, shop.settings())
    before = tmp_path / "before.csv"
    write_csv(before, CONTACT_EXPORT_COLUMNS, [r.to_dict(shop.phone_region()) for r in rows], database=shop.path)
    streamed = tmp_path / "streamed.csv"
    export_contacts(shop, streamed, [r.contact.id for r in rows], AS_OF, chunk=2)
    assert streamed.read_bytes() == before.read_bytes()
    text = streamed.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(CONTACT_EXPORT_COLUMNS) and text.endswith("\r\n")
    assert "'=HYPERLINK(1)" in text and ",no\r\n" in text and ",yes\r\n" in text  # neutralised; consent kept


def test_a_filtered_list_from_the_command_line_is_the_same_file(shop, db_path, tmp_path):
    from_cli = tmp_path / "cli.csv"
    cli_export(db_path, from_cli, "--tag", "vip")
    streamed = tmp_path / "streamed.csv"
    assert export_contacts(shop, streamed, listed_ids(shop, tag="vip"), AS_OF, chunk=2) == 3
    assert streamed.read_bytes() == from_cli.read_bytes()


def test_the_order_and_the_choice_of_contacts_are_kept(shop, tmp_path):
    ids = listed_ids(shop)
    chosen = [ids[5], ids[0], ids[3], 99_999]  # an id no longer stored is left out
    target = tmp_path / "few.csv"
    assert export_contacts(shop, target, chosen, AS_OF, chunk=2) == 3
    lines = target.read_text(encoding="utf-8-sig").splitlines()[1:]
    by_id = {r.contact.id: r for r in shop.engagement.contact_rows(AS_OF, shop.settings())}
    assert [line.split(",")[0] for line in lines] == [by_id[i].contact.first_name for i in chosen[:3]]


def test_progress_goes_page_by_page_to_the_total(shop, tmp_path):
    seen: list[tuple[int, int]] = []
    export_contacts(shop, tmp_path / "all.csv", listed_ids(shop), AS_OF, progress=lambda *p: seen.append(p), chunk=3)
    assert seen == [(0, 7), (3, 7), (6, 7), (7, 7)]


def test_no_contacts_give_the_header_alone(shop, tmp_path):
    seen: list[tuple[int, int]] = []
    target = tmp_path / "none.csv"
    assert export_contacts(shop, target, [], AS_OF, progress=lambda *p: seen.append(p)) == 0
    assert target.read_bytes() == ("\ufeff" + ",".join(CONTACT_EXPORT_COLUMNS) + "\r\n").encode()
    assert seen == [(0, 0)]


@pytest.mark.parametrize("after_pages", [0, 1, 3])  # before the first page, between two, after the last
def test_a_cancel_leaves_no_file_and_no_part_file(shop, tmp_path, after_pages):
    pages: list[int] = []
    target = tmp_path / "out" / "contacts.csv"
    target.parent.mkdir()
    with pytest.raises(ExportCancelled):
        export_contacts(
            shop,
            target,
            listed_ids(shop),
            AS_OF,
            progress=lambda done, total: pages.append(done),
            cancelled=lambda: len(pages) > after_pages,
            chunk=3,
        )
    assert list(target.parent.iterdir()) == []


def test_a_cancel_keeps_the_file_it_would_have_replaced(shop, tmp_path):
    target = tmp_path / "contacts.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ExportCancelled):
        export_contacts(shop, target, listed_ids(shop), AS_OF, cancelled=lambda: True)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []
