"""Pages of listings on a big graph: keyset pages (``kg.named_page``) against ``LIMIT`` (``kg.named(...,
limit=N)``), on the compiled on-disk store that the CLI uses at that size.

For each listing (``statements``, ``timeline``, ``quotes`` with a word of the quotes, and
``statements``/``timeline`` anchored on a party, an entity and a source document) it times, in one
process on one store:

  - the first page with no page index yet (building the index: read once for this data; for a search
    text of ``quotes``, found in the search corpus that the background compile keeps, timed first);
  - the first page, a page from the middle (its cursor found by walking the index) and the last page,
    with the index saved beside the store, each the median of ``--runs`` runs (a fresh process's view:
    the index is opened from disk on each run);
  - once, as the baseline, the same first page through ``LIMIT``: the store sorts the whole listing
    first (in a separate process, killed at ``--timeout``).

The synthetic graph is ``benchmarks/scale.py``'s (written once under ``--keep``).

Usage: python benchmarks/paging.py [--size 1000000] [--limit 50] [--runs 5] [--timeout 120] [--keep DIR]
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

CASES = [("statements", {}), ("timeline", {}), ("quotes", {"text": "minister"}),
         ("quotes", {"text": "Statement 4242:"}), ("quotes", {"text": "MINISTER SAID"}),
         ("statements", {"by": "Person 1"}), ("statements", {"entity": "Person 1"}),
         ("timeline", {"actor": "Person 1"}), ("statements", {"source": "Report 3"})]


def label(name: str, params: dict) -> str:
    return name + "".join(f" {k}={v!r}" for k, v in params.items())


def baseline(graph: Path, name: str, params: dict, limit: int, timeout: float) -> float | None:
    """Seconds for the first page through LIMIT in a fresh process, or None past the timeout."""
    code = ("import sys, time, json, actorgraph; kg = actorgraph.load(sys.argv[1], sys.argv[2]); "
            "params = json.loads(sys.argv[4]); kg.bind(kg.named_query(sys.argv[3]), params); "
            "s = time.perf_counter(); kg.named(sys.argv[3], limit=int(sys.argv[5]), **params); "
            "print(time.perf_counter() - s)")
    try:
        done = subprocess.run([sys.executable, "-c", code, str(graph), str(ROOT / "ontology"), name,
                               json.dumps(params), str(limit)], capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    except subprocess.TimeoutExpired:
        return None
    if done.returncode:
        raise SystemExit(done.stderr.strip().splitlines()[-1])
    return float(done.stdout.strip().splitlines()[-1])


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="statements in the synthetic graph")
    parser.add_argument("--limit", type=int, default=50, help="statements a page holds")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds for the LIMIT baseline")
    parser.add_argument("--keep", type=Path, help="where to write (and find again) the synthetic graph")
    parser.add_argument("--no-baseline", action="store_true", help="skip the LIMIT runs")
    args = parser.parse_args()

    import actorgraph
    from actorgraph.paging import encode_cursor
    from scale import generate

    base = args.keep or Path(tempfile.mkdtemp(prefix="actorgraph-paging-"))
    graph = base / f"graph-{args.size}"
    if not (graph / "COMPLETE").is_file():
        generate(args.size, graph)
        (graph / "COMPLETE").write_text(str(args.size))
    os.environ["ACTORGRAPH_STORE_CACHE"] = "always"
    os.environ.setdefault("ACTORGRAPH_CACHE_DIR", str(base / "cache"))
    start = time.perf_counter()
    kg = actorgraph.load(graph, ROOT / "ontology")
    print(f"keyset pages of {args.limit} statements, {args.size:,} statements, on-disk store (opened in "
          f"{time.perf_counter() - start:.1f} s); {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"median of {args.runs}")
    quotes = kg.named_query("quotes")
    for old in kg.store.sidecar("x").parent.glob("search-quotes-*"):
        old.unlink()
    print(f"the search corpus of quotes, kept once by the background compile: "
          f"{timed(lambda: kg.keep_search_corpus(quotes)):.1f} s")
    print(f"{'listing':40} {'index':>9} {'first':>8} {'middle':>8} {'last':>8} {'LIMIT':>9} {'LIMIT/first':>12}")
    for name, params in CASES:
        query = kg.named_query(name)
        bindings = kg.bind(query, params)
        for old in kg.store.sidecar("x").parent.glob(f"pages-{name}-*"):
            old.unlink()
        kg._page_indexes.clear()
        build = timed(lambda n=name, p=params: kg.named_page(n, limit=args.limit, **p))
        index = kg.page_index(query, bindings)
        keys = index.keys()
        # The last page starts after the key before the last key (units that share a key share a page).
        before_last = keys[max(0, bisect.bisect_left(keys, keys[len(keys) - 1]) - 1)]
        cursors = {"first": None, "middle": keys[len(keys) // 2], "last": before_last}
        medians = {}
        for where, key in cursors.items():
            cursor = None if key is None else encode_cursor(name, key)
            times = []
            for _ in range(args.runs):
                kg._page_indexes.clear()  # opened from disk again, as a new command would
                times.append(timed(lambda c=cursor, n=name, p=params:
                                   kg.named_page(n, limit=args.limit, cursor=c, **p)))
            medians[where] = statistics.median(times)
        limited = None if args.no_baseline else baseline(graph, name, params, args.limit, args.timeout)
        shown = "not run" if args.no_baseline else f"> {args.timeout:g} s" if limited is None else f"{limited:.2f} s"
        ratio = "" if args.no_baseline else (f"> {args.timeout / medians['first']:.0f}x" if limited is None
                                             else f"{limited / medians['first']:.0f}x")
        print(f"{label(name, params):40} {build:8.1f}s {medians['first']:7.3f}s {medians['middle']:7.3f}s "
              f"{medians['last']:7.3f}s {shown:>9} {ratio:>12}", flush=True)


if __name__ == "__main__":
    main()
