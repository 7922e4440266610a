"""``push`` into a real ``oxigraph serve`` over the Graph Store Protocol, then every named query through
``--endpoint`` (against that Oxigraph, and against ``actorgraph serve``) gives the answer the local
files give. Plus the remote store's one-line errors: unreachable, HTTP errors, timeouts."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import urllib.parse
import urllib.request

import pytest

from actorgraph.errors import EndpointError, QueryError
from actorgraph.queries import list_queries
from actorgraph.store import RemoteStore, graph_name, turtle_files
from conftest import ONTOLOGY, WORLD
from servers import actorgraph_cmd, actorgraph_serve, oxigraph_serve

pytestmark = pytest.mark.server

# Values for every parameter a named query can take, from the fixture world.
WORLD_VALUES = {"entity": "Ana Torres", "a": "Ana Torres", "b": "Freedonian government", "text": "offer",
                "person": "Carl Mott", "actor": "Bo Lind", "by": "Bo Lind", "type": "person"}


def run_cli(*args: str, endpoint: str | None = None, graph=WORLD) -> subprocess.CompletedProcess:
    prefix = ["--graph-dir", str(graph), "--ontology-dir", str(ONTOLOGY)]
    if endpoint:
        prefix += ["--endpoint", endpoint]
    return subprocess.run([*actorgraph_cmd(), *prefix, *args], capture_output=True, text=True, timeout=120)


def sparql_count(query_url: str, text: str) -> int:
    data = urllib.parse.urlencode({"query": text}).encode()
    req = urllib.request.Request(query_url, data=data, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        doc = json.load(response)
    return int(doc["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """A real, read-write Oxigraph server (union default graph), empty until pushed to."""
    with oxigraph_serve(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@pytest.fixture(scope="module")
def pushed(oxigraph):
    done = run_cli("push", "--store", oxigraph + "store", "--format", "json")
    assert done.returncode == 0, done.stderr
    return oxigraph, json.loads(done.stdout)


@pytest.fixture(scope="module")
def served():
    with actorgraph_serve(WORLD, ONTOLOGY) as (base, _):
        yield base


def local_world_counts() -> dict[str, int]:
    import pyoxigraph as ox

    from actorgraph.store import load_files

    counts = {}
    for path in turtle_files(WORLD, ONTOLOGY):
        store = ox.Store()
        load_files(store, [path], ONTOLOGY)
        counts[graph_name(path, ONTOLOGY).value] = len(store)
    return counts


def test_push_puts_one_named_graph_per_file(pushed):
    base, report = pushed
    expected = local_world_counts()
    assert {row["graph"]: row["triples"] for row in report["rows"]} == expected
    assert all(row["status"] in (200, 201, 204) for row in report["rows"])
    for graph, count in expected.items():
        assert sparql_count(base + "query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") \
            == count


def test_push_again_replaces_rather_than_duplicates(pushed):
    base, _ = pushed
    total = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = sparql_count(base + "query", total)
    done = run_cli("push", "--store", base + "store", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert sparql_count(base + "query", total) == before == sum(local_world_counts().values())


_CONCAT_RE = re.compile(r'GROUP_CONCAT\((?:DISTINCT\s+)?\?\w+\s*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)',
                        re.IGNORECASE)


def normalised(query, doc: dict) -> dict:
    """What SPARQL fixes, nothing more: the order inside GROUP_CONCAT and of rows that ORDER BY leaves
    tied is the engine's choice, so concatenations compare as sorted parts, and rows as a multiset."""
    concat = {column: sep for sep, column in _CONCAT_RE.findall(query.text)}
    for row in doc.get("rows", []):
        for column, sep in concat.items():
            if isinstance(row.get(column), str):
                row[column] = sorted(row[column].split(sep))
    doc["rows"] = sorted(doc.get("rows", []), key=lambda row: json.dumps(row, sort_keys=True))
    return doc


def named_query_args(query) -> list[str]:
    args = ["query", query.name, "--format", "json"]
    for param in query.params:
        if param.required:
            args += ["--param", f"{param.name}={WORLD_VALUES[param.name]}"]
    return args


QUERIES = list_queries()


@pytest.mark.parametrize("backend", ["oxigraph", "actorgraph serve"])
@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_named_queries_answer_the_same_remotely(pushed, served, backend, query):
    endpoint = pushed[0] + "query" if backend == "oxigraph" else served + "sparql"
    local = run_cli(*named_query_args(query))
    remote = run_cli(*named_query_args(query), endpoint=endpoint)
    assert local.returncode == 0, local.stderr
    assert remote.returncode == 0, remote.stderr
    local_doc, remote_doc = json.loads(local.stdout), json.loads(remote.stdout)
    assert normalised(query, remote_doc) == normalised(query, local_doc)


def test_the_comparison_is_not_vacuous():
    """Most named queries give rows on the fixture world (it has no sanctions and no figures)."""
    empty = [q.name for q in QUERIES if not json.loads(run_cli(*named_query_args(q)).stdout)["rows"]]
    assert set(empty) <= {"sanctions", "figures"}, empty


@pytest.mark.parametrize("backend", ["oxigraph", "actorgraph serve"])
def test_optional_parameters_are_bound_remotely_too(pushed, served, backend):
    endpoint = pushed[0] + "query" if backend == "oxigraph" else served + "sparql"
    for query in QUERIES:
        args = ["query", query.name, "--format", "json"]
        for param in query.params:
            if param.name in WORLD_VALUES and param.type in ("entity", "string"):
                args += ["--param", f"{param.name}={WORLD_VALUES[param.name]}"]
        local, remote = run_cli(*args), run_cli(*args, endpoint=endpoint)
        assert remote.returncode == local.returncode == 0, (query.name, remote.stderr)
        assert normalised(query, json.loads(remote.stdout)) == normalised(query, json.loads(local.stdout)), \
            query.name


