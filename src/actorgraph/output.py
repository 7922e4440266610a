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
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

FORMATS = ("table", "json", "csv")


class Table:
    """A result as rows under named columns, with an optional title and notes said under it. (A plain
    class, like ``Document``: a dataclass takes a third of a millisecond to build, on every command.)"""

    def __init__(self, columns: list[str], rows: list[dict[str, Any]], title: str | None = None,
                 notes: list[str] | None = None):
        self.columns, self.rows, self.title = columns, rows, title
        self.notes = [] if notes is None else notes

    def __repr__(self) -> str:
        return f"Table({self.columns!r}, {len(self.rows)} rows, title={self.title!r}, notes={self.notes!r})"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"columns": self.columns, "rows": self.rows}
        if self.title:
            data["title"] = self.title
        if self.notes:
            data["notes"] = self.notes
        return data


class Document:
    """A profile: header fields, then named tables."""

    def __init__(self, title: str, fields: dict[str, Any], sections: dict[str, Table], notes: list[str] | None = None):
        self.title, self.fields, self.sections = title, fields, sections
        self.notes = [] if notes is None else notes

    def __repr__(self) -> str:
        return f"Document({self.title!r}, sections={list(self.sections)!r})"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"title": self.title, **self.fields}
        for name, table in self.sections.items():
            data[name] = table.rows
        if self.notes:
            data["notes"] = self.notes
        return data


# Characters a terminal acts on instead of showing: C0 and C1 controls and DEL (ESC starts colour codes,
# OSC 52 writes the clipboard, CR overwrites the line), and the bidirectional overrides and isolates,
# which reorder what is shown. Tab and newline are layout, kept in text of several lines; in a table's
# cell, only the newline is (a tab would push the columns after it out of line).
_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPES = {code: f"\\u{code:04x}" for code in _CONTROLS}
_ESCAPES.update({0x0D: "\\r", 0x09: "\\t", 0x0A: "\\n"})
_ESCAPES_MULTILINE = {code: text for code, text in _ESCAPES.items() if code not in (0x09, 0x0A)}
_ESCAPES_CELL = {code: text for code, text in _ESCAPES.items() if code != 0x0A}


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
        return _number(value)
    return str(value)


