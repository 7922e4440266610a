"""Answers to the questions researchers ask, each from a named query, as ``output.Table`` or
``output.Document``. The CLI prints these; notebooks can use them directly.

Rows keep every field of the named query (IRIs included) for JSON; ``columns`` picks what a table shows.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .dates import PartialDate, format_date, parse_date
from .errors import UsageError
from .evidence import party, role
from .kg import KnowledgeGraph, Row, plain_rows
from .output import Document, Table

if TYPE_CHECKING:
    from .paging import Page


def _records(kg: KnowledgeGraph, rows: list[Row]) -> dict[str, dict[str, Any]]:
    """The evidence records of the rows' statements, in one query (see ``actorgraph.evidence``)."""
    from .evidence import fetch

    return fetch(kg, [row["statement"] for row in rows if row.get("statement")])


def _claim(row: Row) -> str:
    return f"{row['subject_label']} → {row['relationship']} → {row['object_label']}"


def _date_of(row: Row) -> str:
    parts = []
    if row.get("date"):
        parts.append(format_date(row["date"], row.get("date_precision"), row.get("date_inferred")))
    if row.get("start"):
        parts.append("from " + format_date(row["start"], row.get("start_precision")))
    if row.get("end"):
        parts.append("until " + format_date(row["end"], row.get("end_precision")))
    return "; ".join(parts)


# -- actors, profiles, search -------------------------------------------------------------------


def actors(kg: KnowledgeGraph, type_: str | None = None) -> Table:
    """Every actor (or every entity of ``type_``) with its type and aliases."""
    rows = []
    for row in kg.named("actors", type=type_):
        aliases = sorted(a for a in (row["aliases"] or "").split("; ") if a)
        rows.append({"name": row["label"], "type": row["class_label"], "aliases": aliases,
                     "iri": row["entity"], "type_iri": row["class"]})
    return Table(["name", "type", "aliases"], rows, title=f"{len(rows)} {type_ or 'actor'} entities")


def profile(kg: KnowledgeGraph, name: str) -> Document:
    """One entity: types, aliases, roles, and every relationship in and out with its evidence."""
    iri = kg.resolve(name)
    info = kg.named("profile", entity=iri)
    label = info[0]["label"] if info else kg.label(iri)
    types = sorted({r["class_label"] for r in info if r["class_label"]})
    aliases = sorted({r["alias"] for r in info if r["alias"]})
    other_names = sorted({r["other_name"] for r in info if r["other_name"]})
    descriptions = sorted({r["description"] for r in info if r["description"]})
    statements = kg.named("statements", entity=iri)
    records = _records(kg, statements)
    evidence = kg.evidence_fields
    outgoing, incoming, roles, seen = [], [], set(), set()
    for row in statements:
        if row["statement"] in seen:
            continue  # one line per statement: its evidence record holds all its values
        seen.add(row["statement"])
        record = records.get(row["statement"])
        line = {"relationship": row["relationship"], "date": _date_of(row), **evidence.answer(record),
                **evidence.details(record), "statement": row["statement"]}
        if row["subject"] == iri:
            outgoing.append({"to": row["object_label"], "to_iri": row["object"], **line})
            if role(record):
                roles.add(role(record))
        if row["object"] == iri:
            incoming.append({"from": row["subject_label"], "from_iri": row["subject"], **line})
    columns = ["relationship", "date", *evidence.column_labels]
    found = identifiers(kg, iri)
    fields: dict[str, Any] = {"iri": iri, "types": types, "aliases": aliases}
    if other_names:
        fields["other names"] = other_names
    fields["roles"] = sorted(roles)
    if descriptions:
        fields["description"] = descriptions[0]
    sections = {"identifiers": found} if found.rows else {}
    sections["outgoing"] = Table(["to", *columns], outgoing, title=f"{label} → (outgoing: {len(outgoing)})")
    sections["incoming"] = Table(["from", *columns], incoming, title=f"→ {label} (incoming: {len(incoming)})")
    return Document(title=label, fields=fields, sections=sections)


