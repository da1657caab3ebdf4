"""Engagement levels: every rule, the window edges, same-day purchases, scores, and explain's reasons."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.core.engagement import classify, explain, level_counts
from tracker.core.levels import Level
from tracker.core.store import Store

AS_OF = date(2026, 11, 23)


def level_of(store, contact, as_of=AS_OF) -> Level:
    return {e.contact_id: e for e in classify(store, as_of)}[contact.id].level


def days_before(n: int) -> str:
    return (AS_OF - timedelta(days=n)).isoformat()


def test_contact_without_signals_is_awareness(store, add_contact):
    anna = add_contact("anna@example.com")
    assert level_of(store, anna) is Level.AWARENESS


def test_a_note_is_not_an_engagement_signal(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "note", days_before(1))
    assert level_of(store, anna) is Level.AWARENESS


@pytest.mark.parametrize("kind", ["email_open", "website_visit", "content_view", "inquiry"])
def test_passive_signals_make_interest(store, add_contact, log, kind):
    anna = add_contact("anna@example.com")
    log(anna, kind, days_before(10))
    assert level_of(store, anna) is Level.INTEREST


@pytest.mark.parametrize(
    "kind",
    [
        "email_reply",
        "email_click",
        "call",
        "meeting",
        "message",
        "social_like",
        "social_comment",
        "social_share",
        "event_attended",
    ],
)
def test_active_signals_make_interaction(store, add_contact, log, kind):
    anna = add_contact("anna@example.com")
    log(anna, "email_open", days_before(20))
    log(anna, kind, days_before(10))
    assert level_of(store, anna) is Level.INTERACTION


@pytest.mark.parametrize(
    ("kind", "score", "level"),
    [
        ("nps", 0, Level.INTERACTION),
        ("nps", 8, Level.INTERACTION),
        ("nps", 9, Level.ADVOCACY),
        ("nps", 10, Level.ADVOCACY),
        ("feedback", 3, Level.INTERACTION),
        ("feedback", 8, Level.INTERACTION),
        ("nps", None, Level.INTERACTION),
    ],
)
def test_survey_answers_count_by_score(store, add_contact, log, kind, score, level):
    anna = add_contact("anna@example.com")
    log(anna, kind, days_before(5), score=score)
    assert level_of(store, anna) is level


@pytest.mark.parametrize("kind", ["purchase", "subscription", "signup"])
def test_one_conversion_makes_conversion(store, add_contact, log, kind):
    anna = add_contact("anna@example.com")
    log(anna, kind, days_before(30))
    assert level_of(store, anna) is Level.CONVERSION


def test_conversions_on_two_distinct_days_make_retention(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "purchase", "2026-05-01")
    log(anna, "subscription", "2026-09-01")
    assert level_of(store, anna) is Level.RETENTION


def test_same_day_purchases_count_once(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "purchase", "2026-05-01T09:00:00")
    log(anna, "purchase", "2026-05-01T17:30:00")
    assert level_of(store, anna) is Level.CONVERSION


@pytest.mark.parametrize("kind", ["referral", "review", "testimonial"])
def test_advocacy_signals_make_advocacy(store, add_contact, log, kind):
    anna = add_contact("anna@example.com")
    log(anna, kind, days_before(100))
    assert level_of(store, anna) is Level.ADVOCACY


def test_window_edge_365_days_counts_366_does_not(store, add_contact, log):
    inside, outside = add_contact("in@example.com"), add_contact("out@example.com")
    log(inside, "purchase", days_before(365))
    log(outside, "purchase", days_before(366))
    assert level_of(store, inside) is Level.CONVERSION
    assert level_of(store, outside) is Level.AWARENESS


def test_retention_needs_both_conversion_days_inside_the_window(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "purchase", days_before(366))
    log(anna, "purchase", days_before(10))
    assert level_of(store, anna) is Level.CONVERSION


def test_interactions_after_as_of_are_ignored(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "purchase", "2026-12-01")
    assert level_of(store, anna, AS_OF) is Level.AWARENESS
    assert level_of(store, anna, date(2026, 12, 1)) is Level.CONVERSION


def test_thresholds_are_settings(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "purchase", days_before(100))
    log(anna, "purchase", days_before(10))
    assert level_of(store, anna) is Level.RETENTION
    store.update_settings(repeat_days=3)
    assert level_of(store, anna) is Level.CONVERSION
    store.update_settings(window_days=50)
    assert level_of(store, anna) is Level.CONVERSION
    store.update_settings(window_days=5)
    assert level_of(store, anna) is Level.AWARENESS


def test_a_user_kind_counts_toward_its_stage(store, add_contact, log):
    anna = add_contact("anna@example.com")
    store.save_kind("workshop", Level.CONVERSION)
    log(anna, "workshop", days_before(3))
    assert level_of(store, anna) is Level.CONVERSION


def test_score_ranks_recent_and_frequent_engagement_higher(store, add_contact, log):
    recent, old, frequent = (add_contact(f"{n}@example.com") for n in ("recent", "old", "frequent"))
    log(recent, "purchase", days_before(2))
    log(old, "purchase", days_before(300))
    for day in (2, 20, 40):
        log(frequent, "purchase", days_before(day))
    scores = {e.contact_id: e.score for e in classify(store, AS_OF)}
    assert scores[frequent.id] > scores[recent.id] > scores[old.id] > 0
    assert all(0 <= s <= 100 for s in scores.values())


def test_days_since_last_engagement_looks_beyond_the_window(store, add_contact, log):
    anna, bob = add_contact("anna@example.com"), add_contact("bob@example.com")
    log(anna, "call", days_before(400))
    result = {e.contact_id: e for e in classify(store, AS_OF)}
    assert result[anna.id].days_since == 400 and result[anna.id].level is Level.AWARENESS
    assert result[bob.id].days_since is None and result[bob.id].last_engaged is None


def test_level_counts_have_all_six_levels(store, add_contact, log):
    add_contact("a@example.com")
    log(add_contact("b@example.com"), "purchase", days_before(1))
    counts = level_counts(store, AS_OF)
    assert list(counts) == list(Level)
    assert counts[Level.AWARENESS] == 1 and counts[Level.CONVERSION] == 1 and sum(counts.values()) == 2


def test_explain_retention_names_both_purchase_dates(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "purchase", "2026-05-01")
    log(anna, "purchase", "2026-09-01")
    result = explain(store, anna, AS_OF)
    assert result.engagement.level is Level.RETENTION
    assert result.reasons[0].startswith("2 purchases on 2026-05-01 and 2026-09-01 within 365 days → Retention")


def test_explain_same_day_purchases_says_why_not_retention(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "purchase", "2026-05-01T09:00:00")
    log(anna, "purchase", "2026-05-01T18:00:00")
    result = explain(store, anna, AS_OF)
    assert result.engagement.level is Level.CONVERSION
    assert "2 purchases on 2026-05-01 within 365 days → Conversion" in result.reasons[0]
    assert any("same-day purchases count once" in r for r in result.reasons)


def test_explain_awareness_mentions_an_old_signal(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "purchase", "2024-01-03")
    reasons = explain(store, anna, AS_OF).reasons
    assert reasons[0].startswith("No engagement signal in the 365 days to 2026-11-23 → Awareness")
    assert "purchase on 2024-01-03" in reasons[0]


def test_explain_promoter_names_the_score(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "nps", "2026-10-20", score=10)
    assert explain(store, anna, AS_OF).reasons[0] == "NPS score 10 on 2026-10-20 within 365 days → Advocacy"


KINDS = ["note", "email_open", "call", "nps", "feedback", "purchase", "signup", "review"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 500), st.integers(0, 10)), max_size=12))
def test_explain_and_classify_agree_with_a_plain_python_model(tmp_path_factory, signals):
    """A slow, obvious re-implementation of the rules must agree with the set-based SQL."""
    with Store.open(tmp_path_factory.mktemp("h") / "t.db") as store:
        anna = store.contacts.add(first_name="Anna", email="anna@example.com")
        stages = {k: store.kind(k) for k in KINDS}
        expected = Level.AWARENESS
        conversion_days = set()
        for kind, age, score in signals:
            day = AS_OF - timedelta(days=age)
            store.interactions.log(
                anna.id, kind, datetime(day.year, day.month, day.day, 12), score=score if stages[kind].survey else None
            )
            if age > 365 or stages[kind].stage is Level.AWARENESS:
                continue
            stage = stages[kind].stage
            if stages[kind].promoter_stage and stages[kind].survey and score >= 9:
                stage = stages[kind].promoter_stage
            if stage is Level.CONVERSION:
                conversion_days.add(day)
            expected = max(expected, stage)
        if len(conversion_days) >= 2:
            expected = max(expected, Level.RETENTION)
        assert level_of(store, anna) is expected
        assert explain(store, anna, AS_OF).engagement.level is expected