def _number(value: float) -> str:
    """A float as a cell shows it: four decimals at most, no trailing zeros."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


MAX_LINES_PER_ROW = 6
_SHORT = {"status", "score", "side", "kind", "via", "when", "path", "step"}
# Each column's cells have one space of padding either side; columns are separated by a space, and the
# table has a space at either edge.
_PAD = 2


def _column_cells(rows: list[dict[str, Any]], names: list[str]) -> list[list[str]]:
    """Each column's ``cell`` texts in these rows, column by column. A column of strings and integers,
    or of floats, is converted without a call per cell."""
    from operator import itemgetter

    columns = []
    for column in names:
        try:
            values = list(map(itemgetter(column), rows))
        except KeyError:  # some row has no value in this column
            values = [row.get(column) for row in rows]
        kinds = set(map(type, values))
        if kinds == {str}:
            columns.append(values)
        elif kinds <= {str, int}:  # not bool: its type is bool
            columns.append(list(map(str, values)))
        elif kinds == {float}:
            columns.append(list(map(_number, values)))
        else:
            columns.append(list(map(cell, values)))
    return columns


class _Cells:
    """A table's cells as a terminal shows them, column by column (``texts``: each ``cell`` text, its
    control characters escaped), and what the layout needs to know of each column. They are measured
    as the texts are made, ``_ROWS_AT_ONCE`` rows at a time, so that each text of a long table is read
    from memory once for all of it, not once for each measure:

    - ``clean``: every text was printable as it came (no control character, tab or newline);
    - ``one_cell``: every character takes exactly one terminal cell;
    - ``clear``: certainly no text starts or ends with a space (see ``_no_space_at_an_end``);
    - ``length``: how many characters the texts take with a space after each (at least their letters);
    - ``longest``: the length of the longest text;
    - ``sources``: the texts of the column ``source``, as they came, each once."""

    def __init__(self, table: Table):
        count = len(table.columns)
        self.texts: list[list[str]] = [[] for _ in range(count)]
        self.clean, self.one_cell, self.clear = [True] * count, [True] * count, [True] * count
        self.length, self.longest = [0] * count, [0] * count
        self.sources: set[str] = set()
        for start in range(0, len(table.rows), _ROWS_AT_ONCE):
            rows = table.rows[start: start + _ROWS_AT_ONCE]
            for column, (name, values) in enumerate(zip(table.columns, _column_cells(rows, table.columns),
                                                        strict=True)):
                if name == "source":
                    self.sources.update(values)
                # (a space is printable and takes one cell: joined by spaces, texts are what they are)
                spaced = " ".join(values)
                clean, one_cell = _printable_one_cell(spaced)
                if not clean:
                    values = [text if text.isprintable() else text.translate(_ESCAPES_CELL) for text in values]
                    spaced = " ".join(values)
                    one_cell = _one_cell_each(spaced)
                    self.clean[column] = False
                self.one_cell[column] = self.one_cell[column] and one_cell
                self.clear[column] = self.clear[column] and _no_space_at_an_end(spaced)
                self.length[column] += len(spaced) + 1
                self.longest[column] = max(self.longest[column], max(map(len, values)))
                self.texts[column] += values

    def keep(self, columns: list[int]) -> None:
        """Keep only these columns."""
        for name in ("texts", "clean", "one_cell", "clear", "length", "longest"):
            values = getattr(self, name)
            setattr(self, name, [values[column] for column in columns])


def _collapse_constant_source(table: Table, cells: _Cells) -> tuple[Table, list[str]]:
    """When every row cites the same source, say it once below the table instead of in every row (its
    column is then taken out of ``cells``)."""
    if "source" not in table.columns or len(cells.sources) != 1 or cells.sources == {""}:
        return table, []
    kept = [i for i, c in enumerate(table.columns) if c != "source"]
    cells.keep(kept)
    return (Table([table.columns[i] for i in kept], table.rows, table.title, table.notes),
            [f"source: {next(iter(cells.sources))}"])


def _no_space_at_an_end(spaced: str) -> bool:
    """Whether texts joined by spaces into ``spaced`` certainly neither start nor end with a space: it
    has no two spaces in a row and none at its ends. Looked for only in ASCII text: in other text the
    search takes longer than testing each value does. What holds of a column holds of any of its rows:
    callers that take rows a few at a time ask once for the column."""
    return spaced.isascii() and "  " not in spaced and spaced[:1] != " " and spaced[-1:] != " "


def _starts_with_space(values: list[str], clear: bool) -> bool:
    """Whether one of these printable texts starts with a space; none does when ``clear`` (see
    ``_no_space_at_an_end``)."""
    # No printable character sorts before a space, so the least text that is not empty starts with one
    # if any does.
    return not clear and min(filter(None, values), default="")[:1] == " "


def _ends_with_space(values: list[str], clear: bool) -> bool:
    """Whether one of these texts ends with a space; none does when ``clear``."""
    from itertools import repeat

    return not clear and any(map(str.endswith, values, repeat(" ")))


class _Block:
    """Lines of output that need no tidying: each already stripped on the right, the first and the last
    not blank, never two blank lines in a row, and none starting with ``note: `` or ``source: ``. They
    are kept as pieces of text (``parts``) that make the lines when concatenated, so that a long table
    is joined into one string once, with the rest of the output."""

    def __init__(self, parts: list[str]):
        self.parts = parts


def _block(lines: list[str]) -> list:
    """Lines stripped on the right, as one block when none is blank."""
    if not lines or not all(lines):
        return lines
    return [_Block(["\n".join(lines)])]


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
    return _printable_one_cell(text)[1]


def _printable_one_cell(text: str) -> tuple[bool, bool]:
    """Whether the text is printable (``str.isprintable``), and whether it is and every character of it
    takes exactly one terminal cell."""
    if text.isascii():
        printable = text.isprintable()
        return printable, printable
    try:  # text in Windows-1252 (Latin-1, curly quotes, dashes): one pass over its bytes tells both
        encoded = text.encode("cp1252")
    except UnicodeEncodeError:
        pass
    else:
        printable = not encoded.translate(None, _cp1252_printable())
        return printable, printable
    if not text.isprintable():
        return False, False
    # Only the characters beyond ASCII need measuring. No byte of a multi-byte UTF-8 sequence is ASCII,
    # so the UTF-8 form without its ASCII bytes decodes to just those characters, in one pass in C.
    others = text.encode("utf-8").translate(None, bytes(range(128))).decode("utf-8")
    return True, all(_char_width(char) == 1 for char in set(others))


@lru_cache(maxsize=1)
def _cp1252_printable() -> bytes:
    """The bytes that Windows-1252 encodes printable characters as; each such character takes one cell
    (tests/test_output.py checks every one)."""
    chars = (bytes([byte]).decode("cp1252", "ignore") for byte in range(256))  # ("" where none)
    return bytes(byte for byte, char in enumerate(chars) if char and char.isprintable())


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


@lru_cache(maxsize=64)
def _line_re(width: int) -> re.Pattern:
    return re.compile(f"(.{{1,{width}}})(?: +|$)")


@lru_cache(maxsize=64)
def _word_lines_re(width: int) -> re.Pattern:
    """Each match a line of plain text that does not start with a space, as textwrap makes it: the
    longest run of at most ``width`` characters that ends a word (the spaces after it are matched, not
    kept). Where a line would start with a word longer than ``width``, which is where such a word is
    met, the match is empty instead: ``findall`` gives an empty line."""
    return re.compile(f"(.{{0,{width - 1}}}[^ ])(?: +|$)|(?=[^ ]{{{width + 1}}})")


@lru_cache(maxsize=1)
def _word_re() -> re.Pattern:
    return re.compile(r"\s*\S+\s*")


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
        for word in _word_re().findall(paragraph) or [paragraph]:
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


@lru_cache(maxsize=16)
def _textwrapper(width: int):
    import textwrap

    return textwrap.TextWrapper(width=width, break_long_words=True, break_on_hyphens=False)


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


def _least_lines(values: list[str], room: int) -> int:
    """At least how many lines these one-cell texts take in a column ``room`` wide: a line holds at most
    ``room`` characters that are not spaces."""
    from itertools import repeat
    from operator import floordiv, neg, sub

    solid = map(sub, map(len, values), map(str.count, values, repeat(" ")))
    return -sum(map(floordiv, map(neg, solid), repeat(room)))


def _table_lines(table: Table, cells: _Cells, width: int) -> list | None:
    """The table laid out in ``width`` cells, or None when it does not fit without cutting a column that
    must not wrap, or when its columns are so narrow that rows run taller than ``MAX_LINES_PER_ROW``.

    The work is linear in the cells: each column is measured once, and a cell is wrapped only when it
    is wider than its column."""
    from itertools import repeat

    columns = [printable(c) for c in table.columns]
    count = len(table.rows)
    texts = cells.texts
    plain = [_one_cell_each(column) and narrow for column, narrow in zip(columns, cells.one_cell, strict=True)]
    natural = [_PAD + (max(len(column), most) if simple else
                       max(text_width(line) for text in [column, *values] for line in text.split("\n")))
               for column, values, most, simple in zip(columns, texts, cells.longest, plain, strict=True)]
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
        if not texts:
            return [*title, "", line.format(*columns), rule, *[""] * count, ""]
        # The last column is not padded; a row whose last cell is empty or ends in spaces is stripped.
        body = list(map(line[:line.rindex("{")].__add__("{}").format, *texts))
        if "" in texts[-1] or _ends_with_space(texts[-1], cells.clear[-1]):
            body = [text.rstrip() for text in body]
        return [*title, "", line.format(*columns), rule, *_block(body), ""]

    # At least this many lines: a table certain to be too tall is not laid out (only columns of one-cell
    # characters, wider than their room, are counted).
    limit = MAX_LINES_PER_ROW * max(1, count)
    for values, length, room, simple, n in sorted(zip(texts, cells.length, inner, plain, natural, strict=True),
                                                  key=lambda c: c[2] - c[4]):
        if not simple or n - _PAD <= room:
            continue
        # The least lines a value can take (its letters / room, rounded up) are fewer than its letters /
        # room + 1: when even the sum of those stays within the limit, the least lines cannot pass it, and
        # need not be counted value by value. (This only rejects early; the layout counts the real lines.)
        if length // room + count <= limit:  # (letters are at most the texts' length)
            continue
        letters = sum(map(len, values)) - sum(map(str.count, values, repeat(" ")))
        if letters > limit * room:  # (a value takes at least its letters / room lines)
            return None
        if letters // room + count > limit and _least_lines(values, room) > limit:
            return None

    def cells_of(values: list[str]) -> list[list[str]]:
        return [[value] if simple and len(value) <= room else wrap(value, room) if can else value.split("\n")
                for value, room, can, simple in zip(values, inner, wraps, plain, strict=True)]

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

    header = lines_of(cells_of(list(columns)), header=True)
    body = _plain_body(texts, cells.clear, [n - _PAD for n in natural], inner, limit) if all(plain) else None
    if body is not None:  # the common case, done column by column
        return [*title, "", *header, rule, *body, ""] if body else None
    rows = [cells_of(values) for values in zip(*texts, strict=True)]
    shown = 0  # lines with something on them, to tell a table of narrow, tall rows
    for cells in rows:
        height = max(map(len, cells))
        shown += sum(1 for i in range(height) if any(i < len(c) and c[i].strip() for c in cells))
    if shown > limit:
        return None
    body = [line.rstrip() for cells in rows for line in lines_of(cells)]
    return [*title, "", *header, rule, *_block(body), ""]


def _plain_body(texts: list[list[str]], clear: list[bool], longest: list[int], inner: list[int],
                limit: int) -> list | None:
    """The body of a table of one-cell characters, laid out column by column (each column wrapped at
    once, the lines then formatted together), when every cell wider than its column is text that wraps
    between words (no word longer than the column, not starting with a space): exactly what ``wrap``
    and the padding make of it, cell by cell, as ``_block`` gives it. An empty list when the rows run
    taller than ``limit`` lines with something on them; None when some cell is not such text.
    ``clear`` as for ``_Cells``; ``longest``: at least the length of each column's longest text."""
    from itertools import chain, repeat
    from operator import add, sub

    wrapping = [column for column, (most, room) in enumerate(zip(longest, inner, strict=True)) if most > room]
    last = len(inner) - 1
    if "" not in texts[last] and (
            last in wrapping or not _ends_with_space(texts[last], clear[last])):
        # The last column has text on every row's first line, not ending in a space.
        return _shaped_body(texts, clear, inner, wrapping, limit)
    cells = [_word_lines(values, room, clean) if column in wrapping else None
             for column, (values, clean, room) in enumerate(zip(texts, clear, inner, strict=True))]
    if any(cells[column] is None for column in wrapping):
        return None
    wrapped = [lines for lines in cells if lines is not None]
    heights = list(map(max, repeat(1), *(map(len, lines) for lines in wrapped)))
    if sum(heights) > limit:
        # Lines with something on them: every line of a row, but for a row of blank values (one line).
        blank = sum(1 for row in zip(*(map(str.strip, values) for values in texts), strict=True) if not any(row))
        if sum(heights) - blank > limit:
            return []
    # Each column's texts, line by line through the rows: a value's lines then blanks to its row's height.
    line = "  " + "".join(f"{{:<{room}}}   " for room in inner[:-1]) + "{}"
    blanks = [[""] * n for n in range(max(heights) + 1)]
    more = list(map(sub, heights, repeat(1)))  # each row's lines after its first
    below = [("",) * n for n in range(max(heights))]  # under a value of one line
    columns = [chain.from_iterable(map(add, zip(values), map(below.__getitem__, more))) if lines is None else
               chain.from_iterable(map(add, lines, map(blanks.__getitem__, map(sub, heights, map(len, lines)))))
               for values, lines in zip(texts, cells, strict=True)]
    return _block(list(map(str.rstrip, map(line.format, *columns))))