def identifiers_by_entity(kg: KnowledgeGraph) -> dict[str, list[dict[str, Any]]]:
    """Every entity's identifiers in other datasets (scheme, id, link, found in), by the entity's IRI."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in identifiers(kg).rows:
        found[row["entity"]].append({k: row[k] for k in ("scheme", "id", "link")} | {"found_in": row["found in"]})
    return dict(found)


def identifiers(kg: KnowledgeGraph, iri: str | None = None) -> Table:
    """An entity's identifiers in other datasets, each with the address of its page there and where it was
    found (a file of a public repository at a commit, or a source document of the graph)."""
    schemes = kg.vocabulary.identifiers
    rows = []
    for row in kg.named("identifiers", entity=iri):  # every entity's when iri is None
        scheme = schemes.get(row["scheme"])
        if row.get("repository"):
            where = f"{row['repository']} {row.get('path') or ''}".strip()
            if row.get("line"):
                where += f":{row['line']}"
            if row.get("commit"):
                where += f", commit {str(row['commit'])[:7]}"
        else:
            where = row.get("document_label") or row.get("found_in") or "no recorded origin"
        rows.append({"scheme": row.get("scheme_label") or (scheme.label if scheme else row["scheme"]),
                     "id": row["value"], "link": scheme.link(str(row["value"])) if scheme else None,
                     "found in": where, "source": row.get("found_in"), "excerpt": row.get("excerpt"),
                     "scheme_iri": row["scheme"], "entity": row["entity"]})
    # Where each was found goes under the table, so that the links keep one line each (a wrapped address
    # cannot be clicked).
    notes = [f"{r['scheme']} {r['id']}: {r['found in']}" for r in rows]
    return Table(["scheme", "id", "link"], rows, title=f"identifiers in other datasets ({len(rows)})", notes=notes)


def search(kg: KnowledgeGraph, text: str, limit: int = 10) -> Table:
    """Names and aliases like ``text``, ignoring case and accents, with scores (100 = exact)."""
    matches = kg.names.search(text, limit=limit)
    rows = [{"name": m.label, "matched": m.matched, "score": m.score, "iri": m.iri} for m in matches]
    return Table(["name", "matched", "score"], rows, title=f"matches for {text!r}")


# -- the named questions ------------------------------------------------------------------------


def who_negotiated(kg: KnowledgeGraph) -> Table:
    """Everyone tied to negotiations between a government and a gang, both sides: one row per party,
    with its roles, how it is tied, and every statement as evidence."""
    rows = kg.named("who-negotiated")
    records = _records(kg, rows)
    evidence = kg.evidence_fields
    parties: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        record = records.get(row["statement"])
        party = parties.setdefault((row["side"], row["actor"]), {
            "side": row["side"], "actor": row["actor_label"], "role": [], "ties": [], "evidence": [],
            "actor_iri": row["actor"]})
        if role(record) and role(record) not in party["role"]:
            party["role"].append(role(record))
        with_ = row.get("counterpart_label") or row.get("negotiation_label")
        tie = f"{row['relationship']} {with_}"
        if tie not in party["ties"]:
            party["ties"].append(tie)
        party["evidence"].append({"relationship": row["relationship"], "with": with_, **evidence.answer(record),
                                  "statement": row["statement"], "_role": role(record)})
    out = []
    for party in sorted(parties.values(), key=lambda p: (p["side"] != "government", p["actor"].casefold())):
        # The table shows the statement that gives the party's role, else the first.
        shown = next((e for e in party["evidence"] if e["_role"]), party["evidence"][0])
        for item in party["evidence"]:
            del item["_role"]
        aliases = kg.names.aliases(party["actor_iri"])
        out.append({**party, "aliases": aliases,
                    "name": f"{party['actor']} ({', '.join(aliases)})" if aliases else party["actor"],
                    **{column: shown[column] for column in evidence.column_labels},
                    "statements": len(party["evidence"])})
    rows = out
    sides = defaultdict(int)
    for row in rows:
        sides[row["side"]] += 1
    summary = ", ".join(f"{n} on the {side} side" for side, n in sorted(sides.items(), reverse=True))
    return Table(["side", "name", "role", *evidence.column_labels], rows,
                 title=f"who negotiated: {summary or 'nobody'}",
                 notes=["each party's other evidence is in --format json (key: evidence)"] if rows else [])


def sanctions(kg: KnowledgeGraph, name: str | None = None) -> Table:
    """Sanction listings with programme, authority, date, reason and evidence."""
    listed = kg.named("sanctions", person=name)
    records = _records(kg, listed)
    evidence = kg.evidence_fields
    rows = []
    for row in listed:
        record = records.get(row["statement"])
        rows.append({"person": row["person_label"], "programme": row["programme_label"],
                     "authority": row.get("authority_label"),
                     "date": format_date(row.get("date"), row.get("date_precision"), row.get("date_inferred")),
                     **evidence.details(record), **evidence.answer(record), "date_basis": row.get("date_basis"),
                     "person_iri": row["person"], "statement": row["statement"]})
    return Table(["person", "programme", "authority", "date", *evidence.column_labels], rows,
                 title=f"{len(rows)} sanction listings")


def _in_range(row: Row, start: PartialDate | None, end: PartialDate | None) -> bool:
    """True when the row's date, taken over its whole precision, overlaps [start, end]."""
    span = PartialDate(str(row["date"]), str(row["date_precision"]))
    if start and span.end < start.start:
        return False
    return not (end and span.start > end.end)


