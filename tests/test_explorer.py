"""The explorer's parts that need no browser: drawing styles and contrast, the layout, the static SVG
figure, the source pages, and stories (their files, their checks in validate, their commands)."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import actorgraph
from actorgraph.errors import ParseError
from actorgraph.export import build, build_all, style
from actorgraph.export.layout import GAP, VIEW, layout, sizes
from conftest import GRAPH, ONTOLOGY, WORLD, make_evil_world

ROOT = Path(__file__).resolve().parent.parent
AGID = "https://w3id.org/actorgraph/id/"
ONT = "https://w3id.org/actorgraph/ont#"
SVG = "{http://www.w3.org/2000/svg}"
STORY = "luna-sanctioned-twice"


# -- styles and contrast -------------------------------------------------------------------------------


def test_contrast_ratios():
    assert round(style.contrast("#ffffff", "#000000"), 1) == 21.0
    assert round(style.contrast("#777777", "#ffffff"), 2) == 4.48  # the old muted grey: not AA
    assert style.contrast(style.MUTED, style.BACKGROUND) >= 4.5
    assert style.contrast(style.TEXT, style.BACKGROUND) >= 4.5
    light = "#c7c7c7"
    assert style.contrast(light, "#ffffff") < 3
    darker = style.darken(light)
    assert style.contrast(darker, "#ffffff") >= 3
    assert style.contrast(style.darken(darker), "#ffffff") < style.contrast(darker, "#ffffff") + 0.2  # just enough
    assert style.darken("#1f77b4") == "#1f77b4"  # already 4.7:1


def test_every_kind_of_entity_is_drawn_with_its_own_colour_and_shape(kg):
    vocab = kg.vocabulary
    drawn: dict[tuple[str, str], list[str]] = {}
    for cls in vocab.classes.values():
        if not vocab.is_a(cls.iri, ONT + "Entity") or vocab.style(cls.iri) is None:
            continue  # abstract classes with no style of their own or inherited (ag:Entity, ag:Arrangement)
        node = style.type_style(vocab, cls.iri)
        drawn.setdefault((node.colour, node.shape), []).append(cls.name)
        assert node.shape in style.SHAPES, cls.name
        assert style.contrast(node.border, style.BACKGROUND) >= 3, cls.name
    shared = {pair: names for pair, names in drawn.items() if len(names) > 1}
    assert not shared, f"drawn alike: {shared}; give each an ag:colour and ag:shape (ontology/display.ttl)"
    assert len(drawn) >= 25


def test_every_status_has_its_own_line_firmest_first(kg):
    rows = style.statuses(kg.vocabulary)
    labels = [row["label"] for row in rows]
    assert labels[0] == "reported" and labels.index("alleged") > labels.index("agreed")
    assert len({row["line"] for row in rows}) == len(rows)
    assert all(row["line"] in style.LINES for row in rows)
    assert style.least_firm(["reported", "alleged"], rows) == "alleged"
    assert style.least_firm(["offered", "not agreed"], rows) == "not agreed"
    assert style.least_firm([], rows) is None


def test_relationship_colours_reach_three_to_one(kg):
    for rel in kg.vocabulary.relationships.values():
        assert style.contrast(style.edge_colour(rel.colour), style.BACKGROUND) >= 3, rel.name


# -- the layout -----------------------------------------------------------------------------------------


def test_layout_is_deterministic_and_nothing_overlaps(kg):
    graph = kg.network()
    first, second = layout(graph), layout(graph)
    assert first == second
    radius = sizes(graph)
    nodes = sorted(graph.nodes())
    xs, ys = [first[n][0] for n in nodes], [first[n][1] for n in nodes]
    assert round(max(max(xs) - min(xs), max(ys) - min(ys))) == VIEW
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            assert math.dist(first[a], first[b]) >= radius[a] + radius[b] + GAP - 0.5, (a, b)


def test_sizes_follow_the_number_of_relationships(kg):
    graph = kg.network()
    radius = sizes(graph)
    by_degree = sorted(graph.nodes(), key=graph.degree)
    assert radius[by_degree[0]] < radius[by_degree[-1]]
    assert all(radius[a] <= radius[b] for a, b in zip(by_degree, by_degree[1:], strict=False))


# -- the static SVG figure ------------------------------------------------------------------------------


def test_svg_figure(kg):
    text = build(kg, "svg")
    assert text == build(kg, "svg")  # deterministic
    root = ET.fromstring(text)
    graph = kg.network()
    groups = {g.get("class"): g for g in root.iter(SVG + "g")}
    assert len(groups["entities"]) == graph.number_of_nodes()
    assert len(groups["relationships"]) >= graph.number_of_edges()  # plus the crosses of denied ones
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    hubs = sorted(graph.nodes(), key=lambda n: (-graph.degree(n), n))[:5]
    for hub in hubs:
        first_line = graph.nodes[hub]["label"].split()[0]
        assert any(t.startswith(first_line) for t in texts), hub
    sizes_drawn = [float(t.get("font-size")) for t in root.iter(SVG + "text") if t.get("font-size")]
    assert min(sizes_drawn) >= 12
    assert root.find(SVG + "title").text == "actorgraph network"
    assert any(t.startswith("Source") and "El Salvador offers to jail" in t for t in texts)
    assert "Entities" in texts and "Relationships, by status" in texts
    assert not re.search(r"\d{4}-\d\d-\d\d", text)  # nothing dated: the same graph gives the same bytes


def test_svg_escapes_markup(world_copy):
    kg = actorgraph.load(make_evil_world(world_copy), ONTOLOGY)
    text = build(kg, "svg")
    root = ET.fromstring(text)
    assert "<img" not in text
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    assert "<img src=x" in texts and 'onerror="window.__pwned=1">' in texts  # the name, wrapped, as text


def test_svg_views(world):
    ego = ET.fromstring(build(world, "svg", actorgraph.export.View(ego="Red")))
    assert ego.find(SVG + "title").text == "actorgraph network around Carl Mott (1 step)"


def test_shipped_svg_replaces_the_screenshot():
    assert (ROOT / "exports" / "actorgraph.svg").is_file()
    assert not (ROOT / "exports" / "actorgraph.png").exists()


# -- source pages ----------------------------------------------------------------------------------------


def test_segments_cover_exactly_each_quote():
    from actorgraph.export.source import segments

    text = "Alpha beta gamma.\nDelta epsilon."
    spans = [(0, 10, 0), (6, 16, 1), (18, 23, 2)]
    paragraphs = segments(text, spans)
    assert ["".join(s.text for s in p) for p in paragraphs] == ["Alpha beta gamma.", "Delta epsilon."]
    for start, end, index in spans:
        covered = "".join(s.text for p in paragraphs for s in p if index in s.statements)
        assert covered == text[start:end]


def test_source_page_marks_every_quote(kg):
    from actorgraph.export.source import build_source_pages, documents

    pages = build_source_pages(kg)
    doc = next(d for d in documents(kg) if d["document"].endswith("el-salvador-offers-to-jail-us-deportees"))
    page = pages["source-el-salvador-offers-to-jail-us-deportees.html"]
    statements = kg.named("statements", source=doc["document"])
    assert "Quotes not found in this text" not in page  # validate found every quote: so does the page
    marked = set()
    for numbers in re.findall(r'<mark class="q" tabindex="0" data-st="([\d ]+)">', page):
        marked.update(numbers.split())
    assert len(marked) == len({row["statement"] for row in statements})


def test_source_page_of_the_world_says_what_it_cannot_find(world_copy):
    from actorgraph.export.source import build_source_pages

    report = world_copy / "world-report.ttl"
    report.write_text(report.read_text(encoding="utf-8").replace(
        '"Carl Mott, known as Red, leads the Harbor Gang."', '"A sentence the report never wrote."'), encoding="utf-8")
    kg = actorgraph.load(world_copy, ONTOLOGY)
    page = build_source_pages(kg)["source-world-report.html"]
    assert "Quotes not found in this text" in page and "A sentence the report never wrote." in page


def test_export_sources_command(invoke, tmp_path):
    result = invoke("export", "sources", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["source-world-report.html"]
    result = invoke("export", "sources", "-o", str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert result.output.strip().endswith("missing: no such directory")


def test_html_export_notes_the_source_pages(invoke, tmp_path):
    result = invoke("export", "html", "-o", str(tmp_path / "w.html"))
    assert "note: the evidence links to each source's text page (source-*.html)" in result.output


# -- stories --------------------------------------------------------------------------------------------


def test_the_shipped_story_quotes_its_source_at_every_step(kg):
    from actorgraph.story import find_story

    story = find_story(GRAPH, STORY)
    assert story.title == "How Osiris Luna came to be sanctioned twice"
    text = (GRAPH / "sources" / "el-salvador-offers-to-jail-us-deportees.txt").read_text(encoding="utf-8")
    for step in story.steps:
        assert step.quote and step.quote in text
        assert step.highlight
    as_of = [step.as_of for step in story.steps if step.as_of]
    assert as_of == ["2021-07", "2021"]  # the Engel listing's month, then the Magnitsky year


def _story_world(world_copy: Path, text: str) -> Path:
    (world_copy / "stories").mkdir()
    (world_copy / "stories" / "torres.toml").write_text(text, encoding="utf-8")
    return world_copy


GOOD = '''title = "Torres's offer"
source = "doc-world-report"

[[step]]
caption = "Ana Torres heads the Freedonian government."
highlight = ["ana-torres heads freedonian-government"]
quote = "Torres heads the Freedonian government."

[[step]]
caption = "She offers to house prisoners."
as_of = "2025-02"
show = ["ana-torres"]
highlight = ["ana-torres offered offer-house-prisoners"]
'''


def test_story_page_from_the_world(world_copy, invoke, tmp_path):
    graph = _story_world(world_copy, GOOD)
    result = invoke("export", "story", graph=graph)
    assert result.exit_code == 0
    assert result.output == "torres  Torres's offer (2 steps)\n"
    result = invoke("export", "story", "torres", "-o", str(tmp_path / "s.html"), graph=graph)
    assert result.exit_code == 0, result.output
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "<title>Torres&#39;s offer</title>" in page
    assert invoke("validate", graph=graph).exit_code == 0
    result = invoke("export", "story", "nobody", graph=graph)
    assert result.exit_code == 2
    assert result.output == "actorgraph: error: unknown story 'nobody'; stories: torres\n"


@pytest.mark.parametrize(("old", "new", "message", "line"), [
    ('"ana-torres heads freedonian-government"]', '"ana-torres heads nowhere"]',
     "step 1  highlight  names no entity of the graph: 'nowhere'", 6),
    ('"ana-torres heads freedonian-government"]', '"ana-torres leaderOf freedonian-government"]',
     "step 1  highlight  no such relationship in the graph: 'ana-torres leaderOf freedonian-government'", 6),
    ('"ana-torres heads freedonian-government"]', '"ana-torres runs freedonian-government"]',
     "step 1  highlight  is not a relationship type of the ontology: 'runs'", 6),
    ('quote = "Torres heads the', 'quote = "Torres leads the',
     'step 1  quote  quote not found verbatim in doc-world-report: "Torres leads the Freedonian government."', 7),
    ('as_of = "2025-02"', 'as_of = "2025-13"', "step 2: bad date '2025-13'", 9),
    ('caption = "She offers to house prisoners."', 'title2 = "x"', "step 2: unknown key 'title2'", 9),
    ('caption = "Ana Torres heads', 'caption = "Ana Torres heads\n', "Illegal character", 5),
])
def test_validate_checks_stories(world_copy, invoke, old, new, message, line):
    graph = _story_world(world_copy, GOOD.replace(old, new))
    result = invoke("validate", graph=graph)
    assert result.exit_code == 1
    found = [row for row in result.output.splitlines() if message in row]
    assert len(found) == 1, result.output
    assert found[0].endswith(f"stories/torres.toml:{line})"), found[0]
    assert "Traceback" not in result.output


def test_a_broken_story_file_is_one_line_with_its_place(world_copy, invoke):
    graph = _story_world(world_copy, GOOD.replace('caption = "She offers', 'caption = She offers'))
    result = invoke("export", "story", "torres", graph=graph)
    assert result.exit_code == 1
    assert re.fullmatch(r"actorgraph: error: \S*torres\.toml:10: Invalid value\n", result.output), result.output


def test_load_story_shapes(tmp_path):
    from actorgraph.story import load_story

    path = tmp_path / "s.toml"
    path.write_text('title = "t"\n[[step]]\ncaption = "c"\n', encoding="utf-8")
    with pytest.raises(ParseError, match="step 1 shows nothing"):
        load_story(path)
    path.write_text('title = "t"\n[[step]]\ncaption = "c"\nshow = ["a b"]\n', encoding="utf-8")
    with pytest.raises(ParseError, match=r"s\.toml:2: 'a b': name an entity by its id, or a relationship"):
        load_story(path)
    path.write_text('[[step]]\ncaption = "c"\nshow = ["a"]\n', encoding="utf-8")
    with pytest.raises(ParseError, match="a story needs a title"):
        load_story(path)


def test_story_naming_an_entity_without_relationships_is_a_usage_error(world_copy, invoke):
    graph = _story_world(world_copy, GOOD.replace('show = ["ana-torres"]', 'show = ["world-reporting"]'))
    result = invoke("export", "story", "torres", graph=graph)
    assert result.exit_code == 2
    assert "'world-reporting' is no entity with a relationship in the graph" in result.output


def test_export_all_writes_the_stories_and_sources(kg):
    files = build_all(kg)
    assert f"story-{STORY}.html" in files
    assert "source-el-salvador-offers-to-jail-us-deportees.html" in files
    assert "actorgraph.svg" in files


def test_the_fixture_world_has_no_story():
    # The stories above are written into copies: the fixture world itself has none, and validates.
    assert not (WORLD / "stories").exists()
