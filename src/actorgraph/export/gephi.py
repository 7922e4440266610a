"""GraphML and GEXF, ready for Gephi: flat attributes, no None, lists joined with "; ", one type each."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from ..evidence import Fields

# Every node and every edge carries every one of these, always of this type, so Gephi reads one column
# per attribute with one type. Edges then carry the evidence fields (``edge_fields``).
NODE_FIELDS: dict[str, type] = {
    "label": str, "iri": str, "type": str, "type_label": str, "aliases": str, "colour": str, "shape": str,
}
_EDGE_STRUCTURE: dict[str, type] = {
    "label": str, "relationship": str, "predicate": str, "colour": str, "statements": int, "statement_ids": str,
}
# Gephi's edge table has Source and Target columns of its own (and CSV edge lists a key): an evidence
# field of such a name is written under its range's name (ag:source, of range ag:SourceDocument, as
# source_document).
_TAKEN = {"source", "target", "key", "id", *_EDGE_STRUCTURE}


def _column(key: str, fields: Fields) -> str:
    """The file's column for a flat evidence key."""
    for field in fields:
        if key == field.key and key in _TAKEN:
            return field.range_name
    return key


def edge_fields(fields: Fields) -> dict[str, type]:
    """Every edge attribute of the files and its type: the structure's, then the evidence's."""
    return {**_EDGE_STRUCTURE, **{_column(key, fields): str for key in fields.flat_keys}}


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

    from ..evidence import STATEMENT, fields_of

    fields = fields_of(graph)
    columns = edge_fields(fields)
    renamed = {key: _column(key, fields) for key in fields.flat_keys}
    out = nx.MultiDiGraph()
    for node in sorted(graph.nodes()):
        data = dict(graph.nodes[node], iri=node)
        out.add_node(node, **{k: _value(data.get(k), t) for k, t in NODE_FIELDS.items()})
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        data = {**{column: data.get(k) for k, column in renamed.items()}, "relationship": data.get("relationship"),
                "predicate": data.get("predicate"), "colour": data.get("colour"),
                "statements": data.get("statements"), "label": data.get("edge_label"),
                "statement_ids": [item[STATEMENT] for item in data.get("evidence", [])]}
        out.add_edge(u, v, key=key, **{k: _value(data.get(k), t) for k, t in columns.items()})
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