def timeline(kg: KnowledgeGraph, actor: str | None = None, from_: str | None = None,
             to: str | None = None, limit: int | None = None, cursor: str | None = None) -> Table:
    """Dated events and claims in order; each date shows its precision. With ``limit`` or ``cursor``,
    one page of them: the dates of ``limit`` statements, and every other statement of the last date."""
    start = parse_date(from_) if from_ else None
    end = parse_date(to) if to else None
    # The page index is sorted by the date's text, in which a year or a month comes before the days it
    # holds: no date before the start's year, or after the end's last day, can overlap the range.
    page = _page(kg, "timeline", limit, cursor, actor=actor,
                 lowest=(f"{start.start.year:04d}",) if start else None,
                 highest=(end.end.isoformat(),) if end else None,
                 keep=(lambda key: _overlaps(key[0], start, end)) if start or end else None)
    dated = [row for row in (kg.named("timeline", actor=actor) if page is None else plain_rows(page.result))
             if not (start or end) or _in_range(row, start, end)]
    records = _records(kg, dated)
    evidence = kg.evidence_fields
    rows = []
    for row in dated:
        record = records.get(row["statement"])
        shown = format_date(row["date"], row["date_precision"], row.get("date_inferred"))
        rows.append({"date": shown if row["date_kind"] == "on" else f"{row['date_kind']} {shown}",
                     "when": row["date_kind"], "what": _claim(row), **evidence.details(record),
                     **evidence.answer(record), "date_value": row["date"], "precision": row["date_precision"],
                     "inferred": bool(row.get("date_inferred")), "date_basis": row.get("date_basis"),
                     "statement": row["statement"]})
    rows.sort(key=lambda r: (PartialDate(str(r["date_value"]), str(r["precision"])).start,
                             r["date_value"], r["what"]))
    return Table(["date", "what", *evidence.column_labels], rows, title=f"timeline: {len(rows)} dated statements",
                 notes=[] if page is None else page_notes(page, "statement dates"))


def _overlaps(text: str, start: PartialDate | None, end: PartialDate | None) -> bool:
    """Whether a date written YYYY, YYYY-MM or YYYY-MM-DD overlaps [start, end] (a date in any other form
    is kept, for the rows' own check)."""
    precision = {4: "year", 7: "month", 10: "day"}.get(len(text))
    try:
        return precision is None or _in_range({"date": text, "date_precision": precision}, start, end)
    except ValueError:
        return True


