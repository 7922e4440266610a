"""Named queries: ``queries/*.rq`` files, each with a title, a description and typed parameters.

A file starts with a header of comments::

    # title: Sanction listings
    # description: Every sanction listing, with programme, authority, date, reason and evidence.
    # param: person entity optional  The sanctioned person (a name or alias).
    # param: since date optional     Only listings on or after this date.

Parameter types: ``entity`` (a name or alias, resolved to its IRI), ``document`` (a source document's
title, file name or IRI), ``class`` (an ontology class such as ``person``), ``string``, ``integer``,
``date`` (YYYY, YYYY-MM or YYYY-MM-DD). Values are bound as terms, never formatted into the query text.
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

_HEADER_RE = re.compile(r"^#\s*(title|description|param):\s*(.*)$")
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
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER_RE.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "title":
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
    return NamedQuery(path.stem, title, description, path.read_text(encoding="utf-8"), path, params)


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
