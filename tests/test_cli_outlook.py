"""`tracker outlook` and `explain`'s outlook on the command line: the JSON contract, the three kinds of model, the
backtest, and the error paths (exit 2, one line, nothing written). Shops are made from seeded synthetic orders
and imported the way a user imports them, as a CSV."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_cli import assert_usage_error, run, run_json, run_ok

CONTACT_KEYS = {
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
START = date(2025, 1, 1)
AS_OF = date(2026, 11, 23)


def write_orders(path: Path, customers: int, seed: int = 7) -> Path:
    """An order export: each customer has a rhythm (mean gap 10-120 days) and may stop buying after an order."""
    rng = random.Random(seed)
    lines = ["Email,Name,Order date,Order number,Total"]
    number = 1000
    for i in range(customers):
        day = START + timedelta(days=rng.randrange(0, 300))
        gap = rng.uniform(10, 120)
        while day <= AS_OF:
            number += 1
            lines.append(f"buyer{i}@example.com,Buyer {i},{day.isoformat()},{number},{rng.uniform(5, 80):.2f}")
            if rng.random() < 0.3:
                break
            day += timedelta(days=max(1, round(rng.expovariate(1 / gap))))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def shop(capsys, db_path: Path, tmp_path: Path):
    """A database with the orders of `customers` customers imported; returns the database path."""

    def make(customers: int) -> Path:
        run_ok(capsys, db_path, "import", "interactions", write_orders(tmp_path / "orders.csv", customers))
        return db_path

    return make


def test_outlook_json_follows_the_contract(capsys, shop):
    db = shop(60)
    document = run_json(capsys, db, "outlook", "--as-of", AS_OF.isoformat(), "--horizon", "30")
    model = document["model"]
    assert model["kind"] == "early estimate"  # 60 buyers: fewer than 200
    assert model["customers"] == 60 == len(document["contacts"])
    assert 0 < model["repeat_customers"] < 60
    assert model["time_unit"] in ("day", "week")
    assert {"r", "alpha", "a", "b"} <= set(model["params"])
    for contact in document["contacts"]:
        assert set(contact) == CONTACT_KEYS
        assert 0 <= contact["p_purchase"] <= 1 and contact["expected_purchases"] >= 0
        assert date.fromisoformat(contact["last_purchase"]) <= AS_OF
        if contact["purchases"] == 1:
            assert contact["p_active"] is None  # one-time buyers: 1 by construction, never shown
        else:
            assert 0 <= contact["p_active"] <= 1


def test_a_longer_horizon_expects_more_orders(capsys, shop):
    db = shop(60)
    short = run_json(capsys, db, "outlook", "--as-of", AS_OF.isoformat(), "--horizon", "30")
    long = run_json(capsys, db, "outlook", "--as-of", AS_OF.isoformat(), "--horizon", "365")
    total = {
        name: sum(c["expected_purchases"] for c in doc["contacts"]) for name, doc in (("short", short), ("long", long))
    }
    assert total["long"] > total["short"] > 0


def test_few_customers_get_the_rhythm_rule_without_probabilities(capsys, shop):
    db = shop(12)
    document = run_json(capsys, db, "outlook", "--as-of", AS_OF.isoformat())
    assert document["model"]["kind"] == "rhythm rule"
    for contact in document["contacts"]:
        assert contact["p_active"] is None and contact["p_purchase"] is None
        assert contact["expected_purchases"] is None and contact["expected_value"] is None
    text = run_ok(capsys, db, "outlook", "--as-of", AS_OF.isoformat())
    assert "rhythm rule" in text and "%" not in text


def test_text_output_says_which_model_and_what_to_expect(capsys, shop):
    db = shop(60)
    text = run_ok(capsys, db, "outlook", "--as-of", AS_OF.isoformat())
    assert text.startswith("An early estimate")
    assert "Expected in the next 90 days" in text
    assert "buyer0@example.com" in text


def test_explain_adds_the_outlook_in_words(capsys, shop):
    db = shop(60)
    document = run_json(capsys, db, "explain", "buyer0@example.com", "--as-of", AS_OF.isoformat())
    assert "chance of" in document["outlook"] and "Early estimate" in document["outlook"]


def test_explain_has_no_outlook_for_a_contact_who_never_bought(capsys, shop):
    db = shop(60)
    run_ok(capsys, db, "add", "--email", "lead@example.com", "--first-name", "Lea")
    document = run_json(capsys, db, "explain", "lead@example.com", "--as-of", AS_OF.isoformat())
    assert document["outlook"] is None


def test_backtest_compares_the_forecast_with_what_happened(capsys, shop):
    db = shop(300)
    document = run_json(capsys, db, "outlook", "--backtest", "--as-of", "2026-06-30", "--horizon", "120")
    assert document["cutoff"] == "2026-06-30" and document["end"] == "2026-10-28"
    assert document["actual_orders"] > 0 and document["predicted_orders"] > 0
    customers = sum(row["customers"] for row in document["by_past_orders"])
    assert customers == document["model"]["customers"] == sum(b["customers"] for b in document["calibration"])
    text = run_ok(capsys, db, "outlook", "--backtest", "--as-of", "2026-06-30", "--horizon", "120")
    assert "Predicted" in text and "they placed" in text


@pytest.mark.parametrize(
    "args", [("--horizon", "0"), ("--horizon", "9999"), ("--horizon", "soon"), ("--as-of", "someday")]
)
def test_bad_options_are_one_line_errors(capsys, shop, args):
    db = shop(12)
    assert_usage_error(run(capsys, db, "outlook", *args))


def test_no_purchases_is_a_one_line_error(capsys, db_path):
    run_ok(capsys, db_path, "add", "--email", "lead@example.com")
    line = assert_usage_error(run(capsys, db_path, "outlook"))
    assert "No purchases" in line


def test_backtest_with_too_few_customers_is_a_one_line_error(capsys, shop):
    db = shop(12)
    line = assert_usage_error(run(capsys, db, "outlook", "--backtest", "--as-of", "2026-06-30"))
    assert "Too few customers" in line
