"""``actorgraph serve`` under attack: each case sends what an attacker (or a careless client) would,
and checks the behaviour asked for. Every client runs on loopback; distinct clients bind distinct
source addresses in 127.0.0.0/8, which Linux routes to loopback.

SSRF through SERVICE, parser-crashing nesting, slow-query starvation, slowloris and idle sockets,
answers amplified past the size and memory limits, malformed HTTP, DNS rebinding, and bad limits.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import ONTOLOGY, WORLD
from servers import actorgraph_cmd, actorgraph_serve
from test_guard import Listener, service_queries
from test_server import EXPENSIVE, PEOPLE, worker_pids

pytestmark = pytest.mark.server


def post(base: str, query: str, source: str = "127.0.0.1", accept: str = "text/csv",
         timeout: float = 60, host: str | None = None) -> tuple[int, bytes]:
    """One POSTed query from ``source``, on a new connection: (status, body)."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout, source_address=(source, 0))
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        if host:
            headers["Host"] = host
        conn.request("POST", "/sparql", body=urllib.parse.urlencode({"query": query}), headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def raw(base: str, data: bytes, wait: float = 3.0) -> bytes:
    """Send raw bytes on one connection and read what comes back until the server closes or goes quiet."""
    parts = urllib.parse.urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as sock:
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            pass
        return received


def threads_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no thread count")


@pytest.fixture(scope="module")
def plain():
    """A server with every default, as a user starts it (two workers)."""
    with actorgraph_serve(WORLD, ONTOLOGY, "--workers", "2", "--timeout", "5") as (base, process):
        yield base, process


# -- no outbound request ----------------------------------------------------------------------------------


def test_service_is_refused_and_the_listener_hears_nothing(plain):
    base, _ = plain
    listener = Listener()
    try:
        for text in service_queries(listener.url):
            status, body = post(base, text)
            assert status == 403, (text, body)
            assert body.startswith(b"query refused: SERVICE") and body.count(b"\n") == 1
        time.sleep(0.5)
        assert listener.received == []
    finally:
        listener.close()


def test_allow_service_lets_only_the_named_endpoint_through():
    listener = Listener()
    try:
        with actorgraph_serve(WORLD, ONTOLOGY, "--workers", "1", "--allow-service", listener.url) as (base, _):
            assert post(base, f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}")[0] == 200
            assert post(base, f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}/x> {{ ?s ?p ?o }} }}")[0] == 403
        assert len(listener.received) == 1 and listener.received[0].startswith(b"POST /sparql ")
    finally:
        listener.close()


# -- texts that crash the parser ----------------------------------------------------------------------------


def test_nested_braces_are_refused_before_any_worker_sees_them(plain):
    base, process = plain
    workers = sorted(worker_pids(process.pid))
    for text in ("SELECT * WHERE " + "{" * 3000 + "}" * 3000,
                 "ASK { BIND(" + "+".join(["1"] * 10000) + " AS ?x) }"):
        status, body = post(base, text)
        assert status == 400 and body.startswith(b"query refused: it ")
    assert sorted(worker_pids(process.pid)) == workers  # no worker died
    assert post(base, PEOPLE)[0] == 200


# -- slow queries cannot starve everyone ----------------------------------------------------------------------


def test_slow_queries_from_four_clients_do_not_starve_the_others():
    """Four clients loop on a query that never finishes in time, two workers; three other clients keep
    asking small questions. They keep their answers, and the slow clients are told why they lose theirs."""
    with actorgraph_serve(WORLD, ONTOLOGY, "--workers", "2", "--timeout", "8", "--quiet") as (base, _):
        stop = threading.Event()
        slow: list[tuple[int, bytes]] = []
        legit: list[int] = []

        def slow_client(n: int) -> None:
            while not stop.is_set():
                slow.append(post(base, EXPENSIVE, source=f"127.0.0.{20 + n}"))

        def legit_client(n: int) -> None:
            while not stop.is_set():
                legit.append(post(base, PEOPLE, source=f"127.0.0.{10 + n}")[0])
                time.sleep(0.05)

        attackers = [threading.Thread(target=slow_client, args=(n,)) for n in range(4)]
        for t in attackers:
            t.start()
        time.sleep(1.5)  # the slow queries hold both workers before the others arrive
        users = [threading.Thread(target=legit_client, args=(n,)) for n in range(3)]
        for t in users:
            t.start()
        time.sleep(10)
        stop.set()
        for t in users + attackers:
            t.join(30)
    ok = legit.count(200)
    assert len(legit) >= 20 and ok / len(legit) >= 0.95, legit
    reasons = {body.decode().split(" after ")[0] for status, body in slow if status == 503}
    assert "query stopped" in reasons  # stopped to give the others their share


