"""SQL behind the dashboard: activity, sources, follow-up workload, survey answers and level-history inputs."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tracker.core.dates import day_number
from tracker.core.store.table import StoreTable

if TYPE_CHECKING:
    pass


class DashboardQueries(StoreTable):
    def latest_survey_scores(self, as_of: date, days: int) -> list[int]:
        """Each contact's latest NPS answer within `days`."""
        end = day_number(as_of)
        sql = """
            SELECT score FROM (
                SELECT i.score, row_number() OVER (PARTITION BY i.contact_id ORDER BY i.day DESC, i.id DESC) AS n
                FROM kinds k CROSS JOIN interactions i ON i.kind_id = k.id
                WHERE k.promoter_stage IS NOT NULL AND i.score IS NOT NULL AND i.day BETWEEN ? AND ?
            ) WHERE n = 1
        """
        return [score for (score,) in self.conn.execute(sql, (end - days, end))]

    def interactions_between(self, first_day: date, as_of: date) -> list[tuple[int, int, int, int | None]]:
        """(contact id, day number, kind id, score or -1) of every interaction in a date range.

        Read from the covering (contact_id, day, kind_id, score) index without joining kinds: the join costs
        three times the scan, and the caller maps kinds to stages itself.
        """
        sql = (
            "SELECT contact_id, day, kind_id, coalesce(score, -1) "
            "FROM interactions INDEXED BY interactions_contact_day WHERE day BETWEEN ? AND ?"
        )
        return self.conn.execute(sql, (day_number(first_day), day_number(as_of))).fetchall()

    def contact_ids(self) -> list[int]:
        return [cid for (cid,) in self.conn.execute("SELECT id FROM contacts ORDER BY id")]

    def sources(self) -> list[tuple[int, str, str]]:
        """(contact id, source, tags) for every contact."""
        return self.conn.execute("SELECT id, source, tags FROM contacts").fetchall()

    def follow_ups_due(self, until: date) -> list[tuple[str, int]]:
        """(due day ISO, open follow-ups) up to `until`, counting a snoozed one on the day it comes back."""
        sql = """
            SELECT max(due, coalesce(snoozed_until, due)) AS day, count(*) FROM follow_ups
            WHERE status = 'open' AND max(due, coalesce(snoozed_until, due)) <= ? GROUP BY day ORDER BY day
        """
        return self.conn.execute(sql, (until.isoformat(),)).fetchall()
