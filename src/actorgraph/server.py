"""The SPARQL 1.1 Protocol endpoint behind ``actorgraph serve``.

Design: uvicorn (HTTP parsing by h11, the backlog, keep-alive timeouts) runs a Starlette application
(routing, request bodies, CORS preflights) on one event loop, in front of a pool of worker processes
that each hold the graph in an Oxigraph store (``actorgraph.pool``). Oxigraph evaluates every query;
the front adds what ``oxigraph serve`` lacks or gets wrong for us:

- a hard time limit (``oxigraph serve --timeout-s 1`` let an ``ORDER BY`` query run for 6 min 44 s):
  past it, the worker is killed and replaced, and the client gets ``503`` with a one-line reason;
- a fair share of the workers between clients, so that slow queries cannot starve everyone (pool.py);
- limits on each answer, in rows or triples and in bytes (``422`` rather than a cut answer: a partial
  answer must not pass for a whole one), and on each worker's memory;
- the query-text guard (guard.py): SERVICE refused unless allowed, texts too deep for the parser
  refused, before any worker sees them;
- connections that must deliver each request within ``REQUEST_DEADLINE`` (uvicorn's keep-alive timer is
  reset by every byte, so a client sending one byte at a time would hold a connection forever), a cap
  on connections per client address and in all, and a deadline for a client that stops reading;
- a Host allow-list (loopback names by default) against DNS rebinding, and CORS only for the origins
  the user names: without it, any web page the user visits could read the graph through the browser;
- read-only always, the datasets of the SPARQL 1.1 Protocol (default-graph-uri, named-graph-uri, FROM)
  honoured, the endpoint's URL as base IRI, our prefixes predeclared, a service description, and the
  query page (``static/``).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ActorgraphError, QueryTooComplex, ServiceRefused, UsageError
from .pool import Busy, Pool, Preempted, QueryTimeout, Reply, WorkerCrashed, error_reply

if TYPE_CHECKING:
    from .store import DataSource

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_BODY = 1 << 20  # a query text larger than 1 MiB is refused
# Below this much Turtle each worker holds the graph in memory; above, workers share the on-disk store
# through the page cache (one copy of a million-statement graph rather than one per worker).
MEMORY_LIMIT = 64 * 1024 * 1024
REQUEST_DEADLINE = 10.0  # seconds a connection has to deliver a whole request (head and body)
KEEP_ALIVE = 5.0  # seconds an idle keep-alive connection stays open
WRITE_DEADLINE = 30.0  # seconds a client may stop reading an answer before the connection is dropped
CONNECTIONS_PER_CLIENT = 64  # open connections from one address
MAX_CONNECTIONS = 1024  # open connections in all
BACKLOG = 2048  # connections the kernel queues before the server accepts them (capped by somaxconn)
ENDPOINT_PATHS = ("/sparql", "/sparql/", "/query", "/update")
ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

# (media type, pyoxigraph format name), in the order we prefer when the client accepts anything.
RESULT_TYPES = [
    ("application/sparql-results+json", "JSON"),
    ("application/sparql-results+xml", "XML"),
    ("text/csv", "CSV"),
    ("text/tab-separated-values", "TSV"),
    ("application/json", "JSON"),
    ("application/xml", "XML"),
    ("text/xml", "XML"),
]
GRAPH_TYPES = [
    ("text/turtle", "TURTLE"),
    ("application/n-triples", "N_TRIPLES"),
    ("application/ld+json", "JSON_LD"),
    ("application/rdf+xml", "RDF_XML"),
    ("application/json", "JSON_LD"),
    ("application/xml", "RDF_XML"),
    ("text/plain", "N_TRIPLES"),
]
FORMAT_IRIS = {
    "JSON": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "XML": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "CSV": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "TSV": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "TURTLE": "http://www.w3.org/ns/formats/Turtle",
    "N_TRIPLES": "http://www.w3.org/ns/formats/N-Triples",
    "JSON_LD": "http://www.w3.org/ns/formats/JSON-LD",
    "RDF_XML": "http://www.w3.org/ns/formats/RDF_XML",
}
TEXTUAL = ("text/", "application/sparql-results+", "application/ld+json", "application/n-triples",
           "application/json", "application/rdf+xml", "application/xml")


@dataclass(frozen=True)
class Settings:
    """How ``serve`` runs. Defaults are the safe ones: loopback, read-only, bounded, no CORS."""

    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 10.0
    max_results: int = 10_000
    max_bytes: int = 16 << 20
    max_memory: int | None = None  # per worker; None: half the machine's memory shared by the workers
    workers: int = 0  # 0: one per CPU core
    store: str = "auto"  # memory, disk, or auto: memory below MEMORY_LIMIT bytes of Turtle
    quiet: bool = False
    allowed_hosts: tuple[str, ...] = ()  # Host header names accepted beside loopback ones; "*" for any
    cors_origins: tuple[str, ...] = ()  # origins whose pages may read answers; "*" for any
    allowed_services: tuple[str, ...] = field(default=())  # endpoints SERVICE may call


# -- content negotiation -----------------------------------------------------------------------------


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """``Accept`` as (media range, q, position); a missing or empty header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0, 0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    return ranges


