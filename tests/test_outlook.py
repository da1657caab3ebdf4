"""The purchase outlook through the store: CDNOW imported the way a user imports a shop's orders reproduces the
published BG/NBD and Gamma-Gamma fits and backtest; small shops get an early estimate or only the rhythm rule;
one-time buyers are never called certain or lost; same-day orders count once; the cache; errors; the JSON shape.

The CDNOW sample comes from the session fixture cdnow_text (conftest.py); those tests skip when it cannot be
downloaded. The other shops are built here from synthetic purchases."""

from __future__ import annotations

import json
import math
import re
import statistics
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from tracker.core.errors import InvalidInput, NotEnoughPurchases
from tracker.core.importing import import_interactions
from tracker.core.outlook import words
from tracker.core.outlook.backtest import backtest
from tracker.core.outlook.forecast import ModelKind, forecast
from tracker.core.store import Store

CUTOFF = date(1997, 9, 30)  # end of the CDNOW calibration period
HOLDOUT_DAYS = 273  # the 39 holdout weeks
EXAMPLE = "customer00004@cdnow.example"  # the paper's example customer: x = 2, t_x = 30.43, T = 38.86 weeks
AS_OF = date(2026, 6, 1)
HORIZON = 90


# --- shops --------------------------------------------------------------------------------------------------------


