"""A static figure of the network for reports: SVG text, made without a browser.

It draws what the explorer draws at its whole-graph view, from the same layout, sizes and styles
(``layout.py``, ``style.py``): the entities by type, the relationships by status (the least firm of an
edge's statements), the names that fit without overlapping (the most connected first), a key, and a
caption that says what the figure shows and where its evidence is. The same graph gives the same bytes.

Names are measured with an estimate of a sans-serif font's widths (the figure is drawn by whatever
program opens it); each name's box has a margin for the difference.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from .. import evidence
from . import style
from .layout import layout, sizes

if TYPE_CHECKING:
    import networkx as nx

    from ..vocab import Vocabulary

MAP = 1000.0  # the drawing's side, as planned by layout.py
MARGIN = 70.0  # room around it for the names of entities at the edge
KEY_WIDTH = 330.0
FONT = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"

# Advance widths of a Helvetica-like font, in ems, by kind of character: enough to keep names apart.
_NARROW, _MID, _WIDE = set("il.,:;'!|ijtf()[]I -"), set("rsJcz\"*"), set("mwMW@%&")


def text_width(text: str, size: float) -> float:
    """An estimate of ``text``'s width at ``size`` px in a sans-serif font."""
    total = 0.0
    for char in text:
        if char in _NARROW:
            total += 0.28
        elif char in _MID:
            total += 0.45
        elif char in _WIDE:
            total += 0.86
        elif char.isupper():
            total += 0.68
        elif char.isdigit():
            total += 0.556
        else:
            total += 0.54
    return total * size


