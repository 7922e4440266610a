"""The interactive HTML at 5,000 entities and 20,000 relationships: our export against pyvis's defaults.

Writes a synthetic graph in our model (entities of the ontology's classes, relationships of its
relationship types, each with a statement: quote, source, asserting party, status, some dated), loads
it, projects it, then in one run:

- ours:  ``actorgraph.export.html.render_network`` (layout precomputed in Python, drawn by our own
  canvas map, evidence embedded);
- pyvis: ``Network(cdn_resources="in_line").from_nx(graph)`` + ``generate_html()``, every other
  setting left at pyvis's default (undirected, barnesHut physics with stabilisation);

and reports the file size, the time to build the page, and the time to first render in Debian's
Chromium, measured from navigation start: for ours, the end of the map's first complete frame (the
whole graph, its names and the page's controls); for pyvis's, the first shape drawn on a canvas
(vis-network draws nothing until it has stabilised). A page that has not drawn after --timeout
seconds is reported as "> N s". pyvis's page asks a CDN for bootstrap; those requests are aborted so
they cannot stall the measurement. Then, on our page, it times each search and filter from the event
to the end of the frame that shows its result (the median of --repeat runs).

    python benchmarks/html_scale.py [--nodes 5000] [--edges 20000] [--timeout 120] [--repeat 5]

pyvis is in the 'bench' extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
CLASSES = ["Person", "Person", "Person", "Organization", "GovernmentBody", "CriminalOrganization",
           "Country", "Place", "Prison", "Event", "Offer", "Agreement"]
RELATIONSHIPS = ["memberOf", "leaderOf", "holdsOfficeIn", "negotiatedWith", "partOf", "participatedIn",
                 "protected", "conspiredWith", "requested", "locatedIn", "heldIn", "documented"]
STATUSES = ["Reported", "Reported", "Alleged", "Claimed"]

# Records when a page first paints on a canvas: the first fill, stroke or text drawn (pyvis's page).
PROBE = """
window.__firstDraw = null;
for (const name of ["fill", "stroke", "fillText"]) {
  const original = CanvasRenderingContext2D.prototype[name];
  CanvasRenderingContext2D.prototype[name] = function (...args) {
    if (window.__firstDraw === null) window.__firstDraw = performance.now();
    return original.apply(this, args);
  };
}
"""


def synthetic_graph(directory: Path, nodes: int, edges: int, seed: int = 1) -> None:
    """Turtle in our model: entities, direct triples, and a statement with evidence for each."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sources").mkdir(exist_ok=True)
    (directory / "sources" / "synthetic.txt").write_text("Synthetic text.\n", encoding="utf-8")
    head = ("@prefix ag: <https://w3id.org/actorgraph/ont#> .\n@prefix agid: <https://w3id.org/actorgraph/id/> .\n"
            "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix time: <http://www.w3.org/2006/time#> .\n\n")
    (directory / "sources.ttl").write_text(
        head + 'agid:doc-synthetic a ag:SourceDocument ; rdfs:label "Synthetic source" .\n'
        'agid:synthetic-reporting a ag:Actor ; rdfs:label "the synthetic reporting" .\n', encoding="utf-8")
    lines = [head]
    for i in range(nodes):
        lines.append(f'agid:e{i} a ag:{CLASSES[i % len(CLASSES)]} ; rdfs:label "Entity {i}" .\n')
    (directory / "actors.ttl").write_text("".join(lines), encoding="utf-8")
    # Preferential attachment: a few hubs and a long tail, as in real networks of actors.
    weights = [1.0 / (1 + i) ** 0.6 for i in range(nodes)]
    lines = [head]
    seen = set()
    while len(seen) < edges:
        # Every entity takes part in at least one relationship, so all of them are nodes.
        a = len(seen) if len(seen) < nodes else rng.choices(range(nodes), weights)[0]
        b = rng.choices(range(nodes), weights)[0] if len(seen) < nodes else rng.randrange(nodes)
        rel = rng.choice(RELATIONSHIPS)
        if a == b or (a, rel, b) in seen:
            continue
        seen.add((a, rel, b))
        n = len(seen)
        date = ""
        if n % 3 == 0:
            date = (f' ; ag:pointInTime [ a ag:DateValue ; ag:dateValue "{2015 + n % 10}-{1 + n % 12:02d}"'
                    f'^^xsd:gYearMonth ; ag:precision time:unitMonth ; ag:inferred false ]')
        lines.append(
            f"agid:e{a} ag:{rel} agid:e{b} .\n"
            f"agid:st-{n} a ag:Statement ; rdf:subject agid:e{a} ; rdf:predicate ag:{rel} ; rdf:object agid:e{b} ;"
            f' ag:quote "Entity {a} and entity {b}, sentence {n}." ; ag:source agid:doc-synthetic ;'
            f" ag:assertedBy agid:synthetic-reporting ; ag:status ag:{rng.choice(STATUSES)}{date} .\n")
    (directory / "synthetic.ttl").write_text("".join(lines), encoding="utf-8")


