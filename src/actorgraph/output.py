"""The only place that formats results for people and programs.

A command returns a ``Table`` (columns and rows, plus notes such as "sources disagree" or "betweenness
was sampled") or a ``Document`` (a titled set of fields and tables, for profiles). ``render`` prints it
as a rich table, JSON, CSV or TSV. Cell text is never parsed as markup.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
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


def _console(stream, width: int | None = None):
    from rich.console import Console

    width = width or int(os.environ.get("COLUMNS") or 0) or 120
    return Console(file=stream, width=width, no_color=True, highlight=False, emoji=False,
                   markup=False, soft_wrap=False, color_system=None)


MAX_LINES_PER_ROW = 6
_SHORT = {"status", "score", "side", "kind", "via", "when", "path", "step"}


def _collapse_constant_source(table: Table) -> tuple[Table, list[str]]:
    """When every row cites the same source, say it once below the table instead of in every row."""
    if "source" not in table.columns or not table.rows:
        return table, []
    sources = {cell(row.get("source")) for row in table.rows}
    if len(sources) != 1 or sources == {""}:
        return table, []
    columns = [c for c in table.columns if c != "source"]
    return Table(columns, table.rows, table.title, table.notes), [f"source: {sources.pop()}"]


def _rich_table(table: Table):
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    rich_table = RichTable(title=Text(printable(table.title)) if table.title else None, box=box.SIMPLE_HEAD,
                           show_lines=False, title_justify="left")
    for column in table.columns:
        # Quotes are the evidence: give them room rather than a narrow, tall column.
        # Short values (dates, statuses) never wrap. Long text wraps, and rich narrows the widest columns
        # first, so the quote is never narrower than another column. (A minimum width here makes rich
        # give up and overflow; _print_table then falls back to records.)
        rich_table.add_column(Text(printable(column)), overflow="fold", no_wrap=column in _SHORT)
    for row in table.rows:
        rich_table.add_row(*(Text(printable(cell(row.get(c)), multiline=True)) for c in table.columns))
    return rich_table


def _print_table(console, table: Table) -> None:
    """A rich table when it fits the screen; otherwise one block of `column: value` lines per row, so
    that no column (least of all the evidence) is ever cropped."""
    rich_table = _rich_table(table)
    trial = _console(io.StringIO(), console.width)
    trial.print(rich_table, crop=False)
    rendered = trial.file.getvalue()
    lines = rendered.rstrip("\n").splitlines()
    fits = all(len(line.rstrip()) <= console.width for line in lines)
    # Rows below the header rule; a table squeezed into narrow, tall columns reads worse than records.
    rule = next((i for i, line in enumerate(lines) if line.strip().startswith("─")), 0)
    body = [line for line in lines[rule + 1:] if line.strip()]
    tall = len(body) / max(1, len(table.rows)) > MAX_LINES_PER_ROW
    console.file.write(rendered if fits and not tall else _records(table, console.width))


def _records(table: Table, width: int) -> str:
    """One block per row: `column: value`, values wrapped under themselves (a hanging indent)."""
    import textwrap

    label_width = max(len(c) for c in table.columns) + 4  # "  " + column + ": "
    lines = [printable(table.title)] if table.title else []
    for row in table.rows:
        lines.append("")
        for column in table.columns:
            value = printable(cell(row.get(column)), multiline=True)
            if not value:
                continue
            wrapped = textwrap.wrap(value, width=max(20, width - label_width), break_long_words=True,
                                    break_on_hyphens=False) or [""]
            lines.append(f"  {printable(column) + ':':<{label_width - 2}}{wrapped[0]}")
            lines.extend(" " * label_width + more for more in wrapped[1:])
    lines.append("")
    return "\n".join(lines) + "\n"


def render_text(result: Table | Document) -> str:
    stream = io.StringIO()
    console = _console(stream)
    from rich.text import Text

    if isinstance(result, Table):
        shown, source_note = _collapse_constant_source(result)
        if result.rows:
            _print_table(console, shown)
        else:
            console.print(Text(printable(f"{result.title}: no results" if result.title else "no results")))
        for note in [*source_note, *result.notes]:
            console.print(Text(printable(f"note: {note}" if not note.startswith("source: ") else note)))
    else:
        console.print(Text(printable(result.title)))
        for key, value in result.fields.items():
            console.print(Text(printable(f"  {key}: {cell(value)}")))
        for table in result.sections.values():
            console.print(Text(""))
            shown, source_note = _collapse_constant_source(table)
            if table.rows:
                _print_table(console, shown)
            else:
                console.print(Text(printable(f"{table.title}: none")))
            for note in source_note:
                console.print(Text(printable(note)))
            for note in table.notes:
                console.print(Text(printable(f"note: {note}")))
        for note in result.notes:
            console.print(Text(printable(f"note: {note}")))
    lines: list[str] = []
    for line in (raw.rstrip() for raw in stream.getvalue().splitlines()):
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
        return json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return render_delimited(result, ",")
    if fmt == "tsv":
        return render_delimited(result, "\t")
    return render_text(result)


_RESULT_FORMATS = {"json": "JSON", "csv": "CSV", "tsv": "TSV", "xml": "XML"}
_RDF_FORMATS = {"turtle": "TURTLE", "jsonld": "JSON_LD", "ntriples": "N_TRIPLES", "rdfxml": "RDF_XML"}


def render_sparql(result, fmt: str | None) -> str:
    """A raw SPARQL result (pyoxigraph solutions, boolean or triples) in a SPARQL or RDF format."""
    import pyoxigraph as ox

    from .errors import UsageError
    from .store import PREFIXES, to_python

    if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
        fmt = fmt or "table"
        if fmt in _RDF_FORMATS:
            raise UsageError(f"--format {fmt} is for CONSTRUCT and DESCRIBE; SELECT and ASK give "
                             f"table, json, csv, tsv or xml")
        if fmt == "table":
            if isinstance(result, ox.QueryBoolean):
                return f"{'true' if bool(result) else 'false'}\n"
            variables = [v.value for v in result.variables]
            rows = [{v: to_python(s[v]) for v in variables} for s in result]
            return render(Table(variables, rows, title=f"{len(rows)} rows"), "table")
        data = result.serialize(format=getattr(ox.QueryResultsFormat, _RESULT_FORMATS[fmt]))
        text = data.decode("utf-8")
        return text if text.endswith("\n") else text + "\n"
    fmt = fmt or "turtle"
    if fmt not in _RDF_FORMATS:
        raise UsageError(f"--format {fmt} is for SELECT and ASK; CONSTRUCT and DESCRIBE give "
                         f"turtle, jsonld, ntriples or rdfxml")
    rdf_format = getattr(ox.RdfFormat, _RDF_FORMATS[fmt])
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
