"""The only place that formats results for people and programs.

A command returns a ``Table`` (columns and rows, plus notes such as "sources disagree" or "betweenness
was sampled") or a ``Document`` (a titled set of fields and tables, for profiles). ``render`` prints it
as a terminal table, JSON, CSV or TSV. Cell text is never parsed as markup, and control characters in
it are shown as escapes (``printable``).

The terminal table is laid out here, in time linear in its cells: columns as wide as their widest
cell, the widest wrapping columns narrowed first when the table is wider than the terminal; a table
that still does not fit, or whose rows would run taller than ``MAX_LINES_PER_ROW`` lines, is printed as
one block of ``column: value`` lines per row instead, so that no column is ever cropped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

FORMATS = ("table", "json", "csv")


@dataclass
class Table:
    columns: list[str]
    rows: list[dict[str, Any]]
    title: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"columns": self.columns, "rows": self.rows}
        if self.title:
            data["title"] = self.title
        if self.notes:
            data["notes"] = self.notes
        return data


@dataclass
class Document:
    """A profile: header fields, then named tables."""

    title: str
    fields: dict[str, Any]
    sections: dict[str, Table]
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"title": self.title, **self.fields}
        for name, table in self.sections.items():
            data[name] = table.rows
        if self.notes:
            data["notes"] = self.notes
        return data


# Characters a terminal acts on instead of showing: C0 and C1 controls and DEL (ESC starts colour codes,
# OSC 52 writes the clipboard, CR overwrites the line), and the bidirectional overrides and isolates,
# which reorder what is shown. Tab and newline are layout, kept where a cell may span lines.
_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPES = {code: f"\\u{code:04x}" for code in _CONTROLS}
_ESCAPES.update({0x0D: "\\r", 0x09: "\\t", 0x0A: "\\n"})
_ESCAPES_MULTILINE = {code: text for code, text in _ESCAPES.items() if code not in (0x09, 0x0A)}


def printable(text: str, *, multiline: bool = False) -> str:
    """Text safe to print on a terminal: every control character shown as an escape (``\\u001b``,
    ``\\r``, ``\\u202e``, written as JSON, Turtle and Python write them), so data can neither run
    terminal commands nor hide what it says. With ``multiline``, newlines and tabs are kept; otherwise
    the text stays on one line."""
    if text.isprintable():  # no control, format or separator character: nothing to escape, sooner
        return text
    return text.translate(_ESCAPES_MULTILINE if multiline else _ESCAPES)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


MAX_LINES_PER_ROW = 6
_SHORT = {"status", "score", "side", "kind", "via", "when", "path", "step"}
# Each column's cells have one space of padding either side; columns are separated by a space, and the
# table has a space at either edge.
_PAD = 2


def _collapse_constant_source(table: Table) -> tuple[Table, list[str]]:
    """When every row cites the same source, say it once below the table instead of in every row."""
    if "source" not in table.columns or not table.rows:
        return table, []
    sources = {cell(row.get("source")) for row in table.rows}
    if len(sources) != 1 or sources == {""}:
        return table, []
    columns = [c for c in table.columns if c != "source"]
    return Table(columns, table.rows, table.title, table.notes), [f"source: {sources.pop()}"]


# -- text in a terminal ---------------------------------------------------------------------------


def terminal_width() -> int:
    """The width to lay text out in: ``$COLUMNS``, else 120."""
    return int(os.environ.get("COLUMNS") or 0) or 120


@lru_cache(maxsize=8192)
def _char_width(char: str) -> int:
    import unicodedata

    if unicodedata.combining(char) or unicodedata.category(char) in ("Cc", "Cf", "Me", "Mn"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _one_cell_each(text: str) -> bool:
    """Whether every character of the text takes exactly one terminal cell (so that its length is its
    width) and none starts a new line."""
    if text.isascii():
        return text.isprintable()
    return all(char.isprintable() and _char_width(char) == 1 for char in set(text))


def text_width(text: str) -> int:
    """How many terminal cells the text takes: East Asian wide characters take two, marks none."""
    if text.isascii() and text.isprintable():
        return len(text)
    return sum(map(_char_width, text))


def _fold(word: str, width: int, plain: bool) -> list[str]:
    """A word too long for a line, cut into pieces of at most ``width`` cells."""
    if plain:
        return [word[i: i + width] for i in range(0, len(word), width)] or [""]
    pieces, piece, used = [], "", 0
    for char in word:
        size = _char_width(char)
        if piece and used + size > width:
            pieces.append(piece)
            piece, used = "", 0
        piece += char
        used += size
    return [*pieces, piece]


_WORD_RE = re.compile(r"\s*\S+\s*")


@lru_cache(maxsize=64)
def _line_re(width: int) -> re.Pattern:
    return re.compile(f"(.{{1,{width}}})(?: +|$)")


def wrap(text: str, width: int) -> list[str]:
    """The text as lines of at most ``width`` cells: broken between words, a word longer than a line
    starts a line and is cut where lines end, each newline kept. Trailing spaces are left on (callers
    strip or pad)."""
    width = max(1, width)
    plain = _one_cell_each(text)
    if plain and len(text) <= width:
        return [text]
    if plain and text[0] != " " and max(map(len, text.split(" "))) <= width:
        # Every word fits a line: each line is the longest run that ends before spaces or the end.
        return _line_re(width).findall(text)
    measure = len if plain else text_width
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for word in _WORD_RE.findall(paragraph) or [paragraph]:
            size = measure(word.rstrip())
            if used + size <= width:
                line += word
                used += measure(word)
                continue
            if size > width:
                pieces = _fold(word, width, plain)
                if line:
                    lines.append(line)
                lines.extend(pieces[:-1])
                line = pieces[-1]
            else:
                lines.append(line)
                line = word
            used = measure(line)
        lines.append(line)
    return lines


def _pad(text: str, width: int) -> str:
    return text + " " * (width - text_width(text))


def _shrink(excess: int, chosen: list[bool], room: list[int], widths: list[int]) -> list[int]:
    """Take ``excess`` cells from the chosen columns, in equal shares (rounded, as they come), each giving
    at most its ``room``."""
    sharing = sum(1 for c, r in zip(chosen, room, strict=True) if c and r)
    out = []
    for take, spare, width in zip(chosen, room, widths, strict=True):
        if take and spare and sharing:
            given = min(spare, round(excess / sharing))
            out.append(width - given)
            excess -= given
            sharing -= 1
        else:
            out.append(width)
    return out


def _column_widths(natural: list[int], wraps: list[bool], room: int) -> list[int]:
    """Column widths (padding included) that fit ``room`` cells: the widest wrapping columns give way
    first, down to the next widest, and so on; if that is not enough, every column gives way evenly."""
    widths = [min(max(1, n), room) for n in natural]
    excess = sum(widths) - room
    while excess > 0 and any(wraps):
        widest = max(w for w, can in zip(widths, wraps, strict=True) if can)
        next_widest = max((w for w, can in zip(widths, wraps, strict=True) if can and w != widest), default=0)
        if widest == next_widest:
            break
        chosen = [can and w == widest for w, can in zip(widths, wraps, strict=True)]
        widths = _shrink(excess, chosen, [min(excess, widest - next_widest)] * len(widths), widths)
        excess = sum(widths) - room
    if excess > 0:
        widths = _shrink(excess, [True] * len(widths), widths, widths)
    return [min(w, max(1, n)) for w, n in zip(widths, natural, strict=True)]


def _table_lines(table: Table, width: int) -> list[str] | None:
    """The table laid out in ``width`` cells, or None when it does not fit without cutting a column that
    must not wrap, or when its columns are so narrow that rows run taller than ``MAX_LINES_PER_ROW``.

    The work is linear in the cells: each column is measured once, and a cell is wrapped only when it
    is wider than its column."""
    columns = [printable(c) for c in table.columns]
    texts = [[printable(cell(row.get(c)), multiline=True) for c in table.columns] for row in table.rows]
    everything = [[column, *(values[j] for values in texts)] for j, column in enumerate(columns)]
    plain = [_one_cell_each("".join(column)) for column in everything]
    natural = [_PAD + (max(map(len, column)) if simple else
                       max(text_width(line) for text in column for line in text.split("\n")))
               for column, simple in zip(everything, plain, strict=True)]
    wraps = [c not in _SHORT for c in table.columns]
    edges = 2 + len(columns) - 1
    widths = _column_widths(natural, wraps, width - edges)
    inner = [w - _PAD for w in widths]
    if any(i < 1 or (not can and w < n) for i, w, n, can in zip(inner, widths, natural, wraps, strict=True)):
        return None
    total = sum(widths) + edges
    title = [line.rstrip() for line in wrap(printable(table.title), total)] if table.title else []
    rule = " " + "─" * (total - 2)
    if all(plain) and widths == natural:  # every cell on one line, as it is: pad by length
        line = "  " + "   ".join(f"{{:<{w}}}" for w in inner)
        return [*title, "", line.format(*columns), rule, *(line.format(*values) for values in texts), ""]

    def cells_of(values: list[str]) -> list[list[str]]:
        return [[value] if simple and len(value) <= room else wrap(value, room) if can else value.split("\n")
                for value, room, can, simple in zip(values, inner, wraps, plain, strict=True)]

    # At least this many lines: a line holds at most ``room`` characters that are not spaces, so a
    # table certain to be too tall is not laid out (only columns of one-cell characters are counted).
    least = sum(max((-(-(len(value) - value.count(" ")) // room) if simple else 0)
                    for value, room, simple in zip(values, inner, plain, strict=True)) for values in texts)
    if least > MAX_LINES_PER_ROW * max(1, len(texts)):
        return None
    rows = [cells_of(values) for values in texts]
    shown = 0  # lines with something on them, to tell a table of narrow, tall rows
    for cells in rows:
        height = max(map(len, cells))
        shown += sum(1 for i in range(height) if any(i < len(c) and c[i].strip() for c in cells))
    if shown > MAX_LINES_PER_ROW * max(1, len(rows)):
        return None
    pads = [(lambda text, room=room: text.ljust(room)) if simple else (lambda text, room=room: _pad(text, room))
            for room, simple in zip(inner, plain, strict=True)]

    def lines_of(cells: list[list[str]], header: bool = False) -> list[str]:
        height = max(map(len, cells))
        if height == 1:
            return ["  " + "   ".join(pad(c[0].rstrip()) for c, pad in zip(cells, pads, strict=True))]
        # Cells are aligned to the top of their row, and headers to the bottom, next to the rule.
        cells = [[""] * (height - len(c)) + c if header else c + [""] * (height - len(c)) for c in cells]
        return ["  " + "   ".join(pad(c[i].rstrip()) for c, pad in zip(cells, pads, strict=True))
                for i in range(height)]

    body = [line for cells in rows for line in lines_of(cells)]
    return [*title, "", *lines_of(cells_of(list(columns)), header=True), rule, *body, ""]


def _fill(text: str, width: int) -> list[str] | None:
    """What ``textwrap`` makes of a plain text (printable, every word shorter than a line), found by one
    regular expression instead of a loop over words: the longest run of at most ``width`` characters
    that ends before spaces or the end, again and again. None for any other text."""
    if not text.isprintable() or not text.strip() or text[0] == " ":
        return None
    if len(text) <= width:
        return [text.rstrip(" ")]
    if max(map(len, text.split(" "))) > width:
        return None
    return [line.rstrip(" ") for line in _line_re(width).findall(text)]


def _records(table: Table, width: int) -> list[str]:
    """One block per row: `column: value`, values wrapped under themselves (a hanging indent)."""
    import textwrap

    label_width = max(len(c) for c in table.columns) + 4  # "  " + column + ": "
    room = max(20, width - label_width)
    wrapper = textwrap.TextWrapper(width=room, break_long_words=True, break_on_hyphens=False)
    labels = {column: f"  {printable(column) + ':':<{label_width - 2}}" for column in table.columns}
    indent = " " * label_width
    lines = [printable(table.title)] if table.title else []
    for row in table.rows:
        lines.append("")
        for column in table.columns:
            value = printable(cell(row.get(column)), multiline=True)
            if not value:
                continue
            wrapped = _fill(value, room) or wrapper.wrap(value) or [""]
            lines.append(labels[column] + wrapped[0])
            lines.extend(indent + more for more in wrapped[1:])
    lines.append("")
    return lines


def render_text(result: Table | Document) -> str:
    """The result for a terminal: a table when it fits the width, else one block of ``column: value``
    lines per row, so that no column (least of all the evidence) is ever cropped; notes below."""
    width = terminal_width()
    out: list[str] = []

    def say(text: str) -> None:
        out.extend(wrap(printable(text), width))

    def print_table(table: Table, empty: str) -> list[str]:
        shown, source_note = _collapse_constant_source(table)
        if table.rows:
            lines = _table_lines(shown, width)
            out.extend(lines if lines is not None else _records(shown, width))
        else:
            say(empty)
        return source_note

    if isinstance(result, Table):
        source_note = print_table(result, f"{result.title}: no results" if result.title else "no results")
        for note in [*source_note, *result.notes]:
            say(f"note: {note}" if not note.startswith("source: ") else note)
    else:
        say(result.title)
        for key, value in result.fields.items():
            say(f"  {key}: {cell(value)}")
        for table in result.sections.values():
            out.append("")
            for note in print_table(table, f"{table.title}: none"):
                say(note)
            for note in table.notes:
                say(f"note: {note}")
        for note in result.notes:
            say(f"note: {note}")
    lines: list[str] = []
    for line in (raw.rstrip() for raw in "\n".join(out).split("\n")):
        if (line.startswith(("note: ", "source: ")) and lines and lines[-1]
                and not lines[-1].startswith(("note: ", "source: "))):
            lines.append("")  # one blank line between a table and what is said under it
        if line or (lines and lines[-1]):
            lines.append(line)  # never two blank lines in a row
    return "\n".join(lines).strip("\n") + "\n"


def csv_columns(table: Table) -> list[str]:
    """The table's columns, then every other scalar or list field of its rows (IRIs, dates), in order."""
    columns = list(table.columns)
    for row in table.rows:
        for key, value in row.items():
            if key not in columns and not isinstance(value, dict) and not (
                    isinstance(value, list) and any(isinstance(v, dict) for v in value)):
                columns.append(key)
    return columns