def pyvis_default(graph) -> str:
    """What a pyvis user gets by default (inlined, so the page can open without a CDN for vis-network)."""
    import networkx as nx
    from pyvis.network import Network

    plain = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        plain.add_node(node, label=data["label"], title=data["type_label"])
    for u, v, data in graph.edges(data=True):
        plain.add_edge(u, v, title=data["quote"], label=data["edge_label"])
    net = Network(cdn_resources="in_line")
    net.from_nx(plain)
    return net.generate_html()


# After the first render: how long our page takes to answer, from the event to the next frame drawn.
# Each action is followed by its undoing, so every run starts from the whole graph.
INTERACTIONS = {
    "search a name": ("(() => { const box = document.getElementById('search'); box.value = 'Entity 42';"
                      " box.dispatchEvent(new Event('input')); })()",
                      "(() => { const box = document.getElementById('search'); box.value = '';"
                      " box.dispatchEvent(new Event('input')); })()"),
    "untick a type": ("document.querySelector('#legend input').click()",
                      "document.querySelector('#legend input').click()"),
    "untick a status": ("document.querySelector('#status-filter input').click()",
                        "document.querySelector('#status-filter input').click()"),
    "untick the source": ("document.querySelector('#source-filter input').click()",
                          "document.querySelector('#source-filter input').click()"),
    "move the date slider": ("(() => { const s = document.getElementById('date-slider'); s.value = 40;"
                             " s.dispatchEvent(new Event('input')); })()",
                             "(() => { const s = document.getElementById('date-slider'); s.value = s.max;"
                             " s.dispatchEvent(new Event('input')); })()"),
    "click an entity (highlight)": ("window.actorgraph.select({kind: 'node', id: 0}, true)",
                                    "window.actorgraph.select(null, false)"),
}


def interaction_times(page, repeat: int) -> dict[str, float]:
    """Median seconds from each interaction to the end of the frame that shows its result."""
    import statistics

    times = {}
    for name, (action, undo) in INTERACTIONS.items():
        runs = []
        for _ in range(repeat):
            runs.append(page.evaluate("""async (action) => {
                const map = window.actorgraph.map;
                const start = performance.now();
                (0, eval)(action);
                await map.drawn();
                return (performance.now() - start) / 1000;
            }""", action))
            page.evaluate("async (undo) => { (0, eval)(undo); await window.actorgraph.map.drawn(); }", undo)
        times[name] = statistics.median(runs)
    return times


