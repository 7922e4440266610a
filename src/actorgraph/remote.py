"""A remote SPARQL 1.1 Protocol endpoint as a ``Store`` (see store.py), and the one function that sends an
HTTP request and turns every failure into one line. Imported only when an endpoint is named."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import EndpointError, EndpointTimeout, HTTPStatusError, QueryError, UsageError
from .store import ENV_ENDPOINT_TIMEOUT, ONT, OUR_GRAPHS, Store, bind_values, prologue


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, headers and (when read) body."""

    status: int
    headers: Mapping[str, str]
    body: bytes = b""


def exchange(request, *, timeout: float, where: str, what: str = "", reach: str = "endpoint",
             timeout_hint: str = "", opener=None, read: bool = True) -> Answer:
    """Send one HTTP request (``what`` it does, for messages) and return its answer. Every failure is
    one ``EndpointError`` naming ``where``: ``HTTPStatusError`` for an error status (with the first line
    of its text), ``EndpointTimeout`` for silence past ``timeout`` (connecting or reading), else "cannot
    reach {reach}". With ``read=False`` the body is left unread and the connection closed."""
    import http.client
    import urllib.error
    import urllib.request

    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as response:
            return Answer(response.status, response.headers, response.read() if read else b"")
    except urllib.error.HTTPError as err:
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
        raise HTTPStatusError(where, err.code, (lines[0] if lines else str(err.reason))[:300],
                              f"{what} failed: " if what else "") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
        reason = getattr(err, "reason", None) or err
        if isinstance(err, TimeoutError) or isinstance(reason, TimeoutError):
            doing = f"{what}: " if what else ""
            raise EndpointTimeout(f"{where}: {doing}no answer within {timeout:g} s{timeout_hint}") from None
        raise EndpointError(f"{where}: cannot reach {reach}: {reason}") from None


