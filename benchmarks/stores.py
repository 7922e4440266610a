"""Which store for which command: each command's work on the graph parsed into memory against the
same work on the compiled on-disk store, at each size, side by side in one run.

For each size it writes the synthetic graph of benchmarks/scale.py, compiles its on-disk store and
caches the side files a first run leaves (the name index, the network's structure), then, in one
process per store, opens the store (memory: parses every file; disk: opens the compiled store) and
times each command's library call on it (the best of three runs), each on a fresh ``KnowledgeGraph``
(so nothing computed by one command helps the next, but the cached side files are read as the CLI
reads them):

- part of the graph: ``path``, ``ego``, ``export html --ego``, ``show``, ``who-negotiated``;
- the structure alone: ``centrality --top 20``;
- all of it: building the network's structure (a first network command after a change), ``export
  html`` of the whole graph, ``export graphml``, the ``statements`` listing.

Each row gives the command alone on each store, then with the store's opening added (what a CLI run
pays), and which store is faster for it. The rule in docs/speed.md is drawn from these figures.

Usage:
    python benchmarks/stores.py --sizes 10000,30000,100000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

RUNS = 3  # each task's best of this many runs: the machine's load moves single runs a lot
PART, STRUCTURE, ALL = "part of the graph", "the structure", "all of it"
TASKS = (("path", PART), ("ego", PART), ("export html --ego", PART), ("show", PART), ("who-negotiated", PART),
         ("centrality --top 20", STRUCTURE), ("build the structure", ALL), ("export html (whole graph)", ALL),
         ("export graphml", ALL), ("statements (every row)", ALL))


def worker(mode: str, graph: Path, a: str, b: str) -> None:
    """Open the store (``mode``: memory or disk), then time each task on a fresh KnowledgeGraph."""
    from actorgraph import network, questions
    from actorgraph.export import HTML_MAX_NODES, View, build
    from actorgraph.kg import KnowledgeGraph
    from actorgraph.store import DataSource, LocalStore, _parsed

    source = DataSource(graph, ROOT / "ontology")
    _ = source.fingerprint  # hashed before the clock starts, as for the disk (the side files are under it)
    start = time.perf_counter()
    if mode == "memory":
        store = LocalStore(_parsed(source), source.files, source.fingerprint, on_disk=False, source=source)
    else:
        store = LocalStore.open(source, cache=True)
    print(json.dumps({"open": time.perf_counter() - start}), flush=True)

    def fresh() -> KnowledgeGraph:
        return KnowledgeGraph(store, graph)

    def build_structure():
        kg = fresh()
        return network._Structure.build(kg)

    tasks = {
        "path": lambda kg: network.shortest_paths(kg.structure(), kg.resolve(a), kg.resolve(b)),
        "ego": lambda kg: network.ego_table(kg.structure(), kg.resolve(a), 1),
        "export html --ego": lambda kg: build(kg, "html", View(ego=a, max_nodes=HTML_MAX_NODES)),
        "show": lambda kg: questions.profile(kg, a),
        "who-negotiated": lambda kg: questions.who_negotiated(kg),
        "centrality --top 20": lambda kg: network.centrality(kg.structure(), top=20),
        "build the structure": lambda kg: build_structure(),
        "export html (whole graph)": lambda kg: build(kg, "html", View(max_nodes=HTML_MAX_NODES)),
        "export graphml": lambda kg: build(kg, "graphml"),
        "statements (every row)": lambda kg: kg.named("statements"),
    }
    tasks["path"](fresh())  # imports the analyses' libraries, untimed, for both stores alike
    for name, _ in TASKS:
        best = None
        for _ in range(RUNS):
            start = time.perf_counter()
            tasks[name](fresh())
            took = time.perf_counter() - start
            best = took if best is None else min(best, took)
        print(json.dumps({"task": name, "seconds": best}), flush=True)


def measure(mode: str, graph: Path, cache: Path, a: str, b: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), ACTORGRAPH_CACHE_DIR=str(cache))
    done = subprocess.run([sys.executable, __file__, "--worker", mode, "--graph", str(graph), "--ends", a, b],
                          env=env, capture_output=True, text=True)
    found: dict = {"tasks": {}}
    for line in done.stdout.splitlines():
        msg = json.loads(line)
        if "open" in msg:
            found["open"] = msg["open"]
        else:
            found["tasks"][msg["task"]] = msg["seconds"]
    if done.returncode:
        found["error"] = (done.stderr.strip().splitlines() or ["?"])[-1][:160]
    return found


def prepare(graph: Path, cache: Path, a: str) -> None:
    """The compiled store and the side files a first run leaves: the name index, the structure."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), ACTORGRAPH_CACHE_DIR=str(cache),
               ACTORGRAPH_STORE_CACHE="always", ACTORGRAPH_ANSWER_CACHE="never")
    subprocess.run([sys.executable, "-m", "actorgraph", "--graph-dir", str(graph), "--ontology-dir",
                    str(ROOT / "ontology"), "ego", a, "--depth", "0"], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def report(size: int, megabytes: float, memory: dict, disk: dict) -> str:
    lines = [f"\n### {size:,} statements ({megabytes:.0f} MB of Turtle)\n",
             f"Opening the store: memory (parsing) {memory.get('open', 0):.2f} s, disk {disk.get('open', 0):.2f} s.\n",
             "| command | reads | memory | disk | memory, opening included | disk, opening included | faster |",
             "|---|---|---|---|---|---|---|"]
    for name, reads in TASKS:
        m, d = memory["tasks"].get(name), disk["tasks"].get(name)
        if m is None or d is None:
            lines.append(f"| {name} | {reads} | {m} | {d} | | | |")
            continue
        mo, do = m + memory["open"], d + disk["open"]
        faster = f"memory ({do / mo:.1f}x)" if mo < do else f"disk ({mo / do:.1f}x)"
        lines.append(f"| {name} | {reads} | {m:.3f} s | {d:.3f} s | {mo:.2f} s | {do:.2f} s | {faster} |")
    for side, found in (("memory", memory), ("disk", disk)):
        if "error" in found:
            lines.append(f"\n{side}: {found['error']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--keep", type=Path, help="write the synthetic graphs here and keep them")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--graph", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ends", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.graph, *args.ends)
        return

    from growth import ends
    from scale import generate

    base = args.keep or Path(tempfile.mkdtemp(prefix="actorgraph-stores-"))
    print(f"# which store for which command\n\ncommand: python benchmarks/stores.py {' '.join(sys.argv[1:])}\n"
          f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
          f"{os.getloadavg()[0]:.1f} at the start", flush=True)
    everything = {}
    for size in (int(s) for s in args.sizes.split(",")):
        graph = base / f"graph-{size}"
        if not ((graph / "COMPLETE").is_file() and (graph / "COMPLETE").read_text() == str(size)):
            generate(size, graph)
            (graph / "COMPLETE").write_text(str(size))
        megabytes = sum(p.stat().st_size for p in graph.glob("*.ttl")) / 1e6
        a, b = ends(size)
        cache = base / f"stores-cache-{size}"
        prepare(graph, cache, a)
        memory = measure("memory", graph, cache, a, b)
        disk = measure("disk", graph, cache, a, b)
        everything[size] = {"memory": memory, "disk": disk}
        print(report(size, megabytes, memory, disk), flush=True)
        if args.json:
            args.json.write_text(json.dumps(everything, indent=1))


if __name__ == "__main__":
    main()
