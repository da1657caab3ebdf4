"""The duplicate commands: list contacts that look like one person (`duplicates`) and merge two (`merge`)."""

from __future__ import annotations

import click

from tracker.cli.base import cli, emit_json, json_option, table, with_store
from tracker.core.duplicates import DuplicatePair, find_duplicates
from tracker.core.errors import InvalidInput
from tracker.core.models import Contact
from tracker.core.operations import find_contact
from tracker.core.operations.merge import CHOOSABLE, merge_contacts
from tracker.core.store import Store


def _pair_document(pair: DuplicatePair) -> dict[str, object]:
    return {
        "ids": list(pair.ids),
        "names": [pair.first.name, pair.second.name],
        "emails": [pair.first.email, pair.second.email],
        "phones": [pair.first.phone, pair.second.phone],
        "score": pair.score,
        "reasons": list(pair.reasons),
    }


@cli.command(name="duplicates")
@json_option
@with_store
def duplicates_command(store: Store, as_json: bool) -> None:
    """List contacts that look like one person (one number in two spellings, two e-mails with one name…), with
    the reasons and a score out of 100, best first; people whose names clearly differ are never listed.

    Example: tracker duplicates --json
    """
    pairs = find_duplicates(store)
    if as_json:
        emit_json({"pairs": [_pair_document(pair) for pair in pairs]})
        return
    if not pairs:
        click.echo("No duplicates found.")
        return
    click.echo(
        table(
            ("ids", "names", "score", "reasons"),
            [
                (
                    f"#{pair.ids[0]} #{pair.ids[1]}",
                    f"{pair.first.name} / {pair.second.name}",
                    pair.score,
                    "; ".join(pair.reasons),
                )
                for pair in pairs
            ],
            whole=("ids", "reasons"),
        )
    )
    click.echo(f"{len(pairs):,} pair(s); merge one with: tracker merge #{pairs[0].ids[0]} #{pairs[0].ids[1]}")


def _who(contact: Contact) -> str:
    return f"{contact.name} (#{contact.id})"


@cli.command(name="merge")
@click.argument("keep", metavar="KEEP")
@click.argument("other", metavar="OTHER")
@click.option(
    "--take",
    multiple=True,
    type=click.Choice(CHOOSABLE),
    metavar="FIELD",
    help=f"Keep OTHER's value of this field instead of KEEP's (repeatable): {', '.join(CHOOSABLE)}.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@with_store
def merge_command(store: Store, keep: str, other: str, take: tuple[str, ...], yes: bool, as_json: bool) -> None:
    """Merge contact OTHER into KEEP: OTHER's interactions and follow-ups move to KEEP, its values fill KEEP's
    empty fields, its e-mail and phone are kept as other ones, then OTHER is deleted. KEEP and OTHER are an
    e-mail, a phone or an id (#12), as `tracker duplicates` lists them.

    Example: tracker merge #12 #31 --take phone
    """
    kept, merged = find_contact(store, keep), find_contact(store, other)
    assert kept.id is not None and merged.id is not None  # stored contacts
    if kept.id == merged.id:
        raise InvalidInput(f"{keep} and {other} are the same contact ({_who(kept)}); name two different contacts.")
    question = f"Merge {_who(merged)} into {_who(kept)}, moving everything logged for it?"
    if not yes and not click.confirm(question, default=False):
        raise InvalidInput("Nothing merged.")
    result = merge_contacts(store, kept.id, merged.id, fields=dict.fromkeys(take, "other"))
    if as_json:
        emit_json(
            {
                "summary": result.summary,
                "merged": merged.id,
                "contact": store.contacts.get(kept.id).to_dict(store.phone_region()),
            }
        )
        return
    click.echo(result.summary)
