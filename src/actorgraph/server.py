"""The SPARQL 1.1 Protocol endpoint behind ``actorgraph serve``.

Design: a small stdlib HTTP front (``ThreadingHTTPServer``) and a pool of worker processes, each
holding the graph in an Oxigraph store: in memory, parsed from one snapshot of the Turtle files, or
read-only on disk (the compiled store ``LocalStore`` builds atomically) for big graphs; one named graph
per source document either way, the union as default graph. Oxigraph
evaluates every query; the front adds what ``oxigraph serve`` lacks or gets wrong for us:

- a hard time limit. ``oxigraph serve --timeout-s 1`` let an ``ORDER BY`` query run for 6 min 44 s, and
  a cancelled streaming query came back as ``200 OK`` with an error message glued into the body. Here
  the front waits on the worker; past the limit it kills that worker, starts a fresh one and answers
  ``503`` with a one-line reason. Other queries, in other workers, are untouched.
- a result-size limit: more than ``max_results`` rows (or triples) is refused with ``422`` and a
  message saying so, rather than silently cut: a partial answer must not pass for a whole one.
- updates refused (``403``) unless started with ``allow_updates``; then a single worker owns a private,
  writable copy of the store (in memory, or a copied directory), discarded on exit, so the Turtle files
  and the cache never change.
- the query page (``static/``), our prefixes (``ag:``, ``agid:``...) predeclared, a service description
  that names our endpoint, formats and named graphs, and CORS for browser clients.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import sys
import tempfile
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import paths
from .errors import ActorgraphError, UsageError

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_BODY = 1 << 20  # a query text larger than 1 MiB is refused before it is read
# Below this much Turtle each worker holds the graph in memory; above, workers share the on-disk store
# through the page cache (one copy of a million-statement graph rather than one per worker).
MEMORY_LIMIT = 64 * 1024 * 1024

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
    """How ``serve`` runs. Defaults are the safe ones: loopback, read-only, bounded."""

    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 10.0
    max_results: int = 10_000
    allow_updates: bool = False
    workers: int = 0  # 0: one per CPU core
    store: str = "auto"  # memory, disk, or auto: memory below MEMORY_LIMIT bytes of Turtle
    quiet: bool = False


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] | None = None


def error_reply(status: int, message: str) -> Reply:
    """A one-line plain-text error, the way every error leaves the server."""
    return Reply(status, "text/plain; charset=utf-8", (message.strip().replace("\n", " ") + "\n").encode())


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


# -- the work one query does, inside a worker process ----------------------------------------------------


def _term_json(term) -> dict[str, Any]:
    """One term in the SPARQL 1.1 JSON results shape."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                        "predicate": _term_json(term.predicate),
                                        "object": _term_json(term.object)}}


def answer_query(store, text: str, accept: str | None, default_graphs: list[str],
                 named_graphs: list[str], max_results: int) -> Reply:
    """Run one query on an open pyoxigraph store and serialise it in the negotiated format."""
    import itertools

    import pyoxigraph as ox

    from .store import PREFIXES

    options: dict[str, Any] = {"prefixes": PREFIXES}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        result = store.query(text, **options)
    except SyntaxError as err:
        return error_reply(400, f"bad SPARQL: {err}")
    except ValueError as err:
        return error_reply(400, f"bad request: {err}")

    graph_result = not isinstance(result, ox.QuerySolutions | ox.QueryBoolean)
    chosen = negotiate(accept, GRAPH_TYPES if graph_result else RESULT_TYPES)
    if chosen is None:
        offered = ", ".join(dict.fromkeys(m for m, _ in (GRAPH_TYPES if graph_result else RESULT_TYPES)))
        return error_reply(406, f"cannot answer in {accept!r}; this query's result is available as: {offered}")
    media, fmt = chosen
    try:
        if isinstance(result, ox.QueryBoolean):
            body = result.serialize(format=getattr(ox.QueryResultsFormat, fmt))
        elif isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = list(itertools.islice(result, max_results + 1))
            if len(rows) > max_results:
                return too_many(max_results, "rows")
            # Built as JSON once, then converted by Oxigraph's own writers for the other formats.
            doc = {"head": {"vars": variables},
                   "results": {"bindings": [{v: _term_json(row[v]) for v in variables if row[v] is not None}
                                            for row in rows]}}
            body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
            if fmt != "JSON":
                parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
                body = parsed.serialize(format=getattr(ox.QueryResultsFormat, fmt))
        else:
            triples = list(itertools.islice(result, max_results + 1))
            if len(triples) > max_results:
                return too_many(max_results, "triples")
            body = ox.serialize(triples, format=getattr(ox.RdfFormat, fmt), prefixes=PREFIXES)
    except OSError as err:
        return error_reply(500, f"query failed: {err}")
    return Reply(200, content_type(media), body)


