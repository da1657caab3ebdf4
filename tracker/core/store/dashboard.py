"""SQL behind the dashboard: interactions packed for numpy, sources, survey answers and when contacts appeared."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from tracker.core.dates import day_number
from tracker.core.store import dialect
from tracker.core.store.migrations import UNSTAMPED_CHANGES
from tracker.core.store.table import StoreTable

#: SQLite integers are 64-bit; a packed interaction must stay below this.
_PACKED_LIMIT = 2**62


class DashboardQueries(StoreTable):
    def latest_survey_scores(self, as_of: date, days: int) -> list[int]:
        """Each contact's latest NPS answer within `days`."""
        end = day_number(as_of)
        sql = f"""
            SELECT score FROM (
                SELECT i.score, row_number() OVER (PARTITION BY i.contact_id ORDER BY i.day DESC, i.id DESC) AS n
                FROM kinds k {dialect.cross_join(self.conn)} interactions i ON i.kind_id = k.id
                WHERE k.promoter_stage IS NOT NULL AND i.score IS NOT NULL AND i.day BETWEEN ? AND ?
            ) AS answers WHERE n = 1
        """
        return [score for (score,) in self.conn.execute(sql, (end - days, end))]

    def last_answer_scores(self, contact_days: list[tuple[int, int]]) -> list[int]:
        """The score of the last NPS answer (highest id) each contact gave on the given day number: for contacts
        with two answers on their latest day, which came later only the ids tell."""
        pairs, contact, day = dialect.json_pairs(self.conn)
        sql = f"""
            SELECT (SELECT i.score FROM kinds k {dialect.cross_join(self.conn)} interactions i ON i.kind_id = k.id
                    WHERE i.contact_id = {contact} AND i.day = {day}
                      AND k.promoter_stage IS NOT NULL AND i.score IS NOT NULL
                    ORDER BY i.id DESC LIMIT 1)
            FROM {pairs}
        """
        return [score for (score,) in self.conn.execute(sql, (json.dumps(contact_days),))]

    def packed_interactions(self, first_day: date, as_of: date) -> tuple[str, int, int] | None:
        """Every interaction of a date range as one comma-separated text of packed integers, in (contact, day)
        order, with the two radixes used: ((contact id * days + day offset) * kinds + kind id) * 12 + score (0-10,
        11 for none).

        One text instead of a million rows: building Python tuples cost four times the scan. None when the
        packing could overflow (then use `interactions_between`)."""
        first, last = day_number(first_day), day_number(as_of)
        days = last - first + 1
        kinds = int(self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM kinds").fetchone()[0])
        top = int(self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM contacts").fetchone()[0])
        if top * days * kinds * 12 >= _PACKED_LIMIT:
            return None
        packed = "((CAST(contact_id AS BIGINT) * ? + (day - ?)) * ? + kind_id) * 12 + coalesce(score, 11)"
        sql = (
            f"SELECT {dialect.group_concat(self.conn, packed, ',', 'contact_id, day')} "
            f"FROM interactions {dialect.indexed_by(self.conn, 'interactions_contact_day')} WHERE day BETWEEN ? AND ?"
        )
        (text,) = self.conn.execute(sql, (days, first, kinds, first, last)).fetchone()
        return text or "", days, kinds

    def interactions_between(self, first_day: date, as_of: date) -> list[tuple[int, int, int, int]]:
        """(contact id, day number, kind id, score or 11) of every interaction in a date range, in (contact, day)
        order (what packed_interactions gives, as rows)."""
        sql = (
            "SELECT contact_id, day, kind_id, coalesce(score, 11) "
            f"FROM interactions {dialect.indexed_by(self.conn, 'interactions_contact_day')} WHERE day BETWEEN ? AND ? "
            "ORDER BY contact_id, day"
        )
        return self.conn.execute(sql, (day_number(first_day), day_number(as_of))).fetchall()

    def contact_groups(self) -> list[tuple[str, str, str]]:
        """(source, tags, comma-separated contact ids) per distinct source and tags: every contact, in few rows."""
        ids = dialect.group_concat(self.conn, "id", ",", "id")
        return self.conn.execute(f"SELECT source, tags, {ids} FROM contacts GROUP BY source, tags").fetchall()

    def late_or_reported(self, since: date) -> list[tuple[int, str, int, int | None]]:
        """(contact id, created day ISO, orders reported, first interaction's day number) of the contacts created
        after `since` or with orders reported by an export: the ones whose past differs from 'always there'."""
        sql = """
            SELECT c.id, substr(c.created_at, 1, 10), c.orders_reported,
                   (SELECT min(i.day) FROM interactions i WHERE i.contact_id = c.id)
            FROM contacts c WHERE substr(c.created_at, 1, 10) > ? OR c.orders_reported >= 1
        """
        return self.conn.execute(sql, (since.isoformat(),)).fetchall()

    def change_marks(self) -> tuple[int, ...] | None:
        """What moves when anything the dashboard counts changes (migrations 9 to 11): of unstamped_changes the
        count, the contact all counted since same_since were of (-1: more than one; -2: none yet), same_since, the
        contacts and the interactions deleted, the last stamps handed out to contacts and to interactions; then of
        contacts and of interactions the highest id and how many rows. None on a team database, whose ids do not
        follow the order of commits (its dashboard is recomputed whole)."""
        if dialect.is_team(self.conn):
            return None
        counts = (
            "count, coalesce(same_contact, -2), same_since, contacts_deleted, interactions_deleted, "
            "contacts_stamped, interactions_stamped"
        )
        parts = ", ".join(
            f"(SELECT coalesce(max(id), 0) FROM {t}), (SELECT count(*) FROM {t})" for t in ("contacts", "interactions")
        )
        row = self.conn.execute(f"SELECT {counts}, {parts} FROM {UNSTAMPED_CHANGES}").fetchone()
        return tuple(int(n) for n in row)

    def rows_above(self, contact_id: int, interaction_id: int) -> tuple[int, int]:
        """How many contacts and interactions have ids above these."""
        sql = "SELECT (SELECT count(*) FROM contacts WHERE id > ?), (SELECT count(*) FROM interactions WHERE id > ?)"
        contacts, interactions = self.conn.execute(sql, (contact_id, interaction_id)).fetchone()
        return int(contacts), int(interactions)

    def changed_contacts(
        self, contact_id: int, contact_stamp: int, interaction_id: int, interaction_stamp: int
    ) -> set[int]:
        """The contacts added or changed, or whose interactions were, since the highest ids and stamps given."""
        sql = """
            SELECT id FROM contacts WHERE id > ?
            UNION SELECT id FROM contacts WHERE stamp > ?
            UNION SELECT contact_id FROM interactions WHERE id > ?
            UNION SELECT contact_id FROM interactions WHERE stamp > ?
        """
        rows = self.conn.execute(sql, (contact_id, contact_stamp, interaction_id, interaction_stamp))
        return {contact for (contact,) in rows}

    def interactions_of(
        self, contact_ids: Iterable[int], first_day: date, as_of: date
    ) -> list[tuple[int, int, int, int]]:
        """What interactions_between gives, for these contacts only."""
        sql = (
            "SELECT contact_id, day, kind_id, coalesce(score, 11) FROM interactions "
            f"WHERE contact_id IN ({dialect.json_values(self.conn, 'bigint')}) AND day BETWEEN ? AND ? "
            "ORDER BY contact_id, day"
        )
        params = (json.dumps(sorted(contact_ids)), day_number(first_day), day_number(as_of))
        return self.conn.execute(sql, params).fetchall()

    def contacts_of(self, contact_ids: Iterable[int]) -> list[tuple[int, str, str, str, int, int | None]]:
        """(contact id, source, tags, created day ISO, orders reported, first interaction's day number) of those
        of these contacts that are there."""
        sql = f"""
            SELECT c.id, c.source, c.tags, substr(c.created_at, 1, 10), c.orders_reported,
                   (SELECT min(i.day) FROM interactions i WHERE i.contact_id = c.id)
            FROM contacts c WHERE c.id IN ({dialect.json_values(self.conn, "bigint")})
        """
        return self.conn.execute(sql, (json.dumps(sorted(contact_ids)),)).fetchall()
