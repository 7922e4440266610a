"""Two versions of the named queries' text, side by side on one Oxigraph store: ours
(src/actorgraph/queries) against another directory of .rq files (``--baseline``, for example another
checkout's src/actorgraph/queries), on the synthetic graph of ``scale.py``.

Each case (a query with its required parameters bound, and again with each optional one) runs in both
versions alternately, ``--repeat`` times, in one process on one store; the script prints the median of
each, their ratio, and whether the two gave the same rows (as a multiset). Parameters are bound the way
the CLI binds them (``queries.prepared``, then the VALUES block), so anchors, pages and tables apply.

Usage:
    python benchmarks/query_texts.py --baseline /path/to/other/src/actorgraph/queries
    python benchmarks/query_texts.py --baseline DIR --statements 100000 --repeat 5 --store disk
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402  (the synthetic graph and its loading)

AG = "https://w3id.org/actorgraph/ont#"
ID = "https://w3id.org/actorgraph/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def cases(queries: dict, people: tuple[str, str], kind: str = "Person") -> list[tuple[str, dict]]:
    """(query name, bindings as (kind, value)) for each query: its required parameters, then each optional one."""
    values = {"entity": ("iri", ID + people[0]), "string": ("literal", scale.QUOTE_WORD),
              "class": ("iri", AG + kind)}
    out = []
    for name, query in sorted(queries.items()):
        required = {p.name: values[p.type] for p in query.params if p.required}
        if "b" in required:
            required["b"] = ("iri", ID + people[1])
        out.append((name, required))
        out += [(name, {**required, p.name: values[p.type]}) for p in query.params
                if not p.required and p.type in values]
    return out


def text_of(query, bindings: dict) -> str:
    import pyoxigraph as ox

    from actorgraph.queries import prepared
    from actorgraph.store import bind_values

    terms = {k: ox.NamedNode(v) if kind == "iri" else ox.Literal(v) for k, (kind, v) in bindings.items()}
    return bind_values(prepared(query, terms), terms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a directory of named queries (.rq)")
    parser.add_argument("--ours", type=Path, default=scale.QUERIES, help="the other one (default: this tree's)")
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store", choices=("memory", "disk"), default="memory")
    parser.add_argument("--keep", type=Path, help="keep the synthetic graph here (reused when present)")
    parser.add_argument("--only", default="", help="comma-separated query names")
    parser.add_argument("--class", dest="kind", default="Person", help="the class bound to a class parameter")
    parser.add_argument("--sides", type=int, default=50,
                        help="organisations typed as criminal organisations, and as many as government bodies")
    args = parser.parse_args()

    import pyoxigraph as ox

    from actorgraph.queries import list_queries
    from actorgraph.store import PREFIXES, graph_name

    base = args.keep or Path(tempfile.mkdtemp(prefix="actorgraph-texts-"))
    graph = base / f"graph-{args.statements}"
    if not ((graph / "COMPLETE").is_file() and (graph / "COMPLETE").read_text() == str(args.statements)):
        scale.generate(args.statements, graph)
        (graph / "COMPLETE").write_text(str(args.statements))
    store = ox.Store(str(base / f"store-{args.statements}")) if args.store == "disk" else ox.Store()
    if args.store == "memory" or len(store) == 0:
        for path in sorted(scale.ONTOLOGY.glob("*.ttl")) + sorted(graph.glob("*.ttl")):
            load = store.load if args.store == "memory" else store.bulk_load
            load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph_name(path, scale.ONTOLOGY))
    if args.sides:
        # The synthetic graph has no criminal organisations or government bodies: make some of its
        # organisations both, so that who-negotiated has sides to walk to (membership chains included).
        organisations = [i for i in range(scale.actor_count(args.statements)) if i % 3 == 0]
        actors_graph = graph_name(graph / "actors.ttl", scale.ONTOLOGY)
        for n, i in enumerate(organisations[: 2 * args.sides]):
            kind = "CriminalOrganization" if n % 2 == 0 else "GovernmentBody"
            store.add(ox.Quad(ox.NamedNode(f"{ID}actor-{i}"), ox.NamedNode(RDF_TYPE), ox.NamedNode(AG + kind),
                              actors_graph))
    if args.store == "disk":
        store.flush()

    ours = {q.name: q for q in list_queries(args.ours)}
    theirs = {q.name: q for q in list_queries(args.baseline)}
    only = set(filter(None, args.only.split(",")))
    actors = scale.actor_count(args.statements)
    b = actors - 2 if (actors - 2) % 3 else actors - 3  # a Person, like actor 1
    todo = [(name, bindings) for name, bindings in cases(ours, ("actor-1", f"actor-{b}"), args.kind)
            if name in theirs and (not only or name in only)]

    def run(text: str) -> tuple[float, Counter]:
        start = time.perf_counter()
        rows = Counter(tuple(str(s[v]) if s[v] is not None else "" for v in range(len(s)))
                       for s in store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True))
        return time.perf_counter() - start, rows

    print(f"{args.statements:,} statements, {len(store):,} triples ({args.sides} criminal organisations and "
          f"{args.sides} government bodies among the organisations), store in {args.store}; "
          f"median of {args.repeat}, the two texts alternately\n")
    print(f"{'query':<40} {'ours':>9} {'baseline':>9} {'ours/base':>9}  rows")
    for name, bindings in todo:
        texts = {"ours": text_of(ours[name], bindings), "base": text_of(theirs[name], bindings)}
        times: dict[str, list[float]] = {"ours": [], "base": []}
        answers = {}
        for round_ in range(args.repeat):
            for which in (("ours", "base") if round_ % 2 == 0 else ("base", "ours")):
                seconds, answers[which] = run(texts[which])
                times[which].append(seconds)
        mine, theirs_ = statistics.median(times["ours"]), statistics.median(times["base"])
        label = name + "".join(f" --{k}" for k in sorted(bindings))
        same = "same" if answers["ours"] == answers["base"] else "DIFFERENT"
        print(f"{label:<40} {mine:>8.3f}s {theirs_:>8.3f}s {mine / theirs_:>8.2f}x  "
              f"{sum(answers['ours'].values())} {same}", flush=True)


if __name__ == "__main__":
    main()
