"""Named queries: ``queries/*.rq`` files, each with a title, a description and typed parameters.

A file starts with a header of comments::

    # title: Sanction listings
    # description: Every sanction listing, with programme, authority, date, reason and evidence.
    # param: person entity optional  The sanctioned person (a name or alias).
    # param: since date optional     Only listings on or after this date.

Parameter types: ``entity`` (a name or alias, resolved to its IRI), ``document`` (a source document's
title, file name or IRI), ``class`` (an ontology class such as ``person``), ``string``, ``integer``,
``date`` (YYYY, YYYY-MM or YYYY-MM-DD). Values are bound as terms, never formatted into the query text.

Where bound values and optional patterns go is marked in the text itself, with comments that start with
``#@`` (docs/queries.md), so that no code has to find its way through SPARQL's braces, strings and
comments. Unfilled, a marker is a comment and the file is plain SPARQL:

- ``#@values``, a line of its own: the VALUES block of the bound parameters (``store.bind_values``).
- ``#@anchors``, a line of its own: the pattern of each bound parameter that has a ``# anchor: PARAM
  PATTERN`` header line (``# anchor: entity ?statement rdf:subject|rdf:object ?entity .``). An anchor is
  the filter of an optional parameter: left out when the parameter is not bound, so that a listing does
  not multiply its rows by a pattern that matches everything.
- ``#@anchors values``, a line of its own: the same patterns, each after its parameter's VALUES block,
  for a group that Oxigraph evaluates on its own (an OPTIONAL's inside): with the value there, it reads
  only the rows about the value.
- ``#@page``, a line of its own, in a listing that pages by cursor (``paging``): the VALUES table of a
  page's units and the bound values.
- ``#@table`` at the end of a line: in a query marked ``# listing: yes`` (it lists every statement of
  the graph) run with no anchor bound, the line's pattern is joined as a table, ``{ SELECT <the line's
  variables> WHERE { <the line> } }``, which Oxigraph evaluates once and hash-joins, instead of one
  index look-up a row (100k statements: ``statements`` 5.6 s -> 3.9 s). With an anchor bound, the rows
  are few and look-ups are cheaper than reading every label, so the line stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from . import paths
from .dates import parse_date
from .errors import UsageError
from .store import VALUES_MARKER, bind_values, values_block

_HEADER_RE = re.compile(r"^#\s*(title|description|param|anchor|listing):\s*(.*)$")
_PAGE_HEADER_RE = re.compile(r"^#\s*(key|unit|units|search):\s*(.*)$")
ANCHORS_MARKER = "#@anchors"
ANCHORS_VALUES_MARKER = "#@anchors values"
PAGE_MARKER = "#@page"
TABLE_MARKER = "#@table"
LINE_MARKERS = (VALUES_MARKER, ANCHORS_MARKER, ANCHORS_VALUES_MARKER, PAGE_MARKER)
# A marker at the end of a line of SPARQL (only #@table is one).
_TRAILING_MARKER_RE = re.compile(r"\s#@[\w-]+\s*$")
PARAM_TYPES = ("entity", "document", "class", "string", "integer", "date")
RESERVED_PARAMS = ("limit", "offset")


class Param(NamedTuple):
    """A parameter of a named query (``# param:`` in its file)."""

    name: str
    type: str
    required: bool
    description: str


class PageQuery(NamedTuple):
    """How a listing pages (``queries/pages/NAME.rq``, see ``paging``): the query that lists its units
    with their keys, the variables that order the pages, and those a page binds the listing to."""

    text: str
    path: Path
    key: tuple[str, ...]
    unit: tuple[str, ...]
    units: str  # what the units are called, for people ("statements")
    # ``# search: searched text``: the query keeps the rows whose ?searched (lowercased by the query)
    # contains the lowercased ?text; with text "", every row (see ``paging.SearchCorpus``).
    search: tuple[str, str] | None = None


class NamedQuery:
    """A named query: its ``.rq`` file read, with the title, description and parameters of its header.
    ``anchors``: parameter name -> the pattern that filters by it (see the module's docstring). (A plain
    class: a dataclass takes a third of a millisecond to build, on every command.)"""

    def __init__(self, name: str, title: str, description: str, text: str, path: Path,
                 params: list[Param] | None = None, anchors: dict[str, str] | None = None, listing: bool = False,
                 page: PageQuery | None = None):
        self.name, self.title, self.description, self.text, self.path = name, title, description, text, path
        self.params = [] if params is None else params
        self.anchors = {} if anchors is None else anchors
        self.listing, self.page = listing, page

    def __repr__(self) -> str:
        return f"NamedQuery({self.name!r})"

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise UsageError(f"query {self.name!r} has no parameter {name!r} (parameters: {known})")


def paged(text: str, limit: int | None, offset: int = 0) -> str:
    """The query text with LIMIT/OFFSET after its ORDER BY (named queries carry no LIMIT of their own).

    Both are checked integers, so nothing typed by a user reaches the text."""
    if limit is None and not offset:
        return text
    for what, value in (("limit", limit), ("offset", offset)):
        if value is not None and (type(value) is not int or value < 0):
            raise UsageError(f"{what} must be a whole number of rows, not {value!r}")
    page = "" if limit is None else f"LIMIT {limit:d}"
    if offset:
        page += f" OFFSET {offset:d}"
    return f"{text.rstrip()}\n{page.strip()}\n"


def parse_named_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    title = description = ""
    params: list[Param] = []
    anchors: dict[str, str] = {}
    listing = False
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER_RE.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "anchor":
            name, _, pattern = value.partition(" ")
            if not pattern.strip() or f"?{name}" not in pattern:
                raise UsageError(f"{path}: bad anchor line (expected: # anchor: PARAM PATTERN using ?PARAM): {value!r}")
            anchors[name] = pattern.strip()
        elif key == "listing":
            if value not in ("yes", "no"):
                raise UsageError(f"{path}: bad listing line (expected: # listing: yes): {value!r}")
            listing = value == "yes"
        elif key == "title":
            title = value
        elif key == "description":
            description = f"{description} {value}".strip()
        else:
            parts = value.split(None, 3)
            if len(parts) < 2 or parts[1] not in PARAM_TYPES:
                raise UsageError(f"{path}: bad param line: {value!r}")
            if parts[0] in RESERVED_PARAMS:
                raise UsageError(f"{path}: {parts[0]!r} is reserved for paging; name the parameter otherwise")
            required = not (len(parts) > 2 and parts[2] == "optional")
            desc = " ".join(parts[3:] if not required else parts[2:])
            params.append(Param(parts[0], parts[1], required, desc))
    unknown = sorted(set(anchors) - {p.name for p in params})
    if unknown:
        raise UsageError(f"{path}: anchor for a parameter it does not declare: {', '.join(unknown)}")
    found = _check_markers(path, text, bool(params), bool(anchors), listing)
    page = _parse_page_query(page_path(path), bool(params), bool(anchors))
    if (page is None) != (PAGE_MARKER not in found):
        raise UsageError(f"{path}: a {PAGE_MARKER} line and a page query ({page_path(path)}) go together")
    return NamedQuery(path.stem, title, description, text, path, params, anchors, listing, page)


def page_path(path: Path) -> Path:
    """Where the page query of the listing in ``path`` lives (see ``paging``)."""
    return path.parent / "pages" / path.name


def _parse_page_query(path: Path, params: bool, anchors: bool) -> PageQuery | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    declared: dict[str, tuple[str, ...]] = {}
    units = ""
    for line in text.splitlines():
        match = _PAGE_HEADER_RE.match(line)
        if match and match.group(1) == "units":
            units = match.group(2).strip()
        elif match:
            names = tuple(name.lstrip("?$") for name in match.group(2).split())
            if not names or not all(re.fullmatch(r"\w+", name) for name in names):
                raise UsageError(f"{path}: bad {match.group(1)} line: {line!r}")
            declared[match.group(1)] = names
    if not {"key", "unit"} <= set(declared):
        raise UsageError(f"{path}: a page query needs a '# key:' and a '# unit:' line")
    if len(declared.get("search", ("", ""))) != 2:
        raise UsageError(f"{path}: a '# search:' line names the searched variable and the parameter")
    found = _check_markers(path, text, params, anchors, False)
    if PAGE_MARKER in found:
        raise UsageError(f"{path}: a page query has no {PAGE_MARKER} line of its own")
    return PageQuery(text, path, declared["key"], declared["unit"], units or f"{declared['unit'][0]}s",
                     declared.get("search"))


def _check_markers(path: Path, text: str, params: bool, anchors: bool, listing: bool) -> set[str]:
    """Every marker is one we know, and each declaration has the marker that puts it to use: a marker
    that is misspelt or missing would otherwise be a comment, and a value silently left unbound.
    Returns the markers found."""
    found: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#@"):
            if stripped not in LINE_MARKERS:
                raise UsageError(f"{path}:{number}: unknown marker {stripped!r} "
                                 f"(known: {', '.join(LINE_MARKERS)}, and {TABLE_MARKER} at the end of a line)")
            found.add(stripped)
        elif _TRAILING_MARKER_RE.search(line):
            if not stripped.endswith(TABLE_MARKER) or not stripped[:-len(TABLE_MARKER)].strip():
                raise UsageError(f"{path}:{number}: only {TABLE_MARKER} may end a line of SPARQL")
            found.add(TABLE_MARKER)
    needs = [(params, VALUES_MARKER, "declares parameters"), (anchors, ANCHORS_MARKER, "declares anchors")]
    for declared, marker, what in needs:
        if declared and marker not in found:
            raise UsageError(f"{path}: {what} but has no {marker} line to put them in")
    if not anchors and found & {ANCHORS_MARKER, ANCHORS_VALUES_MARKER}:
        raise UsageError(f"{path}: {ANCHORS_MARKER} lines but no '# anchor:' declared")
    if TABLE_MARKER in found and not listing:
        raise UsageError(f"{path}: {TABLE_MARKER} lines are for listings: add '# listing: yes'")
    return found


def prepared(query: NamedQuery, bindings: Mapping[str, ox.NamedNode | ox.Literal],
             page: Sequence[Sequence[str]] | None = None) -> str:
    """The text to run for these bindings, its markers filled (see the module's docstring): each bound
    parameter's anchor at ``#@anchors``, with its VALUES block at ``#@anchors values``; unbound anchors
    are left out; a listing run whole, with no anchor bound, joins its ``#@table`` lines as tables.
    ``#@values`` is the store's to fill. With ``page`` (rows of units, as N-Triples terms, see
    ``paging``), every ``#@page`` line gets one VALUES block of the units and the bound values, and
    the text is run without bindings. Values reach the text only as serialised terms."""
    if page is not None and query.page is not None:
        # The page's units were chosen with the anchors, which would only add work here; the bound
        # values go with the units, in one table, so that Oxigraph starts from the units (with a
        # separate VALUES block it started from the value: the source document's every statement).
        # Run this text without bindings: its #@values line stays a comment.
        names = sorted(bindings)
        row = [str(bindings[name]) for name in names]
        block = page_values([*query.page.unit, *names], [[*unit, *row] for unit in page])
        return _put(query.text, PAGE_MARKER, lambda: block)
    tables = query.listing and not any(name in bindings for name in query.anchors)
    return _filled(query.text, query.anchors, bindings, tables)


def page_query_text(query: NamedQuery, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The text of the listing's page query for these bindings, ready to run: its anchors filled like the
    listing's, and the bound values on its ``#@values`` line."""
    if query.page is None:
        raise UsageError(f"query {query.name!r} does not page")
    return bind_values(_filled(query.page.text, query.anchors, bindings, False), bindings)


def page_values(variables: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A VALUES block of several rows of N-Triples terms (read from a page index, written by us)."""
    body = " ".join(f"({' '.join(row)})" for row in rows)
    return f"VALUES ({' '.join('?' + v for v in variables)}) {{ {body} }}"


def _put(text: str, marker: str, make: Callable[[], str]) -> str:
    """The text with each line that is ``marker`` alone replaced by ``make()``, indented alike."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.strip() == marker:
            lines[index] = line[: len(line) - len(line.lstrip())] + make()
    return "\n".join(lines)


def _filled(text: str, anchors: Mapping[str, str], bindings: Mapping[str, ox.NamedNode | ox.Literal],
            tables: bool) -> str:
    bound = [(name, pattern) for name, pattern in sorted(anchors.items()) if name in bindings]
    if not bound and not tables:
        return text
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped == ANCHORS_MARKER and bound:
            lines[index] = indent + " ".join(pattern for _, pattern in bound)
        elif stripped == ANCHORS_VALUES_MARKER and bound:
            lines[index] = indent + " ".join(f"{values_block({name: bindings[name]})} {pattern}"
                                             for name, pattern in bound)
        elif tables and stripped.endswith(TABLE_MARKER) and not stripped.startswith("#"):
            lines[index] = indent + as_table(stripped[: -len(TABLE_MARKER)].strip())
    return "\n".join(lines)


def as_table(pattern: str) -> str:
    """A pattern as a sub-query that projects exactly its variables: the same rows, joined as a table."""
    variables = " ".join(f"?{name}" for name in dict.fromkeys(re.findall(r"[?$](\w+)", pattern)))
    return f"{{ SELECT {variables} WHERE {{ {pattern} }} }}"


def list_queries(directory: Path | None = None) -> list[NamedQuery]:
    directory = directory or paths.queries_dir()
    return [_parsed(p) for p in sorted(directory.glob("*.rq"))]


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    directory = directory or paths.queries_dir()
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        try:
            return _parsed(directory / f"{name}.rq")
        except (FileNotFoundError, IsADirectoryError):
            pass
    known = ", ".join(q.name for q in list_queries(directory))
    raise UsageError(f"unknown query {name!r} (known: {known})")


def _parsed(path: Path) -> NamedQuery:
    """``parse_named_query``, once per version of the file: reading and parsing it again was half the
    time of a one-millisecond query (``profile``) in a long-lived process."""
    stat = path.stat()
    try:
        page = page_path(path).stat()
        page_version = (page.st_mtime_ns, page.st_size)
    except FileNotFoundError:
        page_version = None
    return _parse_version(path, stat.st_mtime_ns, stat.st_size, page_version)


@lru_cache(maxsize=256)
def _parse_version(path: Path, mtime_ns: int, size: int, page_version: tuple[int, int] | None) -> NamedQuery:
    return parse_named_query(path)


def bind_value(param: Param, value: str, resolvers: Mapping[str, Callable[[str], str]]) -> ox.NamedNode | ox.Literal:
    """One parameter value as a term. ``resolvers`` turn names into IRIs, by parameter type."""
    if param.type in ("entity", "document", "class"):
        return ox.NamedNode(resolvers[param.type](value))
    if param.type == "integer":
        try:
            return ox.Literal(int(value))
        except ValueError:
            raise UsageError(f"parameter {param.name!r} must be an integer, not {value!r}") from None
    if param.type == "date":
        return parse_date(value).literal()
    return ox.Literal(value)
