"""The set-based SQL behind engagement levels: one grouped pass over the interactions for all contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from tracker.core.dates import day_number, from_day_number
from tracker.core.levels import DETRACTOR_MAX, PROMOTER_MIN, Level, Settings
from tracker.core.models import ContactRow, Engagement, display_name
from tracker.core.search import search_rows
from tracker.core.store import dialect
from tracker.core.store.contact_fields import COLUMNS, contact_from_row
from tracker.core.store.table import StoreTable

if TYPE_CHECKING:
    pass

#: A score of 50 means signals worth this much weight today (two purchases, or five calls).
SCORE_HALF = 10.0

# The stage one interaction gives evidence for: a survey kind's promoter stage when it scores 9-10.
_STAGE = "CASE WHEN k.promoter_stage IS NOT NULL AND i.score >= :promoter THEN k.promoter_stage ELSE k.stage END"

# Per contact: highest stage in the window, distinct conversion days in the window, recency-weighted
# signal (linear decay to zero at the window's far edge) and the last day with any engagement signal.
_AGGREGATE = f"""
    SELECT i.contact_id AS cid,
           max(CASE WHEN i.day >= :start THEN {_STAGE} END) AS max_stage,
           count(DISTINCT CASE WHEN i.day >= :start AND k.stage = 4 THEN i.day END) AS conversion_days,
           sum(CASE WHEN i.day >= :start THEN k.weight * (1.0 - (:end - i.day) / (:window + 1.0)) END) AS raw,
           max(i.day) AS last_day
    FROM interactions i JOIN kinds k ON k.id = i.kind_id
    WHERE i.day <= :end AND k.stage > 1 {{contact_filter}}
    GROUP BY i.contact_id
"""

# A customers export's order total (no dates) is evidence too: one order makes Conversion, repeat orders Retention.
_LEVEL = (
    "max(coalesce(a.max_stage, 1), CASE WHEN a.conversion_days >= :repeat THEN 5 ELSE 1 END, "
    "CASE WHEN c.orders_reported >= :repeat THEN 5 WHEN c.orders_reported >= 1 THEN 4 ELSE 1 END)"
)
_SCORE = f"CAST(round(100.0 * coalesce(a.raw, 0) / (coalesce(a.raw, 0) + {SCORE_HALF})) AS INTEGER)"
_ENGAGEMENT_COLUMNS = f"{_LEVEL} AS level, {_SCORE} AS score, a.last_day, coalesce(a.conversion_days, 0)"


def _params(as_of: date, settings: Settings) -> dict[str, Any]:
    """The queries' named SQL parameters (callers add their own)."""
    end = day_number(as_of)
    return {
        "end": end,
        "start": end - settings.window_days,
        "window": settings.window_days,
        "repeat": settings.repeat_days,
        "promoter": PROMOTER_MIN,
    }


_LEVELS = (None, *Level)  # index by number: much cheaper than Level(n) for 100k rows


def _engagement(contact_id: int, level: int, score: int, last_day: int | None, conv: int, end: int) -> Engagement:
    return Engagement(
        contact_id=contact_id,
        level=_LEVELS[level],
        score=score,
        days_since=None if last_day is None else end - last_day,
        last_engaged=None if last_day is None else from_day_number(last_day).isoformat(),
        conversion_days=conv,
    )


@dataclass(slots=True)
class ContactListing:
    """Contacts as compact columns in id order: what a list of 100,000 contacts shows, without a Contact each."""

    ids: list[int]
    names: list[str]  # as Contact.name
    companies: list[str]
    emails: list[str]  # "" for none
    phones: list[str]
    tags: list[str]  # as stored and shown: joined with ", "


@dataclass(slots=True)
class EngagementColumns:
    """Engagement as compact columns in id order: level number, score, last engaged day number (NEVER: none),
    and the next follow-up due of those contacts that have one."""

    ids: list[int]
    levels: list[int]
    scores: list[int]
    last_days: list[int]
    next_due: dict[int, str]


#: The last engaged day of a contact never engaged (a day number: below any real one, so it sorts first).
NEVER = -1_000_000_000


def _id_filter(column: str, contact_ids: list[int] | None) -> str:
    if contact_ids is None:
        return ""
    return f"{column} IN ({', '.join(str(int(i)) for i in contact_ids) or 'NULL'})"


