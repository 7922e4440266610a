"""How entities and relationships are drawn: one table for the interactive pages and the static figure.

Colours, shapes and line styles come from the ontology (``ag:colour``, ``ag:shape``, ``ag:lineStyle``,
``ag:displayOrder``); this module turns them into what a drawing needs, and makes every drawn colour
meet WCAG AA against the white page: text at 4.5:1, lines and outlines at 3:1 (a light relationship
colour is darkened just enough; a light node keeps its fill and gets a dark outline).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..vocab import Vocabulary

BACKGROUND = "#ffffff"
TEXT = "#1a1a1a"
MUTED = "#595959"  # secondary text: 7.0:1 on white
FALLBACK_COLOUR = "#999999"
FALLBACK_SHAPE = "dot"
TEXT_RATIO = 4.5  # WCAG AA, normal text
GRAPHIC_RATIO = 3.0  # WCAG AA, lines, outlines and focus cues (non-text contrast)

SHAPES = ("dot", "box", "ellipse", "triangle", "triangleDown", "square", "diamond", "star", "hexagon")


@dataclass(frozen=True)
class Line:
    """A line style: its dash pattern (lengths in pixels at width 1, empty for a solid line), its width
    in pixels, and a mark drawn across the middle of the line ('cross'), if any."""

    dash: tuple[float, ...]
    width: float
    mark: str | None = None


# The styles an ``ag:lineStyle`` may name. Dots are zero-length dashes drawn with round caps.
LINES: dict[str, Line] = {
    "solid": Line((), 1.4),
    "bold": Line((), 3.0),
    "dashed": Line((5, 4), 1.6),
    "long-dash": Line((12, 5), 1.6),
    "dash-dot": Line((10, 4, 0, 4), 1.7),
    "dash-dot-dot": Line((10, 4, 0, 4, 0, 4), 1.7),
    "dotted": Line((0, 4), 2.2),
    "crossed": Line((0, 4), 2.2, "cross"),
}
DEFAULT_LINE = "solid"


# -- WCAG contrast ---------------------------------------------------------------------------------


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` or ``#rgb`` as three 0-255 integers."""
    value = colour.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darken(colour: str, background: str = BACKGROUND, ratio: float = GRAPHIC_RATIO) -> str:
    """``colour`` itself if it reaches ``ratio`` against ``background``, else the same hue darkened in
    steps of 2% until it does."""
    r, g, b = rgb(colour)
    factor = 1.0
    current = hex_colour(r, g, b)
    while contrast(current, background) < ratio and factor > 0:
        factor -= 0.02
        current = hex_colour(round(r * factor), round(g * factor), round(b * factor))
    return current


def hex_colour(r: int, g: int, b: int) -> str:
    return f"#{r:02x}{g:02x}{b:02x}"


# -- entities ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeStyle:
    colour: str  # fill, as the ontology gives it
    border: str  # outline: the fill darkened to 3:1 on white, so light fills keep a visible edge
    shape: str


def node_style(colour: str | None, shape: str | None) -> NodeStyle:
    fill = colour or FALLBACK_COLOUR
    border = darken(fill, BACKGROUND, GRAPHIC_RATIO)
    if border == fill.lower():  # already dark: outline it darker still, so the shape reads as a shape
        border = darken(fill, BACKGROUND, min(21.0, contrast(fill, BACKGROUND) * 1.6))
    return NodeStyle(fill, border, shape if shape in SHAPES else FALLBACK_SHAPE)


def type_style(vocab: Vocabulary | None, type_iri: str) -> NodeStyle:
    """How an entity of the class ``type_iri`` is drawn (the nearest class that has a colour)."""
    style = vocab.style(type_iri) if vocab is not None else None
    return node_style(style.colour if style else None, style.shape if style else None)


def type_order(vocab: Vocabulary | None, type_iri: str) -> int:
    """Where a class comes in keys and type lists (its own display order, else its styled ancestor's)."""
    if vocab is None:
        return 999
    cls = vocab.classes.get(type_iri)
    style = vocab.style(type_iri)
    for candidate in (cls, style):
        if candidate is not None and candidate.order is not None:
            return candidate.order
    return 999


# -- relationships ------------------------------------------------------------------------------------


def edge_colour(colour: str | None) -> str:
    """A relationship's colour as drawn: darkened, if need be, to 3:1 on the white page."""
    return darken(colour or FALLBACK_COLOUR)


def statuses(vocab: Vocabulary | None) -> list[dict[str, Any]]:
    """Every status of the ontology, firmest first, with the line that draws it."""
    found = list(vocab.statuses.values()) if vocab is not None else []
    found.sort(key=lambda s: (s.order if s.order is not None else 999, s.label))
    rows = []
    for status in found:
        name = status.line_style if status.line_style in LINES else DEFAULT_LINE
        rows.append({"iri": status.iri, "label": status.label, "definition": status.definition, "line": name,
                     "order": status.order if status.order is not None else 999})
    return rows


def least_firm(labels: list[str], table: list[dict[str, Any]]) -> str | None:
    """The status, among ``labels``, that comes last in ``table`` (the least firm): a relationship whose
    statements differ is drawn with it, so no drawing looks firmer than its weakest evidence."""
    rank = {row["label"]: i for i, row in enumerate(table)}
    known = [label for label in labels if label is not None]
    if not known:
        return None
    return max(known, key=lambda label: (rank.get(label, len(rank)), label))


def lines() -> dict[str, dict[str, Any]]:
    """The line styles as plain data for a page's script."""
    return {name: {"dash": list(line.dash), "width": line.width, "mark": line.mark} for name, line in LINES.items()}
