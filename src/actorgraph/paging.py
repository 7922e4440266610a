"""Keyset paging of listings: a page is every row of the next N units after a cursor, in the listing's
own order, however big the graph.

A listing that pages (``statements``, ``timeline``, ``quotes``) has a page query beside it, in
``queries/pages/NAME.rq``, which says what a page is made of::

    # key: date                      the values that order the pages (compared as text)
    # unit: statement date_property  the values a page binds the listing to (its #@page line)
    SELECT ?date ?statement ?date_property WHERE { ... }

Oxigraph sorts a listing by evaluating all of it (over a million statements, minutes on the on-disk
store), so ``LIMIT``/``OFFSET`` cannot make a page cheap. Instead, the page query's answer is read once
and kept sorted by key in a *page index*, beside the compiled store (like the name index): it never goes
stale, since new data is a new store. A page is then a binary search for the cursor in that file, the
next N units, and the listing run on those units alone (``VALUES`` on its ``#@page`` line), sorted by its
own ``ORDER BY``. Units with the same key stay on one page, so pages follow each other in the listing's
order, and a cursor (the last key of a page) still means "after this key" when the data has changed.
A store with no home on disk (in memory, a remote endpoint) builds the index in memory for the command.
"""

from __future__ import annotations

import base64
import bisect
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .paths import write_cache_file

Key = tuple[str, ...]
Entry = tuple[Key, tuple[str, ...]]  # (key values as text, unit terms as N-Triples)

_CURSOR_PREFIX = "p1."


def encode_cursor(listing: str, key: Key) -> str:
    """The cursor a user passes back to continue after ``key``: opaque, safe to copy and to paste."""
    raw = json.dumps([listing, *key], ensure_ascii=False, separators=(",", ":")).encode()
    return _CURSOR_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(listing: str, cursor: str, key_size: int) -> Key:
    """The key a cursor continues after; a one-line error for anything this listing did not give."""
    problem = f"bad cursor {cursor[:60]!r}: pass back the cursor that a page of {listing!r} printed"
    if not cursor.startswith(_CURSOR_PREFIX):
        raise UsageError(problem)
    body = cursor[len(_CURSOR_PREFIX):]
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode())
    except ValueError:
        raise UsageError(problem) from None
    if (not isinstance(data, list) or len(data) != key_size + 1 or data[0] != listing
            or not all(isinstance(part, str) for part in data)):
        raise UsageError(problem)
    return tuple(data[1:])


_SPECIAL_RE = re.compile(r"[\\\t\n\r]")


def _escape(text: str) -> str:
    if not _SPECIAL_RE.search(text):
        return text
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, chars = [], iter(text)
    for char in chars:
        out.append({"t": "\t", "n": "\n", "r": "\r"}.get(next(chars, ""), "\\") if char == "\\" else char)
    return "".join(out)


_ECHAR_RE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}


def _lexical(term: str) -> str:
    """The text of a term written in SPARQL results' tab-separated form: an IRI's, a literal's lexical
    form (unescaped), or a bare number or boolean as it is."""
    if term.startswith("<"):
        return term[1:-1]
    if not term.startswith('"'):
        return term
    body = term[1: term.rindex('"')]
    if "\\" not in body:
        return body
    return _ECHAR_RE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if not m.group(3)
                         else _ECHARS.get(m.group(3), m.group(3)), body)


