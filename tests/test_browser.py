"""The HTML exports in a real browser: Debian's Chromium, driven by Playwright.

Each page is opened from a file:// URL with every request recorded: only the file itself (and data:
or blob: URLs) may appear. What a person would see is asserted: the nodes drawn, the evidence shown
on hover and click, markup shown as text, the filters and the search changing what is drawn.

Run ``python tests/test_browser.py exports/actorgraph.html exports/actorgraph.png`` to take the
README's screenshot.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

import actorgraph
from actorgraph.export import View, build
from actorgraph.network import project
from conftest import EVIL, EVIL_ALIAS, make_evil_world

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
EXPORTS = ROOT / "exports"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
AGID = "https://w3id.org/actorgraph/id/"

# Runs before any script of the page: records alert() calls instead of blocking on them.
RECORD_ALERTS = "window.__alerts = []; window.alert = (m) => window.__alerts.push(String(m));"


def launch(playwright, user_data_dir: str):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install Debian's chromium package "
                    f"(apt-get install chromium); the browser tests need a real browser", pytrace=False)
    return playwright.chromium.launch_persistent_context(
        user_data_dir, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 900},
        # The pages' Content-Security-Policy would block any request anyway; bypassing it proves that
        # the page itself asks for nothing (and lets Playwright evaluate its probes).
        bypass_csp=True)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: pip install -e '.[test]'", pytrace=False)
    with sync_playwright() as playwright:
        context = launch(playwright, str(tmp_path_factory.mktemp("chromium-profile")))
        yield context
        context.close()


class Opened:
    """A page and everything it asked for and complained about."""

    def __init__(self, page, path: Path):
        self.page, self.path = page, path
        self.requests: list[str] = []
        self.errors: list[str] = []

    def foreign_requests(self) -> list[str]:
        own = self.path.resolve().as_uri()
        return [url for url in self.requests if url != own and not url.startswith(("data:", "blob:"))]


@pytest.fixture
def open_page(browser):
    pages = []

    def run(path: Path) -> Opened:
        page = browser.new_page()
        opened = Opened(page, path)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on("console", lambda msg: msg.type == "error" and opened.errors.append(msg.text))
        page.on("pageerror", lambda err: opened.errors.append(str(err)))
        page.add_init_script(RECORD_ALERTS)
        page.goto(path.resolve().as_uri())
        page.wait_for_function("window.actorgraph && window.actorgraph.ready === true", timeout=60_000)
        pages.append(page)
        return opened

    yield run
    for page in pages:
        page.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return target


def node_point(page, node_id: int) -> tuple[float, float]:
    """Where a node is drawn, in page coordinates."""
    return page.evaluate("""(id) => {
        const net = window.actorgraph.network;
        const p = net.canvasToDOM(net.getPosition(id));
        const box = document.getElementById("network").getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }""", node_id)


def edge_point(page, edge_id: int) -> tuple[float, float]:
    """The middle of an edge's drawn curve, in page coordinates."""
    return page.evaluate("""(id) => {
        const net = window.actorgraph.network;
        const edge = net.body.edges[id];
        const mid = edge.edgeType.getPoint(0.5);
        const p = net.canvasToDOM(mid);
        const box = document.getElementById("network").getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }""", edge_id)


def node_id(page, iri: str) -> int:
    return page.evaluate("(iri) => window.actorgraph.nodes.get({filter: (n) => n.iri === iri})[0].id", iri)


def edge_id(page, key: str) -> int:
    return page.evaluate("(key) => window.actorgraph.edges.get({filter: (e) => e.key === key})[0].id", key)


def panel(page) -> str:
    return page.inner_text("#evidence-panel")


def counts(page) -> dict[str, int]:
    return page.evaluate("""() => ({
        nodes: window.actorgraph.nodesView.length,
        edges: window.actorgraph.edgesView.length,
        drawnNodes: window.actorgraph.network.body.nodeIndices.length,
        drawnEdges: window.actorgraph.network.body.edgeIndices.length,
    })""")


# -- the network page -------------------------------------------------------------------------------------


def test_page_is_offline_and_draws_every_node(world, open_page, tmp_path):
    path = write(tmp_path, "world.html", build(world, "html"))
    opened = open_page(path)
    page = opened.page
    assert opened.foreign_requests() == []
    assert opened.requests == [path.resolve().as_uri()]
    assert opened.errors == []
    graph = world.network()
    assert page.evaluate("window.actorgraph.nodes.length") == graph.number_of_nodes()
    assert counts(page) == {"nodes": 7, "edges": 7, "drawnNodes": graph.number_of_nodes(),
                            "drawnEdges": graph.number_of_edges()}
    assert page.inner_text("#summary") == "7 of 7 entities, 7 of 7 relationships shown"
    legend = page.inner_text("#legend")
    assert "person (3)" in legend and "government body (1)" in legend
    shot = tmp_path / "world.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000