# Rows measured (``_Cells``) and laid out (``_shaped_body``, ``_records``) at once: few enough that their
# texts and lines stay in the processor's caches from one pass over them to the next.
_ROWS_AT_ONCE = 1000


def _shaped_body(texts: list[list[str]], clear: list[bool], inner: list[int], wrapping: list[int],
                 limit: int) -> list | None:
    """``_plain_body`` for a table whose last column has text on every row's first line, not ending in a
    space: no line ends in spaces or is blank, and each row is laid out at once by the layout of its
    shape (``_RowLayouts``). The rows are laid out ``_ROWS_AT_ONCE`` at a time."""
    from operator import call

    layouts = _RowLayouts(inner, wrapping)
    still = [texts[column] for column in layouts.still]
    parts: list[str] = []  # the rows, each ending in a newline
    shown = 0
    for start in range(0, len(texts[0]), _ROWS_AT_ONCE):
        rows = slice(start, start + _ROWS_AT_ONCE)
        wrapped = [_word_lines(texts[column][rows], inner[column], clear[column])
                   for column in wrapping]
        if None in wrapped:
            return None
        counts = [map(len, lines) for lines in wrapped]
        shapes = list(counts[0] if len(counts) == 1 else zip(*counts, strict=True))
        shown += layouts.meet(shapes)
        if shown > limit:
            return []
        parts += map(call, map(layouts.__getitem__, shapes), *(values[rows] for values in still), *wrapped)
    parts[-1] = parts[-1][:-1]
    return [_Block(parts)]


