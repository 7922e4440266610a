"""The one road from RDF to networkx, and the analyses that start from it.

``project(kg)`` turns the graph into a ``networkx.MultiDiGraph``:

- nodes are the entities (instances of a subclass of ``ag:Entity``) that take part in at least one
  relationship; figures, statements, source documents and date nodes never become nodes;
- edges are the triples whose predicate is a relationship type (``rdfs:subPropertyOf ag:relatedTo``),
  one edge per (subject, relationship, object), keyed by the relationship's local name; each edge
  carries the list of its statements as ``evidence`` (quote, source, asserting party, status, dates
  with precision...).

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
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
_PRECISION = {TIME + "unitDay": "day", TIME + "unitMonth": "month", TIME + "unitYear": "year"}
DATE_FIELDS = ("point_in_time", "start_time", "end_time")

# The queries are flat on purpose: Oxigraph evaluates each OPTIONAL's inside on its own and joins after,
# so label look-ups nested in them, or type checks joined into them, cost a scan of the whole graph each
# (the projection of 100k statements took 28 s that way, 7 s this way). Labels and entity types are
# looked up in Python from one query each.
_EDGES = """
SELECT ?s ?p ?o WHERE { ?p rdfs:subPropertyOf ag:relatedTo . ?s ?p ?o . }
"""

# Statements whose triple links two entities by a relationship, even if the direct triple is missing.
_STATEMENTS = """
SELECT ?statement ?s ?p ?o ?quote ?source ?assertedBy ?status ?reason ?role ?event WHERE {
  ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  ?p rdfs:subPropertyOf ag:relatedTo .
  OPTIONAL { ?statement ag:quote ?quote }
  OPTIONAL { ?statement ag:source ?source }
  OPTIONAL { ?statement ag:assertedBy ?assertedBy }
  OPTIONAL { ?statement ag:status ?status }
  OPTIONAL { ?statement ag:reason ?reason }
  OPTIONAL { ?statement ag:role ?role }
  OPTIONAL { ?statement ag:inEvent ?event }
}
"""

# The same triples without their evidence, for the analyses that read only the structure.
_STATEMENT_TRIPLES = """
SELECT DISTINCT ?s ?p ?o WHERE {
  ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  ?p rdfs:subPropertyOf ag:relatedTo .
}
"""

_DATES = """
SELECT ?statement ?which ?value ?precision ?inferred ?basis WHERE {
  VALUES ?which { ag:pointInTime ag:startTime ag:endTime }
  ?statement ?which ?date .
  ?date ag:dateValue ?value .
  OPTIONAL { ?date ag:precision ?precision }
  OPTIONAL { ?date ag:inferred ?inferred }
  OPTIONAL { ?date ag:inferenceBasis ?basis }
}
"""

# Labels of what evidence points at: sources, asserting parties and events (rdfs:label), statuses
# (skos:prefLabel).
_LABELS = """
SELECT ?thing ?property ?label WHERE {
  VALUES ?property { rdfs:label skos:prefLabel }
  ?thing ?property ?label .
  FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en"))
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


def _labels(kg: KnowledgeGraph) -> dict[str, dict[str, str]]:
    """{property IRI: {thing: label}}, the alphabetically first English or untagged label of each."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in kg.rows(_LABELS):
        known = found[row["property"]]
        label = str(row["label"])
        if row["thing"] not in known or label < known[row["thing"]]:
            known[row["thing"]] = label
    return found


def _evidence(kg: KnowledgeGraph, entities: set[str]) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    dates: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in kg.rows(_DATES):
        which = _WHICH[row["which"]]
        dates[row["statement"]][which] = {
            "value": str(row["value"]),
            "precision": _PRECISION.get(row["precision"] or "", None),
            "inferred": bool(row["inferred"]) if row["inferred"] is not None else False,
            "basis": _text(row["basis"]),
        }
    labels = _labels(kg)
    label, pref = labels[RDFS_LABEL], labels[SKOS_PREF_LABEL]
    by_statement: dict[str, dict[str, Any]] = {}
    for row in kg.rows(_STATEMENTS):
        st = row["statement"]
        if st in by_statement or row["s"] not in entities or row["o"] not in entities:
            continue  # a second value: the first is kept; a statement about a non-entity is no edge
        item: dict[str, Any] = {
            "statement": st,
            "subject": row["s"],
            "predicate": row["p"],
            "object": row["o"],
            "quote": _text(row["quote"]),
            "source": row["source"],
            "source_label": label.get(row["source"]),
            "asserted_by": row["assertedBy"],
            "asserted_by_label": label.get(row["assertedBy"]),
            "status": row["status"],
            "status_label": pref.get(row["status"]),
            "reason": _text(row["reason"]),
            "role": _text(row["role"]),
            "event": row["event"],
            "event_label": label.get(row["event"]),
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


def project(kg: KnowledgeGraph, as_of: str | None = None, evidence: bool = True) -> nx.MultiDiGraph:
    """The RDF graph as a MultiDiGraph of entities and evidenced relationships (see module docstring).

    ``evidence=False`` gives the same nodes and edges without the statements behind each edge (no
    ``evidence`` or flattened evidence fields; ``graph.graph["evidence"]`` is False), for centrality,
    brokers and communities, which read only the structure: at a million statements the evidence is
    most of the projection's time and memory. An ``as_of`` date still needs the statements' dates, so
    with one the evidence is read anyway.
    """
    import networkx as nx

    day = parse_date(as_of) if as_of else None
    vocab = kg.vocabulary
    relationships = vocab.relationships

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
    entities = set(types)

    triples = {(r["s"], r["p"], r["o"]) for r in kg.rows(_EDGES) if r["s"] in entities and r["o"] in entities}
    evidence = evidence or day is not None
    if evidence:
        by_triple = _evidence(kg, entities)
        triples |= set(by_triple)
    else:
        by_triple = {}
        triples |= {(r["s"], r["p"], r["o"]) for r in kg.rows(_STATEMENT_TRIPLES)
                    if r["s"] in entities and r["o"] in entities}

    edges = []
    for s, p, o in sorted(triples):
        items = by_triple.get((s, p, o), [])
        if day is not None:
            kept = [i for i in items if holds_on(i, day)]
            if items and not kept:
                continue
            items = kept
        edges.append((s, p, o, items))

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
        }
        if evidence:
            attrs.update(evidence=items, statements=len(items))
            for field in FLAT_FIELDS:
                values: list[str] = []
                for item in items:
                    value = item.get(field)
                    if value is not None and str(value) not in values:
                        values.append(str(value))
                attrs[field] = " | ".join(values)
        graph.add_edge(s, o, key=key, **attrs)
    graph.graph["as_of"] = day.text if day else None
    graph.graph["evidence"] = evidence
    return graph


# ----------------------------------------------------------------------------------------------
# Analyses. Each takes the projection and returns an ``output.Table``.
#
# Structure (betweenness, PageRank, bridges, communities, paths) is read on the undirected simple
# graph: "A directs B" links A and B whichever way it points. Paths still show the real direction.
# ----------------------------------------------------------------------------------------------

# Above this many nodes, betweenness and Louvain run in igraph (networkx takes ~17 s at 2,000 nodes and
# 8,000 links, and over 5 s at 1,000 nodes and 10,000 links in benchmarks/scale.py).
IGRAPH_THRESHOLD = 300
LOUVAIN_SEED = 42
# Exact betweenness above this many (entities x links) steps is estimated from a sample of sources
# (igraph does about 2.5e7 steps a second here: 10 s; benchmarks/scale.py measures it at 1M statements).
EXACT_BETWEENNESS_BUDGET = 2.5e8
BETWEENNESS_MIN_SAMPLE = 100
BETWEENNESS_SEED = 42


def undirected(graph: nx.MultiDiGraph) -> nx.Graph:
    """The simple undirected graph; ``weight`` counts the relationships between two entities."""
    import networkx as nx

    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True))
    for u, v in graph.edges():
        if u == v:
            continue
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += 1
        else:
            simple.add_edge(u, v, weight=1)
    return simple


def _to_igraph(simple: nx.Graph):
    import igraph as ig

    order = sorted(simple.nodes())
    index = {n: i for i, n in enumerate(order)}
    edges = sorted((min(index[u], index[v]), max(index[u], index[v])) for u, v in simple.edges())
    g = ig.Graph(n=len(order), edges=edges, directed=False)
    g.es["weight"] = [simple[order[a]][order[b]].get("weight", 1) for a, b in edges]
    return g, order


def betweenness(simple: nx.Graph, exact: bool = False,
                budget: float | None = None) -> tuple[dict[str, float], list[str]]:
    """Normalised betweenness of every node, and notes saying how it was computed.

    Exact betweenness costs about (entities x links) steps. Above ``budget`` steps it is estimated
    instead, unless ``exact``: shortest paths are followed out of a seeded random sample of entities
    only, and the sums are scaled up by (entities / sample), Brandes and Pich's estimator. The note
    says so, with the sample's size and seed, since ranks below the top can change with the sample.
    """
    import networkx as nx

    n = simple.number_of_nodes()
    if n <= IGRAPH_THRESHOLD:
        return nx.betweenness_centrality(simple, normalized=True), []
    budget = EXACT_BETWEENNESS_BUDGET if budget is None else budget
    g, order = _to_igraph(simple)
    m = max(1, g.ecount())
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    if exact or n * m <= budget:
        raw = g.betweenness(directed=False)
        notes = [f"betweenness computed with igraph (exact) because the graph has more than "
                 f"{IGRAPH_THRESHOLD} nodes"]
        return {order[i]: value * scale for i, value in enumerate(raw)}, notes
    import random

    k = min(n, max(BETWEENNESS_MIN_SAMPLE, int(budget // m)))
    sources = sorted(random.Random(BETWEENNESS_SEED).sample(range(n), k))
    raw = g.betweenness(directed=False, sources=sources, targets=None)
    notes = [f"betweenness is APPROXIMATE: estimated from shortest paths out of {k:,} of {n:,} entities "
             f"chosen at random (seed {BETWEENNESS_SEED}), since the exact figure at {n:,} entities and "
             f"{m:,} links would take too long; ranks below the top may change with the sample "
             f"(--exact computes it exactly)"]
    return {order[i]: value * scale * n / k for i, value in enumerate(raw)}, notes


def _dated(graph: nx.MultiDiGraph, notes: list[str]) -> list[str]:
    """The notes, plus what an --as-of view means, when the graph is one."""
    as_of = graph.graph.get("as_of")
    if not as_of:
        return notes
    return [*notes, f"as of {as_of}: only statements that may hold then; undated ones are included"]


def _node_label(graph: nx.MultiDiGraph, iri: str) -> str:
    return graph.nodes[iri].get("label", iri)


def _rank(values: dict[str, float]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4) of values, highest first; ties share a rank."""
    ordered = sorted(values.values(), reverse=True)
    first = {}
    for i, value in enumerate(ordered, start=1):
        first.setdefault(round(value, 12), i)
    return {node: first[round(value, 12)] for node, value in values.items()}


def centrality(graph: nx.MultiDiGraph, by: str = "pagerank", top: int | None = None, exact: bool = False):
    """Degree, betweenness and PageRank of every entity, ranked by ``by`` (highest first)."""
    import networkx as nx

    from .output import Table

    simple = undirected(graph)
    between, notes = betweenness(simple, exact=exact)
    pagerank = nx.pagerank(simple, weight="weight") if simple.number_of_nodes() else {}
    degree = {n: graph.degree(n) for n in graph.nodes()}
    neighbours = {n: simple.degree(n) for n in simple.nodes()}
    key = {"degree": degree, "betweenness": between, "pagerank": pagerank}[by]
    ranks = _rank({n: float(v) for n, v in key.items()})
    order = sorted(graph.nodes(), key=lambda n: (ranks[n], _node_label(graph, n), n))
    rows = [
        {
            "rank": ranks[n],
            "name": _node_label(graph, n),
            "type": graph.nodes[n]["type_label"],
            "degree": degree[n],
            "neighbours": neighbours[n],
            "betweenness": round(between[n], 6),
            "pagerank": round(pagerank[n], 6),
            "iri": n,
        }
        for n in order
    ]
    rows, notes = _first(rows, top, notes)
    return Table(["rank", "name", "type", "degree", "neighbours", "betweenness", "pagerank"], rows,
                 title=f"Centrality, ranked by {by}", notes=_dated(graph, notes))


def _first(rows: list, top: int | None, notes: list[str]) -> tuple[list, list[str]]:
    """The first ``top`` rows (all when None), with a note saying how many were left out."""
    if top is None or len(rows) <= top:
        return rows, notes
    return rows[:top], [*notes, f"the first {top:,} of {len(rows):,} shown (--top 0 shows all)"]


def brokers(graph: nx.MultiDiGraph, exact: bool = False, top: int | None = None):
    """Entities that hold the network together: articulation points, bridge ends, high betweenness
    (the first ``top`` by betweenness, or all)."""
    import networkx as nx

    from .output import Table

    simple = undirected(graph)
    between, notes = betweenness(simple, exact=exact)
    cut = set(nx.articulation_points(simple))
    bridge_to: dict[str, list[str]] = defaultdict(list)
    bridges = sorted(tuple(sorted(e)) for e in nx.bridges(simple))
    for u, v in bridges:
        bridge_to[u].append(_node_label(graph, v))
        bridge_to[v].append(_node_label(graph, u))
    candidates = [n for n in simple.nodes() if n in cut or bridge_to.get(n) or between[n] > 0]
    order = sorted(candidates, key=lambda n: (-round(between[n], 12), _node_label(graph, n), n))
    rows = [
        {
            "name": _node_label(graph, n),
            "type": graph.nodes[n]["type_label"],
            "articulation point": n in cut,
            "bridges to": sorted(bridge_to.get(n, [])),
            "betweenness": round(between[n], 6),
            "iri": n,
        }
        for n in order
    ]
    rows, notes = _first(rows, top, [*notes, f"{len(cut)} articulation point(s), {len(bridges)} bridge(s)"])
    return Table(["name", "type", "articulation point", "bridges to", "betweenness"], rows,
                 title="Brokers", notes=_dated(graph, notes))


def communities(graph: nx.MultiDiGraph, seed: int = LOUVAIN_SEED):
    """Louvain communities (fixed seed, so the same graph always gives the same answer)."""
    import networkx as nx

    from .output import Table

    simple = undirected(graph)
    notes: list[str] = []
    if simple.number_of_nodes() > IGRAPH_THRESHOLD:
        import random

        import igraph as ig

        g, order = _to_igraph(simple)
        # igraph draws from Python's random module; a private, seeded generator keeps it repeatable.
        ig.set_random_number_generator(random.Random(seed))
        try:
            clustering = g.community_multilevel(weights="weight")
        finally:
            ig.set_random_number_generator(random)
        groups = [{order[i] for i in members} for members in clustering]
        notes.append(f"Louvain computed with igraph (seed {seed}) because the graph has more than "
                     f"{IGRAPH_THRESHOLD} nodes")
    else:
        groups = nx.community.louvain_communities(simple, weight="weight", seed=seed)
    labelled = [sorted(_node_label(graph, n) for n in group) for group in groups]
    labelled.sort(key=lambda members: (-len(members), members))
    rows = [{"community": i, "size": len(members), "members": members}
            for i, members in enumerate(labelled, start=1)]
    return Table(["community", "size", "members"], rows, title=f"Communities (Louvain, seed {seed})",
                 notes=_dated(graph, notes))


def shortest_paths(graph: nx.MultiDiGraph, source: str, target: str, limit: int = 20):
    """All shortest paths between two entities (ignoring direction); one row per relationship per hop."""
    import networkx as nx

    from .errors import UsageError
    from .output import Table

    for iri in (source, target):
        if iri not in graph:
            raise UsageError(f"{_node_label(graph, iri) if iri in graph else iri} takes part in no "
                             f"relationship in this graph")
    simple = undirected(graph)
    title = f"Shortest paths from {_node_label(graph, source)} to {_node_label(graph, target)}"
    try:
        paths = sorted(nx.all_shortest_paths(simple, source, target),
                       key=lambda p: [_node_label(graph, n) for n in p] + p)
    except nx.NetworkXNoPath:
        return Table(["path", "step", "subject", "relationship", "object", "quote"], [], title=title,
                     notes=_dated(graph, ["no path: they are not connected"]))
    notes = []
    if len(paths) > limit:
        notes.append(f"showing {limit} of {len(paths)} shortest paths")
        paths = paths[:limit]
    rows = []
    for number, path in enumerate(paths, start=1):
        for step, (u, v) in enumerate(zip(path, path[1:], strict=False), start=1):
            for s, o, data in _edges_between(graph, u, v):
                rows.append({
                    "path": number,
                    "step": step,
                    "subject": _node_label(graph, s),
                    "relationship": data["relationship"],
                    "object": _node_label(graph, o),
                    "status": data["status_label"],
                    "asserted by": data["asserted_by_label"],
                    "quote": data["quote"],
                    "subject_iri": s,
                    "object_iri": o,
                    "statements": [item["statement"] for item in data["evidence"]],
                })
    hops = len(paths[0]) - 1
    notes.insert(0, f"{len(paths)} shortest path(s) of {hops} step(s); direction shown as asserted")
    return Table(["path", "step", "subject", "relationship", "object", "status", "asserted by", "quote"],
                 rows, title=title, notes=_dated(graph, notes))


def _edges_between(graph: nx.MultiDiGraph, u: str, v: str) -> list[tuple[str, str, dict]]:
    found = []
    for s, o in ((u, v), (v, u)):
        for _key, data in sorted((graph.get_edge_data(s, o) or {}).items()):
            found.append((s, o, data))
    return found


def absent(graph: nx.MultiDiGraph, *iris: str) -> list[str]:
    """The entities among ``iris`` that are not in the network: they take part in no relationship."""
    return [iri for iri in iris if iri not in graph]


def require_nodes(kg: KnowledgeGraph, graph: nx.MultiDiGraph, *iris: str, where: str = "this graph") -> None:
    """A UsageError naming the first entity that is not in the network (it has no relationship)."""
    from .errors import UsageError

    for iri in absent(graph, *iris)[:1]:
        raise UsageError(f"{kg.label(iri)} takes part in no relationship in {where}")


def ego_network(graph: nx.MultiDiGraph, center: str, depth: int = 1) -> nx.MultiDiGraph:
    """The entities within ``depth`` steps of ``center`` (either direction) and all edges among them."""
    import networkx as nx

    from .errors import UsageError

    if depth < 0:
        raise UsageError("depth must be 0 or more")
    if center not in graph:
        raise UsageError(f"{center} takes part in no relationship in this graph")
    distance = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), center, cutoff=depth)
    ego = graph.subgraph(distance).copy()
    for node, d in distance.items():
        ego.nodes[node]["distance"] = d
    ego.graph["center"] = center
    ego.graph["depth"] = depth
    return ego