def negotiate(header: str | None, offers: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The offer the client prefers: highest q, then the client's order, then ours.

    Each offer takes the q of the most specific range that matches it (RFC 9110), so
    ``application/sparql-results+json;q=0, */*`` excludes JSON even though ``*/*`` would allow it.
    """
    ranges = parse_accept(header)
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, (media, fmt) in enumerate(offers):
        kind = media.split("/")[0]
        match: tuple[int, float, int] | None = None  # (specificity, q, position)
        for rng, q, position in ranges:
            specificity = 2 if rng == media else 1 if rng == f"{kind}/*" else 0 if rng == "*/*" else -1
            if specificity >= 0 and (match is None or specificity > match[0]):
                match = (specificity, q, position)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], -match[2], -index)
        if best is None or key > best:
            best, chosen = key, (media, fmt)
    return chosen


def content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media.startswith(TEXTUAL) else media


# -- the HTTP application --------------------------------------------------------------------------------


class Endpoint:
    """The ASGI application: host check, then CORS (when asked for), then our routes."""

    def __init__(self, settings: Settings, pool: Pool, graphs: list[str], base_url: str):
        self.settings = settings
        self.pool = pool
        self.graphs = graphs
        self.base_url = base_url
        self.endpoint_url = base_url + "sparql"
        self.examples = examples_json()

    def asgi(self):
        """The application uvicorn runs: our routes inside Starlette's CORS middleware (when origins are
        allowed) inside the Host check."""
        app: Any = self
        if self.settings.cors_origins:
            from starlette.middleware.cors import CORSMiddleware

            # Any request header a client sends may be used; answers are readable by those origins only.
            app = CORSMiddleware(app, allow_origins=list(self.settings.cors_origins),
                                 allow_methods=["GET", "HEAD", "POST", "OPTIONS"], allow_headers=["*"],
                                 expose_headers=["Content-Type", "Content-Length", "Retry-After"], max_age=600)
        hosts = self.settings.allowed_hosts
        if "*" in hosts:
            return app
        allowed = {name.lower().strip("[]") for name in (*LOOPBACK_NAMES, self.settings.host, *hosts)}
        return HostCheck(app, allowed)

    async def __call__(self, scope, receive, send) -> None:
        from starlette.requests import Request

        if scope["type"] != "http":
            return
        started = time.monotonic()
        request = Request(scope, receive)
        reply = await self.respond(request, receive)
        if reply is None:
            return  # the client went away before its answer was ready
        await self.send(reply, scope, receive, send)
        if not self.settings.quiet:
            client = (scope.get("client") or ("-",))[0]
            path = urllib.parse.quote(scope.get("path", ""), safe="/:@!$&'()*+,;=-._~")
            sys.stderr.write(f"{client} {scope['method']} {path} {reply.status} "
                             f"{(time.monotonic() - started) * 1000:.0f} ms\n")

    @staticmethod
    async def send(reply: Reply, scope, receive, send) -> None:
        from starlette.responses import Response

        headers = {"X-Content-Type-Options": "nosniff", "Vary": "Accept", **(reply.headers or {})}
        body = b"" if scope["method"] == "HEAD" else reply.body
        response = Response(body, status_code=reply.status, headers=headers, media_type=None)
        response.headers["Content-Type"] = reply.content_type
        if reply.status != 204:  # a 204 carries no length (RFC 9110 8.6)
            response.headers["Content-Length"] = str(len(reply.body))
        await response(scope, receive, send)

    async def respond(self, request, receive) -> Reply | None:
        path, method = request.url.path, request.method
        if method not in ("GET", "HEAD", "POST", "OPTIONS"):
            allow = ALLOWED_METHODS if path in ENDPOINT_PATHS else "GET, HEAD"
            return error_reply(405, f"{method} is not allowed here: this endpoint is read-only and answers "
                                    f"{allow}", {"Allow": allow})
        if path in ("/", "/index.html") or path.startswith("/static/"):
            if method in ("POST", "OPTIONS"):
                return error_reply(405, f"{method} is not allowed on the page", {"Allow": "GET, HEAD"})
            return self.static(path)
        if path not in ENDPOINT_PATHS:
            return error_reply(404, f"no such page {path}; the SPARQL endpoint is /sparql")
        if method == "OPTIONS":
            return Reply(204, "text/plain; charset=utf-8", b"", {"Allow": ALLOWED_METHODS})
        try:
            params = urllib.parse.parse_qs(request.scope["query_string"].decode("ascii"),
                                           keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError):
            return error_reply(400, "the query string is not UTF-8")
        if method == "POST":
            body = await read_body(request)
            if isinstance(body, Reply):
                return body
            problem = merge_body(request.headers.get("content-type"), body, params)
            if problem is not None:
                return problem
        if "update" in params:
            return refuse_update()
        if "query" not in params:
            if method == "POST":
                return error_reply(400, "no 'query' parameter")
            return self.service_description(request.headers.get("accept"))
        return await self.query(params, request, receive)

    async def query(self, params: dict[str, list[str]], request, receive) -> Reply | None:
        from . import guard
        from .store import PREFIXES, is_update

        texts = params["query"]
        if len(texts) != 1:
            return error_reply(400, "exactly one 'query' parameter is needed")
        text = texts[0]
        if is_update(text):
            return refuse_update()
        try:
            scan = guard.check(text, self.settings.allowed_services, PREFIXES, base=self.endpoint_url)
        except ServiceRefused as err:
            return error_reply(403, str(err))
        except QueryTooComplex as err:
            return error_reply(400, str(err))
        graphs = {key: params.get(key, []) for key in ("default-graph-uri", "named-graph-uri")}
        for key, values in graphs.items():
            for value in values:
                if not is_iri(value):
                    return error_reply(400, f"bad {key} {value!r}: not an absolute IRI")
        payload = {"text": text, "accept": request.headers.get("accept"),
                   "default_graphs": graphs["default-graph-uri"], "named_graphs": graphs["named-graph-uri"],
                   "query_dataset": scan.has_dataset, "base": self.endpoint_url,
                   "max_results": self.settings.max_results, "max_bytes": self.settings.max_bytes}
        client = (request.scope.get("client") or ("unknown",))[0]
        return await self.run(client, payload, receive)

    async def run(self, client: str, payload: dict, receive) -> Reply | None:
        """Run the query on a worker; give up (and free the worker) if the client disconnects first."""
        limit = self.settings.timeout
        job = asyncio.ensure_future(self.pool.run(client, payload, limit))
        gone = asyncio.ensure_future(disconnected(receive))
        await asyncio.wait({job, gone}, return_when=asyncio.FIRST_COMPLETED)
        gone.cancel()
        if not job.done():
            job.cancel()
            await asyncio.gather(job, return_exceptions=True)
            return None
        try:
            return job.result()
        except QueryTimeout:
            return error_reply(503, f"query stopped: it ran past the time limit of {limit:g} s "
                                    f"(actorgraph serve --timeout)")
        except Busy:
            return error_reply(503, f"server busy: no worker was free within {limit:g} s; try again",
                               {"Retry-After": "5"})
        except Preempted as stopped:
            return error_reply(503, f"query stopped after {stopped.seconds:.1f} s to give other clients their "
                                    f"share: every worker was busy with a long query; try again later",
                               {"Retry-After": "10"})
        except WorkerCrashed:
            from .limits import human

            return error_reply(500, f"query stopped: its worker process died (over the memory limit of "
                                    f"{human(self.pool.memory or 0)} per worker, actorgraph serve --max-memory, "
                                    f"or a crash); it has been replaced")

    def service_description(self, accept: str | None) -> Reply:
        import pyoxigraph as ox

        sd = "http://www.w3.org/ns/sparql-service-description#"
        rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")

        def node(name: str) -> ox.NamedNode:
            return ox.NamedNode(sd + name)

        from .limits import human

        limits = self.settings
        triples = [
            ox.Triple(service, rdf_type, node("Service")),
            ox.Triple(service, node("endpoint"), ox.NamedNode(self.endpoint_url)),
            ox.Triple(service, node("supportedLanguage"), node("SPARQL11Query")),
            ox.Triple(service, node("feature"), node("UnionDefaultGraph")),
            ox.Triple(service, node("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
            ox.Triple(service, node("defaultDataset"), dataset),
            ox.Triple(dataset, rdf_type, node("Dataset")),
            ox.Triple(dataset, node("defaultGraph"), default),
            ox.Triple(default, rdf_type, node("Graph")),
            ox.Triple(service, ox.NamedNode("http://purl.org/dc/terms/description"), ox.Literal(
                f"actorgraph: political actors and the evidence for each relationship. Read-only. Time limit "
                f"{limits.timeout:g} s; at most {limits.max_results} rows or triples and {human(limits.max_bytes)} "
                f"per answer; the default graph is the union of the named graphs unless the request or the "
                f"query names a dataset; SERVICE only to the endpoints allowed "
                f"({', '.join(limits.allowed_services) or 'none'}).")),
        ]
        for iri in dict.fromkeys(FORMAT_IRIS.values()):
            triples.append(ox.Triple(service, node("resultFormat"), ox.NamedNode(iri)))
        for i, graph in enumerate(self.graphs):
            named = ox.BlankNode(f"graph{i}")
            triples += [ox.Triple(dataset, node("namedGraph"), named),
                        ox.Triple(named, rdf_type, node("NamedGraph")),
                        ox.Triple(named, node("name"), ox.NamedNode(graph))]
        media, fmt = negotiate(accept, GRAPH_TYPES) or GRAPH_TYPES[0]
        body = ox.serialize(triples, format=getattr(ox.RdfFormat, fmt), prefixes={"sd": sd})
        return Reply(200, content_type(media), body)

    def static(self, path: str) -> Reply:
        name = "index.html" if path in ("/", "/index.html") else path[len("/static/"):]
        files = {p.name: p for p in STATIC_DIR.iterdir() if p.is_file()}
        if name not in files:
            return error_reply(404, f"no such page {path}")
        body = files[name].read_bytes()
        types = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
        media = types.get(files[name].suffix, "application/octet-stream")
        headers = {"Cache-Control": "no-cache"}
        if name == "index.html":
            body = body.replace(b"<!--EXAMPLES-->", self.examples.encode())
            # Everything the page needs comes from this server: no CDN, works offline.
            headers["Content-Security-Policy"] = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                                                  "connect-src 'self'; img-src 'self' data:; "
                                                  "base-uri 'none'; form-action 'none'")
        return Reply(200, content_type(media), body, headers)


class HostCheck:
    """Refuse requests whose Host header names no allowed host: a web page on a rebound DNS name
    (evil.example resolving to 127.0.0.1) then cannot talk to the endpoint through the browser."""

    def __init__(self, app, allowed: set[str]):
        self.app, self.allowed = app, allowed

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            raw = dict(scope["headers"]).get(b"host")
            if raw is not None:
                host = raw.decode("latin-1")
                try:
                    name = (urllib.parse.urlsplit(f"//{host}").hostname or "").lower()
                except ValueError:
                    name = ""
                if name not in self.allowed:
                    shown = urllib.parse.quote(host, safe=":[]")
                    reply = error_reply(400, f"host {shown!r} is not allowed: this server answers to "
                                             f"{', '.join(sorted(self.allowed))} (actorgraph serve --allow-host)")
                    await Endpoint.send(reply, scope, receive, send)
                    return
        await self.app(scope, receive, send)


def refuse_update() -> Reply:
    return error_reply(403, "updates are refused: this SPARQL endpoint is read-only; the Turtle files are the "
                            "only source of truth (edit them, then restart actorgraph serve)")


def is_iri(value: str) -> bool:
    import pyoxigraph as ox

    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


async def read_body(request) -> bytes | Reply:
    """The request body, at most MAX_BODY bytes (413 past that, whatever Content-Length claimed)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        return error_reply(413, f"request body larger than {MAX_BODY} bytes", {"Connection": "close"})
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return error_reply(413, f"request body larger than {MAX_BODY} bytes", {"Connection": "close"})
        chunks.append(chunk)
    return b"".join(chunks)