def _answer_lines(solutions, key: Sequence[str], unit: Sequence[str], also: str | None = None):
    """Each row of a page query's answer that has its key and unit values: its line of a page index (the
    key values as text, the unit terms as SPARQL terms), and the text of the column ``also`` ("" without
    it or when unbound). The answer is read as tab-separated values, written by the store itself: at a
    million rows, a few seconds less than making a Python object of every term."""
    import pyoxigraph as ox

    header, *rows = solutions.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8").split("\n")
    names = [name.lstrip("?") for name in header.split("\t")]
    keys, units = [names.index(v) for v in key], [names.index(v) for v in unit]
    column = None if also is None else names.index(also)
    for row in rows:
        fields = row.split("\t")
        if len(fields) != len(names) or any(not fields[i] for i in keys) or any(not fields[i] for i in units):
            continue  # the empty line at the end, or a row without its key or unit
        text = _lexical(fields[column]) if column is not None and fields[column] else ""
        if "\\" in row and any("\\" in fields[i] for i in (*keys, *units)):  # an escape: the careful way
            yield "\t".join([*(_escape(_lexical(fields[i])) for i in keys), *(_escape(fields[i]) for i in units)]), text
            continue
        # No escape: a key's text is the term less its brackets or quotes, nothing to escape.
        yield "\t".join([*(f[1:-1] if f[0] == "<" else f[1:f.rindex('"')] if f[0] == '"' else f
                           for f in (fields[i] for i in keys)), *(fields[i] for i in units)]), text


class PageIndex:
    """A listing's entries, sorted: one line each, its key values then its unit's terms, separated by
    tabs (escaped within a value). Tab sorts before any character a value holds, so the lines sort as
    the (key, unit) pairs do; this is also the order of a sort by the keys alone, ties by unit.

    Saved beside the store as the lines and a second file of their offsets, so that finding a cursor
    reads a few lines (a binary search) and not the whole index."""

    def __init__(self, lines: Sequence[str], key_size: int):
        self._lines = lines
        self.key_size = key_size

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, index: int) -> Entry:
        parts = [_unescape(part) for part in self._lines[index].rstrip("\n").split("\t")]
        return tuple(parts[: self.key_size]), tuple(parts[self.key_size:])

    def keys(self) -> Sequence[Key]:
        return _Keys(self)

    @classmethod
    def from_solutions(cls, solutions, key: Sequence[str], unit: Sequence[str]) -> PageIndex:
        """The index of a page query's answer: each row's key values as text and unit terms as SPARQL
        terms (rows without them are left out), sorted, each entry once."""
        return cls(sorted({line for line, _ in _answer_lines(solutions, key, unit)}), len(key))

    def save(self, path: Path) -> None:
        """Write the index beside the store (atomically; a failure only costs building it again)."""
        import array
        import itertools

        text = "".join(line + "\n" for line in self._lines)
        data = text.encode("utf-8")
        sizes = (len(line) + 1 for line in self._lines) if len(data) == len(text) else (
            len(line.encode("utf-8")) + 1 for line in self._lines)
        offsets = array.array("Q", itertools.chain([0], itertools.accumulate(sizes)))
        offsets.pop()
        write_cache_file(path, data)
        write_cache_file(path.with_suffix(".offsets"), offsets.tobytes())

    @classmethod
    def load(cls, path: Path, key_size: int) -> PageIndex | None:
        try:
            return cls(_FileLines(path), key_size)
        except (OSError, ValueError):
            return None

    def page(self, after: Key | None, units: int, lowest: Key | None = None,
             keep: Callable[[Key], bool] | None = None, highest: Key | None = None) -> tuple[list[Entry], bool]:
        """The entries of the next page: those after the key ``after`` (from the start when None; never
        below ``lowest``, never above ``highest``, and only those ``keep`` accepts), at least ``units`` of
        them and then the rest of the last key's; and whether any entry follows."""
        keys = self.keys()
        start = 0 if after is None else bisect.bisect_right(keys, after)
        if lowest is not None:
            start = max(start, bisect.bisect_left(keys, lowest))
        taken: list[Entry] = []
        for index in range(start, len(self)):
            entry = self[index]
            if highest is not None and entry[0] > highest:
                return taken, False
            if taken and len(taken) >= units and entry[0] != taken[-1][0]:
                return taken, True
            if keep is None or keep(entry[0]):
                taken.append(entry)
        return taken, False


class _Keys(Sequence):
    """The index's keys, for ``bisect``."""

    def __init__(self, index: PageIndex):
        self._index = index

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, position):
        return self._index[position][0]


