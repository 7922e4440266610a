"""``actorgraph serve``: a real server on a free loopback port, queried by real clients (SPARQLWrapper,
rdflib's SPARQLStore, urllib for every content type), compared with the local store's answers."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest

from actorgraph.server import examples_json, negotiate, parse_accept
from conftest import ONTOLOGY, WORLD
from servers import actorgraph_serve

pytestmark = pytest.mark.server

PEOPLE = "SELECT ?person ?name WHERE { ?person a ag:Person ; rdfs:label ?name } ORDER BY ?name"
GRAPH_QUERY = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s a ag:Statement ; ?p ?o . FILTER(!isBlank(?o)) }")
# A cross product of every triple with itself, three times: it cannot finish in a second.
EXPENSIVE = "SELECT ?a WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f } ORDER BY ?a ?d ?f LIMIT 1"
MAX_RESULTS = 150
CORS_ORIGIN = "http://client.example"


@pytest.fixture(scope="module")
def served():
    """The fixture world served with a 1 s time limit, a 150-result limit, and one origin allowed by CORS."""
    with actorgraph_serve(WORLD, ONTOLOGY, "--timeout", "1", "--max-results", str(MAX_RESULTS),
                          "--cors", CORS_ORIGIN) as (base, proc):
        yield base, proc


@pytest.fixture(scope="module")
def endpoint(served) -> str:
    return served[0] + "sparql"


def request(url: str, *, query: str | None = None, update: str | None = None, accept: str | None = None,
            method: str = "POST", body: bytes | None = None, content_type: str | None = None,
            extra: dict[str, str] | None = None):
    """(status, headers, body bytes) of one raw HTTP exchange; HTTP errors are answers too."""
    params = {k: v for k, v in (("query", query), ("update", update)) if v is not None}
    headers = dict(extra or {})
    if accept:
        headers["Accept"] = accept
    if method == "GET":
        url = f"{url}?{urllib.parse.urlencode(params)}" if params else url
        data = None
    elif body is not None:
        data = body
        headers["Content-Type"] = content_type or "application/sparql-query"
    else:
        data = urllib.parse.urlencode(params).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def local_rows(world, query: str) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in world.select(query).rows]


def solutions_rows(result) -> list[dict[str, str]]:
    variables = [v.value for v in result.variables]
    return [{v: str(sol[v]) for v in variables if sol[v] is not None} for sol in result]


def isomorphic(a_triples, b_triples) -> bool:
    import rdflib
    from rdflib.compare import isomorphic as iso

    def graph(triples):
        g = rdflib.Graph()
        g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
        return g

    return iso(graph(a_triples), graph(b_triples))


# -- real clients ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_matches_local(endpoint, world, method):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    from actorgraph.store import prologue

    client = SPARQLWrapper(endpoint)
    client.setQuery(prologue() + PEOPLE)
    client.setReturnFormat(JSON)
    if method == "POST":
        client.setMethod(POST)
    doc = client.query().convert()
    rows = [{k: f"<{v['value']}>" if v["type"] == "uri" else json.dumps(v["value"]) for k, v in b.items()}
            for b in doc["results"]["bindings"]]
    assert rows == local_rows(world, PEOPLE)
    assert len(rows) == 3


def test_sparqlwrapper_construct_matches_local(endpoint, world):
    from SPARQLWrapper import TURTLE, SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    client.setQuery(GRAPH_QUERY)  # no prologue: the server predeclares ag:
    client.setReturnFormat(TURTLE)
    body = client.query().convert()
    remote = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
    assert remote and isomorphic(remote, world.store.construct(GRAPH_QUERY))


def test_rdflib_sparqlstore_matches_local(endpoint, world):
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(query_endpoint=endpoint, returnFormat="json")
    graph = rdflib.Graph(store=store)
    result = graph.query("PREFIX ag: <https://w3id.org/actorgraph/ont#> "
                         "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + PEOPLE)
    rows = [{"person": f"<{r.person}>", "name": json.dumps(str(r.name))} for r in result]
    assert rows == local_rows(world, PEOPLE)
    assert graph.query("ASK { ?s a <https://w3id.org/actorgraph/ont#Statement> }").askAnswer is True


# -- content negotiation, every type, raw HTTP ----------------------------------------------------------


RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("media", list(RESULT_FORMATS))
def test_select_in_every_result_format(endpoint, world, media, method):
    status, headers, body = request(endpoint, query=PEOPLE, accept=media, method=method)
    assert status == 200, body
    assert headers.get_content_type() == media
    if media == "text/csv":  # CSV carries no term types: compare the plain values
        import csv
        import io

        from actorgraph.store import to_python

        table = list(csv.reader(io.StringIO(body.decode())))
        assert table[0] == ["person", "name"]
        assert table[1:] == [[str(to_python(r["person"])), str(to_python(r["name"]))]
                             for r in world.select(PEOPLE).rows]
    else:
        rows = solutions_rows(ox.parse_query_results(body, format=RESULT_FORMATS[media]))
        assert rows == local_rows(world, PEOPLE)


@pytest.mark.parametrize("media", list(RESULT_FORMATS))
def test_ask_in_every_result_format(endpoint, media):
    for text, expected in (("ASK { agid:ana-torres ag:offered ?o }", True),
                           ("ASK { agid:ana-torres ag:agreedTo ?o }", False)):
        status, headers, body = request(endpoint, query=text, accept=media)
        assert status == 200 and headers.get_content_type() == media
        if media in ("text/csv", "text/tab-separated-values"):
            assert body.decode().strip().lower().endswith(str(expected).lower())
        else:
            assert bool(ox.parse_query_results(body, format=RESULT_FORMATS[media])) is expected


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("media", list(GRAPH_FORMATS))
def test_construct_in_every_graph_format(endpoint, world, media, method):
    status, headers, body = request(endpoint, query=GRAPH_QUERY, accept=media, method=method)
    assert status == 200, body
    assert headers.get_content_type() == media
    remote = [q.triple for q in ox.parse(body, format=GRAPH_FORMATS[media])]
    assert len(remote) > 20
    assert isomorphic(remote, world.store.construct(GRAPH_QUERY))


@pytest.mark.parametrize("media", list(GRAPH_FORMATS))
def test_describe_in_every_graph_format(endpoint, world, media):
    status, headers, body = request(endpoint, query="DESCRIBE agid:ana-torres", accept=media)
    assert status == 200 and headers.get_content_type() == media
    remote = [q.triple for q in ox.parse(body, format=GRAPH_FORMATS[media])]
    assert isomorphic(remote, world.store.construct("DESCRIBE agid:ana-torres"))


def test_query_as_sparql_query_body(endpoint, world):
    status, _, body = request(endpoint, body=PEOPLE.encode(), accept="application/sparql-results+json")
    assert status == 200
    assert solutions_rows(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)) == \
        local_rows(world, PEOPLE)


def test_named_graphs_and_union_default_graph(endpoint):
    doc = "https://w3id.org/actorgraph/id/doc-world-report"
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ag:quote ?q }"
    counted = request(endpoint, query=text, accept="text/csv")[2].decode().split()
    in_graph = request(endpoint, query=f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{doc}> {{ ?s ag:quote ?q }} }}",
                       accept="text/csv")[2].decode().split()
    assert counted == in_graph and int(counted[1]) == 9
    # default-graph-uri narrows the default graph to one named graph.
    url = endpoint + "?" + urllib.parse.urlencode({"default-graph-uri": "https://w3id.org/actorgraph/graph/actors"})
    only_actors = request(url, query=text, accept="text/csv")[2].decode().split()
    assert only_actors == ["n", "0"]


def test_unacceptable_type_is_406(endpoint):
    status, _, body = request(endpoint, query=PEOPLE, accept="image/png")
    assert status == 406 and b"application/sparql-results+json" in body
    status, _, body = request(endpoint, query=GRAPH_QUERY, accept="application/sparql-results+json")
    assert status == 406 and b"text/turtle" in body


def test_bad_sparql_is_400_with_the_parser_message(endpoint):
    status, headers, body = request(endpoint, query="SELECT * WHERE { ?s ?p }")
    assert status == 400
    assert body.decode().startswith("bad SPARQL: ") and body.count(b"\n") == 1


def test_unknown_path_is_404(served):
    assert request(served[0] + "nothing", method="GET")[0] == 404


# -- read-only, limits, CORS, service description, loopback ---------------------------------------------


def test_updates_are_refused(endpoint, world):
    insert = "INSERT DATA { agid:ana-torres ag:agreedTo agid:offer-house-prisoners }"
    answers = [
        request(endpoint, update=insert),
        request(endpoint, body=insert.encode(), content_type="application/sparql-update"),
        request(endpoint, update=insert, method="GET"),
        request(endpoint, query=insert),
        request(endpoint, update="DROP ALL"),
    ]
    for status, _, body in answers:
        assert status == 403
        assert body.startswith(b"updates are refused: this SPARQL endpoint is read-only") and body.count(b"\n") == 1
    ask = "ASK { agid:ana-torres ag:agreedTo ?o }"
    assert request(endpoint, query=ask, accept="application/sparql-results+json")[2] == b'{"head":{},"boolean":false}'
    assert request(endpoint, query="ASK { ?s ?p ?o }", accept="application/sparql-results+json")[2].endswith(
        b"true}")


def test_a_query_past_the_time_limit_is_stopped(endpoint, world):
    started = time.monotonic()
    status, _, body = request(endpoint, query=EXPENSIVE)
    elapsed = time.monotonic() - started
    assert status == 503
    assert body.decode() == "query stopped: it ran past the time limit of 1 s (actorgraph serve --timeout)\n"
    assert elapsed < 10
    # The worker that ran it was replaced: the endpoint still answers, and correctly.
    status, _, body = request(endpoint, query=PEOPLE, accept="application/sparql-results+json")
    assert status == 200
    assert solutions_rows(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)) == \
        local_rows(world, PEOPLE)


def test_the_result_size_limit_refuses_clearly(endpoint):
    status, _, body = request(endpoint, query="SELECT * WHERE { ?s ?p ?o }")
    assert status == 422
    assert body.decode().startswith(f"result refused: more than {MAX_RESULTS} rows")
    status, _, body = request(endpoint, query="CONSTRUCT WHERE { ?s ?p ?o }", accept="text/turtle")
    assert status == 422 and f"more than {MAX_RESULTS} triples".encode() in body
    status, _, body = request(endpoint, query=f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_RESULTS}",
                              accept="text/tab-separated-values")
    assert status == 200 and len(body.decode().strip().splitlines()) == MAX_RESULTS + 1


def test_cors_for_the_allowed_origin_only(endpoint):
    _, headers, _ = request(endpoint, query=PEOPLE, extra={"Origin": CORS_ORIGIN})
    assert headers["Access-Control-Allow-Origin"] == CORS_ORIGIN
    # Preflight: the headers a client sends (here three that YASGUI and fetch() send) are allowed.
    sent = "content-type, accept, x-requested-with"
    status, headers, _ = request(endpoint, method="OPTIONS", extra={
        "Origin": CORS_ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": sent})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == CORS_ORIGIN
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert {h.strip() for h in sent.split(",")} <= {
        h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    # Any other origin gets no permission to read.
    _, headers, _ = request(endpoint, query=PEOPLE, extra={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in headers
    status, headers, _ = request(endpoint, method="OPTIONS", extra={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert status == 400 and "Access-Control-Allow-Origin" not in headers


def test_service_description(endpoint):
    status, headers, body = request(endpoint, method="GET", accept="text/turtle")
    assert status == 200 and headers.get_content_type() == "text/turtle"
    store = ox.Store()
    store.load(body, format=ox.RdfFormat.TURTLE)
    prefixes = {"sd": "http://www.w3.org/ns/sparql-service-description#"}
    rows = list(store.query("SELECT ?e WHERE { ?s a sd:Service ; sd:endpoint ?e ; "
                            "sd:supportedLanguage sd:SPARQL11Query ; sd:feature sd:UnionDefaultGraph }",
                            prefixes=prefixes))
    assert [r["e"].value for r in rows] == [endpoint]
    assert not store.query("ASK { ?s sd:supportedLanguage sd:SPARQL11Update }", prefixes=prefixes)
    graphs = {r["g"].value for r in store.query(
        "SELECT ?g WHERE { ?s sd:defaultDataset/sd:namedGraph/sd:name ?g }", prefixes=prefixes)}
    assert "https://w3id.org/actorgraph/id/doc-world-report" in graphs
    assert "https://w3id.org/actorgraph/graph/ontology/actorgraph" in graphs
    formats = {r["f"].value.rsplit("/", 1)[1] for r in store.query(
        "SELECT ?f WHERE { ?s sd:resultFormat ?f }", prefixes=prefixes)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
            "Turtle", "N-Triples", "JSON-LD", "RDF_XML"} <= formats


def listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on ``port``, read from the kernel's own table."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_binds_loopback_by_default(served):
    base, process = served
    port = int(urllib.parse.urlsplit(base).port)
    assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, and nothing else


# -- the page --------------------------------------------------------------------------------------------


class Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.data_blocks: list[str] = []
        self._in_data = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href"):
            if attrs.get(key):
                self.urls.append(attrs[key])
        self._in_data = tag == "script" and attrs.get("type") == "application/json"

    def handle_data(self, data):
        if self._in_data:
            self.data_blocks.append(data)

    def handle_endtag(self, tag):
        self._in_data = False


def test_page_is_self_contained_with_examples(served):
    from actorgraph.queries import list_queries

    status, headers, body = request(served[0], method="GET")
    assert status == 200 and headers.get_content_type() == "text/html"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    page = Resources()
    page.feed(body.decode())
    assert page.urls and all(url.startswith("/static/") for url in page.urls), page.urls
    for url in page.urls:
        assert request(served[0] + url.lstrip("/"), method="GET")[0] == 200
    examples = json.loads(page.data_blocks[0])
    assert [e["name"] for e in examples] == [q.name for q in list_queries()]
    assert all(e["title"] and e["text"] for e in examples)


def test_examples_block_cannot_close_its_script(monkeypatch):
    import actorgraph.queries as queries_module
    from actorgraph.queries import NamedQuery

    hostile = NamedQuery("x", "</script><script>alert(1)</script>", "<!-- & -->", "SELECT * {}", None)
    monkeypatch.setattr(queries_module, "list_queries", lambda directory=None: [hostile])
    block = examples_json()
    assert "<" not in block and ">" not in block
    assert json.loads(block)[0]["title"] == "</script><script>alert(1)</script>"


@pytest.mark.browser
def test_page_runs_an_example_in_chromium(served, tmp_path):
    """Real Chromium: pick the first worked example, run it, see its rows; no request leaves the server."""
    from test_browser import CHROMIUM, CHROMIUM_ARGS
    sync_api = pytest.importorskip("playwright.sync_api")

    base = served[0]
    foreign: list[str] = []
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM,
                                                       headless=True, args=CHROMIUM_ARGS)
        try:
            page = context.new_page()
            page.on("request", lambda r: None if r.url.startswith(base) else foreign.append(r.url))
            page.goto(base)
            page.get_by_role("button", name="Actors").click()
            page.get_by_role("button", name="Run").click()
            page.wait_for_selector("#result table")
            names = page.locator("#result td").all_inner_texts()
            status = page.locator("#status").inner_text()
        finally:
            context.close()
    assert "Ana Torres" in names and "Carl Mott" in names
    assert "result(s)" in status
    assert foreign == []


def test_serve_refuses_a_busy_port(served):
    import subprocess

    from servers import actorgraph_cmd

    port = urllib.parse.urlsplit(served[0]).port
    done = subprocess.run([*actorgraph_cmd(), "--graph-dir", str(WORLD), "--ontology-dir", str(ONTOLOGY),
                           "serve", "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith(f"actorgraph: error: cannot listen on 127.0.0.1:{port}: ")
    assert done.stderr.count("\n") == 1


# -- negotiation, as a unit ---------------------------------------------------------------------------------


def test_accept_parsing_and_negotiation():
    from actorgraph.server import GRAPH_TYPES, RESULT_TYPES

    assert parse_accept(None) == [("*/*", 1.0, 0)]
    assert negotiate(None, RESULT_TYPES)[0] == "application/sparql-results+json"
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_TYPES)[0] == \
        "application/sparql-results+xml"
    assert negotiate("text/*", RESULT_TYPES)[0] == "text/csv"
    assert negotiate("application/sparql-results+json;q=0, */*;q=0.1", RESULT_TYPES)[0] == \
        "application/sparql-results+xml"
    assert negotiate("text/turtle, */*;q=0.1", GRAPH_TYPES)[0] == "text/turtle"
    assert negotiate("application/rdf+xml", GRAPH_TYPES)[0] == "application/rdf+xml"
    assert negotiate("image/png", GRAPH_TYPES) is None


def test_disk_store_workers_answer_the_same(world):
    """--store disk: workers share the compiled on-disk store instead of holding a copy each."""
    with actorgraph_serve(WORLD, ONTOLOGY, "--store", "disk", "--workers", "1") as (base, process):
        status, _, body = request(base + "sparql", query=PEOPLE, accept="application/sparql-results+json")
        assert status == 200
        assert solutions_rows(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)) == \
            local_rows(world, PEOPLE)
        status, _, body = request(base + "sparql", query=EXPENSIVE)
        assert status == 503  # the time limit holds on disk too (default 10 s)
    assert "read-only, on-disk store" in process.captured_stderr


def test_serve_reports_bad_turtle_as_file_and_line(world_copy):
    import subprocess

    from servers import actorgraph_cmd

    broken = world_copy / "world-report.ttl"
    broken.write_text(broken.read_text() + "\nagid:x ag:heads .\n")
    line = broken.read_text().count("\n")
    for store in ("memory", "disk"):
        done = subprocess.run([*actorgraph_cmd(), "--graph-dir", str(world_copy), "--ontology-dir", str(ONTOLOGY),
                               "serve", "--port", "0", "--store", store], capture_output=True, text=True, timeout=60)
        assert done.returncode == 1
        assert done.stderr.startswith(f"actorgraph: error: {broken}:{line}: "), done.stderr
        assert done.stderr.count("\n") == 1


def worker_pids(server_pid: int) -> list[int]:
    """The serve process's worker processes (multiprocessing spawn children), from /proc."""
    from pathlib import Path

    pids = []
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in cmdline:
                pids.append(int(child))
    return pids


def test_a_dead_worker_is_reported_and_replaced(world):
    import os
    import signal

    with actorgraph_serve(WORLD, ONTOLOGY, "--workers", "1") as (base, process):
        [pid] = worker_pids(process.pid)
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        status, _, body = request(base + "sparql", query=PEOPLE)
        assert status == 500
        assert body.startswith(b"query stopped: its worker process died (over the memory limit of ")
        assert body.endswith(b"per worker, actorgraph serve --max-memory, or a crash); it has been replaced\n")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status, _, body = request(base + "sparql", query=PEOPLE, accept="application/sparql-results+json")
            if status == 200:
                break
        assert solutions_rows(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)) == \
            local_rows(world, PEOPLE)
        assert len(worker_pids(process.pid)) == 1 and worker_pids(process.pid) != [pid]