def test_a_client_that_disconnects_frees_its_worker():
    with actorgraph_serve(WORLD, ONTOLOGY, "--workers", "1", "--timeout", "30", "--quiet") as (base, _):
        parts = urllib.parse.urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        conn.request("POST", "/sparql", body=urllib.parse.urlencode({"query": EXPENSIVE}),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        time.sleep(0.5)
        conn.close()  # gone before the answer: the worker is killed and replaced, not left running 30 s
        started = time.monotonic()
        assert post(base, PEOPLE, source="127.0.0.2")[0] == 200
        assert time.monotonic() - started < 15


# -- slowloris and idle sockets -----------------------------------------------------------------------------


def test_slowloris_and_idle_sockets_are_closed_and_cost_no_thread(plain):
    base, process = plain
    parts = urllib.parse.urlsplit(base)
    before = threads_of(process.pid)
    sockets = []
    for n in range(200):
        sock = socket.socket()
        sock.bind((f"127.0.0.{40 + n % 8}", 0))
        sock.connect((parts.hostname, parts.port))
        if n % 2:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # a head that never ends
        sockets.append(sock)
    try:
        started = time.monotonic()
        assert post(base, PEOPLE)[0] == 200  # others are served meanwhile
        assert time.monotonic() - started < 5
        assert threads_of(process.pid) <= before + 2  # no thread per connection
        for i in range(20):  # a slowloris trickle: one byte every half second
            sockets[1].send(b"X")
            time.sleep(0.5)
            if i * 0.5 > 12:
                break
        deadline = time.monotonic() + 15
        open_ = sockets
        while open_ and time.monotonic() < deadline:
            open_ = [s for s in open_ if not closed_by_peer(s)]
            time.sleep(0.5)
        assert open_ == []  # every one closed by the server, the trickling one too
    finally:
        for sock in sockets:
            sock.close()


def closed_by_peer(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_one_address_cannot_hold_every_connection(plain):
    base, _ = plain
    parts = urllib.parse.urlsplit(base)
    sockets = [socket.create_connection((parts.hostname, parts.port), source_address=("127.0.0.60", 0))
               for _ in range(80)]
    try:
        time.sleep(0.5)
        assert sum(closed_by_peer(s) for s in sockets) == 80 - 64  # beyond 64 per address, closed at once
        assert post(base, PEOPLE, source="127.0.0.61")[0] == 200
    finally:
        for sock in sockets:
            sock.close()


# -- amplification --------------------------------------------------------------------------------------------

# Half a kilobyte of query text for hundreds of megabytes of answer: each object repeated 16,384 times.
AMPLIFIED = ("SELECT ?x WHERE { ?s ?p ?o BIND(CONCAT(STR(?o), STR(?o), STR(?o), STR(?o)) AS ?a) "
             + "".join(f"BIND(CONCAT({', '.join([f'?{v}'] * 8)}) AS ?{n}) "
                       for v, n in zip("abcd", "bcdx", strict=True))
             + "}")
# Doubling a string 30 times: gigabytes in one value, in a single row.
MEMORY_BOMB = ("SELECT (STRLEN(?z) AS ?n) WHERE { BIND('xxxxxxxx' AS ?v0) "
               + "".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1}) " for i in range(30)) + "BIND(?v30 AS ?z) }")


def test_an_amplified_answer_is_refused_by_its_size_in_bytes():
    with actorgraph_serve(WORLD, ONTOLOGY, "--workers", "1", "--max-bytes", "1M", "--quiet") as (base, _):
        status, body = post(base, AMPLIFIED, accept="application/sparql-results+json")
        assert status == 422
        assert body.decode() == ("result refused: more than 1048576 bytes (the server's result-size limit, "
                                 "actorgraph serve --max-bytes); add LIMIT or narrow the query\n")
        status, body = post(base, "CONSTRUCT { ?s ?p ?x } WHERE { " + AMPLIFIED[len("SELECT ?x WHERE { "):],
                            accept="text/turtle")
        assert status == 422 and b"more than 1048576 bytes" in body
        assert post(base, PEOPLE)[0] == 200


def test_a_memory_bomb_kills_only_its_worker():
    with actorgraph_serve(WORLD, ONTOLOGY, "--workers", "1", "--max-memory", "400M", "--quiet") as (base, process):
        [before] = worker_pids(process.pid)
        status, body = post(base, MEMORY_BOMB)
        assert status == 500 and b"over the memory limit of 400 MiB per worker" in body
        deadline = time.monotonic() + 30
        while (status := post(base, PEOPLE)[0]) != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status == 200 and worker_pids(process.pid) != [before]


# -- malformed HTTP -------------------------------------------------------------------------------------------


