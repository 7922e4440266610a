"""Evidence as data: which fields of a statement every output shows, read from the ontology, and the one
builder that turns query rows into evidence records.

The ontology marks each evidence property of a statement with ``ag:evidenceKey`` (the field's key in
records, JSON, CSV and GraphML), ``ag:evidenceLabel`` (its name for people), ``ag:evidenceOrder`` and,
for the fields that every answer table shows beside a claim, ``ag:answerColumn`` (their position).
A property given a key there is read, shown and exported everywhere with no change to the code: the
projection, the analyses' tables, the questions, GraphML, GEXF, CSV and both HTML pages ask this module.
This is the only Python module that knows any field's key.

A record is a flat dict: ``statement`` (the statement's IRI), then each field in order, as
- a text (a datatype or annotation property): ``key``; several values are all kept, sorted and joined
  with "; ";
- a thing (an object property): ``key`` (its IRI) and ``key_label`` (its English or untagged
  ``skos:prefLabel``, else ``rdfs:label``; the alphabetically first);
- a date (an object property whose range is ``ag:DateValue``): ``key`` (the value as written),
  ``key_precision`` ("day", "month" or "year"), ``key_inferred`` and ``key_basis``.
A missing value is None. A statement with two things or two dates for one field (the shapes forbid it)
keeps the alphabetically first.

Records are fetched on demand: ``fetch(kg, statements)`` reads the evidence of just those statements in
one query that binds them with VALUES; ``fetch(kg)`` reads every statement's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from .dates import PartialDate, format_date, parse_date
from .store import ONT

if TYPE_CHECKING:
    from .kg import KnowledgeGraph
    from .store import Store

Record = dict[str, Any]

TIME = "http://www.w3.org/2006/time#"
_PRECISION = {TIME + "unitDay": "day", TIME + "unitMonth": "month", TIME + "unitYear": "year"}
STATEMENT = "statement"

# The keys of the fields that code acts on by name, beyond listing every field: each is a field's
# ag:evidenceKey in ontology/actorgraph.ttl (a test checks it is declared). The review sheet's YAML
# (docs/review-sheet.md) and the FollowTheMoney import's sheet use the same words as its keys, so the
# sheet's modules take them from here too.
QUOTE = "quote"  # the verbatim quote: searched, matched in a source's text
STATUS = "status"  # reported, alleged, offered...: a line's style, a filter
ASSERTED_BY = "asserted_by"  # who asserts the statement
SOURCE = "source"  # the source document: a page to link to
ROLE, REASON = "role", "reason"  # the subject's part, in the source's words; why (a listing's grounds)
CONTENT, SCOPE = "content", "scope"  # what was said; the part of a group a claim holds for
INFERRED = "inferred"  # worked out rather than read (a statement, or a date)
# What `--as-of` reads of a statement's dates (see ``holds_on``): which field dates it as a point in time,
# starts it, or ends it. In this order in a sheet.
POINT_IN_TIME, START_TIME, END_TIME = "point_in_time", "start_time", "end_time"
DATE_KEYS = (POINT_IN_TIME, START_TIME, END_TIME)

# Above this many statements a fetch binds them in several queries of this many each: a query text of a
# few hundred kilobytes stays well within what an endpoint accepts.
CHUNK = 20_000

_FIELDS = """
SELECT ?property ?key ?label ?order ?column ?object ?date ?range WHERE {
  ?property ag:evidenceKey ?key .
  OPTIONAL { ?property rdfs:range ?range }
  OPTIONAL { ?property ag:evidenceLabel ?label . FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?property ag:evidenceOrder ?order }
  OPTIONAL { ?property ag:answerColumn ?column }
  OPTIONAL { ?property a owl:ObjectProperty . BIND(true AS ?object) }
  OPTIONAL { ?property rdfs:range ag:DateValue . BIND(true AS ?date) }
}
"""


class Field(NamedTuple):
    """One evidence field, as the ontology declares it."""

    iri: str
    key: str
    label: str
    kind: str  # "text", "thing" or "date"
    order: float
    column: int | None  # its place among the evidence columns of answer tables (None: not one)
    range: str | None = None  # the IRI of its rdfs:range

    @property
    def range_name(self) -> str:
        """The range's local name in snake case (ag:SourceDocument: "source_document"), for a file
        format whose own columns already use the field's key."""
        import re

        local = (self.range or self.key).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return re.sub(r"(?<!^)(?=[A-Z])", "_", local).lower()

    @property
    def keys(self) -> tuple[str, ...]:
        """The record keys this field fills."""
        if self.kind == "thing":
            return self.key, f"{self.key}_label"
        if self.kind == "date":
            return self.key, f"{self.key}_precision", f"{self.key}_inferred", f"{self.key}_basis"
        return (self.key,)

    @property
    def flat_keys(self) -> tuple[str, ...]:
        """The keys an edge carries flattened, one string for all its statements (no date details)."""
        return self.keys[:2] if self.kind == "thing" else (self.key,)

    @property
    def page_keys(self) -> tuple[str, ...]:
        """The keys an HTML page carries: a thing's label but not its IRI (the page shows labels, and the
        IRIs of parties, statuses and events would double its size at 20,000 statements), except a
        source document's, which names the document's own page."""
        if self.kind == "thing" and self.range != ONT + "SourceDocument":
            return self.keys[1:]
        return self.keys

    def shown(self, record: Mapping[str, Any]) -> Any:
        """The value people read: a thing's label, a date with its precision, a text as it is."""
        if self.kind == "thing":
            return record.get(f"{self.key}_label")
        if self.kind == "date":
            return format_date(record.get(self.key), record.get(f"{self.key}_precision"),
                               record.get(f"{self.key}_inferred")) or None
        return record.get(self.key)


