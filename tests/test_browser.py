"""The HTML pages in a real browser: Debian's Chromium, driven by Playwright, at 1440×900 and 390×844.

Each page is opened from a file:// URL with every request recorded: only the page itself (and data:
or blob: URLs) may appear. What a person would see is asserted: what is drawn, where, how large the
names are, what the evidence panel says, what a click, a key, a filter or an address does.
"""

from __future__ import annotations

import json
import re
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import actorgraph
from actorgraph.export import View, build
from actorgraph.export.style import contrast
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
VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}
BOTH = pytest.mark.parametrize("viewport", list(VIEWPORTS))

# Runs before any script of the page: records alert() calls instead of blocking on them.
RECORD_ALERTS = "window.__alerts = []; window.alert = (m) => window.__alerts.push(String(m));"


def launch(playwright, user_data_dir: str, viewport: str = "desktop"):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install Debian's chromium package "
                    f"(apt-get install chromium); the browser tests need a real browser", pytrace=False)
    width, height = VIEWPORTS[viewport]
    phone = viewport == "phone"
    return playwright.chromium.launch_persistent_context(
        user_data_dir, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone, accept_downloads=True,
        # The pages' Content-Security-Policy would block any request anyway; bypassing it proves that
        # the page itself asks for nothing (and lets Playwright evaluate its probes).
        bypass_csp=True)


@pytest.fixture(scope="module")
def contexts(tmp_path_factory):
    """One browser per viewport, each with a fresh profile, started when first needed."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: pip install -e '.[test]'", pytrace=False)
    with sync_playwright() as playwright:
        made: dict[str, object] = {}

        def get(viewport: str):
            if viewport not in made:
                made[viewport] = launch(playwright, str(tmp_path_factory.mktemp(f"chromium-{viewport}")), viewport)
            return made[viewport]

        yield get
        for context in made.values():
            context.close()


class Opened:
    """A page and everything it asked for and complained about."""

    def __init__(self, page, url: str):
        self.page, self.url = page, url
        self.requests: list[str] = []
        self.errors: list[str] = []

    def foreign_requests(self) -> list[str]:
        """Requests for anything but a local page file, data: or blob:."""
        return [url for url in self.requests
                if not url.startswith(("data:", "blob:")) and not (url.startswith("file:") and url.endswith(".html")
                                                                   or url.startswith("file:") and ".html?" in url)]


@pytest.fixture
def open_page(contexts):
    pages = []

    def run(target: Path | str, viewport: str = "desktop", ready: bool = True) -> Opened:
        url = target if isinstance(target, str) else target.resolve().as_uri()
        page = contexts(viewport).new_page()
        opened = Opened(page, url)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on("console", lambda msg: msg.type == "error" and opened.errors.append(msg.text))
        page.on("pageerror", lambda err: opened.errors.append(str(err)))
        page.add_init_script(RECORD_ALERTS)
        page.goto(url)
        if ready:
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


# -- reading the map ----------------------------------------------------------------------------------


def drawn(page) -> None:
    """Wait until the map has drawn a frame after what was just done."""
    page.evaluate("window.actorgraph.map.drawn()")


def node_id(page, key: str) -> int:
    """An entity's index on the page, by its id (``carl-mott``) or its IRI."""
    return page.evaluate("(key) => window.actorgraph.data.nodes.find((n) => n.key === key).id", key.removeprefix(AGID))


def edge_id(page, key: str) -> int:
    return page.evaluate("(key) => window.actorgraph.data.edges.find((e) => e.key === key).id", key)


def node_point(page, i: int) -> tuple[float, float]:
    """Where a node is drawn, in page coordinates."""
    return page.evaluate("""(i) => {
        const m = window.actorgraph.map, [x, y] = m.toScreen(i), box = m.canvas.getBoundingClientRect();
        return [box.left + x, box.top + y];
    }""", i)


def edge_point(page, i: int) -> tuple[float, float]:
    """The middle of a relationship's drawn line, in page coordinates."""
    return page.evaluate("""(i) => {
        const m = window.actorgraph.map, [x, y] = m.edgeMidpoint(i), box = m.canvas.getBoundingClientRect();
        return [box.left + x, box.top + y];
    }""", i)


def screen_positions(page) -> list[list[float]]:
    return page.evaluate("window.actorgraph.data.nodes.map((n) => window.actorgraph.map.toScreen(n.id))")


def world_positions(page) -> list[list[float]]:
    return page.evaluate("window.actorgraph.map.nodes.map((n) => [n.x, n.y])")


def counts(page) -> dict[str, int]:
    return page.evaluate("window.actorgraph.counts()")


def panel(page) -> str:
    return page.inner_text("#evidence-panel")


def shown_edge_keys(page) -> list[str]:
    return sorted(page.evaluate("""() => { const a = window.actorgraph, m = a.map;
        return a.data.edges.filter((e) => m.edgeShown[e.id] && m.nodeShown[e.from] && m.nodeShown[e.to])
          .map((e) => e.key); }"""))


def labels(page) -> list[dict]:
    """The names drawn on the map in the last frame: node id, font size in px, box."""
    return page.evaluate("window.actorgraph.map.drawnLabels")