def first_render(playwright, path: Path, timeout: float, ours: bool, repeat: int = 5):
    """Seconds from navigation start to the first drawing (None if it did not draw in time), and, for
    our page, the interaction times."""
    profile = tempfile.mkdtemp(prefix="actorgraph-bench-")
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1440, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else route.abort())
        page.add_init_script(PROBE)
        page.goto(path.resolve().as_uri(), wait_until="commit", timeout=timeout * 1000)
        ready = "window.actorgraph && window.actorgraph.ready" if ours else "window.__firstDraw !== null"
        try:
            page.wait_for_function(ready, timeout=timeout * 1000, polling=100)
        except Exception:  # noqa: BLE001 - a timeout is a result here
            return None, {}
        if not ours:
            return page.evaluate("window.__firstDraw") / 1000.0, {}
        drawn = page.evaluate("window.actorgraph.map.firstFrame") / 1000.0
        return drawn, interaction_times(page, repeat)
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--edges", type=int, default=20000)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each interaction (the median is shown)")
    args = parser.parse_args()

    import os

    import actorgraph
    from actorgraph.export.html import render_network

    work = Path(tempfile.mkdtemp(prefix="actorgraph-html-scale-"))
    os.environ.setdefault("ACTORGRAPH_CACHE_DIR", str(work / "cache"))
    try:
        t = time.perf_counter()
        synthetic_graph(work / "graph", args.nodes, args.edges)
        kg = actorgraph.load(work / "graph", ROOT / "ontology")
        graph = kg.network()
        project_s = time.perf_counter() - t
        print(f"synthetic graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges "
              f"(written, loaded and projected in {project_s:.1f} s)")

        try:
            import pyvis.network  # noqa: F401 - imported before the clocks start
        except ImportError:
            sys.exit("pyvis is missing: pip install -e '.[bench]' (the benchmark draws the graph with pyvis too)")

        t = time.perf_counter()
        ours = render_network(graph, "actorgraph at scale", kg.vocabulary)
        ours_build = time.perf_counter() - t
        t = time.perf_counter()
        theirs = pyvis_default(graph)
        theirs_build = time.perf_counter() - t
        ours_path, theirs_path = work / "ours.html", work / "pyvis.html"
        ours_path.write_text(ours, encoding="utf-8")
        theirs_path.write_text(theirs, encoding="utf-8")

        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            ours_render, ours_interactions = first_render(playwright, ours_path, args.timeout, True, args.repeat)
            theirs_render, _ = first_render(playwright, theirs_path, args.timeout, False)

        def seconds(value: float | None) -> str:
            return f"> {args.timeout:.0f} s" if value is None else f"{value:.2f} s"

        def ratio(a: float | None, b: float | None) -> str:
            if a is None:
                return "n/a"
            if b is None:
                return f"> {args.timeout / a:.0f}x"
            return f"{b / a:.1f}x"

        size_ours, size_theirs = len(ours.encode()), len(theirs.encode())
        print()
        # The cores are shared: say how busy the machine was, since every figure below moves with it.
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end of the run")
        print()
        print(f"{'':28}{'actorgraph':>14}{'pyvis default':>16}{'pyvis / ours':>14}")
        print(f"{'file size':28}{size_ours / 1e6:>11.2f} MB{size_theirs / 1e6:>13.2f} MB"
              f"{size_theirs / size_ours:>13.2f}x")
        print(f"{'build the page':28}{ours_build:>12.2f} s{theirs_build:>14.2f} s{ratio(ours_build, theirs_build):>14}")
        print(f"{'first render in Chromium':28}{seconds(ours_render):>14}{seconds(theirs_render):>16}"
              f"{ratio(ours_render, theirs_render):>14}")
        print()
        print(f"actorgraph's page, once drawn (median of {args.repeat}, event to frame drawn):")
        for name, value in ours_interactions.items():
            print(f"  {name:32}{value * 1000:>8.0f} ms")
        print()
        rendered = ours_render is not None and ours_render <= 2
        print(f"target, first render at most 2 s: {'met' if rendered else 'NOT met'} ({seconds(ours_render)})")
        if ours_interactions:
            worst = max(ours_interactions.values())
            print(f"target, search and filters under 100 ms: {'met' if worst < 0.1 else 'NOT met'} "
                  f"(slowest {worst * 1000:.0f} ms)")
        print()
        print("actorgraph's page also carries every statement's evidence (quote, source, party, dates, status);")
        print("pyvis's carries a quote per edge as its title. Both start from the same projected networkx graph.")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