# A row shape met this many times has its layout compiled (see ``_RowLayouts``).
_COMPILE_AT = 100


class _RowLayouts(dict):
    """The function that lays out a table row, by the row's shape (how many lines each column that
    wraps takes: a number when one column wraps). It is given the row's one-line values, column by
    column, then the list of lines of each column that wraps, and gives the row's lines, each ending in
    a newline. Each line stops after the last column with text on it, unpadded, so no line ends in
    spaces; columns with no text on a line are blanks as wide as they are. For rows whose last column
    has text on their first line, not ending in a space.

    A shape's layout is first a format string's ``format``. Once ``_COMPILE_AT`` rows of the shape have
    been met (``meet``), it is compiled from an f-string instead, as ``dataclasses`` compiles its
    methods: an f-string is parsed once, where a format string is parsed again for each row (twice as
    slow). Compiling takes as long as formatting about a hundred rows, so rare shapes are not compiled.
    Only numbers and blanks go into the compiled source."""

    def __init__(self, inner: list[int], wrapping: list[int]):
        from collections import Counter

        super().__init__()
        self.inner, self.wrapping = inner, wrapping
        self.compiled: set = set()
        self.seen: Counter = Counter()
        # The columns that do not wrap, whose values come first, then the lines of those that do
        self.still = [c for c in range(len(inner)) if c not in wrapping]
        order = self.still + wrapping
        arguments = [order.index(column) for column in range(len(inner))]
        # Each column's field in a format string, and in the f-string of a compiled layout (see _text)
        self.format_fields = [(f"{{{argument}", f":<{width}}}   ", "}")
                              for argument, width in zip(arguments, inner, strict=True)]
        self.f_string_fields = [(f"{{v{argument}", f".ljust({width})}}   ", "}")
                                for argument, width in zip(arguments, inner, strict=True)]
        self.parameters = ", ".join(f"v{argument}" for argument in range(len(inner)))
        self.blanks = [" " * width + "   " for width in inner]  # a column with no text on a line

    def __missing__(self, shape: int | tuple[int, ...]):
        self[shape] = layout = (self._text(shape, self.format_fields) + "\n").format
        return layout

    def meet(self, shapes: list) -> int:
        """Count the shapes of these rows, and compile the layout of each shape met ``_COMPILE_AT`` times
        or more so far. How many lines these rows take."""
        from collections import Counter

        these = Counter(shapes)
        self.seen.update(these)
        for shape, seen in self.seen.items():
            if seen >= _COMPILE_AT and shape not in self.compiled:
                text = self._text(shape, self.f_string_fields).replace("\n", "\\n")
                self[shape] = eval(f'lambda {self.parameters}: f"{text}\\n"', {"__builtins__": {}})  # (see above)
                self.compiled.add(shape)
        return sum(max(1, *self._lines(shape)) * n for shape, n in these.items())

    @staticmethod
    def _lines(shape: int | tuple[int, ...]) -> tuple[int, ...]:
        """How many lines each column that wraps takes, in a row of this shape."""
        return shape if isinstance(shape, tuple) else (shape,)

    def _text(self, shape: int | tuple[int, ...], fields: list[tuple[str, str, str]]) -> str:
        """The row's lines, each column's field written by ``fields[column]``: how it opens (with the
        number of its argument), how it ends padded (with the blanks after it), and how it ends as the
        last on its line; the line of a column that wraps goes in between, as an index."""
        blanks = self.blanks
        lines = dict(zip(self.wrapping, self._lines(shape), strict=True))
        height = [lines.get(column, 1) for column in range(len(blanks))]  # lines with text on them
        text = []
        for k in range(max(height)):
            shown = [k < n for n in height]
            last = len(shown) - 1 - shown[::-1].index(True)
            text.append("  ")
            for column in range(last + 1):
                if not shown[column]:
                    text.append(blanks[column])
                    continue
                opening, padded, ending = fields[column]
                text += [opening, f"[{k}]" if column in lines else "", padded if column < last else ending]
            text.append("\n")
        text.pop()
        return "".join(text)


