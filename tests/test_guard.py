"""The query-text guard: no outbound SERVICE request unless allowed, and no text deep or long enough to
crash Oxigraph's parser, for the library, the CLI and (in test_server.py) the endpoint."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import pytest

from actorgraph import guard
from actorgraph.errors import QueryTooComplex, ServiceRefused
from conftest import ONTOLOGY, WORLD


class Listener:
    """A real TCP listener on loopback that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(65536) or b"(connected)")
                except OSError:
                    self.received.append(b"(connected)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def service_queries(url: str) -> list[str]:
    """The same outbound call spelled every way SPARQL allows."""
    host, path = url.rsplit("/", 1)
    escaped = url.replace("h", "\\u0068", 1)
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX remote: <{host}/> SELECT * WHERE {{ SERVICE SILENT remote:{path} {{ ?s ?p ?o }} }}",
        f"BASE <{host}/> SELECT * WHERE {{ SERVICE SILENT <{path}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{escaped}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE SILENT ?e {{ ?s ?p ?o }} }}",
        f"ASK {{ ?s ?p ?o # a comment }}\n SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    ]


def test_local_queries_never_call_a_service(world, listener):
    for text in service_queries(listener.url):
        with pytest.raises(ServiceRefused) as caught:
            world.store.run(text)
        assert "query refused: SERVICE" in str(caught.value)
        assert "\n" not in str(caught.value)
    time.sleep(0.3)
    assert listener.received == []


def test_an_allowed_service_is_called(world, listener):
    """--allow-service lets exactly the named endpoint through (the listener answers nothing, so SILENT)."""
    store = world.store
    store.allowed_services = frozenset({listener.url})
    try:
        store.run(f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}")
        with pytest.raises(ServiceRefused):
            store.run(f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}x> {{ ?s ?p ?o }} }}")
    finally:
        del store.allowed_services
    deadline = time.monotonic() + 5
    while not listener.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(listener.received) == 1 and listener.received[0].startswith(b"POST /sparql ")


def test_words_in_literals_comments_and_names_are_not_services(world):
    text = ("SELECT ?service WHERE { BIND('SERVICE <http://127.0.0.1:9/>' AS ?service) "
            "# SERVICE <http://127.0.0.1:9/>\n}")
    assert world.store.select(text).rows[0]["service"].value == "SERVICE <http://127.0.0.1:9/>"
    found = guard.scan("SELECT ?from WHERE { ?from ag:SERVICE ?o }")
    assert (found.services, found.has_dataset) == ((), False)
    assert guard.scan("SELECT * FROM <http://g/> WHERE { ?s ?p ?o }").has_dataset


@pytest.mark.parametrize("text", [
    "SELECT * WHERE " + "{" * 3000 + "}" * 3000,
    "SELECT * WHERE { FILTER(" + "(" * 200 + "true" + ")" * 200 + ") }",
    "ASK { BIND(" + "+".join(["1"] * 10000) + " AS ?x) }",
    "ASK { " + " UNION ".join(["{ ?s ?p ?o }"] * 10000) + " }",
    "ASK { " + " ".join(f"BIND(1 AS ?x{i})" for i in range(4000)) + " }",
])
def test_texts_that_crash_the_parser_are_refused(world, text):
    with pytest.raises(QueryTooComplex) as caught:
        world.store.run(text)
    assert str(caught.value).startswith("query refused: it ")


def test_the_limits_leave_room_for_real_queries():
    from actorgraph.queries import list_queries

    for query in list_queries():
        found = guard.check(query.text)
        assert found.depth * 10 < guard.MAX_DEPTH and found.operators * 5 < guard.MAX_OPERATORS, query.name


def test_cli_refuses_nesting_and_service_in_one_line(listener):
    from servers import actorgraph_cmd

    for text, expected in (("SELECT * WHERE " + "{" * 3000 + "}" * 3000, "it nests 3000 levels deep"),
                           (service_queries(listener.url)[0], f"SERVICE <{listener.url}>")):
        done = subprocess.run([*actorgraph_cmd(), "--graph-dir", str(WORLD), "--ontology-dir", str(ONTOLOGY),
                               "sparql", text], capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith("actorgraph: error: query refused: ") and expected in done.stderr
        assert done.stderr.count("\n") == 1 and done.stdout == ""
    assert listener.received == []