def too_many(limit: int, what: str) -> Reply:
    return error_reply(422, f"result refused: more than {limit} {what} (the server's result-size limit, "
                            f"actorgraph serve --max-results); add LIMIT or narrow the query")


def answer_update(store, text: str) -> Reply:
    from .store import PREFIXES

    try:
        store.update(text, prefixes=PREFIXES)
    except SyntaxError as err:
        return error_reply(400, f"bad SPARQL update: {err}")
    except (OSError, ValueError) as err:
        return error_reply(500, f"update failed: {err}")
    return Reply(204, "text/plain; charset=utf-8", b"")


def worker_main(conn, source, writable: bool) -> None:
    """A worker process: open the store, then answer jobs from the pipe until it closes.

    ``source`` is the compiled on-disk store's path, or a snapshot of the Turtle files as
    (named graph, bytes) pairs to parse into memory: Oxigraph's in-memory store answered our named
    queries 6 to 9 times faster than its on-disk one, and parsing Turtle beat copying the on-disk
    store (see benchmarks/README.md). Every worker parses the same snapshot, read once by the front,
    so all of them hold the same graph even if a file changes while the server runs.
    """
    import pyoxigraph as ox

    try:
        if isinstance(source, list):
            store = ox.Store()
            for graph, data in source:
                store.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
        else:
            store = ox.Store(source) if writable else ox.Store.read_only(source)
    except (OSError, SyntaxError) as err:
        conn.send(("failed", str(err)))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the front has gone: nothing left to serve
        kind, payload = job
        try:
            if kind == "query":
                reply = answer_query(store, **payload)
            else:
                reply = answer_update(store, payload["text"])
        except Exception as err:  # noqa: BLE001 - a worker must answer, never die silently
            reply = error_reply(500, f"internal error: {type(err).__name__}: {err}")
        conn.send(reply)


# -- the pool of workers ---------------------------------------------------------------------------------


class QueryTimeout(Exception):
    pass


class Busy(Exception):
    pass


class WorkerCrashed(Exception):
    pass


class Worker:
    def __init__(self, context, source, writable: bool):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child, source, writable), daemon=True)
        self.process.start()
        child.close()
        status, detail = self.conn.recv()
        if status != "ready":
            self.process.join()
            raise ActorgraphError(f"cannot open the store: {detail}")

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class Pool:
    """Worker processes behind a queue. A job that runs past its time limit costs its worker's life."""

    def __init__(self, source: Path | list[tuple[str, bytes]], size: int, writable: bool):
        import multiprocessing

        self._context = multiprocessing.get_context("spawn")
        self._source = str(source) if isinstance(source, Path) else source
        self._writable = writable
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        worker = Worker(self._context, self._source, self._writable)
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def run(self, kind: str, payload: dict, timeout: float) -> Reply:
        """Answer one job. Waiting for a free worker and running the job are each bounded by
        ``timeout``; only the run counts toward the time limit, so a queue never kills a worker."""
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise Busy from None
        crashed = False
        try:
            worker.conn.send((kind, payload))
            if worker.conn.poll(timeout):
                reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError):
            crashed = True
        # Too slow, or the worker died: kill it, and let a fresh one take its place off this thread.
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        threading.Thread(target=self._add, daemon=True).start()
        if crashed:
            raise WorkerCrashed
        raise QueryTimeout

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