def _records(table: Table, cells: _Cells, width: int) -> list:
    """One block per row: `column: value`, values wrapped under themselves (a hanging indent), as
    ``textwrap`` wraps them."""
    from itertools import chain, repeat

    label_width = max(len(c) for c in table.columns) + 4  # "  " + column + ": "
    room = max(20, width - label_width)
    indent = " " * label_width
    next_line = "\n" + indent
    tidy = True

    def value_lines(label: str, value: str) -> str:
        nonlocal tidy
        if value.isprintable() and value[0] != " " and max(map(len, value.split(" "))) <= room:
            return label + next_line.join(_word_lines_re(room).findall(value))  # as textwrap wraps it
        wrapped = _textwrapper(room).wrap(value) or [""]
        lines = [(label + wrapped[0]).rstrip(), *((indent + more).rstrip() for more in wrapped[1:])]
        tidy = tidy and all(lines)
        return "\n".join(lines)

    labels = [f"\n  {printable(column) + ':':<{label_width - 2}}" for column in table.columns]
    texts = cells.texts

    def rows_text(rows: slice) -> list[str]:
        """These rows' text, as parts to concatenate, with a blank line between rows (none before the
        first). Each row is the concatenation of its pieces, column by column: a column's text for the
        row (empty when the row has no value), or its label and then its value's lines."""
        pieces: list = []
        full = False  # some column has a value in every row: no row is empty
        for label, values, clear, most, ok in zip(labels, texts, cells.clear, cells.longest, cells.clean,
                                                  strict=True):
            values = values[rows]
            lines = _plain_column_lines(values, clear, most, room, next_line) if ok else None
            if lines is None:
                pieces.append([value_lines(label, value) if value else "" for value in values])
            elif "" in lines:
                pieces.append([label + value if value else "" for value in lines])
            else:
                pieces += [repeat(label), lines]
                full = True
        # A row's text starts with a newline, so a newline before each row leaves a blank line between rows.
        if full:  # joined once, with no text for each row in between
            parts = list(chain.from_iterable(zip(repeat("\n"), *pieces)))
            first = next(i for i in range(1, len(parts)) if parts[i])
            parts[0], parts[first] = "", parts[first][1:]
            return parts
        text = "\n".join(filter(None, map("".join, zip(*pieces, strict=True))))[1:]
        return [text] if text else []

    parts: list[str] = []
    for start in range(0, len(table.rows), _ROWS_AT_ONCE):  # (see _ROWS_AT_ONCE)
        more = rows_text(slice(start, start + _ROWS_AT_ONCE))
        if more and parts:
            parts.append("\n\n")
        parts += more
    body = _Block(parts) if tidy and parts else "".join(parts)
    lines = [printable(table.title)] if table.title else []
    if not body:
        return [*lines, ""]
    return [*lines, "", body, ""]


