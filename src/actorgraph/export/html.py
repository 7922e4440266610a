"""The interactive network page: pyvis builds it, with actorgraph's own template (``templates/``).

The page works with no network at all (vis-network is inlined from pyvis's bundled copy), escapes every
text (the data is embedded with Jinja's ``tojson``, which turns < > & ' into \\u003c and so on), and is
byte-for-byte the same for the same graph: nodes and edges are sorted, the layout is computed here in
Python with a fixed seed, and nothing records the time.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

TEMPLATES = Path(__file__).resolve().parent / "templates"
LAYOUT_SEED = 7
# Above this many nodes the page draws the precomputed layout as is: vis-network's physics would
# block the page for minutes at 5,000 nodes (see benchmarks/html_scale.py).
PHYSICS_MAX_NODES = 300

# What of each statement the page needs (the evidence panel and the date filter).
# The labels are shown; the statement's IRI names it (the IRIs of its source, party and status are in
# the graph files, and would double the page's size at 20,000 statements).
EVIDENCE_FIELDS = (
    "statement", "quote", "source_label", "asserted_by_label", "status_label", "reason", "role", "event_label",
    "point_in_time", "point_in_time_precision", "point_in_time_inferred", "point_in_time_basis",
    "start_time", "start_time_precision", "start_time_inferred", "start_time_basis",
    "end_time", "end_time_precision", "end_time_inferred", "end_time_basis",
)


def layout(graph: nx.MultiDiGraph, seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold positions in igraph (under a second at 5,000 nodes), deterministic."""
    import random

    import igraph as ig

    order = sorted(graph.nodes())
    n = len(order)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(order)}
    pairs = sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v in graph.edges() if u != v})
    g = ig.Graph(n=n, edges=pairs, directed=False)
    # Start from seeded random positions spread over a square (starting them all close together makes
    # igraph 40 times slower), and draw igraph's own random numbers from a seeded generator too:
    # the same graph always gives the same picture.
    rng = random.Random(seed)
    side = math.sqrt(n)
    start = [[rng.uniform(-side, side), rng.uniform(-side, side)] for _ in range(n)]
    ig.set_random_number_generator(random.Random(seed))
    try:
        coords = g.layout_fruchterman_reingold(seed=start, niter=1000 if n < 2000 else 500)
    finally:
        ig.set_random_number_generator(random)
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    # About 200 px per node along each side of the square that holds them all.
    size = 200.0 * math.sqrt(n)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {order[i]: (round((x - cx) / span * size, 1), round((y - cy) / span * size, 1))
            for i, (x, y) in enumerate(coords)}


def _wrap(label: str, width: int = 24) -> str:
    """Long labels on several lines, so a long event name does not stretch across its neighbours."""
    import textwrap

    return "\n".join(textwrap.wrap(label, width, break_long_words=False, break_on_hyphens=False)) or label


_LABEL_INSIDE = {"box", "ellipse", "circle", "database", "text"}


