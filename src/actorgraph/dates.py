"""Dates with their precision. "2021-07" is a month, not the first of July."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

import pyoxigraph as ox

from .errors import BadDateError

XSD = "http://www.w3.org/2001/XMLSchema#"
_FORMS = {
    "year": (re.compile(r"^(\d{4})$"), "gYear"),
    "month": (re.compile(r"^(\d{4})-(\d{2})$"), "gYearMonth"),
    "day": (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "date"),
}


class PartialDate(NamedTuple):
    """A date known to a day, a month or a year."""

    text: str
    precision: str  # "day" | "month" | "year"

    @property
    def start(self) -> dt.date:
        parts = [int(p) for p in self.text.split("-")]
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)

    @property
    def end(self) -> dt.date:
        """The last day the date covers: 2021-07 ends on 2021-07-31."""
        start = self.start
        if self.precision == "year":
            return dt.date(start.year, 12, 31)
        if self.precision == "month":
            following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return start

    def literal(self) -> ox.Literal:
        return ox.Literal(self.text, datatype=ox.NamedNode(XSD + _FORMS[self.precision][1]))


def parse_date(text: str) -> PartialDate:
    """YYYY, YYYY-MM or YYYY-MM-DD, checked to be a real date; anything else is a BadDateError."""
    value = text.strip()
    for precision, (pattern, _) in _FORMS.items():
        if pattern.match(value):
            candidate = PartialDate(value, precision)
            try:
                _ = candidate.end  # builds the real dates, so 2021-02-30 or month 13 fails here
            except ValueError as err:
                raise BadDateError(f"bad date {text!r}: {err}") from None
            return candidate
    raise BadDateError(f"bad date {text!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")


def format_date(value: Any, precision: Any, inferred: Any = None) -> str:
    """'2021-07 (month)'; '2025-02-04 (day, inferred)'. Empty when there is no date."""
    if not value:
        return ""
    detail = str(precision or "")
    if inferred:
        detail = f"{detail}, inferred" if detail else "inferred"
    return f"{value} ({detail})" if detail else str(value)