def click_node(page, key: str) -> None:
    page.mouse.click(*node_point(page, node_id(page, key)))
    drawn(page)


# -- the explorer: offline, drawn, escaped ------------------------------------------------------------------


@BOTH
def test_page_is_offline_and_draws_every_node(world, open_page, tmp_path, viewport):
    path = write(tmp_path, "world.html", build(world, "html"))
    opened = open_page(path, viewport)
    page = opened.page
    assert opened.requests == [path.resolve().as_uri()]
    assert opened.errors == []
    graph = world.network()
    assert counts(page) == {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    assert page.inner_text("#summary") == "7 of 7 entities, 7 of 7 relationships shown"
    # Every node is inside the canvas, and the canvas fills its part of the screen.
    box = page.evaluate("(() => { const r = document.getElementById('network-canvas').getBoundingClientRect();"
                        " return [r.left, r.top, r.width, r.height]; })()")
    for x, y in (node_point(page, i) for i in range(graph.number_of_nodes())):
        assert box[0] <= x <= box[0] + box[2] and box[1] <= y <= box[1] + box[3]
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport][0]


def test_markup_in_labels_and_quotes_stays_text(world_copy, open_page, tmp_path):
    kg = actorgraph.load(make_evil_world(world_copy), ONTOLOGY)
    opened = open_page(write(tmp_path, "evil.html", build(kg, "html")))
    page = opened.page
    mott = node_id(page, "carl-mott")
    assert page.evaluate("(id) => window.actorgraph.data.nodes[id].name", mott) == EVIL
    click_node(page, "carl-mott")
    assert page.inner_text("#evidence-panel h2") == EVIL
    assert '<a href="javascript:window.__pwned=3">leads</a> & more' in panel(page)
    assert EVIL_ALIAS in panel(page)
    page.fill("#search", "img")
    drawn(page)
    assert EVIL in page.inner_text("#search-results")
    # The downloads carry the names as text too.
    svg = page.evaluate("window.actorgraph.map.toSVG(window.actorgraph.caption())")
    ET.fromstring(svg)  # well-formed: nothing in it opened a tag
    assert "<img" not in svg and "&lt;img src=x" in svg
    assert page.evaluate("document.querySelectorAll('img, a[href^=javascript]').length") == 0
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__alerts") == []
    assert opened.errors == [] and opened.foreign_requests() == []

    timeline = open_page(write(tmp_path, "evil-timeline.html", build(kg, "timeline")))
    assert EVIL in timeline.page.inner_text("#timeline")
    assert timeline.page.evaluate("window.__pwned") is None
    assert timeline.page.evaluate("document.querySelectorAll('img').length") == 0


# -- 1. a readable overview ------------------------------------------------------------------------------


@BOTH
def test_hub_names_are_readable_at_the_default_fit(kg, open_page, viewport):
    page = open_page(EXPORTS / "actorgraph.html", viewport).page
    graph = kg.network()
    hubs = [n.removeprefix(AGID) for n in sorted(graph.nodes(), key=lambda n: (-graph.degree(n), n))[:5]]
    drawn_labels = {label["id"]: label for label in labels(page)}
    for key in hubs:
        label = drawn_labels.get(node_id(page, key))
        assert label is not None, f"{key}: no name drawn at the default fit"
        assert label["size"] >= 11, (key, label["size"])
    # The names drawn do not overlap one another.
    boxes = [(lb["x"] - lb["w"] / 2, lb["y"], lb["x"] + lb["w"] / 2, lb["y"] + lb["h"]) for lb in labels(page)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1])


@BOTH
def test_more_names_appear_as_you_zoom(open_page, viewport):
    page = open_page(EXPORTS / "actorgraph.html", viewport).page
    before = {label["id"] for label in labels(page)}
    total = page.evaluate("window.actorgraph.data.nodes.length")
    assert len(before) < total
    page.focus("#network-canvas")
    for _ in range(4):
        page.keyboard.press("+")
    drawn(page)
    after = {label["id"] for label in labels(page)}
    assert after - before, "zooming in drew no new name"


def test_sizes_types_and_edge_styles(kg, open_page):
    page = open_page(EXPORTS / "actorgraph.html").page
    data = page.evaluate("window.actorgraph.data")
    graph = kg.network()
    # Size follows the number of relationships.
    by_degree = sorted(data["nodes"], key=lambda n: n["degree"])
    assert by_degree[0]["size"] < by_degree[-1]["size"]
    radii = page.evaluate("window.actorgraph.data.nodes.map((n) => window.actorgraph.map.radius(n.id))")
    assert radii[by_degree[0]["id"]] < radii[by_degree[-1]["id"]]
    # Each type present is drawn with its own colour-and-shape pair, and the key shows each.
    pairs = [(t["colour"], t["shape"]) for t in data["types"]]
    assert len(set(pairs)) == len(pairs)
    assert page.locator("#legend li").count() == len(data["types"])
    # Each relationship is drawn with the line of its least firm status, and the key shows every line.
    statuses = [s["label"] for s in data["statuses"]]
    lines = page.evaluate("window.actorgraph.map.edgeLine")
    for edge in data["edges"]:
        least = max((item["status_label"] for item in edge["ev"]), key=statuses.index)
        expected = next(s["line"] for s in data["statuses"] if s["label"] == least)
        assert lines[edge["id"]] == expected, edge["key"]
    present = {item["status_label"] for _, _, d in graph.edges(data=True) for item in d["evidence"]}
    keyed = page.evaluate("[...document.querySelectorAll('#status-filter li')].map((li) => li.innerText)")
    assert sorted(text.split(" (")[0] for text in keyed) == sorted(present)
    assert page.locator("#status-filter canvas.line-sample").count() == len(present)
    assert len({s["line"] for s in data["statuses"] if s["label"] in present}) == len(present)


