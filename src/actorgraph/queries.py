"""Named queries: ``queries/*.rq`` files, each with a title, a description and typed parameters.

A file starts with a header of comments::

    # title: Sanction listings
    # description: Every sanction listing, with programme, authority, date, reason and evidence.
    # param: person entity optional  The sanctioned person (a name or alias).
    # param: since date optional     Only listings on or after this date.

Parameter types: ``entity`` (a name or alias, resolved to its IRI), ``document`` (a source document's
title, file name or IRI), ``class`` (an ontology class such as ``person``), ``string``, ``integer``,
``date`` (YYYY, YYYY-MM or YYYY-MM-DD). Values are bound as terms, never formatted into the query text.

An optional ``# anchor: PARAM PATTERN`` line (``# anchor: entity ?statement rdf:subject|rdf:object
?entity .``) is the filter of an optional parameter: when PARAM is bound, the pattern opens the WHERE
clause (after the value's VALUES block) and, with the value, each top-level OPTIONAL group that uses the
pattern's other variables; when PARAM is not bound, the pattern is left out, so a listing does not
multiply its rows by a pattern that matches everything (``prepared``). Oxigraph evaluates an OPTIONAL's
inside on its own, so the anchor there makes it read only the rows about the value.

``# listing: yes`` marks a query that, with no anchor bound, lists every statement of the graph. Its
top-level label look-ups (``?x rdfs:label ?x_label . FILTER(LANG(?x_label) = "")`` on a line of their
own) are then joined as tables, sub-queries that Oxigraph evaluates once and hash-joins, instead of one
index look-up a row (100k statements: ``statements`` 5.6 s -> 3.9 s). With an anchor bound, the rows are
few and look-ups are cheaper than reading every label, so the text stays as written.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from . import paths
from .dates import parse_date
from .errors import UsageError

_HEADER_RE = re.compile(r"^#\s*(title|description|param|anchor|listing):\s*(.*)$")
# A label look-up on a line of its own, as ``# listing: yes`` turns into a table.
_LABEL_LINE_RE = re.compile(r'^(?P<indent>[ \t]*)(?P<s>\?\w+) (?P<p>rdfs:label|skos:prefLabel) (?P<o>\?\w+) \.'
                            r'(?P<filter> FILTER\(LANG\((?P=o)\) = ""\))?[ \t]*$', re.MULTILINE)
# What the query text is made of, for finding its top-level OPTIONAL groups: strings, IRIs and comments
# are skipped whole, so that braces or the word OPTIONAL inside them count for nothing.
_TOKEN_RE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                       r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*|\{|\}|\bOPTIONAL\b", re.IGNORECASE)
PARAM_TYPES = ("entity", "document", "class", "string", "integer", "date")
RESERVED_PARAMS = ("limit", "offset")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    path: Path
    params: list[Param] = field(default_factory=list)
    # Parameter name -> the pattern that filters by it (see the module's docstring).
    anchors: dict[str, str] = field(default_factory=dict)
    listing: bool = False

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
    title = description = ""
    params: list[Param] = []
    anchors: dict[str, str] = {}
    listing = False
    for line in path.read_text(encoding="utf-8").splitlines():
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
    return NamedQuery(path.stem, title, description, path.read_text(encoding="utf-8"), path, params, anchors,
                      listing)


def _braces(text: str) -> Iterator[tuple[re.Match, int]]:
    """Each brace and OPTIONAL outside strings, IRIs and comments, with the depth of braces it sits at
    (for a brace, the depth outside it: the WHERE clause's own ``{`` is at 0, its contents at 1)."""
    depth = 0
    for match in _TOKEN_RE.finditer(text):
        token = match.group(0)
        if token == "}":
            depth -= 1
        if token in "{}" or token.upper() == "OPTIONAL":
            yield match, depth
        if token == "{":
            depth += 1


def _top_level_optionals(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inside of every OPTIONAL group at the top level of the WHERE clause."""
    groups, pending, start = [], False, None
    for match, depth in _braces(text):
        if depth != 1:
            continue
        token = match.group(0)
        if token.upper() == "OPTIONAL":
            pending = True
        elif token == "{" and pending:
            start, pending = match.end(), False
        elif token == "}" and start is not None:
            groups.append((start, match.start()))
            start = None
    return groups


def prepared(query: NamedQuery, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The text to run for these bindings: each bound parameter's anchor opens the WHERE clause and,
    with ``VALUES ?p { value }``, each top-level OPTIONAL group that uses the anchor's other variables;
    unbound anchors are left out; a listing with no anchor bound joins its labels as tables (see the
    module's docstring). The values themselves reach the text only as serialised terms."""
    from .store import values_block

    wanted = [(name, pattern, set(re.findall(r"\?(\w+)", pattern)) - {name})
              for name, pattern in sorted(query.anchors.items()) if name in bindings]
    text = query.text
    if query.listing and not wanted:
        text = label_tables(text)
    if not wanted:
        return text
    where = _where_body(text)
    out, last = [text[:where], " " + " ".join(pattern for _, pattern, _ in wanted)], where
    for start, end in _top_level_optionals(text):
        if re.match(r"\s*SELECT\b", text[start:end], re.IGNORECASE):
            continue  # a sub-query: its own scope
        inside = set(re.findall(r"\?(\w+)", text[start:end]))
        inserts = [f"{values_block({name: bindings[name]})} {pattern}"
                   for name, pattern, needs in wanted if needs <= inside]
        if inserts:
            out.append(text[last:start] + " " + " ".join(inserts))
            last = start
    out.append(text[last:])
    return "".join(out)


def _where_body(text: str) -> int:
    """Where the inside of the query's top-level group starts (after its first ``{`` outside strings,
    IRIs and comments)."""
    for match, _ in _braces(text):
        if match.group(0) == "{":
            return match.end()
    raise UsageError("a named query needs a WHERE clause")


def label_tables(text: str) -> str:
    """The text with each top-level label look-up line as a sub-query joined on the same variables:
    the same rows (the sub-query projects exactly the pattern's variables), a hash join instead of an
    index look-up per row."""
    # (where a brace ends, the depth after it), in order: the depth at a position is the last one before it.
    after = [(m.end(), depth + (m.group(0) == "{")) for m, depth in _braces(text) if m.group(0) in "{}"]

    def depth_of(position: int) -> int:
        index = bisect.bisect_right(after, (position, float("inf"))) - 1
        return after[index][1] if index >= 0 else 0

    def table(match: re.Match) -> str:
        if depth_of(match.start()) != 1:
            return match.group(0)
        s, p, o = match.group("s", "p", "o")
        return f"{match.group('indent')}{{ SELECT {s} {o} WHERE {{ {s} {p} {o} .{match.group('filter') or ''} }} }}"

    return _LABEL_LINE_RE.sub(table, text)


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
    return _parse_version(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _parse_version(path: Path, mtime_ns: int, size: int) -> NamedQuery:
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