def test_hover_and_click_show_evidence(world, open_page, tmp_path):
    page = open_page(write(tmp_path, "world.html", build(world, "html"))).page
    bo = node_id(page, AGID + "bo-lind")
    page.mouse.move(*node_point(page, bo))
    page.wait_for_function("document.getElementById('evidence-panel').innerText.includes('Bo Lind')")
    text = panel(page)
    assert "Minister Bo Lind of Sylvania" in text  # the quote
    assert "the report's own reporting" in text and "World report" in text and "reported" in text

    offered = edge_id(page, "offered")
    page.mouse.move(*edge_point(page, offered))
    page.wait_for_function("document.getElementById('evidence-panel').innerText.includes('It is an offer')")
    text = panel(page)
    assert '"It is an offer, not an agreement," said Minister Bo Lind of Sylvania on Tuesday.' in text
    assert "Bo Lind" in text and "offered" in text
    assert "2025-02-04 (day), inferred" in text  # the date, its precision, and that it was inferred

    # Click an edge: its evidence stays.
    negotiated = edge_id(page, "negotiatedWith")
    page.mouse.click(*edge_point(page, negotiated))
    page.wait_for_function("document.getElementById('evidence-panel').innerText.includes('March 2021')")
    assert "2021-03 (month)" in panel(page) and "alleged" in panel(page) and "prosecutors" in panel(page)

    # Click a node: its evidence, and its neighbourhood highlighted while the rest fades.
    page.mouse.click(*node_point(page, bo))
    page.wait_for_function("window.actorgraph.state.selected !== null")
    assert "Minister Bo Lind of Sylvania" in panel(page)
    colours = page.evaluate("""() => Object.fromEntries(window.actorgraph.nodes.get().map(
        (n) => [n.iri.split('/').pop(), typeof n.color === 'string' ? n.color : n.color.background]))""")
    assert colours["bo-lind"] == "#1f77b4"
    assert colours["freedonian-government"] == "#2ca02c"
    assert colours["harbor-gang"].startswith("rgba(200,200,200")
    assert colours["ana-torres"].startswith("rgba(200,200,200")


def test_markup_in_labels_and_quotes_stays_text(world_copy, open_page, tmp_path):
    kg = actorgraph.load(make_evil_world(world_copy), ONTOLOGY)
    opened = open_page(write(tmp_path, "evil.html", build(kg, "html")))
    page = opened.page
    mott = node_id(page, AGID + "carl-mott")
    assert page.evaluate("(id) => window.actorgraph.nodes.get(id).name", mott) == EVIL
    page.mouse.move(*node_point(page, mott))
    page.wait_for_function("document.querySelector('#evidence-panel h2') !== null")
    assert page.inner_text("#evidence-panel h2") == EVIL
    assert '<a href="javascript:window.__pwned=3">leads</a> & more' in panel(page)
    assert EVIL_ALIAS in panel(page)
    page.mouse.click(*node_point(page, mott))
    page.fill("#search", "img")
    page.wait_for_timeout(200)
    assert page.evaluate("document.querySelectorAll('img, a[href]').length") == 0
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__alerts") == []
    assert opened.errors == [] and opened.foreign_requests() == []

    timeline = open_page(write(tmp_path, "evil-timeline.html", build(kg, "timeline")))
    assert EVIL in timeline.page.inner_text("#timeline")
    assert timeline.page.evaluate("window.__pwned") is None
    assert timeline.page.evaluate("document.querySelectorAll('img').length") == 0


def test_type_date_and_search_filters_change_what_is_drawn(world, open_page, tmp_path):
    page = open_page(write(tmp_path, "world.html", build(world, "html"))).page
    graph = world.network()

    # Type: untick "person" and the three people and their relationships go.
    page.uncheck(f"#legend input[data-type='{'https://w3id.org/actorgraph/ont#Person'}']")
    persons = [n for n, d in graph.nodes(data=True) if d["type_label"] == "person"]
    assert counts(page)["nodes"] == graph.number_of_nodes() - len(persons)
    assert counts(page)["drawnNodes"] == graph.number_of_nodes() - len(persons)
    assert counts(page)["edges"] == 0  # every fixture relationship has a person at one end
    page.check("#legend input[data-type='https://w3id.org/actorgraph/ont#Person']")
    assert counts(page)["nodes"] == graph.number_of_nodes()

    # Date: the page applies the same rule as the projection's --as-of.
    for day in ("2021", "2021-02", "2022-06-15", "2025"):
        page.fill("#as-of", day)
        expected = project(world, as_of=day)
        assert counts(page)["edges"] == expected.number_of_edges(), day
        assert counts(page)["nodes"] == expected.number_of_nodes(), day
        assert counts(page)["drawnEdges"] == expected.number_of_edges(), day
    page.fill("#as-of", "2021-13-01")
    assert page.inner_text("#as-of-error") == "Use YYYY, YYYY-MM or YYYY-MM-DD"
    page.fill("#as-of", "")
    assert counts(page)["edges"] == graph.number_of_edges()

    # Search: the matches and their neighbours stay; accents and case do not matter.
    page.fill("#search", "harbor")
    assert counts(page) == {"nodes": 2, "edges": 1, "drawnNodes": 2, "drawnEdges": 1}
    page.fill("#search", "PRESIDENT TÓRRES")
    shown = page.evaluate("window.actorgraph.nodesView.get().map((n) => n.name).sort()")
    assert shown == ["Ana Torres", "Freedonian government", "Offer to house prisoners from Sylvania"]
    page.press("#search", "Enter")
    assert "Torres heads the Freedonian government." in panel(page)
    page.click("#reset")
    assert counts(page)["nodes"] == graph.number_of_nodes()
    assert page.input_value("#search") == ""