def test_hostile_text_stays_a_value(pushed):
    """A string parameter that tries to close the query and add an update is a literal, nothing more."""
    endpoint = pushed[0] + "query"
    hostile = 'x") } } ; INSERT DATA { <urn:a> <urn:b> <urn:c> } #\n\\'
    local = run_cli("query", "quotes", "--param", f"text={hostile}", "--format", "json")
    remote = run_cli("query", "quotes", "--param", f"text={hostile}", "--format", "json", endpoint=endpoint)
    assert remote.returncode == local.returncode == 0, remote.stderr
    assert json.loads(remote.stdout)["rows"] == json.loads(local.stdout)["rows"] == []
    assert sparql_count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <urn:a> ?p ?o } }") == 0


def test_push_of_bad_turtle_sends_nothing(oxigraph, world_copy):
    broken = world_copy / "world-report.ttl"
    broken.write_text(broken.read_text() + "\nagid:x ag:heads .\n")
    line = broken.read_text().count("\n")
    fresh = "https://w3id.org/actorgraph/graph/actors"
    before = sparql_count(oxigraph + "query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{fresh}> {{ ?s ?p ?o }} }}")
    (world_copy / "actors.ttl").write_text((world_copy / "actors.ttl").read_text() +
                                           '\nagid:new-person a ag:Person ; rdfs:label "New" .\n')
    done = run_cli("push", "--store", oxigraph + "store", graph=world_copy)
    assert done.returncode == 1
    assert done.stderr.startswith(f"actorgraph: error: {broken}:{line}: ")
    assert done.stderr.count("\n") == 1
    after = sparql_count(oxigraph + "query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{fresh}> {{ ?s ?p ?o }} }}")
    assert after == before  # actors.ttl parsed fine but was not sent: nothing half-pushed


def free_closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_push_to_an_unreachable_store_is_one_line():
    port = free_closed_port()
    done = run_cli("push", "--store", f"http://127.0.0.1:{port}/store")
    assert done.returncode == 1
    assert done.stderr == (f"actorgraph: error: http://127.0.0.1:{port}/store: cannot reach graph store: "
                           f"[Errno 111] Connection refused\n")


def test_push_to_a_read_only_store_names_the_graph(served):
    done = run_cli("push", "--store", served + "sparql")
    assert done.returncode == 1
    assert "PUT of graph <https://w3id.org/actorgraph/graph/ontology/" in done.stderr
    assert done.stderr.count("\n") == 1


def test_unreachable_endpoint_is_one_line():
    port = free_closed_port()
    done = run_cli("who-negotiated", endpoint=f"http://127.0.0.1:{port}/sparql")
    assert done.returncode == 1
    assert done.stderr == (f"actorgraph: error: http://127.0.0.1:{port}/sparql: cannot reach endpoint: "
                           f"[Errno 111] Connection refused\n")


def test_http_errors_are_one_line(oxigraph, served):
    done = run_cli("who-negotiated", endpoint=oxigraph + "no-such-path")
    assert done.returncode == 1
    assert done.stderr.startswith(f"actorgraph: error: {oxigraph}no-such-path: HTTP 404")
    assert done.stderr.count("\n") == 1
    with pytest.raises(QueryError, match="^bad SPARQL: "):
        RemoteStore(served + "sparql").select("SELECT * WHERE { ?s ?p }")


def test_environment_variable_selects_the_endpoint(pushed):
    import os

    env = {**os.environ, "ACTORGRAPH_ENDPOINT": pushed[0] + "query"}
    done = subprocess.run([*actorgraph_cmd(), "--graph-dir", "/nonexistent", "who-negotiated", "--format", "json"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(run_cli("who-negotiated", "--format", "json").stdout)


def test_a_silent_endpoint_times_out_with_one_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)  # accepts the connection, never answers
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
        with pytest.raises(EndpointError) as caught:
            RemoteStore(url, timeout=0.5).select("SELECT * WHERE { ?s ?p ?o }")
    assert str(caught.value) == f"{url}: no answer within 0.5 s (set ACTORGRAPH_ENDPOINT_TIMEOUT to wait longer)"


def test_bad_endpoint_url_is_a_usage_error():
    done = run_cli("who-negotiated", endpoint="localhost:7878/sparql")
    assert done.returncode == 2
    assert done.stderr == "actorgraph: error: the endpoint must be an http(s) URL, not 'localhost:7878/sparql'\n"


def test_push_shows_a_progress_bar_on_a_terminal(oxigraph):
    """On a terminal, stderr gets a rich progress bar; stdout still gets only the result."""
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run([*actorgraph_cmd(), "--graph-dir", str(WORLD), "--ontology-dir", str(ONTOLOGY),
                               "push", "--store", oxigraph + "store", "--format", "json"],
                              stdout=subprocess.PIPE, stderr=follower, timeout=120,
                              env={**os.environ, "COLUMNS": "120", "TERM": "xterm"})
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert done.returncode == 0
    assert b"pushing" in seen
    files = [*ONTOLOGY.glob("*.ttl"), *WORLD.glob("*.ttl")]  # one named graph per Turtle file
    assert len(json.loads(done.stdout)["rows"]) == len(files)
