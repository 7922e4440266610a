"""The timeline page: every dated event and claim in date order, offline, evidence on click.

Rows come from the named query ``timeline``. Dates show their precision: "2021-07" is drawn as the
month of July 2021, never as the first of July. The page filters by status, source and actor, and
its search matches every name and alias of the entities in a row (the search for "Crook" finds Élmer
Canales Rivera's rows); the address follows the filters, as on the explorer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import evidence
from .html import environment, node_key, script_json

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
    its statement's evidence record (read for all of them in one query)."""
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
        page = fields.page(record)
        items.append({
            "date": date,
            "year": date[:4],
            "precision": precision or "",
            "kind": kind,
            "when": spoken_date(date, precision),
            "inferred": bool(row.get("date_inferred")),
            "subject": row.get("subject_label") or row.get("subject"),
            "subject_iri": row.get("subject"),
            "relationship": row.get("relationship"),
            "object": row.get("object_label") or row.get("object"),
            "object_iri": row.get("object"),
            # The evidence columns as the line shows them (status, who asserts it), under the fields' keys.
            **{key: value or "" for key, value in fields.shown(record).items()},
            "evidence": page,
        })
    # The query orders by date text, which puts "2021" before "2021-03": a year before its months.
    items.sort(key=lambda i: (i["date"], i["kind"], i["subject"] or "", i["relationship"] or "",
                              i["object"] or "", i["evidence"].get(STATEMENT) or ""))
    return items


def _names(kg: KnowledgeGraph) -> dict[str, list[str]]:
    """Every label and alias of every entity, by IRI."""
    found: dict[str, list[str]] = {}
    for entry in kg.names.entries:
        names = found.setdefault(entry.iri, [])
        if entry.name not in names:
            names.append(entry.name)
    return found


def _statuses(kg: KnowledgeGraph, present: set[str]) -> list[str]:
    """The statuses present, firmest first (the ontology's order), then any it does not know."""
    from . import style

    ordered = [row["label"] for row in style.statuses(kg.vocabulary) if row["label"] in present]
    return ordered + sorted(present - set(ordered))


def build_timeline(kg: KnowledgeGraph, title: str = "actorgraph timeline") -> str:
    from .source import page_name

    items = timeline_items(kg)
    names = _names(kg)
    years: list[tuple[str, list[tuple[int, dict]]]] = []
    for number, item in enumerate(items):
        if not years or years[-1][0] != item["year"]:
            years.append((item["year"], []))
        years[-1][1].append((number, item))
    actors: dict[str, str] = {}
    sources: dict[str, dict[str, str]] = {}
    rows = []
    for item in items:
        ends = [iri for iri in (item["subject_iri"], item["object_iri"]) if iri]
        for iri, label in zip(ends, (item["subject"], item["object"]), strict=False):
            actors.setdefault(iri, label)
        source, label = evidence.document(item["evidence"])
        if source and source not in sources:
            sources[source] = {"iri": source, "key": node_key(source), "page": page_name(source),
                               "label": label or source}
        rows.append({
            "status": evidence.status(item["evidence"]) or "",
            "source": source,
            "actors": [node_key(iri) for iri in ends],
            # What the search looks in: every name of both ends, the relationship, the quote, who says it.
            "text": " | ".join([*(name for iri in ends for name in names.get(iri, [])), item["subject"] or "",
                                item["object"] or "", item["relationship"] or "",
                                evidence.party(item["evidence"]) or "", evidence.quote(item["evidence"]) or ""]),
        })
    data = {
        "rows": rows,
        "fields": kg.evidence_fields.describe(),
        "evidence": [i["evidence"] for i in items],
        "statuses": _statuses(kg, {row["status"] for row in rows if row["status"]}),
        "sources": sorted(sources.values(), key=lambda s: (s["label"], s["iri"])),
        "actors": [{"key": node_key(iri), "name": label}
                   for iri, label in sorted(actors.items(), key=lambda a: (a[1].casefold(), a[0]))],
    }
    template = environment().get_template("timeline.html")
    return template.render(title=title, years=years, count=len(items), data=script_json(data))