@BOTH
def test_neighbours_highlight_and_the_rest_fades(world, open_page, tmp_path, viewport):
    page = open_page(write(tmp_path, "world.html", build(world, "html")), viewport).page
    click_node(page, "bo-lind")
    states = page.evaluate("""() => { const m = window.actorgraph.map;
        return {nodes: m.nodes.map((n) => m.nodeState(n.id)), edges: m.edges.map((e) => m.edgeState(e.id))}; }""")
    data = page.evaluate("window.actorgraph.data")
    bo = node_id(page, "bo-lind")
    touching = {e["id"] for e in data["edges"] if bo in (e["from"], e["to"])}
    neighbours = {bo} | {end for e in data["edges"] if e["id"] in touching for end in (e["from"], e["to"])}
    assert {i for i, s in enumerate(states["nodes"]) if s} == neighbours
    assert {i for i, s in enumerate(states["edges"]) if s} == touching  # the other edges fade too
    assert len(touching) < len(data["edges"])


# -- 2. a stable map ------------------------------------------------------------------------------------


@BOTH
def test_positions_hold_through_search_filters_dates_and_show_all(kg, open_page, viewport):
    page = open_page(EXPORTS / "actorgraph.html", viewport).page
    world_before, screen_before = world_positions(page), screen_positions(page)
    page.fill("#search", "Osiris Luna")
    drawn(page)
    page.fill("#search", "")
    drawn(page)
    if viewport == "phone":
        page.click("#sheet-toggle")
    page.evaluate("document.getElementById('filters').open = true")
    page.locator("#status-filter input[data-status='alleged']").uncheck()
    page.evaluate("(() => { const s = document.getElementById('date-slider'); s.value = 3;"
                  " s.dispatchEvent(new Event('input')); })()")
    drawn(page)
    shown = page.evaluate("Array.from(window.actorgraph.map.nodeShown)")
    assert 0 < sum(shown) < len(shown)
    assert world_positions(page) == world_before  # nothing was moved, filtered or not
    screen_now = screen_positions(page)
    page.click("#reset")
    drawn(page)
    assert world_positions(page) == world_before
    after = screen_positions(page)
    # Show all fits the whole graph again: every entity where it was drawn at first.
    assert max(abs(a - b) for p, q in zip(after, screen_before, strict=True) for a, b in zip(p, q, strict=True)) < 0.5
    assert screen_now != screen_before  # (the view had changed in between, so this is not vacuous)
    assert counts(page)["nodes"] == len(world_before)


@BOTH
def test_search_fits_the_matches_and_enter_picks_the_best(kg, open_page, viewport):
    page = open_page(EXPORTS / "actorgraph.html", viewport).page
    scale = page.evaluate("window.actorgraph.map.view.scale")
    page.fill("#search", "Osiris")
    drawn(page)
    assert page.evaluate("window.actorgraph.map.view.scale") > scale  # the view closed in on the match
    x, y = node_point(page, node_id(page, "osiris-luna-meza"))
    box = page.locator("#network-canvas").bounding_box()
    assert box["x"] < x < box["x"] + box["width"] and box["y"] < y < box["y"] + box["height"]
    assert page.inner_text("#search-results").startswith("Osiris Luna Meza")
    # An exact alias beats a name that merely starts with the word.
    page.fill("#search", "bukele")
    page.press("#search", "Enter")
    drawn(page)
    assert page.inner_text("#evidence-panel h2") == "Nayib Bukele"
    assert page.evaluate("window.actorgraph.state.selected.id") == node_id(page, "nayib-bukele")
    # Show all clears the search and the selection, and the panel no longer shows the old entity.
    page.click("#reset")
    drawn(page)
    assert page.input_value("#search") == ""
    assert page.evaluate("window.actorgraph.state.selected") is None
    assert "Nayib Bukele" not in panel(page)
    assert page.evaluate("window.actorgraph.map.focus") is None


# -- 3. evidence first ------------------------------------------------------------------------------------


