"""Load: concurrent clients against ``actorgraph serve`` on loopback, side by side with a bare
``oxigraph serve-read-only`` on the same compiled store, in one run, in four scenarios:

1. keep-alive clients, each with one HTTP/1.1 connection;
2. a new connection for every request;
3. the same clients beside 400 idle sockets (half of them with a request head that never ends), with
   the server's threads and processes counted before and while they are open;
4. the same clients while four other clients loop on a query that never finishes in time.

Every client is a thread with its own loopback source address (127.0.0.10, .11...: Linux routes all of
127.0.0.0/8 to loopback), as distinct machines would be, since the fair share is per address. Each
sends the named queries (those without required parameters, plus ``profile`` bound with a VALUES
block) round-robin as POST forms and reads every answer in full; a scenario is bounded in seconds.
It reports requests, errors, success, throughput and p50/p90/p99/max latency per server and the
ratios, then whether the targets hold (>= 95% success beside slow queries; threads and processes
within a stated bound beside idle sockets; p99 under 1 s with a new connection per request); the exit
status is 1 when one does not.

Usage:
    python benchmarks/load.py                       # shipped graph, 8 clients, 20 s per scenario
    python benchmarks/load.py --clients 16 --seconds 30 --idle 800 --graph-dir graph
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import shutil
import socket
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from servers import actorgraph_serve, free_port, running  # noqa: E402


def query_mix() -> list[str]:
    import pyoxigraph as ox

    from actorgraph.queries import list_queries
    from actorgraph.store import bind_values, prologue

    texts = []
    for query in list_queries():
        required = [p for p in query.params if p.required]
        if not required:
            texts.append(query.text)
        elif query.name == "profile":
            texts.append(bind_values(query.text, {"entity": ox.NamedNode("https://w3id.org/actorgraph/id/nayib-bukele")}))
    # Full prefixes on every query, so a bare Oxigraph (which predeclares none) runs the same text.
    return [prologue() + t for t in texts]


def client(host: str, port: int, path: str, texts: list[str], offset: int, stop: threading.Event,
           budget: list[int], lock: threading.Lock, latencies: list[float], errors: list[str],
           source: str = "127.0.0.1", keepalive: bool = True, timeout: float = 60) -> None:
    """One client: sends the texts round-robin until stopped or the shared budget is spent. With
    ``keepalive`` it keeps one connection; without, it opens a new one for every request."""
    conn = None
    i = offset
    try:
        while not stop.is_set():
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            body = urllib.parse.urlencode({"query": texts[i % len(texts)]})
            i += 1
            started = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0))
                conn.request("POST", path, body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/sparql-results+json"})
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as err:
                errors.append(f"{type(err).__name__}: {err}")
                if conn is not None:
                    conn.close()
                conn = None
                continue
            elapsed = time.perf_counter() - started
            if not keepalive:
                conn.close()
                conn = None
            if response.status != 200:
                errors.append(f"HTTP {response.status}: {payload[:120]!r}")
            else:
                latencies.append(elapsed)
    finally:
        if conn is not None:
            conn.close()


def hammer(url: str, texts: list[str], clients: int, seconds: float, max_requests: int,
           sources: list[str] | None = None, keepalive: bool = True) -> dict:
    """``clients`` concurrent clients (from ``sources`` in turn) on ``url``; their figures."""
    parts = urllib.parse.urlsplit(url)
    stop = threading.Event()
    lock = threading.Lock()
    budget = [max_requests]
    latencies: list[float] = []
    errors: list[str] = []
    sources = sources or ["127.0.0.1"]
    threads = [threading.Thread(target=client, args=(parts.hostname, parts.port, parts.path, texts, n, stop,
                                                     budget, lock, latencies, errors),
                                kwargs={"source": sources[n % len(sources)], "keepalive": keepalive})
               for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    deadline = started + seconds
    while any(t.is_alive() for t in threads) and time.perf_counter() < deadline:
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")

    return {"requests": len(latencies) + len(errors), "ok": len(latencies), "errors": errors, "wall": wall,
            "throughput": len(latencies) / wall, "p50": pct(50), "p90": pct(90), "p99": pct(99),
            "max": ordered[-1] if ordered else float("nan"),
            "mean": statistics.fmean(ordered) if ordered else float("nan")}


# A three-way cross product sorted: on the shipped graph it cannot finish in any time limit.
SLOW = "SELECT ?a WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f } ORDER BY ?a ?d ?f LIMIT 1"
LEGIT_SOURCES = [f"127.0.0.{10 + n}" for n in range(8)]
SLOW_SOURCES = [f"127.0.0.{30 + n}" for n in range(4)]


def under_slow_queries(url: str, texts: list[str], clients: int, seconds: float) -> dict:
    """Legitimate clients (keep-alive, each its own address) while four clients loop on SLOW."""
    parts = urllib.parse.urlsplit(url)
    stop = threading.Event()
    outcomes: list[str] = []

    def attacker(source: str) -> None:
        while not stop.is_set():
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15, source_address=(source, 0))
            try:
                conn.request("POST", parts.path, body=urllib.parse.urlencode({"query": SLOW}),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
                response = conn.getresponse()
                outcomes.append(f"{response.status} {response.read()[:40].decode(errors='replace')}")
            except (OSError, http.client.HTTPException) as err:
                outcomes.append(type(err).__name__)
                stop.wait(1)
            finally:
                conn.close()

    attackers = [threading.Thread(target=attacker, args=(source,)) for source in SLOW_SOURCES]
    for t in attackers:
        t.start()
    time.sleep(2)  # the slow queries hold the server before the others arrive
    result = hammer(url, texts, clients, seconds, 10**9, sources=LEGIT_SOURCES)
    stop.set()
    for t in attackers:
        t.join(30)
    result["slow"] = collections.Counter(o.split(" after ")[0].split(":")[0] for o in outcomes)
    return result


def family(pid: int) -> tuple[int, int]:
    """(threads of the server process, processes in its tree)."""
    threads = int(next(line.split()[1] for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                       if line.startswith("Threads:")))
    processes, todo = 0, [pid]
    while todo:
        current = todo.pop()
        processes += 1
        for task in Path(f"/proc/{current}/task").iterdir():
            todo += [int(c) for c in (task / "children").read_text().split()]
    return threads, processes


def idle_sockets(url: str, pid: int, texts: list[str], count: int, clients: int, seconds: float) -> dict:
    """Open ``count`` idle sockets (half of them with a request head that never ends), then measure the
    server's threads and processes and serve legitimate clients beside them."""
    parts = urllib.parse.urlsplit(url)
    before = family(pid)
    sockets = []
    for n in range(count):
        sock = socket.socket()
        sock.bind((f"127.0.0.{100 + n % 16}", 0))  # 16 addresses: within the per-address connection cap
        sock.connect((parts.hostname, parts.port))
        if n % 2:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sockets.append(sock)
    time.sleep(1)
    during = family(pid)
    result = hammer(url, texts, clients, seconds, 10**9, sources=LEGIT_SOURCES)
    open_now = 0
    for sock in sockets:
        sock.setblocking(False)
        try:
            open_now += sock.recv(1) != b""
        except BlockingIOError:
            open_now += 1
        except OSError:
            pass
        sock.close()
    result.update(before=before, during=during, still_open=open_now)
    return result


