"""Two people editing one contact (issue 18): a save that would overwrite a field someone else changed after the
editor read the contact is refused with what changed and who; fields nobody else touched are saved, others'
changes to other fields are kept; the editor chooses to save over theirs or keep theirs. Runs on a file and on a
team database (the other person is a second connection to the same database)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from tracker.core.errors import EditConflict
from tracker.core.operations import contacts as contact_ops
from tracker.core.store import Store
from tracker.ui.dialogs import ContactDialog


@pytest.fixture
def anna(store):
    return store.contacts.add(first_name="Anna", email="anna@example.com", phone="07700 900004", company="Cakes")


def test_a_field_changed_meanwhile_is_not_overwritten(store, db_target, anna):
    seen = store.contacts.get(anna.id)
    with Store.open(db_target) as other:
        contact_ops.edit(other, anna.id, phone="07700 900123")
    with pytest.raises(EditConflict) as refused:
        contact_ops.edit(store, anna.id, seen=seen, phone="07700 900999", company="Anna's Cakes")
    assert refused.value.changed == {"phone": "07700 900123"}
    assert "phone (now 07700 900123)" in str(refused.value) and "nothing was saved" in str(refused.value)
    now = store.contacts.get(anna.id)
    assert (now.phone, now.company) == ("07700 900123", "Cakes")  # nothing of the refused save landed


def test_other_fields_are_saved_and_theirs_kept(store, db_target, anna):
    seen = store.contacts.get(anna.id)
    with Store.open(db_target) as other:
        contact_ops.edit(other, anna.id, phone="07700 900123")
    contact_ops.edit(store, anna.id, seen=seen, company="Anna's Cakes")
    now = store.contacts.get(anna.id)
    assert (now.phone, now.company) == ("07700 900123", "Anna's Cakes")


def test_saving_over_theirs_when_chosen(store, db_target, anna):
    seen = store.contacts.get(anna.id)
    with Store.open(db_target) as other:
        contact_ops.edit(other, anna.id, phone="07700 900123")
    contact_ops.edit(store, anna.id, seen=seen, overwrite=True, phone="07700 900999")
    assert store.contacts.get(anna.id).phone == "07700 900999"


def test_a_change_to_the_same_value_is_no_conflict(store, db_target, anna):
    seen = store.contacts.get(anna.id)
    with Store.open(db_target) as other:
        contact_ops.edit(other, anna.id, company="Anna's Cakes")
    result = contact_ops.edit(store, anna.id, seen=seen, first_name="Anna-Lena")
    assert result.ids == (anna.id,) and store.contacts.get(anna.id).company == "Anna's Cakes"


@pytest.mark.parametrize(
    ("choice", "phone", "company"),
    [
        ("mine", "07700 900999", "Anna's Cakes"),
        ("theirs", "07700 900123", "Anna's Cakes"),
    ],
)
def test_the_edit_dialog_asks_and_does_what_was_chosen(
    qtbot, store, db_path, anna, monkeypatch, choice, phone, company
):
    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[EditConflict] = []

    def resolve(_parent, conflict):
        asked.append(conflict)
        return choice

    def run(dialog: ContactDialog) -> int:
        with Store.open(db_path) as other:  # someone else saves while the dialog is open
            contact_ops.edit(other, anna.id, phone="07700 900123")
        dialog.fields["phone"].setText("07700 900999")
        dialog.fields["company"].setText("Anna's Cakes")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(ContactDialog, "resolve_conflict", staticmethod(resolve))
    monkeypatch.setattr(ContactDialog, "exec", run)
    outcome = ContactDialog.edit(parent, store, store.contacts.get(anna.id))
    assert [c.changed for c in asked] == [{"phone": "07700 900123"}]
    assert outcome is not None
    now = store.contacts.get(anna.id)
    assert (now.phone, now.company) == (phone, company)


def test_going_back_to_the_dialog_saves_nothing_and_says_why(qtbot, store, db_path, anna, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    shown: list[str] = []

    def run(dialog: ContactDialog) -> int:
        with Store.open(db_path) as other:
            contact_ops.edit(other, anna.id, phone="07700 900123")
        dialog.fields["phone"].setText("07700 900999")
        dialog.accept()  # refused: the dialog stays open with the sentence
        shown.append(dialog.error.text())
        return 0

    monkeypatch.setattr(ContactDialog, "resolve_conflict", staticmethod(lambda _parent, _conflict: None))
    monkeypatch.setattr(ContactDialog, "exec", run)
    assert ContactDialog.edit(parent, store, store.contacts.get(anna.id)) is None
    assert "phone (now 07700 900123)" in shown[0]
    assert store.contacts.get(anna.id).phone == "07700 900123"