def test_malformed_http_is_answered_by_the_stack():
    with actorgraph_serve(WORLD, ONTOLOGY, "--workers", "1") as (base, process):
        head = b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        answer = raw(base, head + b"Content-Length: -5\r\n\r\nASK {}")
        assert answer.startswith(b"HTTP/1.1 400 ") and answer.count(b"HTTP/1.1") == 1
        # A chunked body holding a whole request is a body, never a second request.
        smuggled = b"GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        query = b"ASK {}"
        body = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(query), query, len(smuggled), smuggled)
        answer = raw(base, head + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body)
        assert answer.startswith(b"HTTP/1.1 400 ") and answer.count(b"HTTP/1.1 ") == 1  # "ASK {}GET ..." is bad SPARQL
        assert b"bad SPARQL" in answer
        # Both framings: Transfer-Encoding wins (RFC 9112 6.3), so the extra bytes are not a request either.
        answer = raw(base, head + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n6\r\nASK {}\r\n0\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 200 ") and answer.count(b"HTTP/1.1 ") == 1
        assert raw(base, b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400 ")
        assert raw(base, head + b"Content-Length: 4\r\n\r\n\xff\xfe\x00A").startswith(b"HTTP/1.1 400 ")
        assert post(base, PEOPLE)[0] == 200
    assert "Traceback" not in process.captured_stderr
    assert "/smuggled" not in process.captured_stderr


# -- DNS rebinding and CORS ----------------------------------------------------------------------------------


def test_only_loopback_host_names_are_answered(plain):
    base, _ = plain
    port = urllib.parse.urlsplit(base).port
    status, body = post(base, PEOPLE, host=f"rebind.evil.example:{port}")
    assert status == 400 and body.startswith(b"host 'rebind.evil.example:") and b"--allow-host" in body
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "LOCALHOST"):
        assert post(base, PEOPLE, host=host)[0] == 200


def test_allow_host_adds_a_name():
    with actorgraph_serve(WORLD, ONTOLOGY, "--workers", "1", "--allow-host", "graph.lan") as (base, _):
        assert post(base, PEOPLE, host="graph.lan:80")[0] == 200
        assert post(base, PEOPLE, host="other.lan")[0] == 400


def test_no_page_elsewhere_may_read_answers_by_default(plain):
    base, _ = plain
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": PEOPLE}),
                 headers={"Origin": "https://some-page.example"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200 and response.getheader("Access-Control-Allow-Origin") is None


# -- limits are checked ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["--timeout", "nan"], "--timeout must be a finite number of seconds above 0, not 'nan'"),
    (["--timeout", "inf"], "--timeout must be a finite number of seconds above 0, not 'inf'"),
    (["--timeout", "0"], "--timeout must be a finite number of seconds above 0, not '0'"),
    (["--timeout", "-1"], "--timeout must be a finite number of seconds above 0, not '-1'"),
    (["--timeout", "soon"], "--timeout must be a number of seconds, not 'soon'"),
    (["--max-bytes", "0"], "--max-bytes must be a size such as 512M or 4G, not '0'"),
    (["--max-memory", "lots"], "--max-memory must be a size such as 512M or 4G, not 'lots'"),
    (["--cors", "example.org"], "--cors needs an origin such as https://example.org (or *), not 'example.org'"),
    (["--allow-service", "ftp://x/"], "--allow-service needs an absolute http(s) URL, not 'ftp://x/'"),
])
def test_bad_limits_are_one_line_errors(args, message):
    done = subprocess.run([*actorgraph_cmd(), "--graph-dir", str(WORLD), "--ontology-dir", str(ONTOLOGY),
                           "serve", "--port", "0", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == f"actorgraph: error: {message}\n"


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-3"])
def test_sparql_refuses_bad_timeouts(value):
    done = subprocess.run([*actorgraph_cmd(), "--graph-dir", str(WORLD), "--ontology-dir", str(ONTOLOGY),
                           "sparql", "ASK {}", "--timeout", value], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == f"actorgraph: error: --timeout must be a finite number of seconds above 0, not '{value}'\n"


# -- the CLI's sparql: time, Ctrl-C, memory ---------------------------------------------------------------


def sparql_cmd(*args: str) -> list[str]:
    return [*actorgraph_cmd(), "--graph-dir", str(WORLD), "--ontology-dir", str(ONTOLOGY), "sparql", *args]


def test_sparql_stops_at_its_time_limit():
    started = time.monotonic()
    done = subprocess.run(sparql_cmd(EXPENSIVE, "--timeout", "1.5"), capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 15
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == "actorgraph: error: query stopped: it ran past the time limit of 1.5 s " \
                          "(actorgraph sparql --timeout)\n"


def test_sparql_stops_on_ctrl_c_and_leaves_no_process():
    import signal

    process = subprocess.Popen(sparql_cmd(EXPENSIVE), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    assert len(children) == 1  # the query runs in a child
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 130 and err.strip() == "actorgraph: aborted"
    assert not Path(f"/proc/{children[0]}").exists()


def test_sparql_stops_at_its_memory_limit():
    done = subprocess.run(sparql_cmd(MEMORY_BOMB, "--max-memory", "300M"), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("actorgraph: error: query stopped: it needed more than 300 MiB of memory "
                                  "(actorgraph sparql --max-memory)")
    assert done.stderr.count("\n") == 1
