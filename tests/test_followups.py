"""Follow-up suggestions: each rule, its reason, the order of the list, snooze and done."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.core.followups import Priority, suggest_follow_ups

AS_OF = date(2026, 11, 23)


def days_before(n: int) -> str:
    return (AS_OF - timedelta(days=n)).isoformat()


def by_email(suggestions):
    return {s.contact.email: s for s in suggestions}


def test_overdue_and_due_today_scheduled_follow_ups(store, add_contact):
    anna, bob, cleo = (add_contact(f"{n}@example.com") for n in ("anna", "bob", "cleo"))
    store.follow_ups.schedule(anna.id, AS_OF - timedelta(days=3), "Send the quote")
    store.follow_ups.schedule(bob.id, AS_OF, "Call back")
    store.follow_ups.schedule(cleo.id, AS_OF + timedelta(days=2), "Not yet")
    result = by_email(suggest_follow_ups(store, AS_OF))
    assert result["anna@example.com"].priority is Priority.OVERDUE
    assert result["anna@example.com"].reason == "Send the quote (due 2026-11-20, 3 days overdue)"
    assert result["bob@example.com"].priority is Priority.DUE_TODAY
    assert "cleo@example.com" not in result


def test_done_and_snoozed_follow_ups_leave_the_list(store, add_contact):
    anna, bob = add_contact("anna@example.com"), add_contact("bob@example.com")
    done = store.follow_ups.schedule(anna.id, AS_OF - timedelta(days=1), "x")
    snoozed = store.follow_ups.schedule(bob.id, AS_OF - timedelta(days=1), "y")
    store.follow_ups.mark_done([done.id], AS_OF)
    store.follow_ups.snooze([snoozed.id], AS_OF + timedelta(days=7))
    assert suggest_follow_ups(store, AS_OF) == []
    later = by_email(suggest_follow_ups(store, AS_OF + timedelta(days=7)))
    assert list(later) == ["bob@example.com"]
    store.follow_ups.reschedule(snoozed.id, AS_OF + timedelta(days=30))
    assert suggest_follow_ups(store, AS_OF + timedelta(days=7)) == []


def test_customer_without_engagement_for_90_days_is_win_back(store, add_contact, log):
    drifting, fresh = add_contact("drifting@example.com"), add_contact("fresh@example.com")
    log(drifting, "purchase", days_before(90))
    log(fresh, "purchase", days_before(89))
    result = by_email(suggest_follow_ups(store, AS_OF))
    assert result["drifting@example.com"].priority is Priority.WIN_BACK
    assert "no engagement for 90 days" in result["drifting@example.com"].reason
    assert "fresh@example.com" not in result


def test_warm_lead_is_nurture_only_within_14_days_and_without_conversion(store, add_contact, log):
    warm, cold, buyer = (add_contact(f"{n}@example.com") for n in ("warm", "cold", "buyer"))
    log(warm, "email_click", days_before(14))
    log(cold, "email_click", days_before(15))
    log(buyer, "email_click", days_before(1))
    log(buyer, "purchase", days_before(2))
    result = by_email(suggest_follow_ups(store, AS_OF))
    assert result["warm@example.com"].priority is Priority.NURTURE
    assert "cold@example.com" not in result
    assert "buyer@example.com" not in result


def test_repeat_customer_without_advocacy_is_asked_for_a_referral(store, add_contact, log):
    regular, advocate = add_contact("regular@example.com"), add_contact("advocate@example.com")
    for contact in (regular, advocate):
        log(contact, "purchase", days_before(40))
        log(contact, "purchase", days_before(10))
    log(advocate, "review", days_before(5))
    result = by_email(suggest_follow_ups(store, AS_OF))
    assert result["regular@example.com"].priority is Priority.ASK_REFERRAL
    assert "advocate@example.com" not in result


def test_recent_detractor_gets_a_call_unless_a_later_answer_is_better(store, add_contact, log):
    unhappy, recovered, old = (add_contact(f"{n}@example.com") for n in ("unhappy", "recovered", "old"))
    log(unhappy, "nps", days_before(10), score=6)
    log(recovered, "nps", days_before(30), score=2)
    log(recovered, "nps", days_before(5), score=9)
    log(old, "nps", days_before(91), score=0)
    result = by_email(suggest_follow_ups(store, AS_OF))
    assert result["unhappy@example.com"].priority is Priority.DETRACTOR
    assert result["unhappy@example.com"].reason == f"Unhappy: NPS score 6 on {days_before(10)}"
    assert "recovered@example.com" not in result or result["recovered@example.com"].priority != Priority.DETRACTOR
    assert "old@example.com" not in result


def test_list_is_ordered_by_priority_and_each_entry_has_reason_and_action(store, add_contact, log):
    lead, drifting, unhappy, promised = (add_contact(f"{n}@example.com") for n in ("lead", "drift", "sad", "late"))
    log(lead, "email_open", days_before(1))
    log(drifting, "purchase", days_before(200))
    log(unhappy, "feedback", days_before(3), score=1)
    store.follow_ups.schedule(promised.id, AS_OF - timedelta(days=1), "Deliver the cake stand")
    result = suggest_follow_ups(store, AS_OF)
    assert [s.priority for s in result] == sorted(s.priority for s in result)
    assert [s.contact.email for s in result][:2] == ["late@example.com", "sad@example.com"]
    assert all(s.reason and s.action and s.due for s in result)
    document = result[0].to_dict()
    assert set(document) >= {"email", "name", "reason", "action", "due", "priority"}
    assert document["due"] == "2026-11-22" and document["priority"] == 1


def test_drifting_threshold_is_a_setting(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "purchase", days_before(60))
    assert suggest_follow_ups(store, AS_OF) == []
    store.update_settings(drifting_days=45)
    assert [s.priority for s in suggest_follow_ups(store, AS_OF)] == [Priority.WIN_BACK]


def test_upcoming_follow_ups_are_listed_as_this_week_when_asked(store, add_contact):
    anna = add_contact("anna@example.com")
    store.follow_ups.schedule(anna.id, AS_OF + timedelta(days=3), "Deliver the cake stand")
    assert suggest_follow_ups(store, AS_OF) == []
    (entry,) = suggest_follow_ups(store, AS_OF, upcoming_days=7)
    assert (entry.priority, entry.priority.group, entry.due) == (
        Priority.THIS_WEEK,
        "This week",
        AS_OF + timedelta(days=3),
    )


def test_a_contact_being_followed_up_gets_no_extra_suggestion(store, add_contact, log):
    drifting = add_contact("drifting@example.com")
    log(drifting, "purchase", days_before(120))
    assert [s.priority for s in suggest_follow_ups(store, AS_OF)] == [Priority.WIN_BACK]
    store.follow_ups.record_done(drifting.id, "Called to win back", AS_OF)
    assert suggest_follow_ups(store, AS_OF) == []  # handled today
    assert [s.priority for s in suggest_follow_ups(store, AS_OF + timedelta(days=8))] == [Priority.WIN_BACK]
    later = store.follow_ups.schedule(drifting.id, AS_OF + timedelta(days=30), "snoozed suggestion")
    assert suggest_follow_ups(store, AS_OF + timedelta(days=8)) == []
    store.follow_ups.delete([later.id])
    assert len(suggest_follow_ups(store, AS_OF + timedelta(days=8))) == 1


def test_vcard_export_escapes_and_folds(tmp_path, store):
    from tracker.core.vcard import write_vcards

    contact = store.contacts.add(
        first_name="Zoë",
        last_name="Müller; Jr",
        email="zoe@example.com",
        phone="+49 171 2345678",
        company="Bäckerei, Müller",
        tags="vip",
    )
    target = tmp_path / "list.vcf"
    assert write_vcards(target, [(contact, "Call: " + "very long reason " * 10)], database=store.path) == 1
    text = target.read_bytes().decode("utf-8")  # raw: vCard lines end in CRLF
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n") and text.endswith("END:VCARD\r\n")
    assert "N:Müller\\; Jr;Zoë;;;" in text and "ORG:Bäckerei\\, Müller" in text
    assert "TEL;TYPE=CELL:+49 171 2345678" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\r\n " in text  # the long note was folded


def test_vcard_neutralises_formulas_but_keeps_phone_numbers(tmp_path, store):
    from tracker.core.vcard import vcard

    contact = store.contacts.add(
        first_name='=HYPERLINK("x")', email="a@example.com", phone="+44 7700 900123", company="@SUM(A1)"
    )
    card = vcard(contact, note="-2+3")
    assert 'FN:\'=HYPERLINK("x")' in card and "ORG:'@SUM(A1)" in card and "NOTE:'-2+3" in card
    assert "TEL;TYPE=CELL:+44 7700 900123" in card
    store.contacts.update(contact.id, phone="=1+2 555 0100")
    assert "TEL;TYPE=CELL:1+2 555 0100" in vcard(store.contacts.get(contact.id))


# Rhythm-aware win-back and the second-purchase nudge (purchase outlook) -------------------------------------


def buy_every(log, contact, gap: int, times: int, last: int, amount: float = 20.0) -> None:
    """`times` purchases `gap` days apart, the last one `last` days before AS_OF."""
    for k in range(times):
        log(contact, "purchase", days_before(last + k * gap), amount=amount)


def test_win_back_is_relative_to_the_customers_own_rhythm(store, add_contact, log):
    weekly, quarterly = add_contact("weekly@example.com"), add_contact("quarterly@example.com")
    buy_every(log, weekly, gap=7, times=6, last=30)  # 30 days is four times their rhythm
    buy_every(log, quarterly, gap=90, times=4, last=60)  # 60 days is inside theirs
    result = by_email(suggest_follow_ups(store, AS_OF))
    assert result["weekly@example.com"].priority is Priority.WIN_BACK
    assert "usually orders every 7 days; last order 30 days ago (4.3×)" in result["weekly@example.com"].reason
    assert (
        result.get("quarterly@example.com") is None or result["quarterly@example.com"].priority is not Priority.WIN_BACK
    )


def test_win_backs_are_ranked_by_the_value_at_stake(store, add_contact, log):
    small, big = add_contact("small@example.com"), add_contact("big@example.com")
    buy_every(log, small, gap=10, times=5, last=40, amount=5.0)
    buy_every(log, big, gap=10, times=5, last=40, amount=500.0)
    win_backs = [s for s in suggest_follow_ups(store, AS_OF) if s.priority is Priority.WIN_BACK]
    assert [s.contact.email for s in win_backs] == ["big@example.com", "small@example.com"]
    assert win_backs[0].value > win_backs[1].value > 0
    assert "at stake" in win_backs[0].reason


def test_one_time_buyer_past_the_shops_usual_gap_gets_a_second_purchase_nudge(store, add_contact, log):
    for n in range(3):
        buy_every(log, add_contact(f"regular{n}@example.com"), gap=20, times=4, last=5)
    once, recent = add_contact("once@example.com"), add_contact("recent@example.com")
    log(once, "purchase", days_before(30), amount=15)  # the shop's usual gap is 20 days
    log(recent, "purchase", days_before(5), amount=15)
    result = by_email(suggest_follow_ups(store, AS_OF))
    assert result["once@example.com"].priority is Priority.SECOND_PURCHASE
    assert result["once@example.com"].reason.startswith(
        "Bought once, 30 days ago; customers here usually order again within 20 days"
    )
    assert "recent@example.com" not in result


def test_the_win_back_threshold_is_a_setting(store, add_contact, log):
    """A repeat customer on their rhythm is suggested only once the threshold is above their chance."""
    for n in range(40):
        buy_every(log, add_contact(f"c{n}@example.com"), gap=30 + n, times=3, last=20 + n)
    outlook_chance = {s.contact.email for s in suggest_follow_ups(store, AS_OF) if s.priority is Priority.WIN_BACK}
    store.update_settings(winback_percent=99)
    generous = {s.contact.email for s in suggest_follow_ups(store, AS_OF) if s.priority is Priority.WIN_BACK}
    assert outlook_chance < generous
    assert all(
        "chance of an order in the next 90 days" in s.reason
        for s in suggest_follow_ups(store, AS_OF)
        if s.priority is Priority.WIN_BACK
    )


def test_the_win_back_threshold_is_a_percentage(store):
    import pytest

    from tracker.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"(?i)winback_percent must be a whole number from 1 to 99"):
        store.update_settings(winback_percent=100)
    assert store.settings().winback_percent == 20


def test_the_follow_up_lists_contacts_share_repeated_names_and_tag_lists(store, add_contact):
    made = [
        add_contact(f"anna{k}@example.com", first_name="Anna", last_name="Berg", company="Berg Bakery", tags="vip, b2b")
        for k in range(3)
    ]
    made.append(add_contact("bo@example.com", first_name="Bo", last_name="Ek", tags="wholesale"))
    listed = dict(store.follow_ups.contacts_by_name([c.id for c in made]))
    assert [store.contacts.get(cid) for cid in listed] == list(listed.values())  # the same contacts, field by field
    annas = [listed[c.id] for c in made[:3]]
    assert all(a.first_name is annas[0].first_name and a.last_name is annas[0].last_name for a in annas)
    assert all(a.tags is annas[0].tags for a in annas) and annas[0].tags == ("vip", "b2b")
    assert listed[made[3].id].tags == ("wholesale",)
