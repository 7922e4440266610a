"""The timeline page: every dated event and claim in date order, offline, evidence on click.

Rows come from the named query ``timeline``. Dates show their precision: "2021-07" is drawn as the
month of July 2021, never as the first of July.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .html import environment

if TYPE_CHECKING:
    from ..kg import KnowledgeGraph

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
    """One item per dated statement and date (a statement with a start and an end gives two), each with
    its statement's evidence record (fetched for all of them in one query)."""
    from ..evidence import STATEMENT, fetch

    fields = kg.evidence_fields
    rows = kg.named("timeline")
    records = fetch(kg, [row["statement"] for row in rows if row.get("statement")])
    items = []
    for row in rows:
        kind = row.get("date_kind") or "on"
        date = str(row["date"])
        precision = row.get("date_precision")
        record = records.get(row.get("statement")) or fields.blank(row.get("statement"))
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
            # The evidence columns as the page shows them beside each line, under the fields' keys.
            **{key: value or "" for key, value in fields.shown(record).items()},
            "evidence": fields.page(record),
        })
    # The query orders by date text, which puts "2021" before "2021-03": a year before its months.
    items.sort(key=lambda i: (i["date"], i["kind"], i["subject"] or "", i["relationship"] or "",
                              i["object"] or "", i["evidence"].get(STATEMENT) or ""))
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
                           count=len(items), evidence_fields=kg.evidence_fields.describe())
