"""Long loads in a helper process (tracker.ui.offload): the same answers as on a pool thread, no Qt in the helper,
failures in one sentence, and a cancelled wait stops the helper."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from tracker.core.store import Store
from tracker.ui import contacts_load, follow_up_work, offload

AS_OF = date(2026, 3, 2)


@pytest.fixture
def shop(tmp_path):
    with Store.open(tmp_path / "shop.db") as store:
        for n in range(12):
            contact = store.contacts.add(
                first_name=f"Zoë{n}" if n % 3 else f"Anna{n}",
                last_name="Okafor",
                email=f"c{n}@example.com",
                phone=f"+44 7700 9000{n:02d}",
                company="Berg Bakery" if n % 2 else "",
                tags=["vip"] if n % 4 == 0 else [],
            )
            bought = datetime.combine(AS_OF - timedelta(days=30 + 40 * n), time(12))
            store.interactions.log(contact.id, "purchase", bought, note=f"cake flavour{n}x")
            if n % 5 == 0:
                store.follow_ups.schedule(contact.id, AS_OF + timedelta(days=n), f"Call {n}")
        yield store


def _load(store: Store, phased_from: int) -> tuple[list[object], contacts_load.Loaded]:
    parts: list[object] = []
    loaded = contacts_load.load(store, AS_OF, parts.append, phased_from)
    return parts, loaded


@pytest.fixture
def started(monkeypatch) -> list[subprocess.Popen]:
    """Every helper process started during the test, in order (subprocess.Popen spied on)."""
    children: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        children.append(real_popen(*args, **kwargs))
        return children[-1]

    monkeypatch.setattr(subprocess, "Popen", popen)
    return children


@pytest.mark.parametrize("phased_from", [1, 1000])
def test_the_contacts_list_read_in_a_helper_is_the_one_read_on_a_thread(shop, monkeypatch, phased_from):
    monkeypatch.setattr(contacts_load, "OFFLOAD_FROM", 10**9)
    in_thread = _load(shop, phased_from)
    monkeypatch.setattr(contacts_load, "OFFLOAD_FROM", 1)
    started = []
    real_run = offload.run
    monkeypatch.setattr(offload, "run", lambda *a, **k: (started.append(a[0]), real_run(*a, **k))[1])
    in_helper = _load(shop, phased_from)
    assert started == ["tracker.ui.contacts_load:send_contacts"]
    assert [type(p).__name__ for p in in_helper[0]] == (["PreparedListing", "StoredIndex"] if phased_from == 1 else [])
    for mine, theirs in zip(in_helper[0], in_thread[0], strict=True):
        if isinstance(mine, contacts_load.PreparedListing):
            assert (mine.listing, mine.name_order, list(mine.name_ranks)) == (
                theirs.listing, theirs.name_order, list(theirs.name_ranks),
            )  # fmt: skip
        else:
            assert mine == theirs
    helper, thread = in_helper[1], in_thread[1]
    assert (helper.engagement, helper.due, helper.tags, helper.index) == (
        thread.engagement, thread.due, thread.tags, thread.index,
    )  # fmt: skip
    assert (helper.listing is None) == (thread.listing is None)
    if thread.listing is not None:
        assert helper.listing.listing == thread.listing.listing
        assert helper.listing.name_order == thread.listing.name_order


def test_the_follow_up_list_worked_out_in_a_helper_is_the_one_worked_out_here(shop, monkeypatch):
    here = follow_up_work.work_out(shop, AS_OF)  # 12 contacts: on this thread
    monkeypatch.setattr(follow_up_work, "OFFLOAD_FROM", 1)
    assert follow_up_work.work_out(shop, AS_OF) == here and here


def test_the_helper_loads_no_qt_and_no_numpy():
    """The helper imports the loads' modules without tracker.ui's package (which loads PySide6)."""
    check = offload.BOOT.replace(
        "from tracker.ui.offload import main\nmain()\n",
        "import tracker.ui.contacts_load, tracker.ui.follow_up_work\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'shiboken6', 'numpy', 'scipy'}))\n",
    )
    done = subprocess.run(
        [sys.executable, "-P", "-c", check, str(Path(offload.__file__).parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_a_failure_in_the_helper_is_one_sentence(tmp_path):
    with pytest.raises(offload.OffloadFailed, match=r"^There is no database at .*gone\.db\.$"):
        offload.run("tracker.ui.contacts_load:send_contacts", tmp_path / "gone.db", (AS_OF,), lambda part: None)
    assert not (tmp_path / "gone.db").exists()  # the helper never makes a database


def test_a_cancelled_wait_stops_the_helper(shop, started):
    with pytest.raises(offload.Cancelled):
        offload.run("tracker.ui.contacts_load:send_contacts", shop.path, (AS_OF,), lambda part: None, lambda: True)
    assert len(started) == 1 and started[0].returncode is not None  # stopped and reaped


def test_a_database_in_memory_is_never_offloaded():
    with Store.open(":memory:") as store:
        assert offload.database_of(store) is None
        for n in range(3):
            store.contacts.add(first_name=f"N{n}")
        assert offload.has_at_least(store, 3) and not offload.has_at_least(store, 4)


def test_the_window_shows_what_the_helpers_read(qtbot, shop, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from tracker.ui import clock
    from tracker.ui.main_window import FOLLOW_UPS_TAB, MainWindow

    monkeypatch.setattr(contacts_load, "OFFLOAD_FROM", 1)
    monkeypatch.setattr(follow_up_work, "OFFLOAD_FROM", 1)
    clock.set_fixed(AS_OF)
    window = MainWindow(shop, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.contacts_tab.loaded):
            window.show()
        tab = window.contacts_tab
        assert tab.model.total() == 12 and tab.model.classified
        tab.search.setText("flavour7")  # an interaction's note, from the helper's search index
        assert [tab.model.id_at(r) for r in range(tab.model.rowCount())] == [
            shop.contacts.by_email("c7@example.com").id
        ]
        window.show_tab(FOLLOW_UPS_TAB)
        followups = window.followups_tab
        qtbot.waitUntil(lambda: followups.model.rowCount() > 0)
        assert [s.contact.email for s in followups.model.items()] == [
            s.contact.email for s in follow_up_work._suggest(shop, AS_OF) if s.due <= AS_OF + timedelta(days=7)
        ]
    finally:
        clock.set_fixed(None)
        window.close()


def test_a_helper_started_ahead_is_taken_by_the_same_run_and_stopped_by_another(shop, started, monkeypatch):
    monkeypatch.setattr(contacts_load, "OFFLOAD_FROM", 1)
    contacts_load.read_ahead(shop, AS_OF)  # as the app starts
    assert len(started) == 1
    parts: list[object] = []
    loaded = contacts_load.load(shop, AS_OF, parts.append, 1)  # the window's first load takes it over
    assert len(started) == 1 and started[0].returncode is not None
    assert len(parts) == 2 and len(loaded.engagement.ids) == 12

    contacts_load.read_ahead(shop, AS_OF)
    contacts_load.load(shop, AS_OF + timedelta(days=1), parts.append, 1)  # another day: a helper of its own
    assert len(started) == 3 and all(child.returncode is not None for child in started)

    contacts_load.read_ahead(shop, AS_OF)
    monkeypatch.setattr(contacts_load, "OFFLOAD_FROM", 100)  # a short list: read here, the helper stopped
    contacts_load.load(shop, AS_OF, parts.append, 1)
    assert len(started) == 4 and started[3].returncode is not None
    offload.drop_ahead()  # nothing left to stop
