"""The timeline page: every dated event and claim in date order, offline, evidence on click.

Rows come from the named query ``timeline``. Dates show their precision: "2021-07" is drawn as the
month of July 2021, never as the first of July.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .html import environment

if TYPE_CHECKING:
    from ..kg import KnowledgeGraph

_KIND_FIELD = {"on": "point_in_time", "from": "start_time", "until": "end_time"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def spoken_date(value: str, precision: str | None) -> str:
    """'2021-07' -> 'July 2021'; '2025-02-04' -> '4 February 2025'; '2022' -> '2022'."""
    parts = value.split("-")
    if len(parts) == 3 and precision in (None, "day"):
        return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) >= 2 and precision in (None, "month"):
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def timeline_items(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """One item per dated statement and date (a statement with a start and an end gives two)."""
    items = []
    for row in kg.named("timeline"):
        kind = row.get("date_kind") or "on"
        field = _KIND_FIELD.get(kind, "point_in_time")
        date = str(row["date"])
        precision = row.get("date_precision")
        evidence = {
            "statement": row.get("statement"),
            "quote": row.get("quote"),
            "source": row.get("source"),
            "source_label": row.get("source_label"),
            "asserted_by": row.get("asserted_by"),
            "asserted_by_label": row.get("asserted_by_label"),
            "status_label": row.get("status_label"),
            "event": row.get("event"),
            "event_label": row.get("event_label"),
            field: date,
            f"{field}_precision": precision,
            f"{field}_inferred": bool(row.get("date_inferred")),
            f"{field}_basis": row.get("date_basis"),
        }
        items.append({
            "date": date,
            "year": date[:4],
            "precision": precision or "",
            "kind": kind,
            "when": spoken_date(date, precision),
            "inferred": bool(row.get("date_inferred")),
            "subject": row.get("subject_label") or row.get("subject"),
            "relationship": row.get("relationship"),
            "object": row.get("object_label") or row.get("object"),
            "status": row.get("status_label") or "",
            "asserted_by": row.get("asserted_by_label") or "",
            "evidence": evidence,
        })
    # The query orders by date text, which puts "2021" before "2021-03": a year before its months.
    items.sort(key=lambda i: (i["date"], i["kind"], i["subject"] or "", i["relationship"] or "",
                              i["object"] or "", i["evidence"]["statement"] or ""))
    return items


def build_timeline(kg: KnowledgeGraph, title: str = "actorgraph timeline") -> str:
    items = timeline_items(kg)
    years: list[tuple[str, list[tuple[int, dict]]]] = []
    for number, item in enumerate(items):
        if not years or years[-1][0] != item["year"]:
            years.append((item["year"], []))
        years[-1][1].append((number, item))
    template = environment().get_template("timeline.html")
    return template.render(title=title, years=years, evidence=[i["evidence"] for i in items],
                           count=len(items))