def test_ego_page_draws_the_ego_network(world, open_page, tmp_path):
    page = open_page(write(tmp_path, "ego.html", build(world, "html", View(ego="Red", depth=1)))).page
    assert counts(page)["drawnNodes"] == 4
    assert page.inner_text("#heading") == "actorgraph network around Carl Mott (1 step)"


def test_large_graph_page_draws_without_physics(world, open_page, tmp_path):
    from actorgraph.export.html import render_network

    page = open_page(write(tmp_path, "still.html", render_network(world.network(), "still", world.vocabulary,
                                                                    physics_max_nodes=3))).page
    assert page.evaluate("window.actorgraph.physics") is False
    assert counts(page)["drawnNodes"] == 7


# -- the timeline page ---------------------------------------------------------------------------------------


def test_timeline_page(world, open_page, tmp_path):
    opened = open_page(write(tmp_path, "timeline.html", build(world, "timeline")))
    page = opened.page
    assert opened.foreign_requests() == [] and opened.errors == []
    text = page.inner_text("#timeline")
    assert "March 2021\n2021-03 · month" in text
    assert "4 February 2025 (inferred)" in text
    page.click(".event >> nth=1")
    assert "Red was released by the Freedonian government in 2022" in panel(page)
    assert "2022 (year)" in panel(page)
    page.fill("#search", "sylvania")
    assert page.evaluate("[...document.querySelectorAll('.event')].filter((e) => !e.hidden).length") == 2


# -- the shipped exports ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["actorgraph.html", "ego-nayib-bukele.html", "ego-osiris-luna-meza.html",
                                  "ego-elmer-canales-rivera.html", "timeline.html"])
def test_shipped_pages_open_offline(kg, open_page, name):
    opened = open_page(EXPORTS / name)
    assert opened.foreign_requests() == []
    assert opened.errors == []
    if name == "actorgraph.html":
        assert counts(opened.page)["drawnNodes"] == kg.network().number_of_nodes()
        assert counts(opened.page)["drawnEdges"] == kg.network().number_of_edges()


def screenshot(html: Path, png: Path) -> None:
    """Open ``html`` in Chromium and save what it draws to ``png`` (the README's picture)."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="actorgraph-chromium-")
    try:
        with sync_playwright() as playwright:
            context = launch(playwright, profile)
            page = context.new_page()
            page.goto(html.resolve().as_uri())
            page.wait_for_function("window.actorgraph && window.actorgraph.ready === true", timeout=120_000)
            page.screenshot(path=str(png))
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    screenshot(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {sys.argv[2]} ({os.path.getsize(sys.argv[2])} bytes)")


def test_date_filter_agrees_with_as_of_on_spans(world_copy, open_page, tmp_path):
    """Start and end times, at every precision: the page keeps exactly what --as-of keeps."""
    report = world_copy / "world-report.ttl"
    text = report.read_text(encoding="utf-8")
    text = text.replace(
        'ag:quote "Minister Bo Lind of Sylvania" ; ag:role "Minister" ;',
        'ag:quote "Minister Bo Lind of Sylvania" ; ag:role "Minister" ;\n'
        '    ag:startTime [ a ag:DateValue ; ag:dateValue "2020-05"^^xsd:gYearMonth ; '
        'ag:precision time:unitMonth ; ag:inferred false ] ;\n'
        '    ag:endTime [ a ag:DateValue ; ag:dateValue "2022"^^xsd:gYear ; '
        'ag:precision time:unitYear ; ag:inferred false ] ;')
    text = text.replace(
        'ag:quote "Torres heads the Freedonian government." ;',
        'ag:quote "Torres heads the Freedonian government." ;\n'
        '    ag:endTime [ a ag:DateValue ; ag:dateValue "2021-03-15"^^xsd:date ; '
        'ag:precision time:unitDay ; ag:inferred false ] ;')
    report.write_text(text, encoding="utf-8")
    kg = actorgraph.load(world_copy, ONTOLOGY)
    page = open_page(write(tmp_path, "spans.html", build(kg, "html"))).page
    for day in ("2019", "2020-04", "2020-05", "2020-05-31", "2021-03", "2021-03-15", "2021-03-16", "2021-04",
                "2022-12-31", "2023", "2023-01-01"):
        page.fill("#as-of", day)
        expected = project(kg, as_of=day)
        shown = sorted(page.evaluate("window.actorgraph.edgesView.get().map((e) => e.key)"))
        assert shown == sorted(k for *_, k in expected.edges(keys=True)), day
        assert counts(page)["nodes"] == expected.number_of_nodes(), day


def test_missing_chromium_fails_rather_than_skips(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(pytest.fail.Exception, match="Chromium is missing at .*apt-get install chromium"):
        launch(None, str(tmp_path / "profile"))