def ego_table(graph: nx.MultiDiGraph, center: str, depth: int = 1):
    """The ego network as a table of its relationships, nearest first."""
    from .output import Table

    ego = ego_network(graph, center, depth)
    rows = []
    for s, o, data in ego.edges(data=True):
        rows.append({
            "distance": max(ego.nodes[s]["distance"], ego.nodes[o]["distance"]),
            "subject": _node_label(ego, s),
            "relationship": data["relationship"],
            "object": _node_label(ego, o),
            "status": data["status_label"],
            "quote": data["quote"],
            "subject_iri": s,
            "object_iri": o,
        })
    rows.sort(key=lambda r: (r["distance"], r["subject"], r["relationship"], r["object"]))
    note = (f"{ego.number_of_nodes()} entities and {ego.number_of_edges()} relationships within "
            f"{depth} step(s) of {_node_label(ego, center)}")
    return Table(["distance", "subject", "relationship", "object", "status", "quote"], rows,
                 title=f"Ego network of {_node_label(ego, center)} (depth {depth})", notes=_dated(graph, [note]))


def most_connected(graph: nx.MultiDiGraph, count: int) -> nx.MultiDiGraph:
    """The ``count`` entities with the most relationships (ties broken by IRI), and the edges among them."""
    ranked = sorted(graph.nodes(), key=lambda n: (-graph.degree(n), n))
    return graph.subgraph(ranked[:count]).copy()


def of_types(graph: nx.MultiDiGraph, vocab, types: list[str]) -> nx.MultiDiGraph:
    """Only the entities that are of one of ``types`` (class IRIs, subclasses included), and their edges."""
    keep = [n for n, data in graph.nodes(data=True) if any(vocab.is_a(data["type"], t) for t in types)]
    return graph.subgraph(keep).copy()
