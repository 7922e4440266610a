"""Load: concurrent clients against ``actorgraph serve`` on loopback, side by side with a bare
``oxigraph serve-read-only`` on the same compiled store, in one run.

Each client is a thread with its own keep-alive HTTP/1.1 connection; it sends the named queries (those
without required parameters, plus ``profile`` bound with a VALUES block) round-robin as POST forms and
reads every answer in full. A run is bounded both in requests and in seconds. It reports requests,
errors, throughput and p50/p90/p99/max latency per server and the ratios between them; any error
(a non-200 answer or a broken connection) is counted and printed, and makes the exit status 1.

Usage:
    python benchmarks/load.py                       # shipped graph, 8 clients, 20 s or 4000 requests
    python benchmarks/load.py --clients 16 --seconds 30 --max-requests 10000 --graph-dir graph
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
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
           budget: list[int], lock: threading.Lock, latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=60)
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
                conn.request("POST", path, body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/sparql-results+json"})
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as err:
                errors.append(f"{type(err).__name__}: {err}")
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                continue
            elapsed = time.perf_counter() - started
            if response.status != 200:
                errors.append(f"HTTP {response.status}: {payload[:120]!r}")
            else:
                latencies.append(elapsed)
    finally:
        conn.close()


def hammer(url: str, texts: list[str], clients: int, seconds: float, max_requests: int) -> dict:
    parts = urllib.parse.urlsplit(url)
    stop = threading.Event()
    lock = threading.Lock()
    budget = [max_requests]
    latencies: list[float] = []
    errors: list[str] = []
    threads = [threading.Thread(target=client, args=(parts.hostname, parts.port, parts.path, texts, n, stop,
                                                     budget, lock, latencies, errors)) for n in range(clients)]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph-dir", type=Path, default=ROOT / "graph")
    parser.add_argument("--ontology-dir", type=Path, default=ROOT / "ontology")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="time bound per server")
    parser.add_argument("--max-requests", type=int, default=4000, help="request bound per server")
    parser.add_argument("--workers", type=int, default=0, help="actorgraph serve --workers (0: one per core)")
    args = parser.parse_args()

    from actorgraph.store import compile_store

    texts = query_mix()
    results = {}
    with actorgraph_serve(args.graph_dir, args.ontology_dir, "--workers", str(args.workers)) as (base, _):
        hammer(base + "sparql", texts, 2, 2, 50)  # warm up
        results["actorgraph serve"] = hammer(base + "sparql", texts, args.clients, args.seconds, args.max_requests)
    # The same compiled store, served bare by Oxigraph (no limits, no page): the cost of our front.
    db = compile_store(args.graph_dir, args.ontology_dir)
    port = free_port()
    oxigraph = shutil.which("oxigraph")
    if oxigraph:
        cmd = [oxigraph, "serve-read-only", "--location", str(db), "--bind", f"127.0.0.1:{port}",
               "--union-default-graph"]
        with running(cmd, f"http://127.0.0.1:{port}/query"):
            url = f"http://127.0.0.1:{port}/query"
            hammer(url, texts, 2, 2, 50)
            results["oxigraph serve-read-only"] = hammer(url, texts, args.clients, args.seconds, args.max_requests)

    print("# actorgraph serve under load\n")
    print(f"command: python benchmarks/load.py {' '.join(sys.argv[1:])}")
    print(f"machine: {os.cpu_count()} cores; {args.clients} clients (threads, keep-alive), bounded by "
          f"{args.seconds:g} s and {args.max_requests} requests per server; {len(texts)} queries round-robin "
          f"on {args.graph_dir.name}/\n")
    print("| server | requests | errors | throughput | p50 | p90 | p99 | max |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['requests']} | {len(r['errors'])} | {r['throughput']:.1f} req/s | "
              f"{r['p50'] * 1000:.1f} ms | {r['p90'] * 1000:.1f} ms | {r['p99'] * 1000:.1f} ms | "
              f"{r['max'] * 1000:.1f} ms |")
    if len(results) == 2:
        ours, bare = results["actorgraph serve"], results["oxigraph serve-read-only"]
        print(f"\nactorgraph serve / bare Oxigraph: throughput {ours['throughput'] / bare['throughput']:.2f}x, "
              f"p50 {ours['p50'] / bare['p50']:.2f}x, p99 {ours['p99'] / bare['p99']:.2f}x")
    failed = False
    for name, r in results.items():
        for error in r["errors"][:5]:
            print(f"error ({name}): {error}")
        failed |= bool(r["errors"])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
