"""The window's one clock: every tab, dialog and job started from the window asks here what day and time it is.

Tests fix it (`set_fixed`) to see the window on a given day, so nothing in tracker/ui reads the wall clock itself.
Read from worker threads too (a Refresher's work asks for today): one module-level value, set on the GUI thread.
"""

from __future__ import annotations

from datetime import date, datetime, time

from PySide6.QtCore import QDate, QDateTime, QTime

_fixed: datetime | None = None


def now() -> datetime:
    """The current local moment to the second (as the store keeps moments)."""
    return (_fixed or datetime.now()).replace(microsecond=0)


def today() -> date:
    return now().date()


def set_fixed(moment: datetime | date | None) -> None:
    """Read `moment` as now from here on (a date: that day at noon); None goes back to the wall clock."""
    global _fixed
    if moment is not None and not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(12, 0))
    _fixed = moment


def qdate(day: date | None = None) -> QDate:
    """`day` (default today) for a date widget."""
    day = day or today()
    return QDate(day.year, day.month, day.day)


def qdatetime(moment: datetime | None = None) -> QDateTime:
    """`moment` (default now) for a date-and-time widget."""
    moment = moment or now()
    return QDateTime(qdate(moment.date()), QTime(moment.hour, moment.minute, moment.second))