class RemoteStore(Store):
    """A SPARQL 1.1 Protocol endpoint (actorgraph serve, Oxigraph, Virtuoso, Fuseki, QLever, GraphDB...).

    The endpoint must answer queries without GRAPH over the union of its named graphs (actorgraph serve
    and Virtuoso do; start Oxigraph with ``--union-default-graph``), as the local store does. When a
    question comes back empty, the store is asked whether that is why (``check_union``), so a store set
    up otherwise is an error with its fix, never an answer of "nobody". An answer the store cut short
    (Virtuoso's ``ResultSetMaxRows``, or its partial "anytime" results) is an error too.
    """

    ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
              "application/n-triples;q=0.9, text/turtle;q=0.8")

    def __init__(self, endpoint: str, timeout: float | None = None):
        if not endpoint.startswith(("http://", "https://")):
            raise UsageError(f"the endpoint must be an http(s) URL, not {endpoint!r}")
        self.endpoint = endpoint
        if timeout is None:
            from .limits import seconds

            timeout = seconds(os.environ.get(ENV_ENDPOINT_TIMEOUT, "60"), ENV_ENDPOINT_TIMEOUT)
        self.timeout = timeout
        self._union_checked = False

    @property
    def description(self) -> str:
        return self.endpoint

    def select(self, query, bindings=None):
        try:
            result = super().select(query, bindings)
        except SyntaxError as err:  # pyoxigraph reads the rows lazily: a bad term shows up here
            raise self._unreadable("application/sparql-results", err) from None
        if not result.rows:
            self.check_union()
        return result

    def quads(self):
        """Every quad of actorgraph's named graphs: a shared store may hold others (Virtuoso keeps its
        own system graphs there), and push's staging graphs are not part of the graph."""
        query = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER{OUR_GRAPHS} }}"
        try:
            for sol in self.run(query):
                yield ox.Quad(sol["s"], sol["p"], sol["o"], sol["g"])
        except SyntaxError as err:
            raise self._unreadable("application/sparql-results", err) from None

    def _unreadable(self, content_type: str, err: Exception) -> EndpointError:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        return EndpointError(f"{self.endpoint}: unreadable {content_type} answer: {first}")

    def ask(self, query, bindings=None):
        answer = super().ask(query, bindings)
        if not answer:
            self.check_union()
        return answer

    def construct(self, query, bindings=None):
        triples = super().construct(query, bindings)
        if not triples:
            self.check_union()
        return triples

    def check_union(self) -> None:
        """Raise an EndpointError when the endpoint's default graph lacks the statements its named
        graphs hold (its default graph is not their union), or when it holds no statements at all."""
        if self._union_checked:
            return
        self._union_checked = True
        statement = f"?s a <{ONT}Statement>"
        if bool(self._run(f"ASK {{ {statement} }}", {})):
            return
        if bool(self._run(f"ASK {{ GRAPH ?g {{ {statement} }} }}", {})):
            raise EndpointError(
                f"{self.endpoint}: its default graph is not the union of its named graphs, so every "
                f"question would come back empty; make it so (Oxigraph: oxigraph serve "
                f"--union-default-graph; Fuseki: tdb2:unionDefaultGraph true; Virtuoso does so by "
                f"default)")
        raise EndpointError(f"{self.endpoint}: holds no actorgraph statements in any graph; load the graph "
                            f"first (actorgraph push --store ...)")

    def _run(self, query, bindings):
        import urllib.parse
        import urllib.request

        text = prologue() + bind_values(query, bindings)
        body = urllib.parse.urlencode({"query": text}).encode()
        request = urllib.request.Request(
            self.endpoint,
            data=body,
            headers={"Accept": self.ACCEPT, "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            answer = exchange(request, timeout=self.timeout, where=self.endpoint,
                              timeout_hint=f" (set {ENV_ENDPOINT_TIMEOUT} to wait longer)")
        except HTTPStatusError as err:
            if err.status == 400:
                raise QueryError(f"bad SPARQL: {err.detail}") from None
            raise
        _refuse_partial(self.endpoint, answer.headers)
        content_type = answer.headers.get_content_type()
        payload = answer.body
        try:
            if content_type in ("application/sparql-results+json", "application/json"):
                return ox.parse_query_results(_portable_blank_nodes(payload), format=ox.QueryResultsFormat.JSON)
            if content_type in ("application/sparql-results+xml", "application/xml"):
                return ox.parse_query_results(payload, format=ox.QueryResultsFormat.XML)
            rdf_format = ox.RdfFormat.from_media_type(content_type)
            if rdf_format is None:
                raise EndpointError(f"{self.endpoint}: unexpected content type {content_type}")
            return [quad.triple for quad in ox.parse(payload, format=rdf_format)]
        except (SyntaxError, ValueError) as err:
            raise self._unreadable(content_type, err) from None


def _portable_blank_nodes(payload: bytes) -> bytes:
    """JSON results whose blank node identifiers are Virtuoso's ``nodeID://b123``, which is no blank
    node label in SPARQL or Turtle and which pyoxigraph refuses: the same answer with each such
    identifier turned into a valid one (the same identifier always gives the same label)."""
    if b"nodeID://" not in payload:
        return payload
    import json

    doc = json.loads(payload)
    for row in doc.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = re.sub(r"[^A-Za-z0-9_]", lambda m: f"_{ord(m.group()):x}_", term["value"])
    return json.dumps(doc).encode()


def _refuse_partial(endpoint: str, headers) -> None:
    """An answer the store says it cut short is refused: a partial answer must not pass for a whole one."""
    if headers.get("X-SPARQL-MaxRows"):
        raise EndpointError(f"{endpoint}: the store cut its answer at {headers['X-SPARQL-MaxRows']} rows; "
                            f"raise its limit (Virtuoso: ResultSetMaxRows in the [SPARQL] section of "
                            f"virtuoso.ini) or ask for less (query NAME --limit N --offset M)")
    if headers.get("X-SQL-State") == "S1TAT":
        raise EndpointError(f"{endpoint}: the store stopped the query early and sent partial results "
                            f"({headers.get('X-SQL-Message', 'a time limit')}); raise its time limit "
                            f"(Virtuoso: MaxQueryExecutionTime in virtuoso.ini)")