def merge_body(content_type_header: str | None, body: bytes, params: dict[str, list[str]]) -> Reply | None:
    """Add a POST body's parameters to ``params`` (form, or a query or update as the body); a Reply
    with the error when the body cannot be taken."""
    from email.message import Message

    header = Message()
    header["content-type"] = content_type_header or ""
    kind = header.get_content_type().lower() if content_type_header else ""
    charset = (header.get_param("charset") or "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        return error_reply(415, f"unsupported charset {charset!r}: send the query as UTF-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return error_reply(400, "the request body is not UTF-8")
    if kind == "application/x-www-form-urlencoded":
        try:
            form = urllib.parse.parse_qs(text, keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError):
            return error_reply(400, "the form is not UTF-8")
        for key, values in form.items():
            params.setdefault(key, []).extend(values)
        if "query" in params and "update" in params:
            return error_reply(400, "send either 'query' or 'update', not both")
        return None
    if kind == "application/sparql-query":
        params["query"] = [*params.get("query", []), text]
        return None
    if kind == "application/sparql-update":
        params["update"] = [text]
        return None
    return error_reply(415, f"unsupported Content-Type {kind or '(none)'!r}: send application/sparql-query, "
                            f"application/sparql-update or a form")


async def disconnected(receive) -> None:
    """Return when the client closes its connection (the request body has been read by then)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


def examples_json() -> str:
    """The named queries as a JSON data block for the page, safe inside a <script> element."""
    from .queries import list_queries

    examples = [{"name": q.name, "title": q.title, "description": q.description, "text": q.text,
                 "params": [p.name for p in q.params if p.required]} for q in list_queries()]
    text = json.dumps(examples, ensure_ascii=False)
    # "<" as \u003c keeps "</script>" and "<!--" in a query from ending the data block.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# -- connections: what uvicorn's h11 protocol lacks ---------------------------------------------------------


def protocol_class() -> type:
    """uvicorn's h11 protocol with three additions, kept to asyncio's and h11's public interfaces:

    - a request deadline: from the moment a connection is ready for a request (opened, or its last
      answer sent), the whole request must arrive within REQUEST_DEADLINE, else the connection is
      closed. uvicorn only times out idle keep-alive connections, and any byte resets its timer.
    - at most CONNECTIONS_PER_CLIENT connections from one address and MAX_CONNECTIONS in all; a
      connection past either is closed at once, before it costs anything.
    - a write deadline: a client that stops reading its answer for WRITE_DEADLINE is dropped.
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    per_address: dict[str, int] = {}
    receiving = (h11.IDLE, h11.SEND_BODY)  # the client's states before its request is complete

    class Protocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None
        _stalled: asyncio.TimerHandle | None = None
        _address = ""

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._address = self.client[0] if self.client else ""
            per_address[self._address] = per_address.get(self._address, 0) + 1
            if per_address[self._address] > CONNECTIONS_PER_CLIENT or len(self.connections) > MAX_CONNECTIONS:
                transport.close()
                return
            self._arm()

        def connection_lost(self, exc) -> None:
            count = per_address.get(self._address, 1) - 1
            if count > 0:
                per_address[self._address] = count
            else:
                per_address.pop(self._address, None)
            for timer in (self._deadline, self._stalled):
                if timer is not None:
                    timer.cancel()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state not in receiving and self._deadline is not None:
                self._deadline.cancel()  # the whole request is in
                self._deadline = None

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.conn.their_state in receiving:
                self._arm()

        def pause_writing(self) -> None:
            super().pause_writing()
            if self._stalled is None:
                self._stalled = self.loop.call_later(WRITE_DEADLINE, self.transport.abort)

        def resume_writing(self) -> None:
            super().resume_writing()
            if self._stalled is not None:
                self._stalled.cancel()
                self._stalled = None

        def _arm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            self._deadline = self.loop.call_later(REQUEST_DEADLINE, self._expire)

        def _expire(self) -> None:
            self._deadline = None
            if self.conn.their_state in receiving and not self.transport.is_closing():
                self.transport.close()

    return Protocol


# -- starting and stopping ------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port), or a one-line error."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as err:
        raise ActorgraphError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as err:
        sock.close()
        raise ActorgraphError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    return sock


def check_settings(settings: Settings) -> None:
    """Every limit finite and positive, every name well-formed: a one-line UsageError otherwise."""
    from .guard import check_allowed_service
    from .limits import seconds

    seconds(settings.timeout, "--timeout")
    if settings.max_results < 1:
        raise UsageError("--max-results must be at least 1")
    if settings.max_bytes < 1 or (settings.max_memory is not None and settings.max_memory < 1):
        raise UsageError("--max-bytes and --max-memory must be sizes above 0")
    if settings.store not in ("auto", "memory", "disk"):
        raise UsageError(f"--store must be auto, memory or disk, not {settings.store!r}")
    for url in settings.allowed_services:
        check_allowed_service(url)
    for origin in settings.cors_origins:
        parts = urllib.parse.urlsplit(origin)
        if origin != "*" and (parts.scheme not in ("http", "https") or not parts.netloc or parts.path):
            raise UsageError(f"--cors needs an origin such as https://example.org (or *), not {origin!r}")


class Server:
    """A running endpoint: ``with Server(settings) as s: s.serve_forever()``; ``s.url`` is its address."""

    def __init__(self, settings: Settings, graph_dir: DataSource | Path | None = None,
                 ontology_dir: Path | None = None):
        from .compiled import compile_store
        from .limits import physical_memory
        from .store import data_source

        check_settings(settings)
        data = data_source(graph_dir, ontology_dir)
        self.settings = settings
        self.in_memory = settings.store == "memory" or (
            settings.store == "auto" and sum(f.stat().st_size for f in data.files) < MEMORY_LIMIT)
        # The compiled store is built atomically (temporary directory, then rename) and never changes
        # once built: like the in-memory snapshot, a consistent copy that every worker opens.
        source: Path | list[tuple[str, bytes]] = data.snapshot() if self.in_memory else compile_store(data)
        size = settings.workers or os.cpu_count() or 1
        self.memory = settings.max_memory or max(1 << 30, physical_memory() // 2 // size)
        self.loop = asyncio.new_event_loop()
        self.pool: Pool | None = None
        self.sock: socket.socket | None = None
        self._uvicorn = None
        try:
            self.pool = Pool(source, size, self.memory, self.loop)
            self.sock = listen(settings.host, settings.port)
        except BaseException:
            self.close()
            raise
        host, port = self.sock.getsockname()[:2]
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
        self.endpoint = Endpoint(settings, self.pool, data.named_graphs(), self.url)

    def serve_forever(self) -> None:
        """Serve until SIGINT or SIGTERM (re-raised afterwards, as KeyboardInterrupt for SIGINT)."""
        import uvicorn

        config = uvicorn.Config(
            self.endpoint.asgi(), http=protocol_class(), ws="none", lifespan="off", log_config=None,
            log_level="error" if self.settings.quiet else "warning", access_log=False, server_header=False,
            timeout_keep_alive=KEEP_ALIVE, backlog=BACKLOG, timeout_graceful_shutdown=2,
            h11_max_incomplete_event_size=64 * 1024)  # a GET's whole head, the query in its URL included
        self._uvicorn = uvicorn.Server(config)
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._uvicorn.serve(sockets=[self.sock]))

    def shutdown(self) -> None:
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
        if self.sock is not None:
            self.sock.close()
        if not self.loop.is_closed():
            self.loop.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