class _FileLines(Sequence):
    """The lines of a saved index, read by offset as they are asked for."""

    def __init__(self, path: Path):
        import array

        self._offsets = array.array("Q")
        self._offsets.frombytes(path.with_suffix(".offsets").read_bytes())
        self._file = path.open("rb")
        if self._offsets and self._file.seek(0, 2) <= self._offsets[-1]:
            raise ValueError(f"{path}: shorter than its offsets")

    def __len__(self) -> int:
        return len(self._offsets)

    def __getitem__(self, position):
        if not 0 <= position < len(self._offsets):
            raise IndexError(position)
        self._file.seek(self._offsets[position])
        return self._file.readline().decode("utf-8")


class SearchCorpus:
    """Every entry of a listing that pages by a search text (``# search: searched text`` in its page
    query), with its searched texts: the page query's answer for the text "", kept beside the store
    like a page index. The page index for any text is then found in it without the store: the entries
    whose texts contain the text. At a million quotes that takes well under a second, where the store
    reads and lowercases every quote again for each new text (13 s).

    Saved as a page index of every entry, and beside it a file of the entries' searched texts (as the
    query lowercased them), one line each: newlines in a text written as NUL, an entry's texts joined by
    SOH. A text that holds NUL or SOH is not searched here (``search`` says None): the store answers."""

    _NEWLINE, _BETWEEN = "\x00", "\x01"

    def __init__(self, path: Path, key_size: int):
        self.path, self.key_size = path, key_size

    def write(self, solutions, key: Sequence[str], unit: Sequence[str], searched: str) -> None:
        """Keep the page query's answer for the text "" (not when a text holds NUL or SOH)."""
        texts: dict[str, list[str]] = {}
        for line, text in _answer_lines(solutions, key, unit, searched):
            if self._NEWLINE in text or self._BETWEEN in text:
                return
            texts.setdefault(line, []).append(text.replace("\n", self._NEWLINE))
        lines = sorted(texts)
        PageIndex(lines, len(key)).save(self.path)
        write_cache_file(self.path.with_suffix(".text"), "".join(
            self._BETWEEN.join(texts[line]) + "\n" for line in lines).encode("utf-8"))

    def search(self, lowered: str) -> PageIndex | None:
        """The page index of the entries whose searched texts contain ``lowered`` (the search text as
        the store lowercases it), or None when this text cannot be searched here."""
        from itertools import compress, count, repeat

        if self._NEWLINE in lowered or self._BETWEEN in lowered:
            return None
        try:
            texts = self.path.with_suffix(".text").read_bytes().split(b"\n")
            lines = _FileLines(self.path)
        except (OSError, ValueError):
            return None
        texts.pop()  # (after the last newline)
        if len(texts) != len(lines):
            return None
        # A text contains the search text when their UTF-8 forms do: the test runs in C, line by line.
        needle = lowered.replace("\n", self._NEWLINE).encode("utf-8")
        found = list(compress(count(), map(bytes.__contains__, texts, repeat(needle))))
        return PageIndex(_Chosen(lines, found), self.key_size)


class _Chosen(Sequence):
    """Some lines of an index, by position."""

    def __init__(self, lines: Sequence[str], positions: list[int]):
        self._lines, self._positions = lines, positions

    def __len__(self) -> int:
        return len(self._positions)

    def __getitem__(self, position):
        return self._lines[self._positions[position]]


@dataclass
class Page:
    """One page of a listing: its rows (as a SELECT result), how many units they cover, and the cursor
    of the next page (None after the last)."""

    result: object  # store.SelectResult
    units: int
    cursor: str | None


def prune_indexes(directory: Path, keep: int = 32) -> None:
    """Keep at most ``keep`` page indexes beside a store (each text searched in ``quotes``, each party in
    ``claims --by`` has its own): the oldest go first."""
    try:
        indexes = sorted(directory.glob("pages-*.txt"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in indexes[keep:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".offsets").unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be pruned only costs disk
