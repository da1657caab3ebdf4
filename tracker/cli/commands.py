"""The day-to-day commands: contacts, interactions, follow-ups, engagement, kinds and settings (imports are in
imports.py, registered first so `tracker --help` follows a user's day)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from tracker.cli import imports  # noqa: F401  (the import commands come first in `tracker --help`)
from tracker.cli.base import (
    ID,
    TrackerGroup,
    as_of_option,
    cli,
    command_store,
    emit_json,
    emit_json_list,
    json_option,
    table,
    user_day,
    user_moment,
    with_store,
)
from tracker.core.contacts_export import export_contacts
from tracker.core.engagement import explain, level_counts
from tracker.core.errors import InvalidInput
from tracker.core.export import (
    CONTACT_EXPORT_COLUMNS,  # noqa: F401  (tracker.cli re-exports it)
    FOLLOW_UP_EXPORT_COLUMNS,
    INTERACTION_EXPORT_COLUMNS,
    write_csv,
)
from tracker.core.export_calendar import write_calendar
from tracker.core.followups import suggest_follow_ups
from tracker.core.levels import Level, Settings
from tracker.core.operations import contacts as contact_ops
from tracker.core.operations import find_contact
from tracker.core.operations import follow_ups as follow_up_ops
from tracker.core.operations import interactions as interaction_ops
from tracker.core.operations import settings as setting_ops
from tracker.core.store import Store
from tracker.core.store.messages import contacts_with_dates
from tracker.core.vcard import write_vcards

# Contacts ----------------------------------------------------------------------------------------


def contact_options(fn: Callable) -> Callable:
    for name in reversed(("first-name", "last-name", "email", "phone", "company", "tags", "notes")):
        fn = click.option(f"--{name}", name.replace("-", "_"), help=f"The contact's {name.replace('-', ' ')}.")(fn)
    return fn


@cli.command(name="contacts")
@click.option("--level", help="Only contacts at this level (Awareness … Advocacy).")
@click.option("--tag", help="Only contacts with this tag.")
@click.option(
    "--search",
    help="Only contacts with every word of this at the start of a word of their name, e-mail, company, tags, notes "
    "or interaction notes, or in their phone number (digits only); the window's search box finds the same.",
)
@as_of_option
@json_option
@click.option(
    "--export",
    "export",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Write the list to a file: a CSV for Excel, or vCards for a phone when PATH ends in .vcf.",
)
@click.option(
    "--marketing",
    is_flag=True,
    help="Only contacts marketing may go to: leaves out those who withdrew consent (for a mail merge).",
)
@with_store
def contacts_command(
    store: Store,
    level: str | None,
    tag: str | None,
    search: str | None,
    as_of: str | None,
    as_json: bool,
    export: Path | None,
    marketing: bool,
) -> None:
    """List contacts with their engagement level and score.

    Example: tracker contacts --level Retention --export regulars.csv
    """
    try:
        wanted = Level.parse(level) if level else None
    except ValueError as exc:
        raise InvalidInput(str(exc) + ".") from None
    day = user_day(as_of)
    rows = store.engagement.contact_rows(
        day, store.settings(), level=wanted, search=search, tag=tag, with_purchases=True
    )
    if marketing:
        rows = [row for row in rows if row.contact.may_market]
    region = store.phone_region()
    documents = [row.to_dict(region) for row in rows] if as_json else []
    if export:
        store.require_owner("Exporting contacts")  # staff read them, but the list leaves the shop only by its owner
        if export.suffix.lower() == ".vcf":
            count = write_vcards(export, [(row.contact, "") for row in rows], database=store.path)
        else:  # the window's File → Export contacts… writes the same file (one place: core.contacts_export)
            ids = [row.engagement.contact_id for row in rows]
            count = export_contacts(store, export, ids, day)
        if not as_json:
            click.echo(f"Wrote {count} contacts to {export}.")
    if as_json:
        emit_json({"contacts": documents})
    elif not export:
        click.echo(
            table(
                ("id", "name", "email", "phone", "company", "level", "score", "last", "tags"),
                [
                    (
                        r.contact.id,
                        r.contact.name,
                        r.contact.email,
                        r.contact.phone,
                        r.contact.company,
                        r.engagement.level.label,
                        r.engagement.score,
                        r.engagement.last_engaged,
                        ", ".join(r.contact.tags),
                    )
                    for r in rows
                ],
            )
        )
        click.echo(f"{len(rows)} contacts")


@cli.command(name="add")
@contact_options
@json_option
@with_store
def add_command(store: Store, as_json: bool, **fields: str | None) -> None:
    """Add one contact.

    Example: tracker add --first-name Anna --email anna@example.com --tags "wedding, vip"
    """
    result = contact_ops.add(store, **{k: v for k, v in fields.items() if v is not None})
    if as_json:
        emit_json(store.contacts.get(result.ids[0]).to_dict())
    else:
        click.echo(result.summary)


@cli.command(name="edit")
@click.argument("contact", metavar="CONTACT")
@contact_options
@json_option
@with_store
def edit_command(store: Store, contact: str, as_json: bool, **fields: str | None) -> None:
    """Change fields of a contact (including the e-mail itself). CONTACT is an e-mail, phone or id (#12).

    Example: tracker edit anna@example.com --phone "+31 6 1234 5678"
    """
    found = find_contact(store, contact)
    assert found.id is not None  # a stored contact
    given: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
    result = contact_ops.edit(store, found.id, **given)
    if as_json:
        emit_json(store.contacts.get(found.id).to_dict())
    else:
        click.echo(result.summary)


@cli.command(name="delete")
@click.argument("contacts", nargs=-1, required=True, metavar="CONTACT...")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_store
def delete_command(store: Store, contacts: tuple[str, ...], yes: bool) -> None:
    """Delete contacts with their interactions and follow-ups. CONTACT is an e-mail, phone or id (#12).

    Example: tracker delete old@example.com --yes
    """
    found = [find_contact(store, text) for text in contacts]
    names = ", ".join(c.name for c in found)
    if not yes and not click.confirm(f"Delete {names} and everything logged for them?", default=False):
        raise InvalidInput("Nothing deleted.")
    ids: list[int] = []
    for c in found:
        assert c.id is not None  # a stored contact
        ids.append(c.id)
    click.echo(contact_ops.delete(store, ids).summary)


# Interactions -------------------------------------------------------------------------------------


@cli.command(name="interactions")
@click.option("--contact", "contact", metavar="CONTACT", help="Only this contact's (e-mail, phone or id).")
@click.option("--kind", "kinds", multiple=True, help="Only this kind (repeatable).")
@click.option("--since", metavar="DATE", help="From this date on.")
@click.option("--until", metavar="DATE", help="Up to this date.")
@click.option("--limit", type=ID, help="At most this many, newest first.")
@json_option
@click.option("--export", "export", type=click.Path(path_type=Path), metavar="PATH", help="Write a CSV for Excel.")
@with_store
def interactions_command(
    store: Store,
    contact: str | None,
    kinds: tuple[str, ...],
    since: str | None,
    until: str | None,
    limit: int | None,
    as_json: bool,
    export: Path | None,
) -> None:
    """List interactions, newest first.

    Example: tracker interactions --contact anna@example.com --json
    """
    contact_id = find_contact(store, contact).id if contact else None
    items = store.interactions.list(
        contact_id=contact_id,
        kinds=kinds,
        since=user_day(since) if since else None,
        until=user_day(until) if until else None,
        limit=limit,
    )
    documents = [
        {
            "id": i.id,
            "contact_id": i.contact_id,
            "contact_email": i.contact_email,
            "contact_name": i.contact_name,
            "kind": i.kind,
            "occurred_at": i.occurred_at,
            "amount": i.amount,
            "score": i.score,
            "channel": i.channel,
            "note": i.note,
            "by": i.by,
        }
        for i in items
    ]
    if export:
        store.require_owner("Exporting interactions")
        count = write_csv(export, INTERACTION_EXPORT_COLUMNS, documents, database=store.path)
        if not as_json:
            click.echo(f"Wrote {count} interactions to {export}.")
    if as_json:
        emit_json({"interactions": documents})
    elif not export:
        click.echo(
            table(
                ("when", "contact", "kind", "amount", "score", "note"),
                [
                    (
                        i.occurred_at.replace("T", " "),
                        i.contact_email or i.contact_name,
                        i.kind,
                        i.amount,
                        i.score,
                        i.note,
                    )
                    for i in items  # the rows of `documents`, typed
                ],
            )
        )


@cli.command(name="log")
@click.argument("contact", metavar="CONTACT")
@click.argument("kind")
@click.option("--at", metavar="DATE", help="When it happened (default now), e.g. 2026-05-01 or '2026-05-01 14:30'.")
@click.option("--amount", type=float, help="Money involved, e.g. 35.50.")
@click.option("--score", type=int, help="Survey score 0–10 (nps, feedback).")
@click.option("--note", default="", help="Free text.")
@click.option("--channel", default="", help="Where it happened: shop, phone, e-mail, web…")
@json_option
@with_store
def log_command(
    store: Store,
    contact: str,
    kind: str,
    at: str | None,
    amount: float | None,
    score: int | None,
    note: str,
    channel: str,
    as_json: bool,
) -> None:
    """Record one interaction. CONTACT is an e-mail, phone or id (#12); an unknown e-mail becomes a new contact.

    Example: tracker log anna@example.com purchase --amount 35 --note "Wedding bouquet"
    """
    result = interaction_ops.log(
        store,
        contact,
        kind,
        user_moment(at),
        amount=amount,
        score=score,
        note=note,
        channel=channel,
        new_contact_source="tracker log",
    )
    if as_json:
        interaction = store.interactions.get(result.ids[0])
        emit_json({**interaction.to_dict(), "contact_created": bool(result.created("contacts"))})
    else:
        click.echo(result.summary)


# Follow-ups -----------------------------------------------------------------------------------------


@cli.command(name="followup")
@click.argument("contact", metavar="CONTACT")
@click.option("--due", required=True, metavar="DATE", help="When to follow up, e.g. 2026-12-01 or +7d.")
@click.option("--reason", default="", help="Why, in a few words.")
@json_option
@with_store
def followup_command(store: Store, contact: str, due: str, reason: str, as_json: bool) -> None:
    """Schedule a follow-up with a contact. CONTACT is an e-mail, phone or id (#12).

    Example: tracker followup anna@example.com --due +7d --reason "Send the quote"
    """
    found = find_contact(store, contact)
    assert found.id is not None  # a stored contact
    result = follow_up_ops.schedule(store, found.id, user_day(due), reason)
    if as_json:
        follow_up = store.follow_ups.get(result.ids[0])
        emit_json(
            {
                "id": follow_up.id,
                "contact_id": found.id,
                "email": found.email,
                "due": follow_up.due,
                "reason": follow_up.reason,
            }
        )
    else:
        click.echo(result.summary)


@cli.command(name="followups")
@as_of_option
@json_option
@click.option(
    "--export",
    "export",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Write the list to a file, chosen by its extension: .csv for mail merge, .vcf (vCard) for a phone's "
    "contacts, .ics for a phone's calendar (each follow-up on its day with a 9:00 reminder, and contacts' birthdays "
    "and anniversaries every year).",
)
@with_store
def followups_command(store: Store, as_of: str | None, as_json: bool, export: Path | None) -> None:
    """Who to contact next and why, most urgent first.

    Example: tracker followups --export calls.csv  (or today.ics, calls.vcf)
    """
    suggestions = suggest_follow_ups(store, user_day(as_of))
    for_phone = export is not None and export.suffix.lower() in (".ics", ".vcf")
    if export is not None and for_phone:
        count = _export_for_phone(store, export, suggestions)
        if not as_json:
            noun = "events" if export.suffix.lower() == ".ics" else "follow-ups"
            click.echo(f"Wrote {count} {noun} to {export}.")
    suggestions.reverse()  # each is dropped once it is a document: at a million contacts both would not fit twice
    documents = []
    while suggestions:
        documents.append(suggestions.pop().to_dict())
    if export and not for_phone:
        count = write_csv(export, FOLLOW_UP_EXPORT_COLUMNS, documents, database=store.path)
        if not as_json:
            click.echo(f"Wrote {count} follow-ups to {export}.")
    if as_json:
        emit_json_list("followups", documents)
    elif not export:
        click.echo(
            table(
                ("due", "name", "email", "reason", "action"),
                [(d["due"], d["name"], d["email"], d["reason"], d["action"]) for d in documents],
            )
        )
        click.echo(f"{len(documents)} follow-ups")


def _export_for_phone(store: Store, export: Path, suggestions: list) -> int:
    """The follow-ups as a calendar (.ics, with contacts' important dates) or as contact cards (.vcf)."""
    if export.suffix.lower() == ".vcf":
        return write_vcards(export, [(s.contact, s.reason) for s in suggestions], database=store.path)
    return write_calendar(export, suggestions, contacts_with_dates(store), stamp=datetime.now(UTC), database=store.path)


@cli.command(name="done")
@click.argument("follow_up_ids", nargs=-1, type=ID, required=True, metavar="ID...")
@click.option("--at", metavar="DATE", help="When they were done (default now), e.g. '2026-05-01 14:30'.")
@json_option
@with_store
def done_command(store: Store, follow_up_ids: tuple[int, ...], at: str | None, as_json: bool) -> None:
    """Mark scheduled follow-ups done (ids from `tracker followups --json`): like the window's Done button, this
    logs a call with each contact and closes the follow-up.

    Example: tracker done 4 5
    """
    result = follow_up_ops.done(store, user_moment(at), follow_up_ids=follow_up_ids)
    if as_json:
        emit_json({"follow_ups": list(result.ids), "interactions": list(result.created("interactions"))})
    else:
        click.echo(result.summary)


@cli.command(name="snooze")
@click.argument("follow_up_ids", nargs=-1, type=ID, required=True, metavar="ID...")
@click.option("--until", "until", default="+1d", show_default=True, metavar="DATE", help="Hide until this date.")
@with_store
def snooze_command(store: Store, follow_up_ids: tuple[int, ...], until: str) -> None:
    """Snooze scheduled follow-ups.

    Example: tracker snooze 4 --until +7d
    """
    click.echo(follow_up_ops.snooze(store, user_day(until), follow_up_ids=follow_up_ids).summary)


# Engagement ------------------------------------------------------------------------------------------


@cli.command(name="explain")
@click.argument("contact", metavar="CONTACT")
@as_of_option
@json_option
@with_store
def explain_command(store: Store, contact: str, as_of: str | None, as_json: bool) -> None:
    """Show a contact's engagement level and the reasons for it. CONTACT is an e-mail, phone or id (#12).

    Example: tracker explain anna@example.com
    """
    explanation = explain(store, find_contact(store, contact), user_day(as_of), with_outlook=True)
    if as_json:
        emit_json(explanation.to_dict())
        return
    e = explanation.engagement
    click.echo(f"{explanation.contact.name}: {e.level.label} (score {e.score}/100)")
    for reason in explanation.reasons:
        click.echo(f"  - {reason}")
    if explanation.outlook:
        click.echo(f"Purchase outlook: {explanation.outlook}")


@cli.command(name="levels")
@as_of_option
@json_option
@with_store
def levels_command(store: Store, as_of: str | None, as_json: bool) -> None:
    """Count contacts at each engagement level.

    Example: tracker levels --as-of 2026-06-30 --json
    """
    counts = level_counts(store, user_day(as_of))
    if as_json:
        emit_json({"levels": {level.label: count for level, count in counts.items()}})
        return
    total = sum(counts.values()) or 1
    click.echo(
        table(("level", "contacts", "share"), [(lv.label, n, f"{100 * n / total:.0f} %") for lv, n in counts.items()])
    )


@cli.group(name="kinds", cls=TrackerGroup, invoke_without_command=True)
@json_option
@click.pass_context
def kinds_group(ctx: click.Context, as_json: bool) -> None:
    """List interaction kinds and the level each counts toward; `kinds add` adds your own.

    Example: tracker kinds add workshop --stage Interaction
    """
    if ctx.invoked_subcommand is not None:
        return
    with command_store(ctx.obj["db"]) as store:
        kinds = list(store.kinds().values())
    if as_json:
        emit_json(
            {
                "kinds": [
                    {
                        "name": k.name,
                        "level": k.stage.label,
                        "weight": k.weight,
                        "survey": k.survey,
                        "builtin": k.builtin,
                    }
                    for k in kinds
                ]
            }
        )
        return
    click.echo(
        table(
            ("kind", "counts toward", "weight", "notes"),
            [
                (
                    k.name,
                    k.stage.label,
                    k.weight,
                    ("survey; 9–10 counts as " + k.promoter_stage.label)
                    if k.promoter_stage
                    else ("survey" if k.survey else ""),
                )
                for k in kinds
            ],
        )
    )


@kinds_group.command(name="add")
@click.argument("name")
@click.option("--stage", "--level", "stage", required=True, help="Level it counts toward, e.g. Interest.")
@click.option("--weight", type=float, help="Weight in the engagement score (default by level).")
@click.option("--survey", is_flag=True, default=None, help="Answers carry a 0–10 score.")
@with_store
def kinds_add_command(store: Store, name: str, stage: str, weight: float | None, survey: bool | None) -> None:
    """Add a kind, or move an existing kind to another level.

    Example: tracker kinds add tasting --stage Interaction
    """
    try:
        level = Level.parse(stage)
    except ValueError as exc:
        raise InvalidInput(str(exc) + ".") from None
    click.echo(setting_ops.save_kind(store, name, level, weight, survey=survey).summary)


@cli.group(name="settings", cls=TrackerGroup, invoke_without_command=True)
@json_option
@click.pass_context
def settings_group(ctx: click.Context, as_json: bool) -> None:
    """Show the engagement thresholds; `settings set NAME DAYS` changes one.

    Example: tracker settings set drifting_days 60
    """
    if ctx.invoked_subcommand is not None:
        return
    with command_store(ctx.obj["db"]) as store:
        settings = store.settings()
    values = {name: getattr(settings, name) for name in Settings.names()}
    if as_json:
        emit_json({"settings": values})
        return
    click.echo(table(("setting", "value", "meaning"), [(k, v, Settings.HELP[k]) for k, v in values.items()]))


@settings_group.command(name="set")
@click.argument("name")
@click.argument("value", type=int)
@with_store
def settings_set_command(store: Store, name: str, value: int) -> None:
    """Change one threshold.

    Example: tracker settings set window_days 180
    """
    setting_ops.update_settings(store, **{name: value})
    click.echo(f"{name} = {value}")


@settings_group.command(name="region")
@click.argument("code", required=False)
@json_option
@with_store
def settings_region_command(store: Store, code: str | None, as_json: bool) -> None:
    """Show the region phone numbers without a country code are read in, or set it (two letters) and re-key every
    stored phone with it.

    Example: tracker settings region GB
    """
    summary = setting_ops.set_phone_region(store, code).summary if code is not None else None
    if as_json:
        emit_json({"phone_region": store.phone_region()})
    else:
        click.echo(summary or store.phone_region())