def row(name: str, r: dict) -> str:
    return (f"| {name} | {r['requests']} | {len(r['errors'])} | {100 * r['ok'] / max(1, r['requests']):.1f}% | "
            f"{r['throughput']:.1f} req/s | {r['p50'] * 1000:.1f} ms | {r['p90'] * 1000:.1f} ms | "
            f"{r['p99'] * 1000:.1f} ms | {r['max'] * 1000:.1f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph-dir", type=Path, default=ROOT / "graph")
    parser.add_argument("--ontology-dir", type=Path, default=ROOT / "ontology")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="time bound per server and scenario")
    parser.add_argument("--max-requests", type=int, default=4000, help="request bound per server (first table)")
    parser.add_argument("--workers", type=int, default=0, help="actorgraph serve --workers (0: one per core)")
    parser.add_argument("--idle", type=int, default=400, help="idle sockets in the third scenario")
    args = parser.parse_args()

    from actorgraph.compiled import compile_store

    texts = query_mix()
    results: dict[str, dict] = {}
    bare: dict[str, dict] = {}
    db = compile_store(args.graph_dir, args.ontology_dir)
    oxigraph = shutil.which("oxigraph")
    with actorgraph_serve(args.graph_dir, args.ontology_dir, "--workers", str(args.workers)) as (base, process):
        url = base + "sparql"
        hammer(url, texts, 2, 2, 50)  # warm up
        results["keep-alive"] = hammer(url, texts, args.clients, args.seconds, args.max_requests,
                                       sources=LEGIT_SOURCES)
        results["new connection per request"] = hammer(url, texts, args.clients, args.seconds, 10**9,
                                                       sources=LEGIT_SOURCES, keepalive=False)
        results["idle sockets"] = idle_sockets(url, process.pid, texts, args.idle, args.clients, args.seconds)
    # A fresh server for the slow queries: their clients count as slow for 30 s afterwards.
    with actorgraph_serve(args.graph_dir, args.ontology_dir, "--workers", str(args.workers)) as (base, _):
        results["4 clients sending slow queries"] = under_slow_queries(base + "sparql", texts, args.clients,
                                                                       args.seconds)
    # The same compiled store, served bare by Oxigraph (no limits, no page): the cost of our front.
    if oxigraph:
        for name in ("keep-alive", "new connection per request", "4 clients sending slow queries"):
            port = free_port()
            cmd = [oxigraph, "serve-read-only", "--location", str(db), "--bind", f"127.0.0.1:{port}",
                   "--union-default-graph"]
            with running(cmd, f"http://127.0.0.1:{port}/query"):
                url = f"http://127.0.0.1:{port}/query"
                hammer(url, texts, 2, 2, 50)
                if name == "keep-alive":
                    bare[name] = hammer(url, texts, args.clients, args.seconds, args.max_requests,
                                        sources=LEGIT_SOURCES)
                elif name == "new connection per request":
                    bare[name] = hammer(url, texts, args.clients, args.seconds, 10**9, sources=LEGIT_SOURCES,
                                        keepalive=False)
                else:
                    bare[name] = under_slow_queries(url, texts, args.clients, args.seconds)

    print("# actorgraph serve under load\n")
    print(f"command: python benchmarks/load.py {' '.join(sys.argv[1:])}")
    print(f"machine: {os.cpu_count()} cores; {args.clients} legitimate clients (threads, each its own source "
          f"address), each scenario bounded by {args.seconds:g} s; {len(texts)} named queries round-robin on "
          f"{args.graph_dir.name}/\n")
    print("| scenario, server | requests | errors | success | throughput | p50 | p90 | p99 | max |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(row(f"{name}, actorgraph serve", r))
        if name in bare:
            print(row(f"{name}, oxigraph serve-read-only", bare[name]))
    print()
    for name in bare:
        ours, theirs = results[name], bare[name]
        print(f"{name}: actorgraph / bare Oxigraph: throughput {ours['throughput'] / theirs['throughput']:.2f}x, "
              f"p50 {ours['p50'] / theirs['p50']:.2f}x, p99 {ours['p99'] / theirs['p99']:.2f}x")
    slow = results["4 clients sending slow queries"]
    idle = results["idle sockets"]
    workers = args.workers or os.cpu_count() or 1
    bound = (1 + workers, 2 + workers)  # threads: the event loop + one per worker; processes: + resource tracker
    print(f"\nslow clients' answers (actorgraph): {dict(slow['slow'])}")
    if "4 clients sending slow queries" in bare:
        print(f"slow clients' answers (Oxigraph): {dict(bare['4 clients sending slow queries']['slow'])}")
    print(f"idle sockets: {args.idle} open (half with a request head that never ends); server threads "
          f"{idle['before'][0]} before, {idle['during'][0]} with them open; processes {idle['before'][1]} "
          f"before, {idle['during'][1]} with them open; bound {bound[0]} threads, {bound[1]} processes; "
          f"{idle['still_open']} still open after {args.seconds:g} s more")

    targets = [
        ("legitimate clients keep >= 95% success beside 4 slow clients",
         slow["ok"] / max(1, slow["requests"]) >= 0.95),
        (f"{args.idle} idle sockets keep the server within {bound[0]} threads and {bound[1]} processes",
         idle["during"][0] <= bound[0] and idle["during"][1] <= bound[1]),
        ("p99 with a new connection per request under 1 s", results["new connection per request"]["p99"] < 1.0),
        ("no error without attackers", not results["keep-alive"]["errors"]
         and not results["new connection per request"]["errors"] and not idle["errors"]),
    ]
    print()
    for text, held in targets:
        print(f"- {'met' if held else 'NOT MET'}: {text}")
    for name, r in [*results.items(), *((f"{n} (Oxigraph)", r) for n, r in bare.items())]:
        for error in r["errors"][:3]:
            print(f"error ({name}): {error}")
    sys.exit(0 if all(held for _, held in targets) else 1)


if __name__ == "__main__":
    main()
