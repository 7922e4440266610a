"""Where each entity is drawn, and how big: computed once, in Python, for every page and figure.

``layout(graph)`` places the entities with igraph's Fruchterman–Reingold (a fixed seed, so the same
graph always gives the same picture), then, below a few thousand entities, spreads the crowded parts
until no two entities overlap at the size they are drawn when the whole graph fits a 1,000-pixel view:
a dense core (a government, a gang and their negotiators) would otherwise be drawn as a pile.

``sizes(graph)`` is each entity's radius in pixels at that view: it follows the number of its
relationships, so the hubs stand out. The explorer, the story pages and the static SVG all use both.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

LAYOUT_SEED = 7
VIEW = 1000.0  # the side of the whole-graph view the spreading plans for, in pixels
GAP = 16.0  # the least space between two entities' outlines in that view, in pixels
# The settling's pull toward the middle, its pull along relationships, and their length at rest (px).
GRAVITY, PULL, SPRING = 0.01, 0.02, 60.0
SPREAD_MAX_NODES = 2000  # above this, settling would take longer than the page is worth: zoom in instead
MIN_RADIUS, MAX_RADIUS = 4.0, 16.0


def sizes(graph: nx.MultiDiGraph) -> dict[str, float]:
    """Each entity's radius in pixels at the whole-graph view: 4 px for one relationship, 16 px for the
    most connected, in proportion to the square root of the count (so the area follows it); larger in
    a graph of a few entities, and the centre of an ego network larger still."""
    if graph.number_of_nodes() == 0:
        return {}
    most = max(graph.degree(n) for n in graph.nodes()) or 1
    center = graph.graph.get("center")
    # A graph of a few entities has room to draw them larger: up to half as large again below 50.
    roomy = 1.0 + 0.5 * max(0.0, 1.0 - graph.number_of_nodes() / 50)
    return {node: round((MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(graph.degree(node) / most)) * roomy
                        + (6.0 if node == center else 0.0), 1)
            for node in graph.nodes()}


def _placed(graph: nx.MultiDiGraph, seed: int) -> tuple[list[str], list[tuple[float, float]]]:
    import random

    import igraph as ig

    order = sorted(graph.nodes())
    n = len(order)
    index = {node: i for i, node in enumerate(order)}
    pairs = sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v in graph.edges() if u != v})
    g = ig.Graph(n=n, edges=pairs, directed=False)
    # Start from seeded random positions spread over a square (starting them all close together makes
    # igraph 40 times slower), and draw igraph's own random numbers from a seeded generator too.
    rng = random.Random(seed)
    side = math.sqrt(n)
    start = [[rng.uniform(-side, side), rng.uniform(-side, side)] for _ in range(n)]
    ig.set_random_number_generator(random.Random(seed))
    try:
        coords = g.layout_fruchterman_reingold(seed=start, niter=1000 if n < 2000 else 500)
    finally:
        ig.set_random_number_generator(random)
    return order, [(c[0], c[1]) for c in coords]


def _normalised(points: list[tuple[float, float]], side: float) -> list[list[float]]:
    """The points centred and scaled so that the larger side of their box is ``side``."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return [[(x - cx) / span * side, (y - cy) / span * side] for x, y in points]


def _spread(points: list[list[float]], radii: list[float], edges: list[tuple[int, int]], rounds: int) -> None:
    """Settle the points, in place, so that no two are closer than their radii plus GAP: each round a
    weak pull toward the middle and along every relationship longer than SPRING, then every overlapping
    pair pushed apart (all pairs at once, in arrays: the ego view of a hub, 500 entities piled around
    it, took 18 s pair by pair in Python). The pull takes the slack out of long chains at the edge, which
    leaves the crowded core the room it needs once the whole is scaled to the view."""
    import numpy as np
    from scipy.spatial import cKDTree

    xy = np.array(points, dtype=float).reshape(-1, 2)
    radius = np.asarray(radii, dtype=float)
    ends = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    reach = 2 * float(radius.max()) + GAP  # no pair farther apart than this can overlap
    for _ in range(rounds):
        move = (xy.mean(axis=0) - xy) * GRAVITY
        if len(ends):
            delta = xy[ends[:, 1]] - xy[ends[:, 0]]
            length = np.hypot(delta[:, 0], delta[:, 1])
            length[length == 0] = 1.0
            pull = (np.where(length > SPRING, (length - SPRING) * PULL / length, 0.0))[:, None] * delta
            np.add.at(move, ends[:, 0], pull)
            np.add.at(move, ends[:, 1], -pull)
        xy += _capped(move, reach)
        moved = float(np.abs(move).sum(axis=1).max())
        pairs = cKDTree(xy).query_pairs(reach, output_type="ndarray")
        i, j = pairs[:, 0], pairs[:, 1]
        delta = xy[j] - xy[i]
        distance = np.hypot(delta[:, 0], delta[:, 1])
        need = radius[i] + radius[j] + GAP
        close = distance < need
        i, j, delta, distance, need = i[close], j[close], delta[close], distance[close], need[close]
        same = distance < 1e-6
        if same.any():  # the same place: part them along a direction fixed by their indexes
            angle = (i[same] * 7919 + j[same] * 104729) % 360 * math.pi / 180
            delta[same] = np.column_stack([np.cos(angle), np.sin(angle)])
            distance[same] = 1.0
        push = ((need - distance) / 2 / distance)[:, None] * delta
        shift = np.zeros_like(xy)
        np.add.at(shift, i, -push)
        np.add.at(shift, j, push)
        xy += _capped(shift, reach)
        if not len(i) and moved < 0.2:
            break
    points[:] = xy.tolist()


def _capped(move, most: float):
    """Each point's move cut to at most ``most`` pixels: a hub's pulls and pushes, summed over hundreds of
    relationships at once, would otherwise throw it across the view and back, further each round."""
    import numpy as np

    length = np.hypot(move[:, 0], move[:, 1])
    return move * np.minimum(1.0, most / np.maximum(length, 1e-12))[:, None]


def layout(graph: nx.MultiDiGraph, seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Positions of every entity in pixels of the whole-graph view (about VIEW wide), deterministic."""
    if graph.number_of_nodes() == 0:
        return {}
    order, placed = _placed(graph, seed)
    n = len(order)
    if n <= SPREAD_MAX_NODES:
        # A view wide enough to hold every entity with its gap: 1,000 px up to several hundred entities.
        side = max(VIEW, 40.0 * math.sqrt(n))
        points = _normalised(placed, side)
        radius = sizes(graph)
        index = {node: i for i, node in enumerate(order)}
        pairs = sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v in graph.edges() if u != v})
        _spread(points, [radius[node] for node in order], pairs, rounds=max(40, min(300, 100_000 // n)))
        points = _normalised([(x, y) for x, y in points], side)
    else:
        # Keep about 200 px per entity along each side: the labels appear as the reader zooms in.
        points = _normalised(placed, 200.0 * math.sqrt(n))
    return {order[i]: (round(x, 1), round(y, 1)) for i, (x, y) in enumerate(points)}
