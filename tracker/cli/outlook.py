"""`tracker outlook`: every customer's purchase outlook, or with --backtest how good it has been for this shop."""

from __future__ import annotations

from datetime import date

import click

from tracker.cli.base import cli, emit_json, json_option, table, with_store
from tracker.core.dates import parse_day
from tracker.core.store import Store


def _percent(p: float | None) -> str:
    return "" if p is None else f"{100 * p:.0f} %"


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


@cli.command(name="outlook")
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="Work out the outlook as of this date (default today); with --backtest, the cut-off.",
)
@click.option(
    "--horizon",
    type=int,
    default=90,
    show_default=True,
    metavar="DAYS",
    help="Days ahead the chances and expected orders cover.",
)
@click.option(
    "--backtest",
    is_flag=True,
    help="Fit on the orders up to the cut-off (default HORIZON days ago) and compare with what happened.",
)
@json_option
@with_store
def outlook_command(store: Store, as_of: str | None, horizon: int, backtest: bool, as_json: bool) -> None:
    """Who is likely still a customer, who is overdue for their own rhythm, and what to expect next.

    Purchases are interactions of kind `purchase` (import the shop's orders with
    `tracker import interactions orders.csv`). Same-day purchases count once.

    Example: tracker outlook --horizon 90 --json
    """
    from tracker.core.outlook.backtest import backtest as run_backtest  # numpy and scipy on first use
    from tracker.core.outlook.forecast import check_horizon, forecast
    from tracker.core.outlook.words import model_sentence

    check_horizon(horizon)
    today = date.today()  # the outermost layer: the one place that asks the clock
    day = parse_day(as_of, today=today) if as_of else None
    if backtest:
        result = run_backtest(store, day, horizon, today=today)
        if as_json:
            emit_json(result.to_dict())
            return
        for line in result.sentences():
            click.echo(line)
        click.echo()
        click.echo(
            table(
                ("orders before", "customers", "actual orders after (mean)", "predicted (mean)"),
                [
                    (r.label, r.customers, f"{r.actual_mean:.2f}", f"{r.predicted_mean:.2f}")
                    for r in result.by_past_orders
                ],
            )
        )
        return

    outlook = forecast(store, day or today, horizon)
    if as_json:
        emit_json(outlook.to_dict())
        return
    click.echo(model_sentence(outlook))
    if outlook.probabilities:
        revenue = outlook.expected_revenue
        click.echo(
            f"Expected in the next {horizon} days: {outlook.expected_orders:,.0f} orders"
            + (f", worth about {revenue:,.0f}." if revenue is not None else ".")
        )
        rows: list[tuple[object, ...]] = [  # the table's cells; the rhythm rule's below have fewer columns
            (
                c.name,
                c.email,
                c.purchases,
                c.last_purchase.isoformat(),
                _percent(c.p_active),
                _percent(c.p_purchase),
                _number(c.expected_purchases),
                _number(c.expected_value, 2),
            )
            for c in outlook.contacts
        ]
        click.echo(
            table(
                (
                    "name",
                    "email",
                    "orders",
                    "last order",
                    "still a customer",
                    f"order in {horizon} d",
                    "expected orders",
                    "expected value",
                ),
                rows,
            )
        )
    else:
        rows = [
            (
                c.name,
                c.email,
                c.purchases,
                c.last_purchase.isoformat(),
                _number(c.gap, 0),
                _number(c.ratio),
                c.expected_next_purchase.isoformat() if c.expected_next_purchase else "",
            )
            for c in outlook.contacts
        ]
        click.echo(table(("name", "email", "orders", "last order", "usual gap (days)", "× gap", "next expected"), rows))