def figures(kg: KnowledgeGraph, about: str | None = None) -> Table:
    """Every figure (or those describing ``about``) with value, unit, date and source; disagreements
    are named in notes."""
    found = kg.named("figures", entity=about)
    records = _records(kg, found)
    evidence = kg.evidence_fields
    rows, groups = [], defaultdict(list)
    for row in found:
        record = records.get(row["statement"])
        value = row["value"]
        shown = f"{row['approximation']} {value:,}" if row.get("approximation") not in (None, "exactly") \
            else f"{value:,}"
        date = "; ".join(p for p in (
            format_date(row.get("date"), row.get("date_precision"), row.get("date_inferred")),
            "since " + format_date(row["start"], row.get("start_precision")) if row.get("start") else "",
            "until " + format_date(row["end"], row.get("end_precision")) if row.get("end") else "") if p)
        item = {"describes": row["entity_label"], "measure": row["measure_label"],
                "figure": f"{shown} {row.get('unit') or ''}".strip(), "value": shown, "unit": row.get("unit"),
                "date": date, "basis": row.get("basis"),
                **evidence.answer(record), "other figures": row.get("others"), "number": value,
                "figure_iri": row["figure"], "statement": row["statement"]}
        rows.append(item)
        groups[(row["entity_label"], row["measure_label"])].append((item, party(record)))
    notes = []
    for (entity, measure), items in sorted(groups.items()):
        # Different values for the same measure of the same entity are set side by side, each with its
        # source and date, so that a reader can tell a disagreement from a change over time.
        if len({i["number"] for i, _ in items}) > 1:
            sides = " vs ".join(f"{i['value']} ({who}{', ' + i['date'] if i['date'] else ''})" for i, who in items)
            notes.append(f"sources give different values for {measure} of {entity}: {sides}")
    return Table(["describes", "measure", "figure", "date", *evidence.column_labels], rows,
                 title=_count_title(len({r["figure_iri"] for r in rows}), "figure", len(rows)), notes=notes)


def _count_title(things: int, noun: str, statements: int) -> str:
    """'21 figures' or '21 figures, 23 statements' when some have more than one statement."""
    title = f"{things} {noun}{'' if things == 1 else 's'}"
    return title if statements == things else f"{title}, {statements} statements"


def claims(kg: KnowledgeGraph, by: str | None = None, source: str | None = None, limit: int | None = None,
           cursor: str | None = None) -> Table:
    """What one party asserts, or what one document says; with ``limit`` or ``cursor``, one page of them,
    in the order of their statements."""
    page = _page(kg, "statements", limit, cursor, by=by, source=source)
    found = kg.named("statements", by=by, source=source) if page is None else plain_rows(page.result)
    records = _records(kg, found)
    evidence = kg.evidence_fields
    rows = []
    for row in found:
        record = records.get(row["statement"])
        rows.append({"claim": _claim(row), "date": _date_of(row), **evidence.answer(record),
                     "statement": row["statement"], "subject": row["subject"], "predicate": row["predicate"],
                     "object": row["object"], "_party": party(record) or ""})
    if page is None:
        rows.sort(key=lambda r: (r["_party"].casefold(), r["claim"].casefold(), r["statement"]))
    for row in rows:
        del row["_party"]
    scope = " and ".join(p for p in (f"by {by}" if by else "", f"in {source}" if source else "") if p)
    return Table(["claim", "date", *evidence.column_labels], rows,
                 title=f"{len(rows)} claims{' ' + scope if scope else ''}",
                 notes=[] if page is None else page_notes(page, "statements"))


def between(kg: KnowledgeGraph, a: str, b: str, max_paths: int = 10) -> Table:
    """Every relationship and shared event linking two entities, and their shortest paths, with evidence."""
    a_iri, b_iri = kg.resolve(a), kg.resolve(b)
    linked = kg.named("between", a=a_iri, b=b_iri)
    records = _records(kg, linked)
    evidence = kg.evidence_fields
    rows = []
    for row in linked:
        via = kg.label(row["event"]) if row.get("event") else ""  # the shared event
        rows.append({"kind": row["kind"], "via": via, "link": _claim(row),
                     **evidence.answer(records.get(row["statement"])), "statement": row["statement"]})
    from .network import absent, shortest_paths

    network = kg.structure()
    notes = []
    if not absent(network, a_iri, b_iri) and a_iri != b_iri:
        paths = shortest_paths(network, a_iri, b_iri, limit=max_paths)
        for hop in paths.rows:
            rows.append({"kind": f"path {hop['path']}", "via": f"step {hop['step']}",
                         "link": f"{hop['subject']} → {hop['relationship']} → {hop['object']}",
                         **{column: hop.get(column) for column in evidence.column_labels},
                         "statement": hop["statements"]})
        notes.extend(paths.notes)
    else:
        notes.append(f"no path: {kg.label(a_iri)} and {kg.label(b_iri)} are not both in the network")
    return Table(["kind", "via", "link", *evidence.column_labels], rows,
                 title=f"between {kg.label(a_iri)} and {kg.label(b_iri)}", notes=notes)