@BOTH
def test_evidence_panel_comes_first_and_a_click_pins_it(world, open_page, tmp_path, viewport):
    page = open_page(write(tmp_path, "world.html", build(world, "html")), viewport).page
    evidence_top = page.locator("#evidence-panel").bounding_box()["y"]
    assert evidence_top < page.locator("#filters").bounding_box()["y"]
    click_node(page, "bo-lind")
    assert page.inner_text("#evidence-panel h2") == "Bo Lind"
    text = panel(page)
    assert "Minister Bo Lind of Sylvania" in text and "World report" in text and "reported" in text
    if viewport == "desktop":
        # Hovering another entity does not replace the pinned one, and leaving it changes nothing.
        page.mouse.move(*node_point(page, node_id(page, "carl-mott")))
        drawn(page)
        assert page.inner_text("#evidence-panel h2") == "Bo Lind"
        assert page.is_visible("#tooltip") and page.inner_text("#tooltip") == "Carl Mott"
        page.mouse.move(5, 5)
        assert page.inner_text("#evidence-panel h2") == "Bo Lind"
    else:
        # On a phone the panel is a sheet below the map, opened by the tap, with the evidence in view.
        sheet = page.locator("aside").bounding_box()
        assert sheet["y"] > VIEWPORTS["phone"][1] * 0.4 and sheet["width"] == VIEWPORTS["phone"][0]
        heading = page.locator("#evidence-panel h2").bounding_box()
        assert 0 <= heading["y"] < VIEWPORTS["phone"][1]
    # A relationship: its statements, dates with precision, and the link to its source's text.
    if viewport == "phone":
        page.click("#sheet-toggle")  # fold the sheet to reach the map beneath it
    page.mouse.click(*edge_point(page, edge_id(page, "offered")))
    drawn(page)
    text = panel(page)
    assert '"It is an offer, not an agreement," said Minister Bo Lind of Sylvania on Tuesday.' in text
    assert "2025-02-04 (day), inferred" in text
    link = page.locator("#evidence-panel a.source-link")
    assert link.get_attribute("href") == "source-world-report.html#st=st-torres-offered"


def test_hover_previews_until_something_is_pinned(world, open_page, tmp_path):
    page = open_page(write(tmp_path, "world.html", build(world, "html"))).page
    page.mouse.move(*node_point(page, node_id(page, "carl-mott")))
    drawn(page)
    assert page.inner_text("#evidence-panel h2") == "Carl Mott"
    assert page.evaluate("window.actorgraph.map.focus") is not None  # its neighbourhood stands out
    page.mouse.move(3, 3)
    page.wait_for_function("document.querySelector('#evidence-panel h2').innerText === 'Evidence'")


@BOTH
def test_source_link_opens_the_sentence_highlighted(kg, open_page, tmp_path, viewport):
    page = open_page(EXPORTS / "actorgraph.html", viewport).page
    page.fill("#search", "Engel List")
    page.press("#search", "Enter")
    drawn(page)
    page.click("#evidence-panel h3 button >> text=sanctioned under")
    link = page.locator("#evidence-panel a.source-link").first
    href = link.get_attribute("href")
    assert re.fullmatch(r"source-[\w-]+\.html#st=st-luna-engel-2021", href)
    link.click()
    page.wait_for_function("window.actorgraph && window.actorgraph.ready && document.querySelector('mark.target')")
    target = page.locator("mark.target")
    assert "Engel List" in " ".join(target.all_inner_texts())
    box = target.first.bounding_box()
    assert 0 < box["y"] < VIEWPORTS[viewport][1]  # scrolled into view
    assert "sanctioned under" in page.inner_text("#evidence-panel")


# -- 4. filters -----------------------------------------------------------------------------------------


@BOTH
def test_status_and_source_filters(world, open_page, tmp_path, viewport):
    page = open_page(write(tmp_path, "world.html", build(world, "html")), viewport).page
    if viewport == "phone":
        page.click("#sheet-toggle")
    page.evaluate("document.getElementById('filters').open = true")
    graph = world.network()
    page.locator("#status-filter input[data-status='alleged']").uncheck()
    drawn(page)
    expected = sorted(k for *_, k, d in graph.edges(keys=True, data=True)
                      if any(i["status_label"] != "alleged" for i in d["evidence"]))
    assert shown_edge_keys(page) == expected and "negotiatedWith" not in expected
    page.locator("#status-filter input[data-status='alleged']").check()
    page.locator("#source-filter input[data-source='doc-world-report']").uncheck()
    drawn(page)
    assert counts(page) == {"nodes": 0, "edges": 0}
    assert page.evaluate("new URLSearchParams(location.search).get('sources')") == ""
    page.click("#reset")
    assert counts(page)["edges"] == graph.number_of_edges()


def test_type_filter(world, open_page, tmp_path):
    page = open_page(write(tmp_path, "world.html", build(world, "html"))).page
    graph = world.network()
    page.uncheck("#legend input[data-type='https://w3id.org/actorgraph/ont#Person']")
    persons = [n for n, d in graph.nodes(data=True) if d["type_label"] == "person"]
    assert counts(page) == {"nodes": graph.number_of_nodes() - len(persons), "edges": 0}
    page.check("#legend input[data-type='https://w3id.org/actorgraph/ont#Person']")
    assert counts(page)["nodes"] == graph.number_of_nodes()


