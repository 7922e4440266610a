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
    pair pushed apart. The pull takes the slack out of long chains at the edge, which leaves the crowded
    core the room it needs once the whole is scaled to the view."""
    n = len(points)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    reach = 2 * max(radii) + GAP
    floor, hypot = math.floor, math.hypot
    for _ in range(rounds):
        cx, cy = sum(xs) / n, sum(ys) / n
        mx = [(cx - x) * GRAVITY for x in xs]
        my = [(cy - y) * GRAVITY for y in ys]
        for i, j in edges:
            dx, dy = xs[j] - xs[i], ys[j] - ys[i]
            d = hypot(dx, dy) or 1.0
            if d > SPRING:
                f = (d - SPRING) * PULL / d
                mx[i] += dx * f
                my[i] += dy * f
                mx[j] -= dx * f
                my[j] -= dy * f
        moved = 0.0
        for i in range(n):
            xs[i] += mx[i]
            ys[i] += my[i]
            moved = max(moved, abs(mx[i]) + abs(my[i]))
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(n):
            grid.setdefault((floor(xs[i] / reach), floor(ys[i] / reach)), []).append(i)
        overlaps = 0
        for (gx, gy), members in grid.items():
            near = [j for a in (-1, 0, 1) for b in (-1, 0, 1) for j in grid.get((gx + a, gy + b), ())]
            for i in members:
                for j in near:
                    if j <= i:
                        continue
                    need = radii[i] + radii[j] + GAP
                    dx, dy = xs[j] - xs[i], ys[j] - ys[i]
                    if abs(dx) >= need or abs(dy) >= need:
                        continue
                    d = hypot(dx, dy)
                    if d >= need:
                        continue
                    overlaps += 1
                    if d < 1e-6:  # the same place: part them along a direction fixed by their indexes
                        angle = (i * 7919 + j * 104729) % 360 * math.pi / 180
                        dx, dy, d = math.cos(angle), math.sin(angle), 1.0
                    push = (need - d) / 2 / d
                    xs[i] -= dx * push
                    ys[i] -= dy * push
                    xs[j] += dx * push
                    ys[j] += dy * push
        if not overlaps and moved < 0.2:
            break
    for i in range(n):
        points[i] = [xs[i], ys[i]]


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