def _text_colour(background: str) -> str:
    """Black or white, whichever reads better on the background (labels drawn inside the shape)."""
    value = background.lstrip("#")
    if len(value) != 6:
        return "#222222"
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return "#222222" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def _evidence(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Empty fields are left out: at 20,000 statements they would be most of the file.
    return [{field: item[field] for field in EVIDENCE_FIELDS if item.get(field) is not None} for item in items]


def vis_data(graph: nx.MultiDiGraph, vocab=None, seed: int = LAYOUT_SEED,
             identifiers: dict[str, list[dict[str, Any]]] | None = None):
    """Node and edge dicts for vis-network, sorted, with positions and evidence (and each entity's
    identifiers in other datasets, when given: scheme, id, link, where it was found)."""
    positions = layout(graph, seed)
    center = graph.graph.get("center")
    if center in positions:
        # An ego network: its entity in the middle, pinned, and drawn larger than the rest.
        cx, cy = positions[center]
        positions = {node: (round(x - cx, 1), round(y - cy, 1)) for node, (x, y) in positions.items()}
    order = sorted(graph.nodes())
    index = {node: i for i, node in enumerate(order)}
    nodes = []
    for node in order:
        data = graph.nodes[node]
        cls = vocab.classes.get(data["type"]) if vocab is not None else None
        style = vocab.style(data["type"]) if vocab is not None else None
        x, y = positions[node]
        nodes.append({
            "id": index[node],
            "iri": node,
            "label": _wrap(data["label"]),
            "name": data["label"],
            "aliases": list(data.get("aliases", [])),
            "type": data["type"],
            "type_label": data["type_label"],
            "order": (cls.order if cls and cls.order is not None else
                      style.order if style and style.order is not None else 999),
            "colour": data["colour"],
            "shape": data["shape"],
            "color": {"background": data["colour"], "border": "#444444",
                      "highlight": {"background": data["colour"], "border": "#000000"},
                      "hover": {"background": data["colour"], "border": "#000000"}},
            "font": ({"color": _text_colour(data["colour"]), "strokeWidth": 0} if data["shape"] in _LABEL_INSIDE
                     else {"color": "#222222"}),
            "x": x,
            "y": y,
        })
        if identifiers and identifiers.get(node):
            nodes[-1]["ids"] = identifiers[node]
        if node == center:
            nodes[-1].update({"fixed": True, "size": 30, "borderWidth": 3, "mass": 3})
            nodes[-1]["font"] = {**nodes[-1]["font"], "size": 28, "bold": True}
    edges = []
    seen_pairs: dict[tuple[int, int], int] = {}
    ordered = sorted(graph.edges(keys=True, data=True), key=lambda e: (index[e[0]], index[e[1]], e[2]))
    for number, (u, v, key, data) in enumerate(ordered):
        a, b = index[u], index[v]
        pair = (min(a, b), max(a, b))
        parallel = seen_pairs.get(pair, 0)
        seen_pairs[pair] = parallel + 1
        edge = {
            "id": number,
            "from": a,
            "to": b,
            "key": key,
            "label": data["edge_label"],
            "relationship": data["relationship"],
            "predicate": data["predicate"],
            "color": {"color": data["colour"], "highlight": data["colour"], "hover": data["colour"]},
            "ev": _evidence(data.get("evidence", [])),
        }
        if parallel:
            # Bend the second, third... relationship between the same two entities so none hides another.
            edge["smooth"] = {"enabled": True, "type": "curvedCW" if parallel % 2 else "curvedCCW",
                              "roundness": 0.2 * ((parallel + 1) // 2)}
        edges.append(edge)
    return nodes, edges


def environment():
    """Jinja with autoescape on, finding our templates first and pyvis's bundled ``lib/`` second."""
    import pyvis
    from jinja2 import Environment, FileSystemLoader

    pyvis_templates = Path(pyvis.__file__).resolve().parent / "templates"
    return Environment(loader=FileSystemLoader([str(TEMPLATES), str(pyvis_templates)]), autoescape=True,
                       keep_trailing_newline=True)


def render_network(graph: nx.MultiDiGraph, title: str, vocab=None, seed: int = LAYOUT_SEED,
                   physics_max_nodes: int = PHYSICS_MAX_NODES,
                   identifiers: dict[str, list[dict[str, Any]]] | None = None) -> str:
    """The page for ``graph`` as HTML text."""
    from pyvis.network import Network

    nodes, edges = vis_data(graph, vocab, seed, identifiers)
    net = Network(height="100%", width="100%", directed=True, heading=title, cdn_resources="in_line")
    # Assigned directly: pyvis's add_node/add_edge are slow at this size and would rewrite our dicts.
    net.nodes, net.edges = nodes, edges
    net.node_ids = [n["id"] for n in nodes]
    net.node_map = {n["id"]: n for n in nodes}
    net.options = {"physics": {"enabled": len(nodes) <= physics_max_nodes}}
    net.set_template_dir(str(TEMPLATES), "network.html")
    net.templateEnv = environment()
    return net.generate_html(name="actorgraph.html")