def _plain_column_lines(values: list[str], clear: bool, longest: int, room: int, next_line: str) -> list[str] | None:
    """Each value, printable, wrapped as ``textwrap`` wraps it at ``room`` characters, its lines joined
    by ``next_line``, when every value of the column is plain text (not starting with a space, no word
    longer than a line); else None. A plain value's lines are found by one regular expression: each is
    the longest run of at most ``room`` characters that ends a word."""
    if longest <= room:  # one line each
        if _starts_with_space(values, clear):
            return None
        return [value.rstrip(" ") for value in values] if _ends_with_space(values, clear) else values
    lines = _word_lines(values, room, clear)
    return None if lines is None else list(map(next_line.join, lines))


def _word_lines(values: list[str], room: int, clear: bool) -> list[list[str]] | None:
    """Each of these printable texts as the lines ``textwrap`` makes of it at ``room`` characters, without
    their trailing spaces (an empty text has none), when no text starts with a space or has a word longer
    than ``room``; else None. ``clear``: what ``_no_space_at_an_end`` says of these texts joined by
    spaces (or of texts that include them). The lines are found by one regular expression, which marks
    a word longer than ``room`` with an empty line."""
    from itertools import repeat

    if _starts_with_space(values, clear):
        return None
    lines = list(map(_word_lines_re(room).findall, values))
    return None if any(map(list.__contains__, lines, repeat(""))) else lines