@BOTH
def test_date_slider_and_undated_relationships(world, open_page, tmp_path, viewport):
    page = open_page(write(tmp_path, "world.html", build(world, "html")), viewport).page
    months = page.evaluate("Number(document.getElementById('date-slider').max)")
    assert months > 1
    page.evaluate("(() => { const s = document.getElementById('date-slider'); s.value = 0;"
                  " s.dispatchEvent(new Event('input')); })()")
    drawn(page)
    first = page.evaluate("window.actorgraph.state.asOf")
    assert first == "2021-03"  # the month of the earliest date
    expected = project(world, as_of=first)
    assert shown_edge_keys(page) == sorted(k for *_, k in expected.edges(keys=True))
    # Undated relationships are shown, drawn paler, and have their own toggle.
    undated = sorted(k for *_, k, d in expected.edges(keys=True, data=True)
                     if not any(i["point_in_time"] or i["start_time"] or i["end_time"] for i in d["evidence"]))
    pale = sorted(page.evaluate("window.actorgraph.data.edges.filter((e) => window.actorgraph.map.edgePale[e.id])"
                                ".map((e) => e.key)"))
    assert pale == undated and undated
    assert page.inner_text("#date-shown") == "March 2021"
    page.evaluate("document.getElementById('filters').open = true")
    if viewport == "phone":
        page.click("#sheet-toggle")
    page.locator("#undated").uncheck()
    drawn(page)
    assert shown_edge_keys(page) == sorted(set(k for *_, k in expected.edges(keys=True)) - set(undated))


def test_as_of_agrees_with_the_projection(world, open_page, tmp_path):
    page = open_page(write(tmp_path, "world.html", build(world, "html"))).page
    for day in ("2021", "2021-02", "2022-06-15", "2025"):
        page.fill("#as-of", day)
        expected = project(world, as_of=day)
        assert shown_edge_keys(page) == sorted(k for *_, k in expected.edges(keys=True)), day
        assert counts(page)["nodes"] == expected.number_of_nodes(), day
    page.fill("#as-of", "2021-13-01")
    assert page.inner_text("#as-of-error") == "Use YYYY, YYYY-MM or YYYY-MM-DD"
    page.fill("#as-of", "")
    assert counts(page)["edges"] == world.network().number_of_edges()


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
        assert shown_edge_keys(page) == sorted(k for *_, k in expected.edges(keys=True)), day
        assert counts(page)["nodes"] == expected.number_of_nodes(), day


# -- 5. share and print -----------------------------------------------------------------------------------


@BOTH
def test_a_deep_link_opens_with_its_node_selected_and_its_filters_set(world, open_page, tmp_path, viewport):
    path = write(tmp_path, "world.html", build(world, "html"))
    url = path.resolve().as_uri() + "?asof=2023&types=person,GovernmentBody&status=reported,alleged#node=carl-mott"
    opened = open_page(url, viewport)
    page = opened.page
    assert opened.errors == [] and opened.foreign_requests() == []
    assert page.evaluate("window.actorgraph.state.selected") == {"kind": "node", "id": node_id(page, "carl-mott")}
    assert page.inner_text("#evidence-panel h2") == "Carl Mott"
    assert page.input_value("#as-of") == "2023"
    types = page.evaluate("[...document.querySelectorAll('#legend input')].filter((b) => b.checked)"
                          ".map((b) => b.dataset.type.split('#')[1])")
    assert sorted(types) == ["GovernmentBody", "Person"]
    statuses = page.evaluate("[...document.querySelectorAll('#status-filter input')].filter((b) => b.checked)"
                             ".map((b) => b.dataset.status)")
    assert sorted(statuses) == ["alleged", "reported"]
    assert "offered" not in shown_edge_keys(page)  # an offer, filtered out by its status
    # The address follows the state: a search and another selection are written into it.
    page.fill("#search", "Torres")
    page.press("#search", "Enter")
    drawn(page)
    parts = urlsplit(page.url)
    query, fragment = parse_qs(parts.query), parse_qs(parts.fragment)
    assert query["q"] == ["Torres"] and query["asof"] == ["2023"] and query["status"] == ["reported,alleged"]
    assert fragment["node"] == ["ana-torres"]
    again = open_page(page.url, viewport).page
    assert again.inner_text("#evidence-panel h2") == "Ana Torres"
    assert again.input_value("#search") == "Torres"


def test_deep_link_to_a_relationship(world, open_page, tmp_path):
    path = write(tmp_path, "world.html", build(world, "html"))
    page = open_page(path.resolve().as_uri() + "#edge=carl-mott/negotiatedWith/freedonian-government").page
    assert page.inner_text("#evidence-panel h2") == "Carl Mott — negotiated with → Freedonian government"
    assert "2021-03 (month)" in panel(page) and "alleged" in panel(page)


def _png_text_chunks(data: bytes) -> dict[str, str]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, at = {}, 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"iTXt":
            keyword, rest = body.split(b"\0", 1)
            found[keyword.decode()] = rest[4:].split(b"\0", 2)[-1].decode("utf-8") if rest[2:4] == b"\0\0" else ""
        at += 12 + length
    return found


