"""The one road from RDF to networkx, and the analyses that start from it.

``project(kg)`` turns the graph into a ``networkx.MultiDiGraph``:

- nodes are the entities (instances of a subclass of ``ag:Entity``) that take part in at least one
  relationship; figures, statements, source documents and date nodes never become nodes;
- edges are the triples whose predicate is an ``ag:RelationshipType``, one edge per (subject,
  relationship, object), keyed by the relationship's local name; each edge carries the list of its
  statements as ``evidence`` (quote, source, asserting party, status, dates with precision...).

Every value comes from SPARQL through ``kg.rows()``, so the store may be a remote endpoint; styling
comes from the ontology through ``kg.vocabulary``.

``as_of``: what holds on a date
-------------------------------
A statement is kept on the date D unless it certainly does not hold then:

- its start time begins after D ends  (started later),
- its end time ends before D begins   (already over),
- its point in time begins after D ends (had not happened yet).

Each date covers its whole period: "2021-07" is every day of July 2021, so on the date 2021-07-10 a
statement dated "2021-07" is kept, and on the date "2021" a statement starting 2021-11-03 is kept.
Undated statements are kept. An edge is kept while at least one of its statements is kept (an edge with
no statement at all counts as undated), and a node is kept while at least one of its edges is.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .dates import PartialDate, parse_date
from .store import ONT

if TYPE_CHECKING:
    import networkx as nx

    from .kg import KnowledgeGraph

TIME = "http://www.w3.org/2006/time#"
_PRECISION = {TIME + "unitDay": "day", TIME + "unitMonth": "month", TIME + "unitYear": "year"}
DATE_FIELDS = ("point_in_time", "start_time", "end_time")

_EDGES = """
SELECT DISTINCT ?s ?p ?o WHERE {
  ?p a ag:RelationshipType .
  ?s ?p ?o .
  ?s a ?st . ?st rdfs:subClassOf* ag:Entity .
  ?o a ?ot . ?ot rdfs:subClassOf* ag:Entity .
}
"""

# Statements whose triple links two entities by a relationship, even if the direct triple is missing.
_STATEMENTS = """
SELECT ?statement ?s ?p ?o ?quote ?source ?sourceLabel ?assertedBy ?assertedByLabel ?status
       ?statusLabel ?reason ?role ?event ?eventLabel WHERE {
  ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  ?p a ag:RelationshipType .
  ?s a ?st . ?st rdfs:subClassOf* ag:Entity .
  ?o a ?ot . ?ot rdfs:subClassOf* ag:Entity .
  OPTIONAL { ?statement ag:quote ?quote }
  OPTIONAL { ?statement ag:source ?source OPTIONAL { ?source rdfs:label ?sourceLabel FILTER(LANG(?sourceLabel) IN ("", "en")) } }
  OPTIONAL { ?statement ag:assertedBy ?assertedBy OPTIONAL { ?assertedBy rdfs:label ?assertedByLabel FILTER(LANG(?assertedByLabel) IN ("", "en")) } }
  OPTIONAL { ?statement ag:status ?status OPTIONAL { ?status skos:prefLabel ?statusLabel FILTER(LANG(?statusLabel) IN ("", "en")) } }
  OPTIONAL { ?statement ag:reason ?reason }
  OPTIONAL { ?statement ag:role ?role }
  OPTIONAL { ?statement ag:inEvent ?event OPTIONAL { ?event rdfs:label ?eventLabel FILTER(LANG(?eventLabel) IN ("", "en")) } }
}
"""

_DATES = """
SELECT ?statement ?which ?value ?precision ?inferred ?basis WHERE {
  VALUES ?which { ag:pointInTime ag:startTime ag:endTime }
  ?statement rdf:predicate ?p ; ?which ?date .
  ?p a ag:RelationshipType .
  ?date ag:dateValue ?value .
  OPTIONAL { ?date ag:precision ?precision }
  OPTIONAL { ?date ag:inferred ?inferred }
  OPTIONAL { ?date ag:inferenceBasis ?basis }
}
"""

_ENTITIES = """
SELECT ?entity ?type ?label ?alias WHERE {
  ?entity a ?type .
  ?type rdfs:subClassOf* ag:Entity .
  OPTIONAL { ?entity rdfs:label ?label }
  OPTIONAL { ?entity skos:altLabel ?alias }
}
"""

_WHICH = {ONT + "pointInTime": "point_in_time", ONT + "startTime": "start_time", ONT + "endTime": "end_time"}

# The flattened, one-string-per-edge copies of evidence fields (for tables, GraphML and tooltips).
FLAT_FIELDS = (
    "quote", "source", "source_label", "asserted_by", "asserted_by_label", "status", "status_label",
    "point_in_time", "start_time", "end_time", "reason", "role", "event", "event_label",
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _pick_label(labels: dict[str, list[tuple[str, str]]], iri: str) -> str:
    """An English or untagged label, else any label, else the IRI's local name."""
    candidates = labels.get(iri) or []
    for lang_ok in (lambda lang: lang in ("", "en") or lang.startswith("en-"), lambda lang: True):
        chosen = sorted(text for text, lang in candidates if lang_ok(lang))
        if chosen:
            return chosen[0]
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _most_specific(types: set[str], kg: KnowledgeGraph) -> str:
    vocab = kg.vocabulary
    known = [t for t in types if t in vocab.classes]
    if not known:
        return ONT + "Entity"
    # A type that is an ancestor of another type of the same entity is less specific.
    leaves = [t for t in known if not any(o != t and vocab.is_a(o, t) for o in known)]

    def depth(t: str) -> int:
        return len(vocab.ancestors(t))

    return sorted(leaves, key=lambda t: (-depth(t), t))[0]


