"""The interactive network page: the explorer.

The page is one HTML file with everything inlined: our own canvas renderer (``templates/map.js``), the
page's controls (``templates/explorer.js``), the evidence panel (``templates/evidence.js``) and the
graph as JSON. It works with no network at all, escapes every text (the JSON is embedded with < > & '
written as \\u003c and so on, and the page sets text, never HTML), and is byte-for-byte the same for
the same graph: nodes and edges are sorted, the layout is computed here in Python with a fixed seed,
and nothing records the time.

The layout is computed once, here, and the page never moves a node: search, filters and dates show,
hide or fade entities where they stand. The static figure (``svg.py``) draws the same positions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import evidence
from . import style
from .layout import LAYOUT_SEED, layout, sizes

__all__ = ["layout", "page_data", "render_network", "vis_data"]  # layout: the GEXF export reads it here

if TYPE_CHECKING:
    import networkx as nx

    from ..vocab import Vocabulary

TEMPLATES = Path(__file__).resolve().parent / "templates"
ID_PREFIX = "https://w3id.org/actorgraph/id/"

def wrap(label: str, width: int = 24) -> list[str]:
    """A long label as lines, so a long event name does not stretch across its neighbours."""
    import textwrap

    return textwrap.wrap(label, width, break_long_words=False, break_on_hyphens=False) or [label]


def node_key(iri: str) -> str:
    """The short, stable name of an entity in a page's address (``#node=osiris-luna-meza``)."""
    return iri.removeprefix(ID_PREFIX)


def vis_data(graph: nx.MultiDiGraph, vocab: Vocabulary | None = None, seed: int = LAYOUT_SEED,
             identifiers: dict[str, list[dict[str, Any]]] | None = None,
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Node and edge dicts for the page, sorted, with positions, importance and evidence (and each
    entity's identifiers in other datasets, when given: scheme, id, link, where it was found)."""
    from ..evidence import fields_of

    fields = fields_of(graph)
    positions = layout(graph, seed)
    radius = sizes(graph)
    center = graph.graph.get("center")
    if center in positions:
        # An ego network: its entity in the middle.
        cx, cy = positions[center]
        positions = {node: (round(x - cx, 1), round(y - cy, 1)) for node, (x, y) in positions.items()}
    order = sorted(graph.nodes())
    index = {node: i for i, node in enumerate(order)}
    # Importance is the number of relationships (degree); ties go to the name, so ranks are stable.
    ranked = sorted(order, key=lambda n: (-graph.degree(n), graph.nodes[n]["label"], n))
    rank = {node: i for i, node in enumerate(ranked)}
    if center in rank:
        rank = {node: (0 if node == center else r + 1) for node, r in rank.items()}
    nodes = []
    for node in order:
        data = graph.nodes[node]
        x, y = positions[node]
        nodes.append({
            "id": index[node],
            "key": node_key(node),
            "iri": node,
            "name": data["label"],
            "lines": wrap(data["label"]),
            "aliases": list(data.get("aliases", [])),
            "type": data["type"],
            "degree": graph.degree(node),
            "size": radius[node],
            "rank": rank[node],
            "x": x,
            "y": y,
        })
        if identifiers and identifiers.get(node):
            nodes[-1]["ids"] = identifiers[node]
    edges = []
    seen_pairs: dict[tuple[int, int], int] = {}
    ordered = sorted(graph.edges(keys=True, data=True), key=lambda e: (index[e[0]], index[e[1]], e[2]))
    for number, (u, v, key, data) in enumerate(ordered):
        a, b = index[u], index[v]
        pair = (min(a, b), max(a, b))
        parallel = seen_pairs.get(pair, 0)
        seen_pairs[pair] = parallel + 1
        edges.append({
            "id": number,
            "from": a,
            "to": b,
            "key": key,
            "label": data["edge_label"],
            "relationship": data["relationship"],
            "colour": style.edge_colour(data["colour"]),
            # The second, third... relationship between the same two entities is bent, alternately to
            # either side of the line from the lower to the higher index, so none hides another.
            "bend": 0 if not parallel else ((parallel + 1) // 2) * (1 if parallel % 2 else -1),
            "ev": [fields.page(item) for item in data.get("evidence", [])],
        })
    return nodes, edges


def page_data(graph: nx.MultiDiGraph, title: str, vocab: Vocabulary | None = None,
              seed: int = LAYOUT_SEED, identifiers: dict[str, list[dict[str, Any]]] | None = None,
              ) -> dict[str, Any]:
    """Everything the explorer page draws: the graph, the styles of its types and statuses, its sources."""
    from .source import page_name

    nodes, edges = vis_data(graph, vocab, seed, identifiers)
    types: dict[str, dict[str, Any]] = {}
    for node in nodes:
        if node["type"] not in types:
            drawn = style.type_style(vocab, node["type"])
            types[node["type"]] = {
                "iri": node["type"],
                "key": node["type"].rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                "label": graph.nodes[node["iri"]]["type_label"],
                "colour": drawn.colour,
                "border": drawn.border,
                "shape": drawn.shape,
                "order": style.type_order(vocab, node["type"]),
            }
    sources: dict[str, dict[str, Any]] = {}
    for edge in edges:
        for item in edge["ev"]:
            iri, label = evidence.document(item)
            if iri and iri not in sources:
                sources[iri] = {"iri": iri, "key": node_key(iri), "label": label or iri, "page": page_name(iri)}
    statuses = style.statuses(vocab)
    known = {row["label"] for row in statuses}
    for label in sorted({evidence.status(item) for e in edges for item in e["ev"]} - known - {None}):
        statuses.append({"iri": None, "label": label, "definition": "", "line": style.DEFAULT_LINE, "order": 999})
    center = graph.graph.get("center")
    from ..evidence import fields_of

    return {
        "title": title,
        "fields": fields_of(graph).describe(),  # what the evidence panel lists, and how
        "asOf": graph.graph.get("as_of"),
        "center": nodes[[n["iri"] for n in nodes].index(center)]["id"] if center in graph else None,
        "nodes": nodes,
        "edges": edges,
        "types": sorted(types.values(), key=lambda t: (t["order"], t["label"])),
        "statuses": statuses,
        "lines": style.lines(),
        "sources": sorted(sources.values(), key=lambda s: (s["label"], s["iri"])),
        "colours": {"background": style.BACKGROUND, "text": style.TEXT, "muted": style.MUTED},
    }


def script_json(data: Any):
    """``data`` as JSON that is safe inside a <script> element: nothing in it can close the element or
    start markup (< > & ' are written as \\u003c, \\u003e, \\u0026, \\u0027)."""
    from markupsafe import Markup

    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(text)  # noqa: S704 - escaped above: no character of it can end the script or start a tag


def environment():
    """Jinja with autoescape on, finding our templates."""
    from jinja2 import Environment, FileSystemLoader

    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, keep_trailing_newline=True)


def render_network(graph: nx.MultiDiGraph, title: str, vocab: Vocabulary | None = None,
                   seed: int = LAYOUT_SEED, identifiers: dict[str, list[dict[str, Any]]] | None = None) -> str:
    """The explorer page for ``graph`` as HTML text (with each entity's identifiers in other datasets, when
    given, in its evidence panel)."""
    data = page_data(graph, title, vocab, seed, identifiers)
    return environment().get_template("network.html").render(title=title, data=script_json(data))


_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def file_slug(text: str) -> str:
    """Text as a file name part: letters, digits, - and _ only."""
    return _SAFE_NAME.sub("-", text).strip("-") or "item"