@contextmanager
def _collector_paused():
    """Python's cycle collector paused. Laying out a long table makes a list or two per row and no
    reference cycles, so the collector can free nothing; left running, it would walk every row of the
    table again each time those lists add up (a fifth of the time at 100,000 rows)."""
    import gc

    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def render_text(result: Table | Document) -> str:
    """The result for a terminal: a table when it fits the width, else one block of ``column: value``
    lines per row, so that no column (least of all the evidence) is ever cropped; notes below."""
    width = terminal_width()
    out: list[str] = []

    def say(text: str) -> None:
        out.extend(wrap(printable(text), width))

    def print_table(table: Table, empty: str) -> list[str]:
        if not table.rows:
            say(empty)
            return []
        with _collector_paused():
            return lay_out(table)

    def lay_out(table: Table) -> list[str]:
        cells = _Cells(table)
        shown, source_note = _collapse_constant_source(table, cells)
        lines = _table_lines(shown, cells, width)
        out.extend(lines if lines is not None else _records(shown, cells, width))
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
    lines: list = []
    last = ""  # the last line so far ("" at the start, when a blank line is not kept either)
    for item in out:
        if isinstance(item, _Block):  # tidy already; it ends neither blank nor with a note
            lines.append(item)
            last = "  "
            continue
        for line in (raw.rstrip() for raw in item.split("\n")):
            if line.startswith(("note: ", "source: ")) and last and not last.startswith(("note: ", "source: ")):
                lines.append("")  # one blank line between a table and what is said under it
                last = ""
            if line or last:
                lines.append(line)  # never two blank lines in a row
                last = line
    while lines and lines[-1] == "":  # (the first line is never blank)
        lines.pop()
    parts: list[str] = []
    for line in lines:
        if isinstance(line, _Block):
            parts.extend(line.parts)
        else:
            parts.append(line)
        parts.append("\n")
    return "".join(parts) or "\n"


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