def _select_labelled(kg: KnowledgeGraph, query: str) -> list[dict[str, Any]]:
    """Rows as plain values, except that literals keep their language as ``(text, lang)``."""
    import pyoxigraph as ox

    from .store import to_python

    result = kg.select(query)
    out = []
    for row in result.rows:
        plain: dict[str, Any] = {}
        for var in result.variables:
            term = row.get(var)
            if isinstance(term, ox.Literal) and term.language is not None:
                plain[var] = (term.value, term.language)
            elif isinstance(term, ox.Literal) and var in ("label", "alias"):
                plain[var] = (term.value, "")
            else:
                plain[var] = to_python(term)
        out.append(plain)
    return out


def _lexical(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return value[0]
    return str(value)


def _evidence(kg: KnowledgeGraph) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    dates: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in kg.rows(_DATES):
        which = _WHICH[row["which"]]
        dates[row["statement"]][which] = {
            "value": str(row["value"]),
            "precision": _PRECISION.get(row["precision"] or "", None),
            "inferred": bool(row["inferred"]) if row["inferred"] is not None else False,
            "basis": _text(row["basis"]),
        }
    by_statement: dict[str, dict[str, Any]] = {}
    for row in _select_labelled(kg, _STATEMENTS):
        st = row["statement"]
        if st in by_statement:  # a second label or value: keep the first, deterministically below
            continue
        item: dict[str, Any] = {
            "statement": st,
            "subject": row["s"],
            "predicate": row["p"],
            "object": row["o"],
            "quote": _lexical(row["quote"]),
            "source": row["source"],
            "source_label": _lexical(row["sourceLabel"]),
            "asserted_by": row["assertedBy"],
            "asserted_by_label": _lexical(row["assertedByLabel"]),
            "status": row["status"],
            "status_label": _lexical(row["statusLabel"]),
            "reason": _lexical(row["reason"]),
            "role": _lexical(row["role"]),
            "event": row["event"],
            "event_label": _lexical(row["eventLabel"]),
        }
        for field in DATE_FIELDS:
            date = dates.get(st, {}).get(field)
            item[field] = date["value"] if date else None
            item[f"{field}_precision"] = date["precision"] if date else None
            item[f"{field}_inferred"] = date["inferred"] if date else None
            item[f"{field}_basis"] = date["basis"] if date else None
        by_statement[st] = item
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for st in sorted(by_statement):
        item = by_statement[st]
        grouped[(item.pop("subject"), item.pop("predicate"), item.pop("object"))].append(item)
    return grouped


def _date_of(item: dict[str, Any], field: str) -> PartialDate | None:
    value = item.get(field)
    if not value:
        return None
    try:
        return parse_date(value)
    except Exception:  # noqa: BLE001 - a malformed date in the data is the validator's business
        return None


def holds_on(item: dict[str, Any], day: PartialDate) -> bool:
    """Whether a statement (an evidence dict) may hold on the date ``day``; see the module docstring."""
    start, end, point = (_date_of(item, f) for f in ("start_time", "end_time", "point_in_time"))
    if start is not None and start.start > day.end:
        return False
    if end is not None and end.end < day.start:
        return False
    if point is not None and point.start > day.end:
        return False
    return True


def project(kg: KnowledgeGraph, as_of: str | None = None) -> nx.MultiDiGraph:
    """The RDF graph as a MultiDiGraph of entities and evidenced relationships (see module docstring)."""
    import networkx as nx

    day = parse_date(as_of) if as_of else None
    vocab = kg.vocabulary
    relationships = vocab.relationships

    triples = {(r["s"], r["p"], r["o"]) for r in kg.rows(_EDGES)}
    evidence = _evidence(kg)
    triples |= set(evidence)

    edges = []
    for s, p, o in sorted(triples):
        items = evidence.get((s, p, o), [])
        if day is not None:
            kept = [i for i in items if holds_on(i, day)]
            if items and not kept:
                continue
            items = kept
        edges.append((s, p, o, items))

    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    aliases: dict[str, set[str]] = defaultdict(set)
    for row in _select_labelled(kg, _ENTITIES):
        iri = row["entity"]
        types[iri].add(row["type"])
        if row["label"] is not None and row["label"] not in labels[iri]:
            labels[iri].append(row["label"])
        if row["alias"] is not None:
            aliases[iri].add(row["alias"][0])

    graph = nx.MultiDiGraph()
    used = sorted({s for s, *_ in edges} | {o for _, _, o, _ in edges})
    for iri in used:
        type_iri = _most_specific(types.get(iri, set()), kg)
        style = vocab.style(type_iri)
        cls = vocab.classes.get(type_iri)
        graph.add_node(
            iri,
            label=_pick_label(labels, iri),
            type=type_iri,
            type_label=cls.label if cls else type_iri.removeprefix(ONT),
            aliases=sorted(aliases.get(iri, set())),
            colour=(style.colour if style else None) or "#999999",
            shape=(style.shape if style else None) or "dot",
        )
    for s, p, o, items in edges:
        rel = relationships.get(p)
        key = p.removeprefix(ONT) if p.startswith(ONT) else p
        attrs: dict[str, Any] = {
            "predicate": p,
            "relationship": rel.label if rel else key,
            "edge_label": rel.edge_label if rel else key,
            "colour": rel.colour if rel else "#999999",
            "evidence": items,
            "statements": len(items),
        }
        for field in FLAT_FIELDS:
            values: list[str] = []
            for item in items:
                value = item.get(field)
                if value is not None and str(value) not in values:
                    values.append(str(value))
            attrs[field] = " | ".join(values)
        graph.add_edge(s, o, key=key, **attrs)
    graph.graph["as_of"] = day.text if day else None
    return graph
