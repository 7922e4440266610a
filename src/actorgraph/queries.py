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
?entity .``) names a pattern the WHERE clause already implies; when PARAM is bound, the pattern and the
bound value open each top-level OPTIONAL group that uses the pattern's other variables (``anchored``).
The rows stay the same; Oxigraph, which evaluates an OPTIONAL's inside on its own, then reads only the
rows about that value instead of the whole graph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import paths
from .dates import parse_date
from .errors import UsageError

_HEADER_RE = re.compile(r"^#\s*(title|description|param|anchor):\s*(.*)$")
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


@dataclass
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    path: Path
    params: list[Param] = field(default_factory=list)
    # Parameter name -> a pattern that ties the query's rows to that parameter (the query's WHERE must
    # already imply it). When the parameter is bound, it is repeated with the value at the start of
    # every top-level OPTIONAL group: Oxigraph evaluates an OPTIONAL's inside on its own before joining,
    # so without it, `show` on 100k statements read the dates of all of them (0.50 s -> 0.02 s).
    anchors: dict[str, str] = field(default_factory=dict)

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
    return NamedQuery(path.stem, title, description, path.read_text(encoding="utf-8"), path, params, anchors)


def _top_level_optionals(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inside of every OPTIONAL group at the top level of the WHERE clause."""
    groups, depth, pending, start = [], 0, False, 0
    for match in _TOKEN_RE.finditer(text):
        token = match.group(0)
        if token == "{":
            depth += 1
            if pending and depth == 2:
                start, pending = match.end(), False
        elif token == "}":
            if depth == 2 and start:
                groups.append((start, match.start()))
                start = 0
            depth -= 1
        elif token.upper() == "OPTIONAL" and depth == 1:
            pending = True
    return groups


def anchored(query: NamedQuery, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query's text with ``VALUES ?p { value } anchor`` at the start of each top-level OPTIONAL group
    that uses the anchor's other variables, for each bound parameter that has an anchor (see
    NamedQuery.anchors). The rows are the same; only the work to get them changes."""
    from .store import values_block

    wanted = [(name, pattern, set(re.findall(r"\?(\w+)", pattern)) - {name})
              for name, pattern in sorted(query.anchors.items()) if name in bindings]
    if not wanted:
        return query.text
    text, out, last = query.text, [], 0
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


def list_queries(directory: Path | None = None) -> list[NamedQuery]:
    directory = directory or paths.queries_dir()
    return [parse_named_query(p) for p in sorted(directory.glob("*.rq"))]


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    directory = directory or paths.queries_dir()
    path = directory / f"{name}.rq"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) or not path.is_file():
        known = ", ".join(q.name for q in list_queries(directory))
        raise UsageError(f"unknown query {name!r} (known: {known})")
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