def render_delimited(result: Table | Document, delimiter: str = ",") -> str:
    """CSV or TSV with every field of every row; a Document gives one block per section."""
    tables = [result] if isinstance(result, Table) else list(result.sections.values())
    import csv
    import io

    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
    for i, table in enumerate(tables):
        if i:
            stream.write("\n")
        columns = csv_columns(table)
        writer.writerow(columns if isinstance(result, Table) else ["section", *columns])
        for row in table.rows:
            values = [cell(row.get(c)) for c in columns]
            writer.writerow(values if isinstance(result, Table) else [table.title or "", *values])
    return stream.getvalue()


def render(result: Table | Document, fmt: str) -> str:
    """The result as text in one of ``FORMATS`` (``tsv`` too)."""
    if fmt == "json":
        import json

        return json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return render_delimited(result, ",")
    if fmt == "tsv":
        return render_delimited(result, "\t")
    return render_text(result)


# The formats of a raw SPARQL answer, by name, with pyoxigraph's name for each; the first of each is the
# default. SELECT and ASK give a table or a SPARQL results format, CONSTRUCT and DESCRIBE an RDF one.
RESULT_FORMATS = {"table": "", "json": "JSON", "csv": "CSV", "tsv": "TSV", "xml": "XML"}
RDF_FORMATS = {"turtle": "TURTLE", "jsonld": "JSON_LD", "ntriples": "N_TRIPLES", "rdfxml": "RDF_XML"}
SPARQL_FORMATS = [*RESULT_FORMATS, *RDF_FORMATS]