class Fields:
    """The evidence fields of one ontology, in order, and what each output needs of them."""

    def __init__(self, fields: Iterable[Field]):
        self.fields: tuple[Field, ...] = tuple(sorted(fields, key=lambda f: (f.order, f.key)))
        self.by_iri = {f.iri: f for f in self.fields}
        self.columns = tuple(sorted((f for f in self.fields if f.column is not None), key=lambda f: f.column))

    def __iter__(self):
        return iter(self.fields)

    @cached_property
    def keys(self) -> list[str]:
        """Every key of a record, in order."""
        return [STATEMENT, *(k for f in self.fields for k in f.keys)]

    @cached_property
    def flat_keys(self) -> list[str]:
        """The evidence an edge carries flattened (for tables, GraphML and tooltips), in order."""
        return [k for f in self.fields for k in f.flat_keys]

    @property
    def column_labels(self) -> list[str]:
        """The evidence columns of answer tables: 'quote', 'asserted by'..."""
        return [f.label for f in self.columns]

    def blank(self, statement: str) -> Record:
        record = dict.fromkeys(self.keys)
        record[STATEMENT] = statement
        return record

    def answer(self, record: Mapping[str, Any] | None) -> dict[str, Any]:
        """The evidence columns of an answer table, under their labels."""
        record = record or {}
        return {f.label: f.shown(record) for f in self.columns}

    def shown(self, record: Mapping[str, Any] | None) -> dict[str, Any]:
        """The evidence columns' values as people read them, under the fields' keys (for templates)."""
        record = record or {}
        return {f.key: f.shown(record) for f in self.columns}

    def details(self, record: Mapping[str, Any] | None) -> dict[str, Any]:
        """The other fields, dates aside (answers show dates their own way), under their labels."""
        record = record or {}
        return {f.label: f.shown(record) for f in self.fields if f.column is None and f.kind != "date"}

    def flatten(self, records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
        """One string per flat key for several statements: their distinct values, joined with " | "."""
        records = list(records)
        if len(records) == 1:  # most edges have one statement
            return {key: "" if records[0].get(key) is None else str(records[0][key]) for key in self.flat_keys}
        flat = {}
        for key in self.flat_keys:
            values: list[str] = []
            for record in records:
                value = record.get(key)
                if value is not None and str(value) not in values:
                    values.append(str(value))
            flat[key] = " | ".join(values)
        return flat

    def page(self, record: Mapping[str, Any]) -> Record:
        """What an HTML page carries of a record: no empty field (most of the file at 20,000 statements)."""
        keys = [STATEMENT, *(k for f in self.fields for k in f.page_keys)]
        return {key: record[key] for key in keys if record.get(key) is not None}

    def describe(self) -> list[dict[str, str]]:
        """The fields for the pages' evidence panel: key, label and kind, in order."""
        return [{"key": f.key, "label": f.label, "kind": f.kind} for f in self.fields]

    def build(self, rows: Iterable[Sequence[Any]]) -> dict[str, Record]:
        """Records from the rows of an evidence query (``query``), as pyoxigraph terms in its variables'
        order: one row per statement, property and value, with the value's label or, for a date, its
        details. Keyed by statement, in IRI order."""
        from .store import to_python

        fields = {f.iri: f for f in self.fields}
        found: dict[str, dict[str, Any]] = defaultdict(dict)  # statement -> field key -> what was read
        for statement, prop, value, rdfs_label, pref_label, date, precision, inferred, basis in rows:
            field = fields.get(prop.value) if prop is not None else None
            if field is None or value is None:
                continue
            seen = found[statement.value]
            if field.kind == "text":
                seen.setdefault(field.key, set()).add(to_python(value))
                continue
            if field.kind == "thing":  # every value, each with its labels (two parties may assert one claim)
                labels = seen.setdefault(field.key, {}).setdefault(str(to_python(value)), [])
                labels.extend((rank, label.value) for rank, label in ((0, pref_label), (1, rdfs_label))
                              if label is not None)
                continue
            if date is None:
                continue
            sort = (date.value, str(value))
            current = seen.get(field.key)
            if current is not None and current[0] < sort:
                continue  # a second date (the shapes allow one): the first is kept
            current = seen[field.key] = [sort, [precision.value if precision is not None else None,
                                                inferred.value in ("true", "1") if inferred is not None else False,
                                                None if basis is None else basis.value]]
        records = {}
        for statement in sorted(found):
            record = self.blank(statement)
            seen = found[statement]
            for field in self.fields:
                if field.key not in seen:
                    continue
                if field.kind == "text":
                    texts = seen[field.key]
                    # One value as it is typed (a flag stays a boolean); several, all of them, as text.
                    record[field.key] = next(iter(texts)) if len(texts) == 1 else "; ".join(sorted(map(str, texts)))
                    continue
                if field.kind == "thing":
                    # Several values: the first IRI (a page links it), and every value's label, in that order.
                    values = seen[field.key]
                    iris = sorted(values)
                    labels = [min(values[iri])[1] for iri in iris if values[iri]]
                    record[field.key] = iris[0]
                    record[f"{field.key}_label"] = "; ".join(labels) if labels else None
                else:
                    (first, _), (precision, inferred, basis) = seen[field.key]
                    record[field.key] = first
                    record[f"{field.key}_precision"] = _PRECISION.get(precision or "")
                    record[f"{field.key}_inferred"] = inferred
                    record[f"{field.key}_basis"] = basis
            records[statement] = record
        return records

    def query(self, bound: bool = False) -> str:
        """The evidence query: every value of every field, each thing's labels, each date's details; of
        the statements bound to ?statement (``bound``: a ``#@values`` line in each branch), else of all.

        One branch per kind of field, so that each row looks up only what its kind has (labels for a
        thing, details for a date): 10k statements on disk 0.57 s against 1.23 s with every look-up on
        every row. Bound, each branch binds the statements itself and filters the properties: with the
        VALUES outside the UNION, or a VALUES of properties beside one of statements, Oxigraph scans
        every triple of each property instead (2,000 statements: 53 s against 0.18 s)."""

        def head(kind: str) -> str:
            iris = [f"<{f.iri}>" for f in self.fields if f.kind == kind]
            if not iris:
                return "FILTER(false)"
            if bound:
                return f"\n    #@values\n    ?statement ?property ?value . FILTER(?property IN ({', '.join(iris)}))"
            # Statements are IRIs; a date node (a blank node) has ag:inferred too.
            return f"VALUES ?property {{ {' '.join(iris)} }} ?statement ?property ?value . FILTER(isIRI(?statement))"

        english = 'FILTER(LANG(?{0}) = "" || LANGMATCHES(LANG(?{0}), "en"))'
        return f"""
SELECT ?statement ?property ?value ?rdfs_label ?pref_label ?date ?precision ?inferred ?basis WHERE {{
  {{ {head("text")} }}
  UNION {{ {head("thing")}
          OPTIONAL {{ ?value rdfs:label ?rdfs_label . {english.format("rdfs_label")} }}
          OPTIONAL {{ ?value skos:prefLabel ?pref_label . {english.format("pref_label")} }} }}
  UNION {{ {head("date")} ?value ag:dateValue ?date .
          OPTIONAL {{ ?value ag:precision ?precision }}
          OPTIONAL {{ ?value ag:inferred ?inferred }}
          OPTIONAL {{ ?value ag:inferenceBasis ?basis }} }}
}}"""


def load_fields(store: Store) -> Fields:
    """The evidence fields the ontology in the store declares."""
    from .store import to_python

    found: dict[str, Field] = {}
    for row in store.select(_FIELDS).rows:
        iri = row["property"].value
        if iri in found:
            continue
        key = str(to_python(row["key"]))
        order = to_python(row.get("order"))
        column = to_python(row.get("column"))
        kind = "date" if row.get("date") is not None else "thing" if row.get("object") is not None else "text"
        found[iri] = Field(iri=iri, key=key, label=str(to_python(row.get("label")) or key.replace("_", " ")),
                           kind=kind, order=float(order) if isinstance(order, int | float) else float("inf"),
                           column=int(column) if isinstance(column, int | float) else None,
                           range=row["range"].value if row.get("range") is not None else None)
    return Fields(found.values())


def default_fields() -> Fields:
    """The fields of the project's ontology directory, for a networkx graph that does not carry its own."""
    import pyoxigraph as ox

    from . import paths
    from .store import LocalStore

    global _DEFAULT
    if _DEFAULT is None:
        store = ox.Store()
        for path in sorted(paths.ontology_dir().glob("*.ttl")):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        _DEFAULT = load_fields(LocalStore(store, [], None))
    return _DEFAULT


_DEFAULT: Fields | None = None


def fields_of(graph: Any) -> Fields:
    """The evidence fields a projection was built with (``graph.graph["evidence_fields"]``), else the
    project ontology's."""
    found = getattr(graph, "graph", {}).get("evidence_fields")
    return found if isinstance(found, Fields) else default_fields()


def fetch(kg: KnowledgeGraph, statements: Iterable[str] | None = None,
          fields: Fields | None = None) -> dict[str, Record]:
    """The evidence records of ``statements`` (IRIs), read in one query that binds them (several queries
    of ``CHUNK`` statements each above that many), or of every statement when ``statements`` is None.
    ``fields``: only these (default: every evidence field). A statement without evidence gets no
    record."""
    import pyoxigraph as ox

    fields = kg.evidence_fields if fields is None else fields
    if not fields.fields:
        return {}
    if statements is None:
        return fields.build(kg.store.run(fields.query()))
    wanted = sorted(set(statements))
    records: dict[str, Record] = {}
    for start in range(0, len(wanted), CHUNK):
        bound = {"statement": [ox.NamedNode(iri) for iri in wanted[start:start + CHUNK]]}
        # Rows read as terms, in order: converting each to a dict first doubled the time.
        records.update(fields.build(kg.store.run(fields.query(bound=True), bound)))
    return records


# The few fields that outputs use beyond listing them: the quote (searched, matched in a source's text),
# the status (a line's style, a filter), the source document (a page to link to), the asserting party.
def quote(record: Mapping[str, Any] | None) -> str | None:
    """The verbatim quote."""
    return (record or {}).get(QUOTE)


def status(record: Mapping[str, Any] | None) -> str | None:
    """The statement's status (reported, alleged, offered...): its label."""
    return (record or {}).get(f"{STATUS}_label")


def document(record: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """The source document the statement cites: its IRI and its label."""
    record = record or {}
    return record.get(SOURCE), record.get(f"{SOURCE}_label")


def party(record: Mapping[str, Any] | None) -> str | None:
    """Who asserts the statement: the party's label."""
    return (record or {}).get(f"{ASSERTED_BY}_label")


def role(record: Mapping[str, Any] | None) -> str | None:
    """The part the subject plays in the relationship, in the source's words (when the data says)."""
    return (record or {}).get(ROLE)


# -- dates: what holds on a day ---------------------------------------------------------------------


def _date_of(record: Mapping[str, Any], key: str) -> PartialDate | None:
    value = record.get(key)
    if not value:
        return None
    try:
        return parse_date(value)
    except Exception:  # noqa: BLE001 - a malformed date in the data is the validator's business
        return None


def holds_on(record: Mapping[str, Any], day: PartialDate) -> bool:
    """Whether a statement (its evidence record) may hold on the date ``day``: see ``network``."""
    start, end, point = (_date_of(record, key) for key in (START_TIME, END_TIME, POINT_IN_TIME))
    if start is not None and start.start > day.end:
        return False
    if end is not None and end.end < day.start:
        return False
    return not (point is not None and point.start > day.end)


def date_bounds(record: Mapping[str, Any]) -> tuple[int, int, int]:
    """What ``holds_on`` compares, as day ordinals (0: no date): the first day of the start, the last
    day of the end, the first day of the point in time. ``network`` filters a million statements by
    date with these, in arrays."""
    start, end, point = (_date_of(record, key) for key in (START_TIME, END_TIME, POINT_IN_TIME))
    return (start.start.toordinal() if start else 0, end.end.toordinal() if end else 0,
            point.start.toordinal() if point else 0)


def date_fields(fields: Fields) -> Fields:
    """Only the fields ``holds_on`` reads: lighter to fetch when the dates are all an answer needs."""
    return Fields(f for f in fields if f.key in DATE_KEYS)


def date_properties(fields: Fields) -> dict[str, str]:
    """Each of ``DATE_KEYS`` that ``fields`` declare, in that order, with its ontology property's IRI:
    what a sheet's ``dates`` compile to, and what an import reads back into them."""
    by_key = {f.key: f.iri for f in fields}
    return {key: by_key[key] for key in DATE_KEYS if key in by_key}