def _f(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _shape(shape: str, x: float, y: float, r: float, attrs: str) -> str:
    """The same outlines as the explorer's (map.js)."""
    polygons = {
        "triangle": [(0, -1.25), (1.1, 0.8), (-1.1, 0.8)],
        "triangleDown": [(0, 1.25), (1.1, -0.8), (-1.1, -0.8)],
        "square": [(-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (-0.9, 0.9)],
        "diamond": [(0, -1.25), (1.1, 0), (0, 1.25), (-1.1, 0)],
        "star": [((0.45 if i % 2 else 1.15) * math.cos(-math.pi / 2 + i * math.pi / 5),
                  (0.45 if i % 2 else 1.15) * math.sin(-math.pi / 2 + i * math.pi / 5)) for i in range(10)],
        "hexagon": [(1.08 * math.cos(i * math.pi / 3), 1.08 * math.sin(i * math.pi / 3)) for i in range(6)],
    }
    if shape in polygons:
        points = " ".join(f"{_f(x + px * r)},{_f(y + py * r)}" for px, py in polygons[shape])
        return f'<polygon points="{points}"{attrs}/>'
    if shape == "box":
        return (f'<rect x="{_f(x - r * 1.5)}" y="{_f(y - r * 0.95)}" width="{_f(r * 3)}" height="{_f(r * 1.9)}" '
                f'rx="{_f(min(4.0, r * 0.4))}"{attrs}/>')
    if shape == "ellipse":
        return f'<ellipse cx="{_f(x)}" cy="{_f(y)}" rx="{_f(r * 1.45)}" ry="{_f(r * 0.9)}"{attrs}/>'
    return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}"{attrs}/>'


def _dash(line: style.Line) -> str:
    if not line.dash:
        return ""
    return ' stroke-dasharray="' + " ".join(_f(v) if v else "0.01" for v in line.dash) + '"'


def _label_size(rank: int, n: int) -> int:
    """The explorer's label sizes (map.js labelSize)."""
    large = max(min(6, math.ceil(n / 10)), math.floor(n * 0.01))
    medium = max(large, min(20, math.ceil(n / 4)), math.floor(n * 0.05))
    return 15 if rank < large else 13 if rank < medium else 12


class _Boxes:
    """Boxes already taken by names, to keep the next one off them."""

    def __init__(self):
        self.boxes: list[tuple[float, float, float, float]] = []

    def free(self, box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        return all(not (x0 < b[2] and x1 > b[0] and y0 < b[3] and y1 > b[1]) for b in self.boxes)

    def take(self, box: tuple[float, float, float, float]) -> None:
        self.boxes.append(box)


def _toward(px: float, py: float, qx: float, qy: float, rad: float) -> tuple[float, float]:
    """The point ``rad`` along the way from (px, py) to (qx, qy): where a line leaves a node's rim."""
    d = math.hypot(qx - px, qy - py) or 1.0
    return px + (qx - px) / d * rad, py + (qy - py) / d * rad


def build_svg(graph: nx.MultiDiGraph, title: str, vocab: Vocabulary | None = None) -> str:
    """The figure of ``graph`` as SVG text."""
    from .html import wrap

    positions = layout(graph)
    radius = sizes(graph)
    order = sorted(graph.nodes())
    n = len(order)
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    extent = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    scale = MAP / extent if extent > MAP else 1.0
    ox, oy = MARGIN - min(xs) * scale, MARGIN - min(ys) * scale
    at = {node: (positions[node][0] * scale + ox, positions[node][1] * scale + oy) for node in order}
    width = MAP + 2 * MARGIN + KEY_WIDTH
    map_height = (max(ys) - min(ys)) * scale + 2 * MARGIN + 30

    statuses = style.statuses(vocab)
    lines_by_status = {row["label"]: row["line"] for row in statuses}
    out_edges: list[str] = []
    arrows: list[str] = []
    seen_pairs: dict[tuple[str, str], int] = {}
    used: set[str] = set()
    for u, v, _name, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        labels = [evidence.status(item) for item in data.get("evidence", [])]
        status = style.least_firm(labels, statuses)
        name = lines_by_status.get(status, style.DEFAULT_LINE) if status else style.DEFAULT_LINE
        if status:
            used.add(status)
        line = style.LINES[name]
        colour = style.edge_colour(data.get("colour"))
        pair = (min(u, v), max(u, v))
        parallel = seen_pairs.get(pair, 0)
        seen_pairs[pair] = parallel + 1
        bend = 0 if not parallel else ((parallel + 1) // 2) * (1 if parallel % 2 else -1)
        common = f' stroke="{colour}" stroke-width="{_f(line.width)}"{_dash(line)}'
        (x1, y1), (x2, y2) = at[u], at[v]
        if u == v:
            rr = radius[u] * 0.9 + 6
            out_edges.append(f'<circle cx="{_f(x1)}" cy="{_f(y1 - radius[u] - rr * 0.6)}" r="{_f(rr)}"{common}/>')
            continue
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        sign = 1 if u < v else -1
        nx_, ny_ = -(y2 - y1) / length * sign, (x2 - x1) / length * sign
        control = None
        if bend:
            off = bend * min(length * 0.22, 46)
            control = ((x1 + x2) / 2 + nx_ * off, (y1 + y2) / 2 + ny_ * off)
        start = _toward(x1, y1, *(control or (x2, y2)), radius[u] + 1)
        end = _toward(x2, y2, *(control or (x1, y1)), radius[v] + 2)
        if control:
            path = f"M{_f(start[0])},{_f(start[1])}Q{_f(control[0])},{_f(control[1])} {_f(end[0])},{_f(end[1])}"
            mid = (0.25 * start[0] + 0.5 * control[0] + 0.25 * end[0],
                   0.25 * start[1] + 0.5 * control[1] + 0.25 * end[1])
        else:
            path = f"M{_f(start[0])},{_f(start[1])}L{_f(end[0])},{_f(end[1])}"
            mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        out_edges.append(f'<path d="{path}"{common}/>')
        if line.mark == "cross":
            mx, my = mid
            out_edges.append(f'<path d="M{_f(mx - 5)},{_f(my - 5)}L{_f(mx + 5)},{_f(my + 5)}M{_f(mx + 5)},'
                             f'{_f(my - 5)}L{_f(mx - 5)},{_f(my + 5)}" stroke="{colour}" stroke-width="2"/>')
        if length > radius[u] + radius[v] + 10:
            fx, fy = control or start
            d = math.hypot(end[0] - fx, end[1] - fy) or 1.0
            ux, uy = (end[0] - fx) / d, (end[1] - fy) / d
            size = 5 + line.width * 1.6
            points = [(end[0], end[1]), (end[0] - ux * size - uy * size * 0.5, end[1] - uy * size + ux * size * 0.5),
                      (end[0] - ux * size + uy * size * 0.5, end[1] - uy * size - ux * size * 0.5)]
            arrows.append('<polygon points="' + " ".join(f"{_f(px)},{_f(py)}" for px, py in points)
                          + f'" fill="{colour}"/>')

    types: dict[str, dict[str, Any]] = {}
    out_nodes: list[str] = []
    for node in order:
        data = graph.nodes[node]
        drawn = style.type_style(vocab, data["type"])
        entry = types.setdefault(data["type"], {"label": data["type_label"], "style": drawn, "count": 0,
                                                "order": style.type_order(vocab, data["type"])})
        entry["count"] += 1
        x, y = at[node]
        width_attr = "3" if node == graph.graph.get("center") else "1.3"
        out_nodes.append(_shape(drawn.shape, x, y, radius[node],
                                f' fill="{drawn.colour}" stroke="{drawn.border}" stroke-width="{width_attr}"'))

    ranked = sorted(order, key=lambda node: (-graph.degree(node), graph.nodes[node]["label"], node))
    center = graph.graph.get("center")
    if center in graph:
        ranked.remove(center)
        ranked.insert(0, center)
    taken = _Boxes()
    out_labels: list[str] = []
    named = 0
    for rank, node in enumerate(ranked):
        size = _label_size(rank, n)
        lines = wrap(graph.nodes[node]["label"])[:3]
        if len(wrap(graph.nodes[node]["label"])) > 3:
            lines[2] += "…"
        text_w = max(text_width(line, size) for line in lines) * 1.06
        lh = round(size * 1.2)
        height = lh * len(lines)
        x, y = at[node]
        r = radius[node]
        # Below, above, right, left, then diagonally: the first free place (as map.js agLabelPlaces).
        d = r * 0.7 + 3
        places = [(x - text_w / 2, y + r + 2), (x - text_w / 2, y - r - 4 - height), (x + r + 5, y - height / 2),
                  (x - r - 5 - text_w, y - height / 2), (x + d, y + d), (x - d - text_w, y + d),
                  (x + d, y - d - height), (x - d - text_w, y - d - height)]
        box = next((b for b in ((px - 2, py, px + text_w + 2, py + height + 1) for px, py in places)
                    if taken.free(b)), None)
        if box is None:
            continue
        taken.take(box)
        x, top = (box[0] + box[2]) / 2, box[1] + 1
        named += 1
        weight = "600" if size >= 15 else "400"
        for k, line in enumerate(lines):
            out_labels.append(f'<text x="{_f(x)}" y="{_f(top + k * lh + size * 0.85)}" font-size="{size}" '
                              f'font-weight="{weight}">{escape(line)}</text>')

    key = _key(types, used, statuses, MAP + 2 * MARGIN, 20.0)
    key_height = key[1]
    height = max(map_height, key_height + 20) + 10
    caption = _caption(title, graph, named)
    caption_top = height
    total = caption_top + 24 + 19 * len(caption)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(total)}" '
        f'viewBox="0 0 {_f(width)} {_f(total)}" font-family="{escape(FONT, {chr(34): "&quot;"})}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(' '.join(caption[1:]))}</desc>",
        f'<rect width="{_f(width)}" height="{_f(total)}" fill="{style.BACKGROUND}"/>',
        '<g class="relationships" fill="none" stroke-linecap="round" stroke-linejoin="round">', *out_edges, "</g>",
        '<g class="arrows">', *arrows, "</g>",
        '<g class="entities">', *out_nodes, "</g>",
        f'<g class="names" text-anchor="middle" fill="{style.TEXT}" stroke="#ffffff" stroke-width="3.5" '
        'stroke-linejoin="round" paint-order="stroke">', *out_labels, "</g>",
        *key[0],
        f'<line x1="0" y1="{_f(caption_top)}" x2="{_f(width)}" y2="{_f(caption_top)}" stroke="#c8c8c8"/>',
    ]
    for i, line in enumerate(caption):
        parts.append(f'<text x="20" y="{_f(caption_top + 26 + i * 19)}" font-size="{15 if i == 0 else 13}" '
                     f'font-weight="{600 if i == 0 else 400}" fill="{style.TEXT if i == 0 else style.MUTED}">'
                     f"{escape(line)}</text>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _key(types: dict[str, dict[str, Any]], used: set[str], statuses: list[dict[str, Any]],
         left: float, top: float) -> tuple[list[str], float]:
    """The key: each type drawn (its shape and colour) and each status's line; and the key's height."""
    out = [f'<g class="key" font-size="13" fill="{style.TEXT}">']
    y = top + 14
    out.append(f'<text x="{_f(left)}" y="{_f(y)}" font-size="14" font-weight="600">Entities</text>')
    y += 8
    for entry in sorted(types.values(), key=lambda t: (t["order"], t["label"])):
        y += 19
        drawn = entry["style"]
        out.append(_shape(drawn.shape, left + 10, y - 4, 6, f' fill="{drawn.colour}" stroke="{drawn.border}" '
                                                             'stroke-width="1.3"'))
        out.append(f'<text x="{_f(left + 26)}" y="{_f(y)}">{escape(entry["label"])} ({entry["count"]})</text>')
    y += 20
    out.append(f'<text x="{_f(left)}" y="{_f(y)}" font-size="12" fill="{style.MUTED}">Size follows the number of '
               "relationships.</text>")
    y += 28
    out.append(f'<text x="{_f(left)}" y="{_f(y)}" font-size="14" font-weight="600">Relationships, by status</text>')
    y += 8
    for row in statuses:
        if row["label"] not in used:
            continue
        y += 19
        line = style.LINES[row["line"]]
        out.append(f'<path d="M{_f(left)},{_f(y - 4)}L{_f(left + 36)},{_f(y - 4)}" stroke="{style.TEXT}" '
                   f'stroke-width="{_f(line.width)}" stroke-linecap="round" fill="none"{_dash(line)}/>')
        if line.mark == "cross":
            out.append(f'<path d="M{_f(left + 14)},{_f(y - 9)}L{_f(left + 22)},{_f(y + 1)}M{_f(left + 22)},'
                       f'{_f(y - 9)}L{_f(left + 14)},{_f(y + 1)}" stroke="{style.TEXT}" stroke-width="2"/>')
        out.append(f'<text x="{_f(left + 46)}" y="{_f(y)}">{escape(row["label"])}</text>')
    y += 20
    out.append(f'<text x="{_f(left)}" y="{_f(y)}" font-size="12" fill="{style.MUTED}">Mixed statuses: the least firm '
               "is drawn.</text>")
    out.append("</g>")
    return out, y + 10


def _caption(title: str, graph: nx.MultiDiGraph, named: int) -> list[str]:
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    found = sorted({label for _, _, d in graph.edges(data=True) for item in d.get("evidence", [])
                    if (label := evidence.document(item)[1])})
    lines = [title,
             f"{n:,} entities and {m:,} relationships; names shown for the {named:,} most connected that fit."
             + (f" As of {graph.graph['as_of']}: undated relationships included." if graph.graph.get("as_of") else ""),
             "Source" + ("s" if len(found) != 1 else "") + ": " + ("; ".join(found) or "none") + ".",
             "Every relationship's verbatim quote, source, status and dates: the interactive page (actorgraph.html)."]
    return lines
