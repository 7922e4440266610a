"""GraphML and GEXF, ready for Gephi: flat attributes, no None, lists joined with "; ", one type each."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

# Every node and every edge carries every one of these, always of this type, so Gephi reads one column
# per attribute with one type. ``source_document`` is the statements' ``source``: Gephi's edge table
# already has Source and Target columns.
NODE_FIELDS: dict[str, type] = {
    "label": str, "iri": str, "type": str, "type_label": str, "aliases": str, "colour": str, "shape": str,
}
EDGE_FIELDS: dict[str, type] = {
    "label": str, "relationship": str, "predicate": str, "colour": str, "statements": int,
    "statement_ids": str, "quote": str, "status": str, "status_label": str, "asserted_by": str,
    "asserted_by_label": str, "source_document": str, "source_label": str, "point_in_time": str,
    "start_time": str, "end_time": str, "reason": str, "role": str, "event": str, "event_label": str,
}


def _value(value: Any, kind: type) -> Any:
    if kind is int:
        return int(value or 0)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def flat(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the projection with only plain, typed attributes (what GraphML and GEXF can hold)."""
    import networkx as nx

    out = nx.MultiDiGraph()
    for node in sorted(graph.nodes()):
        data = dict(graph.nodes[node], iri=node)
        out.add_node(node, **{k: _value(data.get(k), t) for k, t in NODE_FIELDS.items()})
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        data = dict(data, label=data.get("edge_label"), source_document=data.get("source"),
                    statement_ids=[item["statement"] for item in data.get("evidence", [])])
        out.add_edge(u, v, key=key, **{k: _value(data.get(k), t) for k, t in EDGE_FIELDS.items()})
    return out


def _rgb(colour: str) -> dict[str, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        return {"r": 153, "g": 153, "b": 153}
    return {"r": int(value[0:2], 16), "g": int(value[2:4], 16), "b": int(value[4:6], 16)}


def build_graphml(graph: nx.MultiDiGraph) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml_xml(flat(graph), buffer, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return buffer.getvalue()


def build_gexf(graph: nx.MultiDiGraph, positions: dict[str, tuple[float, float]] | None = None) -> bytes:
    """GEXF 1.2 with Gephi's viz colours (and positions, when given)."""
    import networkx as nx

    out = flat(graph)
    for node, data in out.nodes(data=True):
        viz: dict[str, Any] = {"color": {**_rgb(data["colour"]), "a": 1.0}}
        if positions and node in positions:
            x, y = positions[node]
            viz["position"] = {"x": float(x), "y": float(-y), "z": 0.0}
        data["viz"] = viz
    buffer = io.BytesIO()
    nx.write_gexf(out, buffer, encoding="utf-8", prettyprint=True, version="1.2draft")
    # networkx stamps today's date and its own version; the file must depend on the graph alone.
    text = re.sub(rb'<meta lastmodifieddate="[^"]*">', b"<meta>", buffer.getvalue(), count=1)
    return re.sub(rb"<creator>[^<]*</creator>", b"<creator>actorgraph</creator>", text, count=1)
