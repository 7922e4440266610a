"""The network's answers on the shipped graph and the fixture world, as the code before the cached
network gave them.

``fixtures/network-answers.json`` pins, for each graph: every relationship of the projection (its ends,
type, statements, and each statement's quote, party, status, source and dates); the centrality, broker
and community tables; the ego table of every entity; and the shortest paths between pairs of
entities, with the evidence of every hop. It was written by the code that built the whole projection,
evidence and all, before each answer (run with that code on the path: ``PYTHONPATH=<checkout>/src
python tests/network_answers.py``), so the test that reads it checks that the cached network and the
evidence fetched on demand changed no answer. Only what both codes show is pinned: columns added since
(the source of each hop, say) are not. After a deliberate change of answers, re-run it and review the
diff.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
PINNED = HERE / "fixtures" / "network-answers.json"
GRAPHS = {"shipped": HERE.parent / "graph", "world": HERE / "fixtures" / "world"}
ONTOLOGY = HERE.parent / "ontology"

# What each answer's rows are compared on: the columns both the old and the new code give.
PATH_COLUMNS = ("path", "step", "subject", "relationship", "object", "quote", "asserted by", "status",
                "statements")
EGO_COLUMNS = ("distance", "subject", "relationship", "object", "quote", "status")
EVIDENCE_KEYS = ("statement", "quote", "asserted_by", "asserted_by_label", "status", "status_label", "source",
                 "source_label", "point_in_time", "point_in_time_precision", "start_time", "end_time")
PAIRS = 40  # shortest paths asked per graph (between the most connected entities, in a fixed order)


def _rows(table, columns: tuple[str, ...] | None = None) -> list[dict]:
    """The table's rows (on ``columns``, in any order: rows that tie on the table's order may swap)."""
    if columns is None:
        return [{k: row.get(k) for k in table.columns} for row in table.rows]
    return sorted(({k: row.get(k) for k in columns} for row in table.rows), key=lambda r: json.dumps(r, default=str))


def _plain(value):
    return json.loads(json.dumps(value, default=str))


def answers(kg, cached: bool = False) -> dict:
    """What is pinned for one graph (see the module's docstring). The analyses run on the projection, or,
    with ``cached``, on the cached network with the evidence fetched on demand (as the CLI runs them)."""
    from actorgraph.network import brokers, centrality, communities, ego_table, shortest_paths

    graph = kg.network()
    network = kg.structure() if cached else graph
    edges = []
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        evidence = sorted(({k: item.get(k) for k in EVIDENCE_KEYS} for item in data["evidence"]),
                          key=lambda item: item["statement"])
        edges.append([u, v, key, data["relationship"], evidence])
    hubs = sorted(graph.nodes(), key=lambda n: (-graph.degree(n), n))[:10]
    pairs = [(a, b) for i, a in enumerate(hubs) for b in hubs[i + 1:]][:PAIRS]
    return _plain({
        "edges": edges,
        "centrality": _rows(centrality(network)),
        "brokers": _rows(brokers(network)),
        "communities": _rows(communities(network)),
        "ego": {n: _rows(ego_table(network, n, 1), EGO_COLUMNS) for n in sorted(graph.nodes())},
        "paths": {f"{a} {b}": _rows(shortest_paths(network, a, b), PATH_COLUMNS) for a, b in pairs},
    })


def all_answers() -> dict:
    import actorgraph

    return {name: answers(actorgraph.load(path, ONTOLOGY)) for name, path in GRAPHS.items()}


if __name__ == "__main__":
    PINNED.write_text(json.dumps(all_answers(), indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                      encoding="utf-8")
    print(f"wrote {PINNED}")
