"""Checks on a query's text before it reaches Oxigraph, for every query actorgraph runs locally.

Two things are refused here, with a one-line reason, because Oxigraph itself has no switch for them:

- ``SERVICE``: pyoxigraph sends an HTTP request to any endpoint a query names, from the CLI and from a
  server built on it. A query may only call endpoints the user allowed (``--allow-service URL``).
- texts the parser or evaluator cannot survive: about 2,500 nested ``{`` or a chain of a few thousand
  ``+``, ``UNION``, ``BIND``... overflow Oxigraph's stack and kill the process (signal 11), which no
  ``try`` can catch. A bound on nesting and on the number of operators keeps every query far below
  that (see docs/endpoint.md for the measured thresholds).

The scan is a small read-only lexer: it skips strings, IRIs, comments and variables so that a word in
a literal never counts, and it never rewrites the text.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections.abc import Collection, Mapping
from typing import NamedTuple

from .errors import QueryTooComplex, ServiceRefused

# Oxigraph (0.5.13, 8 MiB stack) crashed at 2,500-3,000 nested braces, at 4,000 BINDs or MINUS groups
# (8,000-12,000 of the operators counted here) and between 4,000 and 8,000 chained '+'. These limits
# stay several times below, and far above any query a person writes (ours have at most a few hundred).
MAX_DEPTH = 128
MAX_OPERATORS = 2000

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$]\w+)
  | (?P<word>@[A-Za-z][\w-]*|[\w:%\\](?:[\w.:%\\-]*[\w:%\\-])?)
  | (?P<op>\|\||&&|!=|<=|>=|\^\^|[^\s])
    """,
    re.VERBOSE,
)
_OPENING, _CLOSING = "{([", "})]"
_UNCOUNTED = frozenset("(),")  # parentheses are bounded by the depth, commas build no nesting
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class Scan(NamedTuple):
    """What the lexer saw: the deepest nesting, the operator count, each SERVICE endpoint as
    (kind, text) with kind "iri" (resolved against the query's BASE when it has one), "name" (a prefixed
    name the query's own PREFIXes do not declare) or "variable", and whether the query names its own
    dataset (FROM / FROM NAMED)."""

    depth: int
    operators: int
    services: tuple[tuple[str, str], ...]
    has_dataset: bool


@functools.lru_cache(maxsize=512)
def scan(text: str) -> Scan:
    """Lex ``text`` once; cached because named queries repeat the same text."""
    depth = deepest = operators = 0
    services: list[tuple[str, str]] = []
    prefixes: dict[str, str] = {}
    base: str | None = None
    has_dataset = False
    previous: list[str] = []  # the last two significant tokens, for PREFIX and BASE
    expect_endpoint = False
    for match in _TOKEN.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind in ("space", "comment"):
            continue
        if expect_endpoint and not (kind == "word" and value.upper() == "SILENT"):
            expect_endpoint = False
            if kind == "iri":
                services.append(("iri", _resolve(_unescape(value[1:-1]), base)))
            elif kind == "word" and ":" in value:
                prefix, _, local = value.partition(":")
                services.append(("iri", prefixes[prefix] + local) if prefix in prefixes else ("name", value))
            else:
                services.append(("variable", value))
        if kind == "iri":
            if len(previous) == 2 and previous[0].upper() == "PREFIX":
                prefixes[previous[1].rstrip(":")] = _unescape(value[1:-1])
            elif previous and previous[-1].upper() == "BASE":
                base = _resolve(_unescape(value[1:-1]), base)
        elif kind == "op":
            if value in _OPENING:
                depth += 1
                deepest = max(deepest, depth)
            elif value in _CLOSING:
                depth = max(0, depth - 1)
            if value not in _UNCOUNTED:
                operators += 1
        elif kind == "word" and value.isalpha():
            keyword = value.upper()
            operators += 1
            if keyword == "SERVICE":
                expect_endpoint = True
            elif keyword == "FROM":
                has_dataset = True
        previous = [*previous[-1:], value]
    if expect_endpoint:
        services.append(("variable", ""))
    return Scan(deepest, operators, tuple(services), has_dataset)


def check(text: str, allowed_services: Collection[str] = (), prefixes: Mapping[str, str] | None = None,
          base: str | None = None) -> Scan:
    """Refuse ``text`` if it is too deep or too long for the engine, or calls a SERVICE not allowed.

    ``prefixes`` and ``base`` are the ones the engine is given, so that ``SERVICE ex:x`` and
    ``SERVICE <x>`` resolve here as they would when the query runs.
    Raises ``QueryTooComplex`` or ``ServiceRefused``; returns the scan otherwise.
    """
    found = scan(text)
    if found.depth > MAX_DEPTH:
        raise QueryTooComplex(f"query refused: it nests {found.depth} levels deep, more than the "
                              f"{MAX_DEPTH} the SPARQL engine can safely parse")
    if found.operators > MAX_OPERATORS:
        raise QueryTooComplex(f"query refused: it has {found.operators} operators, more than the "
                              f"{MAX_OPERATORS} the SPARQL engine can safely parse; split it into smaller queries")
    allowed = {normalise(url) for url in allowed_services}
    for kind, endpoint in found.services:
        if kind == "variable":
            raise ServiceRefused("query refused: SERVICE with a variable endpoint; actorgraph makes no outbound "
                                 "request unless the endpoint is written out and allowed (--allow-service URL)")
        if kind == "name":
            prefix, _, local = endpoint.partition(":")
            resolved = (prefixes or {}).get(prefix, f"{prefix}:") + local
        else:
            resolved = _resolve(endpoint, base)
        if normalise(resolved) not in allowed:
            raise ServiceRefused(f"query refused: SERVICE <{resolved}> would send a request to another server; "
                                 f"actorgraph makes none unless allowed (--allow-service {resolved})")
    return found


def normalise(url: str) -> str:
    """An endpoint URL compared as a URL: scheme and host in lower case, the rest as written."""
    parts = urllib.parse.urlsplit(url.strip())
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


def check_allowed_service(url: str) -> str:
    """A ``--allow-service`` value: an absolute http(s) URL, else a one-line usage error."""
    from .errors import UsageError

    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--allow-service needs an absolute http(s) URL, not {url!r}")
    return url


def _unescape(iri: str) -> str:
    # IRIs may spell any character as \\uXXXX or \\UXXXXXXXX; Oxigraph decodes them before it connects.
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)


def _resolve(iri: str, base: str | None) -> str:
    return urllib.parse.urljoin(base, iri) if base else iri

