"""The phone region as a user action: operations.settings.set_phone_region re-keys national numbers and is undone
exactly; `tracker settings region [CODE]` shows or sets it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.errors import InvalidInput
from tracker.core.operations import settings as setting_ops
from tracker.core.store import Store


def keys(store: Store) -> dict[str, str | None]:
    return {c.phone: c.phone_key for c in (store.contacts.get(i) for i in (1, 2))}


@pytest.fixture
def shop(store: Store) -> Store:
    store.set_phone_region("GB")
    store.contacts.add(first_name="Anna", phone="07700 900004")
    store.contacts.add(first_name="Jo", phone="+49 30 1234567")
    return store


def test_a_new_region_re_keys_national_numbers_and_undo_puts_the_old_ones_back(shop):
    assert keys(shop) == {"07700 900004": "+447700900004", "+49 30 1234567": "+49301234567"}
    result = setting_ops.set_phone_region(shop, "de")
    assert shop.phone_region() == "DE"
    assert keys(shop)["07700 900004"] == "+497700900004"  # read as a German number now
    assert keys(shop)["+49 30 1234567"] == "+49301234567"  # a number with its country is untouched
    assert result.changes.contacts and result.changes.settings
    assert "DE" in result.summary and "1 phone(s)" in result.summary
    assert result.undo is not None
    assert {row.table for row in result.undo.rows} == {"settings", "contacts"}
    assert len([row for row in result.undo.rows if row.table == "contacts"]) == 1  # only the re-keyed one

    redo = result.undo.apply(shop)
    assert shop.phone_region() == "GB"
    assert keys(shop)["07700 900004"] == "+447700900004"
    assert shop.contacts.with_phone("+447700900004")[0].first_name == "Anna"
    assert redo.undo is not None
    redo.undo.apply(shop)
    assert shop.phone_region() == "DE" and keys(shop)["07700 900004"] == "+497700900004"


def test_the_same_region_changes_nothing_and_a_bad_code_writes_nothing(shop):
    assert setting_ops.set_phone_region(shop, "GB").undo is None
    with pytest.raises(InvalidInput, match="'Narnia' is not a country code"):
        setting_ops.set_phone_region(shop, "Narnia")
    assert shop.phone_region() == "GB" and keys(shop)["07700 900004"] == "+447700900004"


def test_the_settings_dialog_save_takes_the_region_with_the_rest_in_one_undo(shop):
    result = setting_ops.save_engagement(shop, {"drifting_days": 200}, {}, phone_region="US")
    assert (shop.phone_region(), shop.settings().drifting_days) == ("US", 200)
    assert result.undo is not None
    result.undo.apply(shop)
    assert shop.phone_region() == "GB" and shop.settings().drifting_days != 200
    assert keys(shop)["07700 900004"] == "+447700900004"


def run(capsys, db_path: Path | str, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), *args])
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_cli_settings_region_shows_sets_and_refuses(capsys, db_target, shop):
    shop.close()
    code, out, _ = run(capsys, db_target, "settings", "region")
    assert code == 0 and out.startswith("GB")
    code, out, _ = run(capsys, db_target, "settings", "region", "fr")
    assert code == 0 and "FR" in out
    code, out, err = run(capsys, db_target, "settings", "region", "XX")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "'XX' is not a country code" in err
    code, out, _ = run(capsys, db_target, "settings", "region", "--json")
    assert code == 0 and '"phone_region": "FR"' in out
    with Store.open(db_target) as store:
        assert store.phone_region() == "FR"
        assert store.contacts.get(1).phone_key == "+337700900004"