def cdnow_csv(text: str, path: Path) -> Path:
    """CDNOW_sample.txt (master id, customer id, YYYYMMDD, CDs, dollars) as a shop's purchases export."""
    lines = ["Email,Order date,Order number,CDs,Total"]
    for number, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if len(parts) == 5:
            master, _, day, cds, dollars = parts
            lines.append(f"customer{master}@cdnow.example,{day[:4]}-{day[4:6]}-{day[6:]},{number},{cds},{dollars}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_purchases(store: Store, folder: Path, rows: list[tuple[str, date, float]]) -> None:
    """Import (e-mail, day, amount) rows as an orders CSV, each row its own order number."""
    lines = ["Email,Order date,Order number,Total"]
    lines += [f"{email},{day.isoformat()},{number},{amount:.2f}" for number, (email, day, amount) in enumerate(rows)]
    path = folder / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_interactions(store, path)
    assert report.created == len(rows)


def simulated_shop(buyers: int, seed: int, *, span: int = 365) -> list[tuple[str, date, float]]:
    """Purchases of customers who each buy at their own Poisson rate and may drop out after every purchase (the
    BG/NBD story, in days), first purchases spread over the `span` days before AS_OF."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(buyers):
        day = AS_OF - timedelta(days=int(rng.integers(1, span)))
        rate, drop = rng.gamma(0.5, 1 / 20), rng.beta(0.8, 2.5)
        while day <= AS_OF:
            rows.append((f"buyer{i}@shop.example", day, round(float(rng.gamma(4.0, 10.0)), 2)))
            if rng.random() < drop:
                break
            day += timedelta(days=int(min(10_000, max(1, round(rng.exponential(1 / rate))))))
    return rows


def counted_shop(buyers: int, repeaters: int) -> list[tuple[str, date, float]]:
    """`buyers` customers, the first `repeaters` of them with a second order a few days after the first."""
    rows = []
    for i in range(buyers):
        first = AS_OF - timedelta(days=30 + (i * 37) % 300)
        rows.append((f"buyer{i}@shop.example", first, 20.0))
        if i < repeaters:
            rows.append((f"buyer{i}@shop.example", first + timedelta(days=5 + (i * 13) % 20), 25.0))
    return rows


def buyer_counts(rows: list[tuple[str, date, float]]) -> tuple[int, int]:
    """Customers and customers with purchases on more than one day, counted from the rows themselves."""
    days: dict[str, set[date]] = {}
    for email, day, _ in rows:
        days.setdefault(email, set()).add(day)
    return len(days), sum(1 for d in days.values() if len(d) > 1)


#: A shop too small for chances: each contact's purchase days.
RHYTHM_SHOP = {
    "anna": ["2026-01-01", "2026-01-11", "2026-01-31"],
    "ben": ["2026-05-01", "2026-05-08"],
    "cleo": ["2026-03-01"],
    "dan": ["2026-01-05", "2026-03-05", "2026-05-05"],
    "eve": ["2026-05-25"],
}


@pytest.fixture
def rhythm_shop(store, add_contact, log) -> dict[str, int]:
    """RHYTHM_SHOP logged by hand; returns contact ids by first name."""
    ids = {}
    for name, days in RHYTHM_SHOP.items():
        contact = add_contact(f"{name}@shop.example", first_name=name.title())
        ids[name] = contact.id
        for day in days:
            log(contact, "purchase", day, amount=20)
    return ids


@pytest.fixture(scope="module")
def cdnow_store(cdnow_text, tmp_path_factory):
    """CDNOW imported once into a database file through the user's import path."""
    folder = tmp_path_factory.mktemp("cdnow_store")
    with Store.open(folder / "tracker.db") as store:
        import_interactions(store, cdnow_csv(cdnow_text, folder / "cdnow.csv"))
        yield store


@pytest.fixture(scope="module")
def cdnow_outlook(cdnow_store):
    return forecast(cdnow_store, CUTOFF, HOLDOUT_DAYS)


@pytest.fixture(scope="module")
def cdnow_backtest(cdnow_store):
    return backtest(cdnow_store, CUTOFF, HOLDOUT_DAYS, today=date(2026, 1, 1))


# --- 1. CDNOW through the import path -------------------------------------------------------------------------------


def test_cdnow_import_is_fitted_with_bgnbd_in_weeks(cdnow_outlook):
    assert cdnow_outlook.kind is ModelKind.BGNBD
    assert cdnow_outlook.customers == 2357
    assert cdnow_outlook.repeat_customers == 946
    assert cdnow_outlook.time_unit == "week"


def test_cdnow_fit_reproduces_the_published_parameters(cdnow_outlook):
    params = cdnow_outlook.params
    for name, published in (("r", 0.2426), ("alpha", 4.4135), ("a", 0.7929), ("b", 2.4257)):
        assert params[name] == pytest.approx(published, rel=0.01), name
    assert params["log_likelihood"] == pytest.approx(-9582.43, abs=0.5)


def test_cdnow_example_customer_matches_the_paper(cdnow_store, cdnow_outlook):
    c = cdnow_outlook.get(cdnow_store.contacts.by_email(EXAMPLE).id)
    assert c.purchases == 3
    assert (c.last_purchase - c.first_purchase).days / 7 == pytest.approx(30.43, abs=0.01)
    assert (CUTOFF - c.first_purchase).days / 7 == pytest.approx(38.86, abs=0.01)
    assert c.p_active == pytest.approx(0.7266, abs=0.005)
    assert c.expected_purchases == pytest.approx(1.226, abs=0.005)


def test_cdnow_spend_model_reproduces_the_published_gamma_gamma(cdnow_outlook):
    params = cdnow_outlook.params
    for name, published in (("spend_p", 6.25), ("spend_q", 3.74), ("spend_v", 15.44)):
        assert params[name] == pytest.approx(published, rel=0.01), name


# --- 2. CDNOW backtest ---------------------------------------------------------------------------------------------


def test_cdnow_backtest_correlates_with_the_holdout_customer_by_customer(cdnow_backtest):
    assert cdnow_backtest.correlation == pytest.approx(0.63, abs=0.05)


def test_cdnow_backtest_under_forecasts_cumulative_repeat_orders_at_week_78_by_about_4_percent(cdnow_backtest):
    assert cdnow_backtest.end == date(1998, 6, 30)  # the last day of the 78 weeks from 1997-01-01
    actual, predicted = cdnow_backtest.actual_repeat_total, cdnow_backtest.predicted_repeat_total
    assert 0.02 <= (actual - predicted) / actual <= 0.06


def test_cdnow_backtest_many_repeat_customers_given_under_10_percent_came_back(cdnow_backtest):
    assert cdnow_backtest.lapsed_given > 0
    assert 0.39 <= cdnow_backtest.lapsed_returned / cdnow_backtest.lapsed_given <= 0.45


def test_cdnow_backtest_share_who_ordered_rises_with_the_chance_given(cdnow_backtest):
    filled = [b for b in cdnow_backtest.calibration if b.customers]
    assert len(filled) >= 3
    actual = [b.actual for b in filled]
    assert actual == sorted(actual) and len(set(actual)) == len(actual)


def test_cdnow_backtest_predicted_orders_rise_with_past_orders(cdnow_backtest):
    predicted = [row.predicted_mean for row in cdnow_backtest.by_past_orders]
    assert len(predicted) >= 3
    assert all(low < high for low, high in pairwise(predicted))


# --- 3. little data ------------------------------------------------------------------------------------------------


def test_under_30_buyers_the_rhythm_rule_gives_no_probabilities(store, rhythm_shop):
    outlook = forecast(store, AS_OF, HORIZON)
    assert outlook.kind is ModelKind.RHYTHM
    assert outlook.expected_orders is None and outlook.expected_revenue is None
    contacts = outlook.to_dict()["contacts"]
    assert len(contacts) == len(RHYTHM_SHOP)
    for entry in contacts:
        for key in ("p_active", "p_purchase", "expected_purchases", "expected_value"):
            assert entry[key] is None, (entry["email"], key)


def test_rhythm_rule_expects_the_next_order_one_usual_gap_after_the_last(store, rhythm_shop):
    days = {name: [date.fromisoformat(d) for d in ds] for name, ds in RHYTHM_SHOP.items()}
    shop_gap = statistics.median((b - a).days for ds in days.values() for a, b in pairwise(ds))
    outlook = forecast(store, AS_OF, HORIZON)
    for name, ds in days.items():
        gap = (ds[-1] - ds[0]).days / (len(ds) - 1) if len(ds) > 1 else shop_gap
        assert outlook.get(rhythm_shop[name]).expected_next_purchase == ds[-1] + timedelta(days=round(gap)), name


def test_rhythm_rule_sentence_names_the_rule_and_gives_no_percentages(store, rhythm_shop):
    outlook = forecast(store, AS_OF, HORIZON)
    for c in outlook.contacts:
        text = words.sentence(c, AS_OF, HORIZON)
        assert "Rhythm rule" in text, text
        assert "%" not in text, text


@pytest.mark.parametrize(
    ("buyers", "repeaters", "kind"),
    [
        (29, 20, ModelKind.RHYTHM),
        (30, 10, ModelKind.EARLY),
        (199, 150, ModelKind.EARLY),
        (200, 79, ModelKind.EARLY),
        (200, 80, ModelKind.BGNBD),
    ],
)
def test_model_kind_follows_the_numbers_of_buyers_and_repeat_buyers(store, tmp_path, buyers, repeaters, kind):
    import_purchases(store, tmp_path, counted_shop(buyers, repeaters))
    outlook = forecast(store, AS_OF, HORIZON)
    assert (outlook.customers, outlook.repeat_customers) == (buyers, repeaters)
    assert outlook.kind is kind


def test_early_estimate_has_finite_parameters_and_probabilities_in_range(store, tmp_path):
    import_purchases(store, tmp_path, simulated_shop(60, seed=1))
    outlook = forecast(store, AS_OF, HORIZON)
    assert outlook.kind is ModelKind.EARLY
    for name in ("r", "alpha", "a", "b", "log_likelihood"):
        assert math.isfinite(outlook.params[name]), name
    for c in outlook.contacts:
        assert c.p_active is None or 0 <= c.p_active <= 1
        assert 0 <= c.p_purchase <= 1
        assert c.expected_purchases >= 0


def test_early_estimate_sentence_says_so(store, tmp_path):
    import_purchases(store, tmp_path, simulated_shop(60, seed=1))
    outlook = forecast(store, AS_OF, HORIZON)
    for c in outlook.contacts:
        assert "Early estimate" in words.sentence(c, AS_OF, HORIZON)


def test_simulated_shop_with_enough_buyers_and_repeaters_is_fitted_with_bgnbd(store, tmp_path):
    rows = simulated_shop(300, seed=1)
    buyers, repeaters = buyer_counts(rows)
    assert buyers >= 200 and repeaters >= 80  # the simulation gives the shop enough of both
    import_purchases(store, tmp_path, rows)
    outlook = forecast(store, AS_OF, HORIZON)
    assert (outlook.customers, outlook.repeat_customers) == (buyers, repeaters)
    assert outlook.kind is ModelKind.BGNBD
    assert all(0 < outlook.params[name] < math.inf for name in ("r", "alpha", "a", "b"))


# --- 4. one-time buyers ---------------------------------------------------------------------------------------------


def test_one_time_buyers_have_no_p_active_and_an_uncertain_chance_of_a_second_order(cdnow_outlook):
    once = [c for c in cdnow_outlook.contacts if c.purchases == 1]
    assert len(once) == cdnow_outlook.customers - cdnow_outlook.repeat_customers
    for c in once:
        assert c.p_active is None
        assert 0 < c.p_purchase < 1


def test_one_time_buyer_sentences_speak_of_a_second_order_never_certain_or_lost(cdnow_outlook):
    for c in (c for c in cdnow_outlook.contacts if c.purchases == 1):
        text = words.sentence(c, CUTOFF, HOLDOUT_DAYS)
        assert "second order" in text, text
        assert "100 %" not in text, text
        assert not re.search(r"\blost\b", text, re.IGNORECASE), text


def test_long_gone_one_time_buyer_may_have_lapsed_but_a_new_one_has_not(store, tmp_path):
    rows = simulated_shop(300, seed=1)
    rows += [
        ("gone@shop.example", AS_OF - timedelta(days=3 * 365), 30.0),
        ("new@shop.example", AS_OF - timedelta(days=3), 30.0),
    ]
    import_purchases(store, tmp_path, rows)
    outlook = forecast(store, AS_OF, HORIZON)
    gone = outlook.get(store.contacts.by_email("gone@shop.example").id)
    new = outlook.get(store.contacts.by_email("new@shop.example").id)
    assert "may have lapsed" in words.sentence(gone, AS_OF, HORIZON).lower()
    assert "may have lapsed" not in words.sentence(new, AS_OF, HORIZON).lower()


# --- 5. same-day purchases -----------------------------------------------------------------------------------------


def test_purchases_on_the_same_day_count_once_with_their_amounts_summed(store, add_contact, log):
    anna = add_contact("anna@shop.example", first_name="Anna")
    log(anna, "purchase", "2026-03-01T10:00:00", amount=10)
    log(anna, "purchase", "2026-03-01T15:00:00", amount=15)
    log(anna, "purchase", "2026-04-01", amount=40)
    c = forecast(store, AS_OF, HORIZON).get(anna.id)
    assert c.purchases == 2
    assert c.usual_gap == (date(2026, 4, 1) - date(2026, 3, 1)).days
    assert c.order_value == pytest.approx(statistics.mean([10 + 15, 40]))


# --- 6. cache -----------------------------------------------------------------------------------------------------


def test_forecast_is_cached_until_a_purchase_is_added(store, rhythm_shop, log):
    first = forecast(store, AS_OF, HORIZON)
    assert forecast(store, AS_OF, HORIZON) is first
    log(store.contacts.get(rhythm_shop["anna"]), "purchase", "2026-05-20", amount=20)
    second = forecast(store, AS_OF, HORIZON)
    assert second is not first
    assert second.get(rhythm_shop["anna"]).purchases == first.get(rhythm_shop["anna"]).purchases + 1


def test_a_renamed_contact_shows_under_the_new_name_in_the_next_forecast(store, rhythm_shop):
    forecast(store, AS_OF, HORIZON)
    store.contacts.update(rhythm_shop["anna"], email="annabel@shop.example", first_name="Annabel")
    c = forecast(store, AS_OF, HORIZON).get(rhythm_shop["anna"])
    assert (c.email, c.name) == ("annabel@shop.example", "Annabel")


# --- 7. errors ----------------------------------------------------------------------------------------------------


def test_no_purchases_raise_not_enough_purchases_in_one_line(store, add_contact, log):
    log(add_contact("anna@shop.example"), "call", "2026-05-01")
    with pytest.raises(NotEnoughPurchases) as raised:
        forecast(store, AS_OF, HORIZON)
    message = str(raised.value)
    assert message and len(message.splitlines()) == 1


@pytest.mark.parametrize("horizon", [0, 5000])
def test_horizon_outside_1_to_3650_days_is_invalid(store, rhythm_shop, horizon):
    with pytest.raises(InvalidInput):
        forecast(store, AS_OF, horizon)


def test_backtest_needs_30_customers_before_the_cutoff(store, tmp_path):
    cutoff = date(2026, 4, 1)
    before = [(f"early{i}@shop.example", cutoff - timedelta(days=10 + i), 20.0) for i in range(29)]
    after = [(f"late{i}@shop.example", cutoff + timedelta(days=10 + i), 20.0) for i in range(20)]
    import_purchases(store, tmp_path, before + after)
    with pytest.raises(NotEnoughPurchases):
        backtest(store, cutoff, HORIZON, today=AS_OF)


def test_backtest_with_the_cutoff_today_is_invalid(store, tmp_path):
    import_purchases(store, tmp_path, counted_shop(40, 20))
    with pytest.raises(InvalidInput):
        backtest(store, AS_OF, HORIZON, today=AS_OF)


# --- 8. JSON contract ---------------------------------------------------------------------------------------------


def test_to_dict_has_the_documented_keys_and_survives_json(cdnow_outlook):
    data = cdnow_outlook.to_dict()
    assert set(data) == {"as_of", "horizon_days", "model", "contacts"}
    assert (data["as_of"], data["horizon_days"]) == (CUTOFF.isoformat(), HOLDOUT_DAYS)
    assert set(data["model"]) == {"kind", "customers", "repeat_customers", "params", "time_unit"}
    assert data["model"]["kind"] == "bg/nbd"
    assert len(data["contacts"]) == cdnow_outlook.customers
    keys = {
        "email",
        "name",
        "purchases",
        "last_purchase",
        "p_active",
        "p_purchase",
        "expected_purchases",
        "expected_next_purchase",
        "expected_value",
    }
    assert all(set(entry) == keys for entry in data["contacts"])
    assert json.loads(json.dumps(data)) == data


def test_a_shop_whose_first_customers_bought_today_gets_the_rhythm_rule(store, tmp_path):
    """Nobody has been watched for any time yet: no rhythm to fit, so no chances (they would be absurd)."""
    import_purchases(store, tmp_path, [(f"new{n}@shop.example", AS_OF, 20.0) for n in range(40)])
    outlook = forecast(store, AS_OF, HORIZON)
    assert outlook.kind is ModelKind.RHYTHM
    assert all(c.p_purchase is None and c.expected_purchases is None for c in outlook.contacts)


def test_a_young_shop_gets_an_early_estimate_with_sane_figures(store, tmp_path):
    """40 buyers over the last five weeks, a few of them twice: chances stay well short of certain and nobody
    is expected to order dozens of times in 90 days."""
    rows = [(f"b{n}@shop.example", AS_OF - timedelta(days=n % 35), 20.0) for n in range(40)]
    rows += [(f"b{n}@shop.example", AS_OF - timedelta(days=n % 7), 25.0) for n in range(10, 20)]
    import_purchases(store, tmp_path, rows)
    outlook = forecast(store, AS_OF, HORIZON)
    assert outlook.kind is ModelKind.EARLY
    assert max(c.p_purchase for c in outlook.contacts) < 0.99
    assert max(c.expected_purchases for c in outlook.contacts) < 10


def test_dashboard_summary_lists_customers_at_risk_most_valuable_first(store, tmp_path):
    from tracker.core.outlook.summary import outlook_summary

    import_purchases(store, tmp_path, simulated_shop(60, seed=1))
    summary = outlook_summary(store, AS_OF)
    outlook = forecast(store, AS_OF, HORIZON)
    chance = store.settings().winback_percent / 100
    assert {c.contact_id for c in summary.at_risk} == {c.contact_id for c in outlook.contacts if c.at_risk(chance)}
    stakes = [c.stake for c in summary.at_risk]
    assert stakes == sorted(stakes, reverse=True)
    assert all(not c.one_time and c.p_purchase < chance for c in summary.at_risk)
    assert f"{outlook.expected_orders:,.0f} orders" in summary.sentence()
    assert len(summary.at_risk_lines()) == min(5, len(summary.at_risk))


def test_dashboard_summary_is_none_without_purchases(store, add_contact):
    from tracker.core.outlook.summary import outlook_summary

    add_contact("lead@shop.example")
    assert outlook_summary(store, AS_OF) is None