@BOTH
def test_downloads_carry_the_caption(kg, open_page, tmp_path, viewport):
    url = EXPORTS.resolve().as_uri() + "/actorgraph.html?asof=2021-07&status=reported,alleged"
    page = open_page(url, viewport).page
    with page.expect_download() as info:
        page.click("#download-png")
    png = Path(info.value.path()).read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    assert width >= VIEWPORTS[viewport][0] and height > 100
    chunks = _png_text_chunks(png)
    assert chunks["Title"] == "actorgraph network"
    assert "As of July 2021" in chunks["Description"] and "statuses: reported, alleged" in chunks["Description"]
    sources = next(line for line in chunks["Description"].splitlines() if line.startswith("Sources: "))
    assert "El Salvador offers to jail people deported from the United States" in sources
    assert re.search(r"Made \d{4}-\d\d-\d\d \d\d:\d\d", chunks["Description"])
    assert info.value.suggested_filename == "actorgraph-network-as-of-2021-07.png"
    with page.expect_download() as info:
        page.click("#download-svg")
    svg = Path(info.value.path()).read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    texts = ["".join(t.itertext()) for t in root.iter(ns + "text")]
    assert root.find(ns + "title").text == "actorgraph network"
    assert any(t.startswith("As of July 2021") for t in texts)
    assert any(t.startswith("Sources: ") for t in texts) and any(t.startswith("Made ") for t in texts)
    assert root.findall(f".//{ns}script") == []


@BOTH
def test_print_stylesheet(kg, open_page, viewport):
    page = open_page(EXPORTS / "actorgraph.html", viewport).page
    click_node(page, "osiris-luna-meza")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    assert not page.is_visible("header .controls") and not page.is_visible(".zoom")
    assert not page.is_visible("#filters")
    assert page.is_visible("#print-figure") and page.is_visible("#print-caption")
    assert page.inner_text("#print-caption").startswith("actorgraph network")
    assert page.evaluate("document.getElementById('print-figure').naturalWidth") > 0
    assert page.is_visible("#evidence-panel") and "Osiris Luna Meza" in panel(page)
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    page.emulate_media(media="screen")


# -- 6. any screen, any user ------------------------------------------------------------------------------


def test_phone_layout(kg, open_page):
    page = open_page(EXPORTS / "actorgraph.html", "phone").page
    width, height = VIEWPORTS["phone"]
    canvas = page.locator("#network-canvas").bounding_box()
    assert canvas["width"] == width and canvas["height"] >= height * 0.6
    assert page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]") == [width, width]
    sheet = page.locator("aside").bounding_box()
    assert sheet["y"] + sheet["height"] <= height + 1 and sheet["y"] > canvas["y"] + canvas["height"] * 0.5
    page.click("#sheet-toggle")
    assert page.is_visible("#evidence-panel") and page.locator("aside").bounding_box()["height"] > 200
    page.click("#sheet-toggle")
    # A tap (a touch, not a mouse) on an entity pins it and opens the sheet on its evidence.
    page.touchscreen.tap(*node_point(page, node_id(page, "nayib-bukele")))
    drawn(page)
    assert page.inner_text("#evidence-panel h2") == "Nayib Bukele"
    assert page.evaluate("document.querySelector('aside').dataset.sheet") == "open"


@BOTH
def test_keyboard(world, open_page, tmp_path, viewport):
    page = open_page(write(tmp_path, "world.html", build(world, "html")), viewport).page
    # Tab reaches the search box, then its matches; Enter on a match opens its evidence.
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search":
            break
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.type("torres")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.node") == "ana-torres"
    page.keyboard.press("Enter")
    drawn(page)
    assert page.evaluate("document.activeElement.innerText") == "Ana Torres"  # the panel's heading
    # The map has an accessible name; + and - zoom, the arrows pan, Enter opens the selection.
    name = page.get_attribute("#network-canvas", "aria-label")
    assert name.startswith("Network map of 7 entities and 7 relationships")
    assert page.get_by_role("application", name=re.compile("Network map")).count() == 1
    page.focus("#network-canvas")
    scale = page.evaluate("window.actorgraph.map.view.scale")
    page.keyboard.press("+")
    assert page.evaluate("window.actorgraph.map.view.scale") > scale
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert page.evaluate("window.actorgraph.map.view.scale") < scale
    x = page.evaluate("window.actorgraph.map.view.x")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("window.actorgraph.map.view.x") > x
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.className") == "panel-title"
    page.focus("#network-canvas")
    page.keyboard.press("Escape")
    assert page.evaluate("window.actorgraph.state.selected") is None


# Text whose colour falls short of WCAG AA against what is behind it (composited over white), and
# focus rings that fall short of 3:1, in the page's visible elements.
CONTRAST_PROBE = r"""() => {
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(",").map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const channel = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const over = (top, under) => top[3] >= 1 ? top
    : [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) layers.push(c);
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const failures = [];
  let checked = 0;
  for (const el of document.querySelectorAll("body *")) {
    if (!el.checkVisibility || !el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    if (el.closest("[disabled], option, script, style")) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const need = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    const bg = background(el), fg = over(parse(style.color), bg);
    const r = ratio(fg, bg);
    checked += 1;
    const name = el.tagName + (el.id ? "#" + el.id : "") + "." + el.className;
    if (r < need) failures.push([name, el.textContent.trim().slice(0, 30), r.toFixed(2)]);
  }
  return {failures, checked};
}"""

