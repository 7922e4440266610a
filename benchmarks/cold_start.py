"""Cold start: does a whole CLI query answer faster than Python can import rdflib?

Runs, side by side and interleaved in one run (so machine load hits all of them alike):
  - python -c "import rdflib"                       (the bar to beat)
  - actorgraph who-negotiated                       (on the shipped graph)
  - actorgraph show "Osiris Luna Meza"
each three ways: as a user gets it (a repeated question is answered from the answer cache, keyed by the
graph's and the code's bytes), with every query really run (ACTORGRAPH_ANSWER_CACHE=never), and run on
the compiled on-disk store (ACTORGRAPH_STORE_CACHE=always). Prints each median wall time and its ratio
to the rdflib import.

Usage: python benchmarks/cold_start.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def actorgraph_command() -> list[str]:
    exe = shutil.which("actorgraph")
    return [exe] if exe else [sys.executable, "-m", "actorgraph"]


def time_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode().strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (median is reported)")
    args = parser.parse_args()

    cache = tempfile.mkdtemp(prefix="actorgraph-bench-cache-")
    base = {**os.environ, "ACTORGRAPH_CACHE_DIR": cache, "COLUMNS": "200"}
    base.pop("ACTORGRAPH_ENDPOINT", None)
    uncached = {**base, "ACTORGRAPH_ANSWER_CACHE": "never"}
    compiled = {**uncached, "ACTORGRAPH_STORE_CACHE": "always"}
    ag = actorgraph_command()
    show = [*ag, "show", "Osiris Luna Meza"]
    negotiated = [*ag, "who-negotiated"]
    cases = {
        'python -c "import rdflib"': ([sys.executable, "-c", "import rdflib"], base),
        "actorgraph who-negotiated": (negotiated, base),
        'actorgraph show "Osiris Luna Meza"': (show, base),
        "actorgraph who-negotiated (query run)": (negotiated, uncached),
        'actorgraph show "Osiris Luna Meza" (query run)': (show, uncached),
        "actorgraph who-negotiated (query run, on-disk store)": (negotiated, compiled),
        'actorgraph show "Osiris Luna Meza" (query run, on-disk store)': (show, compiled),
    }
    for argv, env in cases.values():  # warm the page cache and build the compiled store once
        time_once(argv, env)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (argv, env) in cases.items():
            samples[name].append(time_once(argv, env))
    shutil.rmtree(cache, ignore_errors=True)

    baseline = statistics.median(samples['python -c "import rdflib"'])
    print(f"cold start, median of {args.runs} interleaved runs, {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}")
    print(f"{'command':62} {'median':>9} {'ratio to import rdflib':>24}")
    for name, times in samples.items():
        median = statistics.median(times)
        print(f"{name:62} {median * 1000:7.0f} ms {median / baseline:23.2f}x")
    for label, names in (("as users run them (answer cache)", list(cases)[1:3]),
                         ("with every query run", list(cases)[3:5])):
        worst = max(statistics.median(samples[n]) for n in names)
        verdict = "met" if worst < baseline else "NOT met"
        print(f"target, {label}: {verdict} ({worst / baseline:.2f}x for the slower query)")


if __name__ == "__main__":
    main()
