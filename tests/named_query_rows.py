"""The rows of every named query, for every combination of parameter values, on the fixture world.

``fixtures/named-query-rows.json`` pins, for each query and combination, how many rows it gives and a
digest of them (order-insensitive: rows that tie on the ORDER BY keys may swap). It was first written
by the code that placed bindings and anchors by reading the query text, before the markers replaced
it, so the test that reads it checks that the markers changed no answer. After a deliberate change of
answers, `python tests/named_query_rows.py` rewrites it; review the diff.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
PINNED = HERE / "fixtures" / "named-query-rows.json"
WORLD = HERE / "fixtures" / "world"
ONTOLOGY = HERE.parent / "ontology"


def choices(kg) -> dict[str, list[str]]:
    """The values tried for each parameter type: every entity the statements mention or that asserts
    one, every source document, a few classes and a few texts (found, case-folded and not found)."""
    mentioned = kg.rows("SELECT DISTINCT ?e WHERE { { ?s rdf:subject ?e } UNION { ?s rdf:object ?e } "
                        "UNION { ?s ag:assertedBy ?e } } ORDER BY ?e")
    entities = [row["e"] for row in mentioned if row["e"] in kg.names.labels]
    documents = [row["d"] for row in kg.rows("SELECT DISTINCT ?d WHERE { ?s ag:source ?d } ORDER BY ?d")]
    return {"entity": entities, "document": documents, "class": ["person", "organization", "country", "event"],
            "string": ["the", "MOTT", "negotiated with", "nothing like this"]}


def combinations(kg) -> list[tuple[str, dict[str, str | None]]]:
    """(query, parameters) for every named query and every combination of the values above (an optional
    parameter also left out)."""
    from actorgraph.queries import list_queries

    values = choices(kg)
    out = []
    for query in list_queries():
        options = [[(p.name, v) for v in ([] if p.required else [None]) + values[p.type]] for p in query.params]
        out += [(query.name, dict(combo)) for combo in itertools.product(*options)]
    return out


def key(name: str, params: dict[str, str | None]) -> str:
    return f"{name} {json.dumps({k: v for k, v in params.items() if v is not None}, sort_keys=True)}"


def digest(rows: list[dict]) -> list:
    """[number of rows, a digest of them in any order]."""
    lines = sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)
    return [len(rows), hashlib.blake2b("\n".join(lines).encode(), digest_size=12).hexdigest()]


def answers(kg) -> dict[str, list]:
    return {key(name, params): digest(kg.named(name, **params)) for name, params in combinations(kg)}


if __name__ == "__main__":
    import actorgraph

    pinned = answers(actorgraph.load(WORLD, ONTOLOGY))
    PINNED.write_text(json.dumps(pinned, indent=0, sort_keys=True) + "\n")
    print(f"{len(pinned)} combinations, {sum(n for n, _ in pinned.values())} rows -> {PINNED}")