# -- HTTP -------------------------------------------------------------------------------------------------


class Endpoint(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, settings: Settings, pool: Pool, graphs: list[str]):
        self.settings = settings
        self.pool = pool
        self.graphs = graphs
        super().__init__((settings.host, settings.port), Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"


class Handler(BaseHTTPRequestHandler):
    server: Endpoint
    protocol_version = "HTTP/1.1"
    server_version = "actorgraph"
    sys_version = ""

    def version_string(self) -> str:
        return "actorgraph"

    # -- plumbing

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
        if not self.server.settings.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def send(self, reply: Reply, head_only: bool = False) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Content-Type, Content-Length")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Vary", "Accept")
        for key, value in (reply.headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(reply.body)

    def route(self) -> tuple[str, dict[str, list[str]]]:
        parts = urllib.parse.urlsplit(self.path)
        return parts.path, urllib.parse.parse_qs(parts.query, keep_blank_values=True)

    def is_endpoint(self, path: str) -> bool:
        return path in ("/sparql", "/query", "/sparql/", "/update")

    # -- verbs

    def do_OPTIONS(self) -> None:  # noqa: N802 - the stdlib's naming
        self.send(Reply(204, "text/plain; charset=utf-8", b"", {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Accept, Content-Type",
            "Access-Control-Max-Age": "600",
            "Allow": "GET, POST, OPTIONS",
        }))

    def do_HEAD(self) -> None:  # noqa: N802
        path, params = self.route()
        if self.is_endpoint(path) and not params:
            self.send(self.service_description(), head_only=True)
        elif path in ("/", "/index.html") or path.startswith("/static/"):
            self.send(self.static(path), head_only=True)
        else:
            self.send(error_reply(404, f"no such page {path}"), head_only=True)

    def do_GET(self) -> None:  # noqa: N802
        path, params = self.route()
        if path in ("/", "/index.html") or path.startswith("/static/"):
            self.send(self.static(path))
        elif self.is_endpoint(path):
            if "update" in params:
                self.send(self.refuse_update() if not self.server.settings.allow_updates else
                          error_reply(405, "an update must be sent with POST"))
            elif "query" in params:
                self.send(self.query(params))
            else:
                self.send(self.service_description())
        else:
            self.send(error_reply(404, f"no such page {path}; the SPARQL endpoint is /sparql"))

    def do_POST(self) -> None:  # noqa: N802
        path, params = self.route()
        if not self.is_endpoint(path):
            self.send(error_reply(404, f"no such page {path}; the SPARQL endpoint is /sparql"))
            return
        length = self.headers.get("Content-Length")
        if length is None:
            self.send(error_reply(411, "a POST needs a Content-Length"))
            return
        try:
            size = int(length)
        except ValueError:
            self.send(error_reply(400, "bad Content-Length"))
            return
        if size > MAX_BODY:
            self.close_connection = True
            self.send(error_reply(413, f"request body larger than {MAX_BODY} bytes"))
            return
        body = self.rfile.read(size)
        kind = (self.headers.get_content_type() or "").lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self.send(error_reply(400, "the request body is not UTF-8"))
            return
        if kind == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(text, keep_blank_values=True)
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
            if "update" in params:
                self.send(self.update(params["update"]))
            elif "query" in params:
                self.send(self.query(params))
            else:
                self.send(error_reply(400, "no 'query' or 'update' parameter"))
        elif kind == "application/sparql-query":
            params["query"] = [*params.get("query", []), text]
            self.send(self.query(params))
        elif kind == "application/sparql-update":
            self.send(self.update([text]))
        else:
            self.send(error_reply(415, f"unsupported Content-Type {kind!r}: send application/sparql-query, "
                                       f"application/sparql-update or a form"))

    # -- answers

    def refuse_update(self) -> Reply:
        return error_reply(403, "updates are refused: this SPARQL endpoint is read-only "
                                "(start actorgraph serve with --allow-updates to accept them)")

    def query(self, params: dict[str, list[str]]) -> Reply:
        from .store import is_update

        texts = params.get("query", [])
        if len(texts) != 1:
            return error_reply(400, "exactly one 'query' parameter is needed")
        text = texts[0]
        if is_update(text):
            return self.refuse_update() if not self.server.settings.allow_updates else \
                error_reply(400, "an update must be sent as 'update', not 'query'")
        payload = {"text": text, "accept": self.headers.get("Accept"),
                   "default_graphs": params.get("default-graph-uri", []),
                   "named_graphs": params.get("named-graph-uri", []),
                   "max_results": self.server.settings.max_results}
        return self.dispatch("query", payload)

    def update(self, texts: list[str]) -> Reply:
        if not self.server.settings.allow_updates:
            return self.refuse_update()
        if len(texts) != 1:
            return error_reply(400, "exactly one 'update' parameter is needed")
        return self.dispatch("update", {"text": texts[0]})

    def dispatch(self, kind: str, payload: dict) -> Reply:
        limit = self.server.settings.timeout
        try:
            return self.server.pool.run(kind, payload, limit)
        except QueryTimeout:
            return error_reply(503, f"query stopped: it ran past the time limit of {limit:g} s "
                                    f"(actorgraph serve --timeout)")
        except Busy:
            return error_reply(503, f"server busy: no worker was free within {limit:g} s; try again")
        except WorkerCrashed:
            return error_reply(500, "the query's worker process died (out of memory?); it has been replaced")

    def service_description(self) -> Reply:
        import pyoxigraph as ox

        sd = "http://www.w3.org/ns/sparql-service-description#"
        rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        service = ox.BlankNode("service")
        dataset = ox.BlankNode("dataset")
        default = ox.BlankNode("default")
        endpoint = ox.NamedNode(urllib.parse.urljoin(self.server.base_url, "sparql"))

        def node(name: str) -> ox.NamedNode:
            return ox.NamedNode(sd + name)

        triples = [
            ox.Triple(service, rdf_type, node("Service")),
            ox.Triple(service, node("endpoint"), endpoint),
            ox.Triple(service, node("supportedLanguage"), node("SPARQL11Query")),
            ox.Triple(service, node("feature"), node("UnionDefaultGraph")),
            ox.Triple(service, node("defaultEntailmentRegime"),
                      ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
            ox.Triple(service, node("defaultDataset"), dataset),
            ox.Triple(dataset, rdf_type, node("Dataset")),
            ox.Triple(dataset, node("defaultGraph"), default),
            ox.Triple(default, rdf_type, node("Graph")),
            ox.Triple(service, ox.NamedNode("http://purl.org/dc/terms/description"), ox.Literal(
                f"actorgraph: political actors and the evidence for each relationship. Read-only: "
                f"{'no' if self.server.settings.allow_updates else 'yes'}; time limit "
                f"{self.server.settings.timeout:g} s; at most {self.server.settings.max_results} rows or "
                f"triples per result; the default graph is the union of the named graphs.")),
        ]
        if self.server.settings.allow_updates:
            triples.append(ox.Triple(service, node("supportedLanguage"), node("SPARQL11Update")))
        for iri in dict.fromkeys(FORMAT_IRIS.values()):
            triples.append(ox.Triple(service, node("resultFormat"), ox.NamedNode(iri)))
        for i, graph in enumerate(self.server.graphs):
            named = ox.BlankNode(f"graph{i}")
            triples += [ox.Triple(dataset, node("namedGraph"), named),
                        ox.Triple(named, rdf_type, node("NamedGraph")),
                        ox.Triple(named, node("name"), ox.NamedNode(graph))]
        media, fmt = negotiate(self.headers.get("Accept"), GRAPH_TYPES) or GRAPH_TYPES[0]
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
            body = body.replace(b"<!--EXAMPLES-->", examples_json().encode())
            # Everything the page needs comes from this server: no CDN, works offline.
            headers["Content-Security-Policy"] = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                                                  "connect-src 'self'; img-src 'self' data:; "
                                                  "base-uri 'none'; form-action 'none'")
        return Reply(200, content_type(media), body, headers)


def examples_json() -> str:
    """The named queries as a JSON data block for the page, safe inside a <script> element."""
    from .queries import list_queries

    examples = [{"name": q.name, "title": q.title, "description": q.description, "text": q.text,
                 "params": [p.name for p in q.params if p.required]} for q in list_queries()]
    text = json.dumps(examples, ensure_ascii=False)
    # "<" as \u003c keeps "</script>" and "<!--" in a query from ending the data block.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# -- starting and stopping ------------------------------------------------------------------------------


def snapshot(files: list[Path], ontology_dir: Path) -> list[tuple[str, bytes]]:
    """The Turtle files read once, as (named graph, bytes), each checked to parse (errors as file:line)."""
    import pyoxigraph as ox

    from .errors import DataFileError
    from .store import graph_name, parse_error

    taken = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise DataFileError(f"{path}: {err.strerror}") from None
        try:
            ox.Store().load(data, format=ox.RdfFormat.TURTLE, to_graph=graph_name(path, ontology_dir))
        except SyntaxError as err:
            raise parse_error(path, err) from None
        taken.append((graph_name(path, ontology_dir).value, data))
    return taken


def named_graphs(files: list[Path], ontology_dir: Path) -> list[str]:
    from .store import graph_name

    return sorted({graph_name(f, ontology_dir).value for f in files})


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Server:
    """A running endpoint: ``with Server(settings) as s: s.serve_forever()``; ``s.url`` is its address."""

    def __init__(self, settings: Settings, graph_dir: Path | None = None, ontology_dir: Path | None = None):
        from .store import compile_store, turtle_files

        if settings.timeout <= 0:
            raise UsageError("--timeout must be more than 0 seconds")
        if settings.max_results < 1:
            raise UsageError("--max-results must be at least 1")
        gdir, odir = paths.graph_dir(graph_dir), paths.ontology_dir(ontology_dir)
        self.settings = settings
        self._scratch: Path | None = None
        if settings.store not in ("auto", "memory", "disk"):
            raise UsageError(f"--store must be auto, memory or disk, not {settings.store!r}")
        files = turtle_files(gdir, odir)
        self.in_memory = settings.store == "memory" or (
            settings.store == "auto" and sum(f.stat().st_size for f in files) < MEMORY_LIMIT)
        source: Path | list[tuple[str, bytes]]
        if self.in_memory:
            source = snapshot(files, odir)
        else:
            # The compiled store is built atomically (temporary directory, then rename) and never
            # changes once built: it is a consistent snapshot that every worker opens.
            source = compile_store(gdir, odir)
            if settings.allow_updates:
                # Updates go to a private copy, so neither the files nor the shared cache ever change.
                self._scratch = Path(tempfile.mkdtemp(prefix="actorgraph-serve-"))
                shutil.copytree(source, self._scratch / "db")
                source = self._scratch / "db"
        size = 1 if settings.allow_updates else (settings.workers or os.cpu_count() or 1)
        graphs = named_graphs(files, odir)
        self.pool: Pool | None = None
        try:
            self.pool = Pool(source, size, writable=settings.allow_updates)
            try:
                self.httpd = Endpoint(settings, self.pool, graphs)
            except OSError as err:
                raise ActorgraphError(f"cannot listen on {settings.host}:{settings.port}: "
                                      f"{err.strerror or err}") from None
        except BaseException:
            self.close()
            raise

    @property
    def url(self) -> str:
        return self.httpd.base_url

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        self.httpd.shutdown()

    def close(self) -> None:
        if getattr(self, "httpd", None) is not None:
            self.httpd.server_close()
        if self.pool is not None:
            self.pool.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