FOCUS_PROBE = r"""(selector) => {
  const el = document.querySelector(selector);
  el.focus();
  const s = getComputedStyle(el);
  return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor];
}"""


def _rgb(css: str) -> str:
    r, g, b = (int(float(v)) for v in re.findall(r"[\d.]+", css)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _assert_contrast(page, focusable: list[str]) -> None:
    result = page.evaluate(CONTRAST_PROBE)
    assert result["checked"] > 5
    assert result["failures"] == []
    # The probe itself catches what it should: the old muted grey (#777, 4.48:1) fails it.
    page.evaluate("document.body.appendChild(Object.assign(document.createElement('p'), "
                  "{id: 'probe-check', textContent: 'grey text', style: 'color: #777777'}))")
    assert [f[0] for f in page.evaluate(CONTRAST_PROBE)["failures"]] == ["P#probe-check."]
    page.evaluate("document.getElementById('probe-check').remove()")
    for selector in focusable:
        page.keyboard.press("Tab")  # focus rings show for keyboard users
        style, width, colour = page.evaluate(FOCUS_PROBE, selector)
        assert style != "none" and width >= 2, selector
        assert contrast(_rgb(colour), "#ffffff") >= 3, (selector, colour)


@BOTH
def test_contrast_is_aa(kg, open_page, viewport):
    page = open_page(EXPORTS / "actorgraph.html", viewport).page
    if viewport == "phone":
        page.click("#sheet-toggle")
    page.evaluate("document.getElementById('filters').open = true")
    click_node(page, "osiris-luna-meza")
    _assert_contrast(page, ["#search", "#network-canvas", "#reset"])
    # What the canvas draws: names on white halos, lines and outlines against the white page.
    data = page.evaluate("window.actorgraph.data")
    colours = data["colours"]
    assert contrast(colours["text"], colours["background"]) >= 4.5
    assert contrast(colours["muted"], colours["background"]) >= 4.5
    assert min(contrast(e["colour"], colours["background"]) for e in data["edges"]) >= 3
    assert min(contrast(t["border"], colours["background"]) for t in data["types"]) >= 3
    for name in ("timeline.html", "ego-osiris-luna-meza.html", "story-luna-sanctioned-twice.html",
                 "source-el-salvador-offers-to-jail-us-deportees.html"):
        other = open_page(EXPORTS / name, viewport).page
        focus = {"timeline.html": [".event"], "story-luna-sanctioned-twice.html": ["#next"]}.get(name, [])
        _assert_contrast(other, focus)


# -- 7. the timeline ------------------------------------------------------------------------------------


def visible_rows(page) -> int:
    return page.evaluate("[...document.querySelectorAll('.event')].filter((e) => e.checkVisibility()).length")


@BOTH
def test_timeline_search_hides_rows_and_matches_aliases(world, open_page, tmp_path, viewport):
    opened = open_page(write(tmp_path, "timeline.html", build(world, "timeline")), viewport)
    page = opened.page
    assert opened.foreign_requests() == [] and opened.errors == []
    assert visible_rows(page) == 4
    text = page.inner_text("#timeline")
    assert "March 2021\n2021-03 · month" in text and "4 February 2025 (inferred)" in text
    page.fill("#search", "sylvania")
    assert visible_rows(page) == 2
    page.fill("#search", "red")  # Carl Mott's alias: every row about him, though no row says "Red"
    mott_rows = [i for i in range(4) if "Carl Mott" in page.locator(".event").nth(i).inner_text()]
    assert visible_rows(page) == len(mott_rows) == 3
    page.fill("#search", "")
    assert visible_rows(page) == 4
    page.locator(".event").nth(1).click()
    assert "Red was released by the Freedonian government in 2022" in panel(page)
    assert "2022 (year)" in panel(page)


def test_timeline_search_on_the_shipped_graph(kg, open_page):
    from actorgraph.export.timeline import timeline_items

    page = open_page(EXPORTS / "timeline.html").page
    crook = AGID + "elmer-canales-rivera"
    expected = sum(1 for item in timeline_items(kg) if crook in (item["subject_iri"], item["object_iri"]))
    page.fill("#search", "Crook")
    assert visible_rows(page) == expected and expected > 2


@BOTH
def test_timeline_filters_and_deep_links(world, open_page, tmp_path, viewport):
    path = write(tmp_path, "timeline.html", build(world, "timeline"))
    page = open_page(path.resolve().as_uri() + "?actor=carl-mott&status=reported#row=st-mott-released", viewport).page
    assert visible_rows(page) == 2  # Carl Mott's reported rows: released (2022), arrested (2023)
    assert "Red was released" in panel(page)
    assert page.input_value("#actor") == "carl-mott"
    assert page.evaluate("document.getElementById('filters').open")  # a link with filters shows them
    page.locator("#status-filter input[data-status='alleged']").check()
    assert visible_rows(page) == 3
    assert parse_qs(urlsplit(page.url).query)["status"] == ["reported,alleged"]
    page.select_option("#actor", "")
    page.select_option("#source", "doc-world-report")
    assert visible_rows(page) == 3  # the offer is still filtered out by its status
    if viewport == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"][0]


# -- 8. stories ---------------------------------------------------------------------------------------------


@BOTH
def test_story_steps_through_every_step(kg, open_page, viewport):
    from actorgraph.story import find_story

    story = find_story(ROOT / "graph", "luna-sanctioned-twice")
    opened = open_page(EXPORTS / "story-luna-sanctioned-twice.html", viewport)
    page = opened.page
    assert page.inner_text("h1") == "How Osiris Luna came to be sanctioned twice"
    seen = []
    for number, step in enumerate(story.steps, 1):
        text = page.inner_text("#step-panel")
        assert text.startswith(f"Step {number} of {len(story.steps)}")
        assert step.caption in text and step.quote in text
        highlighted = page.evaluate("Array.from(window.actorgraph.map.focus.strong.edges)")
        assert len(highlighted) == sum(1 for ref in step.highlight if ref.is_relationship)
        # The evidence of each highlighted relationship is one click away.
        details = page.locator("#step-panel details").first
        if details.count():
            details.locator("summary").click()
            assert details.locator("blockquote").count() >= 1
        link = page.locator("#step-panel .step-source a")
        assert link.get_attribute("href").startswith("source-el-salvador-offers-to-jail-us-deportees.html#quote=")
        seen.append(urlsplit(page.url).fragment)
        if number < len(story.steps):
            page.click("#next")
            drawn(page)
    assert page.is_disabled("#next")
    assert seen[1:] == [f"step={n}" for n in range(2, len(story.steps) + 1)]  # the address follows the step
    assert opened.errors == [] and opened.foreign_requests() == []
    # A deep link opens its step; the keyboard walks back.
    again = open_page(EXPORTS.resolve().as_uri() + "/story-luna-sanctioned-twice.html#step=3", viewport).page
    assert again.inner_text("#step-panel").startswith("Step 3 of")
    again.keyboard.press("PageUp")
    assert again.inner_text("#step-panel").startswith("Step 2 of")


def test_story_quote_link_highlights_the_passage(open_page):
    page = open_page(EXPORTS.resolve().as_uri() + "/story-luna-sanctioned-twice.html#step=3").page
    quote = page.inner_text("#step-panel .step-quote")
    page.click("#step-panel .step-source a")
    page.wait_for_function("window.actorgraph && window.actorgraph.ready === true")
    found = page.locator(".found")
    assert "".join(found.all_inner_texts()) == quote
    assert 0 < found.first.bounding_box()["y"] < VIEWPORTS["desktop"][1]


# -- source pages ----------------------------------------------------------------------------------------


@BOTH
def test_source_page_highlights_the_quote(kg, open_page, viewport):
    url = EXPORTS.resolve().as_uri() + "/source-el-salvador-offers-to-jail-us-deportees.html#st=st-luna-magnitsky-2021"
    opened = open_page(url, viewport)
    page = opened.page
    assert opened.errors == [] and opened.foreign_requests() == []
    quote = kg.named("quotes", text="again sanctioned Luna")[0]["quote"]
    assert "".join(page.locator("mark.target").all_inner_texts()) == quote
    box = page.locator("mark.target").first.bounding_box()
    assert 0 < box["y"] < VIEWPORTS[viewport][1]
    shown = panel(page)
    assert "Osiris Luna Meza — sanctioned under → Magnitsky Act" in shown
    for term in ("status", "asserted by", "source", "issued by", "note", "statement"):  # the panel's fields
        assert page.locator("#evidence-panel dt", has_text=term).count() >= 1, term
    assert "U.S. Department of the Treasury" in shown and "st-luna-magnitsky-2021" in shown
    # Any marked passage lists the statements that quote it.
    page.locator("mark.q:not(.target)").first.click()
    assert "quote" in page.inner_text("#evidence-panel h2")


# -- the shipped exports ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in EXPORTS.glob("*.html")))
def test_shipped_pages_open_offline(kg, open_page, name):
    opened = open_page(EXPORTS / name)
    assert opened.foreign_requests() == []
    assert opened.requests == [(EXPORTS / name).resolve().as_uri()]
    assert opened.errors == []
    if name == "actorgraph.html":
        assert counts(opened.page) == {"nodes": kg.network().number_of_nodes(),
                                       "edges": kg.network().number_of_edges()}


def test_ego_page_draws_the_ego_network(world, open_page, tmp_path):
    page = open_page(write(tmp_path, "ego.html", build(world, "html", View(ego="Red", depth=1)))).page
    assert counts(page)["nodes"] == 4
    assert page.inner_text("#heading") == "actorgraph network around Carl Mott (1 step)"
    assert page.evaluate("window.actorgraph.data.center") == node_id(page, "carl-mott")


def test_missing_chromium_fails_rather_than_skips(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(pytest.fail.Exception, match="Chromium is missing at .*apt-get install chromium"):
        launch(None, str(tmp_path / "profile"))


def test_page_data_is_json_in_a_script_element(world):
    page = build(world, "html")
    data = json.loads(re.search(r'<script id="ag-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert {n["key"] for n in data["nodes"]} == {n.removeprefix(AGID) for n in world.network().nodes}
