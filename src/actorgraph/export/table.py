"""Two CSV files, one of nodes and one of edges, for spreadsheets and for tools that read edge lists."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from .gephi import NODE_FIELDS, edge_fields, flat

if TYPE_CHECKING:
    import networkx as nx

NODE_COLUMNS = ["id", *[f for f in NODE_FIELDS if f != "iri"], "degree"]


def _write(columns: list[str], rows: list[dict]) -> str:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue()


def build_csv(graph: nx.MultiDiGraph) -> dict[str, str]:
    """``{"nodes.csv": ..., "edges.csv": ...}``; every cell plain text, lists joined with "; "."""
    from ..evidence import fields_of

    plain = flat(graph)
    nodes = [{"id": n, **{k: v for k, v in d.items() if k != "iri"}, "degree": plain.degree(n)}
             for n, d in plain.nodes(data=True)]
    edges = [{"source": u, "target": v, "key": k, **d} for u, v, k, d in plain.edges(keys=True, data=True)]
    edge_columns = ["source", "target", "key", *edge_fields(fields_of(graph))]
    return {"nodes.csv": _write(NODE_COLUMNS, nodes), "edges.csv": _write(edge_columns, edges)}