def _choices(names) -> str:
    names = list(names)
    return f"{', '.join(names[:-1])} or {names[-1]}"


def render_sparql(result, fmt: str | None) -> str:
    """A raw SPARQL result (pyoxigraph solutions, boolean or triples) in a SPARQL or RDF format."""
    import pyoxigraph as ox

    from .errors import UsageError
    from .store import PREFIXES, to_python

    if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
        fmt = fmt or "table"
        if fmt in RDF_FORMATS:
            raise UsageError(f"--format {fmt} is for CONSTRUCT and DESCRIBE; SELECT and ASK give "
                             f"{_choices(RESULT_FORMATS)}")
        if fmt == "table":
            if isinstance(result, ox.QueryBoolean):
                return f"{'true' if bool(result) else 'false'}\n"
            variables = [v.value for v in result.variables]
            rows = [{v: to_python(s[v]) for v in variables} for s in result]
            return render(Table(variables, rows, title=f"{len(rows)} rows"), "table")
        data = result.serialize(format=getattr(ox.QueryResultsFormat, RESULT_FORMATS[fmt]))
        text = data.decode("utf-8")
        return text if text.endswith("\n") else text + "\n"
    fmt = fmt or next(iter(RDF_FORMATS))
    if fmt not in RDF_FORMATS:
        raise UsageError(f"--format {fmt} is for SELECT and ASK; CONSTRUCT and DESCRIBE give "
                         f"{_choices(RDF_FORMATS)}")
    rdf_format = getattr(ox.RdfFormat, RDF_FORMATS[fmt])
    triples = list(result)
    if fmt in ("turtle", "rdfxml"):
        # Declare only the prefixes the result uses.
        used = {str(term.value) for t in triples for term in (t.subject, t.predicate, t.object)
                if isinstance(term, ox.NamedNode)}
        used |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
        prefixes = {p: iri for p, iri in PREFIXES.items() if any(u.startswith(iri) for u in used)}
        data = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
    else:
        data = ox.serialize(triples, format=rdf_format)
    text = (data or b"").decode("utf-8")
    return text if text.endswith("\n") or not text else text + "\n"