class EngagementQueries(StoreTable):
    def listing(self, contact_ids: list[int] | None = None) -> ContactListing:
        """Every contact's (or these contacts') shown columns, in id order; one scan, no JSON parsed."""
        where = _id_filter("id", contact_ids)
        sql = (
            "SELECT id, first_name, last_name, company, email, phone, tags FROM contacts "
            + (f"WHERE {where} " if where else "")
            + "ORDER BY id"
        )
        ids, names, companies, emails, phones, tags = [], [], [], [], [], []
        shared: dict[str, str] = {}  # one string for each company and tag list many contacts share
        for cid, first, last, company, email, phone, tag_text in self.conn.execute(sql):
            ids.append(cid)
            names.append(display_name(first, last, company, email, phone))
            companies.append(shared.setdefault(company, company))
            emails.append(email or "")
            phones.append(phone)
            tags.append(shared.setdefault(tag_text, tag_text))
        return ContactListing(ids, names, companies, emails, phones, tags)

    def engagement_columns(
        self, as_of: date, settings: Settings, contact_ids: list[int] | None = None
    ) -> EngagementColumns:
        """`classify` as compact columns (the same SQL), with each contact's next follow-up due."""
        params = _params(as_of, settings)
        where = _id_filter("c.id", contact_ids)
        contact_filter = f"AND {_id_filter('i.contact_id', contact_ids)}" if where else ""
        sql = (
            f"WITH a AS ({_AGGREGATE.format(contact_filter=contact_filter)}) "
            f"SELECT c.id, {_LEVEL}, {_SCORE}, coalesce(a.last_day, {NEVER}) "
            "FROM contacts c LEFT JOIN a ON a.cid = c.id " + (f"WHERE {where} " if where else "") + "ORDER BY c.id"
        )
        ids, levels, scores, last_days = [], [], [], []
        days: dict[int, int] = {}  # one int object per day many contacts share (not 32 bytes a contact)
        for cid, level, score, last_day in self.conn.execute(sql, params):
            ids.append(cid)
            levels.append(level)
            scores.append(score)
            last_days.append(days.setdefault(last_day, last_day))
        next_due = self.store.follow_ups.next_due_by_contact()
        if contact_ids is not None:
            wanted = set(ids)
            next_due = {cid: due for cid, due in next_due.items() if cid in wanted}
        return EngagementColumns(ids, levels, scores, last_days, next_due)

    def classify(self, as_of: date, settings: Settings, contact_id: int | None = None) -> list[Engagement]:
        """Level, score and recency of every contact (or one) as of a date, in one grouped query."""
        params = _params(as_of, settings)
        contact_filter = ""
        outer_filter = ""
        if contact_id is not None:
            contact_filter = "AND i.contact_id = :cid"
            outer_filter = "WHERE c.id = :cid"
            params["cid"] = contact_id
        sql = (
            f"WITH a AS ({_AGGREGATE.format(contact_filter=contact_filter)}) "
            f"SELECT c.id, {_ENGAGEMENT_COLUMNS} FROM contacts c LEFT JOIN a ON a.cid = c.id {outer_filter} "
            "ORDER BY c.id"
        )
        end = params["end"]
        return [
            _engagement(cid, level, score, last_day, conv, end)
            for cid, level, score, last_day, conv in self.conn.execute(sql, params)
        ]

    def level_counts(self, as_of: date, settings: Settings) -> dict[Level, int]:
        """How many contacts are at each level (all six present, zeros included)."""
        params = _params(as_of, settings)
        sql = (
            f"WITH a AS ({_AGGREGATE.format(contact_filter='')}) "
            f"SELECT {_LEVEL} AS level, count(*) FROM contacts c LEFT JOIN a ON a.cid = c.id GROUP BY level"
        )
        counts = dict.fromkeys(Level, 0)
        for level, count in self.conn.execute(sql, params):
            counts[Level(level)] = count
        return counts

    def contact_rows(
        self,
        as_of: date,
        settings: Settings,
        *,
        level: Level | None = None,
        search: str | None = None,
        tag: str | None = None,
        contact_ids: list[int] | None = None,
        with_purchases: bool = False,
    ) -> list[ContactRow]:
        """Contacts joined with their engagement and next follow-up, filtered by level, text, tag or ids;
        `with_purchases` counts each one's purchases too (logged, or reported by an export: the larger).

        `search` is matched by tracker.core.search, the rule the window's search box applies too."""
        params = _params(as_of, settings)
        where = []
        contact_filter = ""
        if contact_ids is not None:
            id_list = ", ".join(str(int(i)) for i in contact_ids) or "NULL"
            where.append(f"c.id IN ({id_list})")
            contact_filter = f"AND i.contact_id IN ({id_list})"  # aggregate only these: a page, not every contact
        if level is not None:
            where.append(f"{_LEVEL} = :level")
            params["level"] = int(level)
        if tag:
            where.append("instr(', ' || lower(c.tags) || ',', :tag) > 0")
            params["tag"] = f", {tag.strip().lower()},"
        columns = ", ".join(f"c.{name.strip()}" for name in COLUMNS.split(","))
        sql = (
            f"WITH a AS ({_AGGREGATE.format(contact_filter=contact_filter)}) "
            f"SELECT {columns}, {_ENGAGEMENT_COLUMNS} FROM contacts c LEFT JOIN a ON a.cid = c.id "
            + ("WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY lower(c.last_name), lower(c.first_name), c.id"
        )
        end = params["end"]
        next_due = self.store.follow_ups.next_due_by_contact()
        rows = []
        width = len(COLUMNS.split(","))
        for row in self.conn.execute(sql, params):
            contact = contact_from_row(row[:width])
            contact_id: int = row[0]  # contact.id, set for every stored contact
            level_number, score, last_day, conv = row[width:]
            engagement = _engagement(contact_id, level_number, score, last_day, conv, end)
            rows.append(ContactRow(contact, engagement, next_due.get(contact_id)))
        if with_purchases:
            logged = self.purchase_counts()
            for row in rows:
                row.purchases = max(logged.get(row.engagement.contact_id, 0), row.contact.orders_reported or 0)
        return search_rows(self.store, rows, search) if search else rows

    def purchase_counts(self) -> dict[int, int]:
        """{contact id: purchases logged} for contacts with any (interactions of the kind 'purchase')."""
        sql = (
            "SELECT i.contact_id, count(*) FROM interactions i JOIN kinds k ON k.id = i.kind_id "
            "WHERE k.name = 'purchase' GROUP BY i.contact_id"
        )
        return dict(self.conn.execute(sql).fetchall())

    def evidence(self, contact_id: int, as_of: date, settings: Settings) -> list[dict[str, Any]]:
        """The contact's engagement signals up to `as_of`, oldest first, each with the stage it counts for."""
        params = _params(as_of, settings) | {"cid": contact_id}
        sql = f"""
            SELECT i.day, k.name AS kind, {_STAGE} AS stage, i.score, i.amount, i.day >= :start AS in_window
            FROM interactions i JOIN kinds k ON k.id = i.kind_id
            WHERE i.contact_id = :cid AND i.day <= :end AND k.stage > 1
            ORDER BY i.day, i.id
        """
        return [
            {
                "day": from_day_number(day),
                "kind": kind,
                "stage": Level(stage),
                "score": score,
                "amount": amount,
                "in_window": bool(in_window),
            }
            for day, kind, stage, score, amount, in_window in self.conn.execute(sql, params)
        ]

    def detractors(self, as_of: date, days: int) -> dict[int, tuple[int, date, str]]:
        """Contacts whose latest survey answer within `days` scored 0–6: id → (score, day, kind)."""
        end = day_number(as_of)
        sql = f"""
            SELECT contact_id, score, day, name FROM (
                SELECT i.contact_id, i.score, i.day, k.name,
                       row_number() OVER (PARTITION BY i.contact_id ORDER BY i.day DESC, i.id DESC) AS latest
                FROM kinds k {dialect.cross_join(self.conn)} interactions i ON i.kind_id = k.id  -- survey kinds first
                WHERE k.survey = 1 AND i.score IS NOT NULL AND i.day BETWEEN ? AND ?
            ) AS answers WHERE latest = 1 AND score <= ?
        """
        return {
            cid: (score, from_day_number(day), kind)
            for cid, score, day, kind in self.conn.execute(sql, (end - days, end, DETRACTOR_MAX))
        }