# -- named queries as such ----------------------------------------------------------------------


def _shown_path(path: Path) -> str:
    """A path relative to the working directory when it lies below it (portable), else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def named_query_list() -> Table:
    """The named queries with their titles, parameters and descriptions."""
    from .queries import list_queries

    rows = []
    for q in list_queries():
        params = [f"{p.name}:{p.type}{'' if p.required else '?'}" for p in q.params]
        rows.append({"name": q.name, "title": q.title, "parameters": params, "description": q.description,
                     "file": _shown_path(q.path)})
    return Table(["name", "title", "parameters", "description"], rows, title=f"{len(rows)} named queries")


def named_query_table(kg: KnowledgeGraph, name: str, params: dict[str, str], show_text: bool = False,
                      limit: int | None = None, offset: int = 0, cursor: str | None = None) -> Table:
    """Run a named query with text parameters; every column of the query is shown. With ``limit``, one
    page of rows in the query's order, and a note when more follow: for a listing that pages by cursor
    (statements, timeline, quotes), the rows of ``limit`` statements after ``cursor``."""
    query = kg.named_query(name)
    if show_text:
        return Table(["sparql"], [{"sparql": query.text}], title=query.title)
    if query.page is not None and (limit is not None or cursor is not None):
        if offset:
            raise UsageError(f"{name!r} pages by cursor: give the --cursor that the previous page printed, "
                             f"not --offset")
        page = _page(kg, name, limit, cursor, **params)
        rows = plain_rows(page.result)
        return Table(page.result.variables, rows, title=f"{query.title}: {len(rows)} rows",
                     notes=page_notes(page, query.page.units))
    if cursor is not None:
        raise UsageError(f"{name!r} does not page by cursor: use --limit and --offset")
    # One row more than the page tells whether another page follows, without counting them all.
    result = kg.named_select(name, limit=None if limit is None else limit + 1, offset=offset, **params)
    rows = plain_rows(result)
    notes = []
    if limit is not None and len(rows) > limit:
        rows = rows[:limit]
        notes.append(f"rows {offset + 1:,} to {offset + limit:,} shown; more follow (--offset {offset + limit})")
    elif offset or limit is not None:
        notes.append(f"rows {offset + 1:,} to {offset + len(rows):,} shown; no more follow" if rows
                     else f"no rows after the first {offset:,}")
    return Table(result.variables, rows, title=f"{query.title}: {len(rows)} rows", notes=notes)


# -- pages -------------------------------------------------------------------------------------


PAGE_SIZE = 100  # the statements on a page when a cursor comes without a number


def page_notes(page: Page, units: str) -> list[str]:
    """What a page says under it: how much it holds and the cursor of the next, if any."""
    if not page.units:
        return [f"no {units} after this cursor"]
    held = f"this page holds {page.units:,} {units if page.units != 1 else units[:-1]}"
    return [f"{held}; the next page: --cursor {page.cursor}" if page.cursor else f"{held}; no more follow"]


def _page(kg: KnowledgeGraph, name: str, limit: int | None, cursor: str | None, **params) -> Page | None:
    """One page of a listing when one is asked for (a number of statements or a cursor), else None;
    ``params``: the listing's parameters, and the bounds and filter of ``kg.named_page``."""
    if limit is None and cursor is None:
        return None
    return kg.named_page(name, limit=limit or PAGE_SIZE, cursor=cursor, **params)
