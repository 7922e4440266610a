"""Exports: round trips (GraphML, GEXF, JSON-LD, Turtle, N-Triples), CSV, the HTML page's source,
determinism, atomic writes, and that the shipped exports/ are up to date."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

import actorgraph
from actorgraph.export import FORMATS, SHIPPED, View, build, build_all
from conftest import EVIL, GRAPH, make_evil_world

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
EXPORTS = ROOT / "exports"
AGID = "https://w3id.org/actorgraph/id/"


def graph_of(kg: actorgraph.KnowledgeGraph):
    return kg.network()


# -- the registry -------------------------------------------------------------------------------------


def test_registry_lists_every_format():
    assert list(FORMATS) == ["html", "svg", "timeline", "graphml", "gexf", "csv", "turtle", "ntriples", "jsonld",
                             "ftm"]


def test_unknown_format_is_a_usage_error(world):
    from actorgraph.errors import UsageError

    with pytest.raises(UsageError, match="unknown export format 'png'"):
        build(world, "png")


# -- GraphML and GEXF ----------------------------------------------------------------------------------


def _same_graph(original, read_back, key_attr_edge_label: str):
    assert sorted(read_back.nodes) == sorted(original.nodes)
    assert sorted(read_back.edges(keys=True)) == sorted(original.edges(keys=True))
    for node, data in original.nodes(data=True):
        back = read_back.nodes[node]
        assert back["label"] == data["label"]
        assert back["type"] == data["type"]
        assert back["type_label"] == data["type_label"]
        assert back["aliases"] == "; ".join(data["aliases"])
        assert back["colour"] == data["colour"]
    for u, v, key, data in original.edges(keys=True, data=True):
        back = read_back.edges[u, v, key]
        assert back[key_attr_edge_label] == data["edge_label"]
        assert back["relationship"] == data["relationship"]
        assert back["predicate"] == data["predicate"]
        assert back["quote"] == data["quote"]
        assert back["status_label"] == data["status_label"]
        assert back["asserted_by_label"] == data["asserted_by_label"]
        assert back["source_document"] == data["source"]
        assert back["point_in_time"] == data["point_in_time"]
        assert back["statements"] == len(data["evidence"])
        assert back["statement_ids"] == "; ".join(item["statement"] for item in data["evidence"])
        assert None not in back.values()


def test_graphml_round_trip(world):
    import networkx as nx

    data = build(world, "graphml")
    back = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    _same_graph(world.network(), back, "label")
    # One type per attribute, declared once: Gephi reads it as a column.
    keys = re.findall(rb'<key id="([^"]+)" for="(node|edge)" attr.name="[^"]+" attr.type="([^"]+)"', data)
    assert len({(k, f) for k, f, _ in keys}) == len(keys)
    assert (b"statements", b"edge", b"long") in keys


def test_gexf_round_trip_with_colours(world):
    import networkx as nx

    data = build(world, "gexf")
    back = nx.read_gexf(io.BytesIO(data))
    _same_graph(world.network(), back, "label")
    torres = back.nodes[AGID + "ana-torres"]
    assert torres["viz"]["color"] == {"r": 31, "g": 119, "b": 180, "a": 1.0}
    assert set(torres["viz"]["position"]) == {"x", "y", "z"}
    # No date stamp: the same graph gives the same bytes tomorrow.
    assert b"lastmodifieddate" not in data


def test_graph_files_hold_no_none_or_list(world):
    from actorgraph.export.gephi import NODE_FIELDS, edge_fields, flat

    plain = flat(world.network())
    for _, data in plain.nodes(data=True):
        assert {k: type(v) for k, v in data.items()} == NODE_FIELDS
    columns = edge_fields(world.evidence_fields)
    # The statements' source is source_document: Gephi's edge table has a Source column of its own.
    assert "source_document" in columns and "source" not in columns and "quote" in columns
    for _, _, data in plain.edges(data=True):
        assert {k: type(v) for k, v in data.items()} == columns


def test_views_cut_the_graph(world):
    import networkx as nx

    ego = nx.read_graphml(io.BytesIO(build(world, "graphml", View(ego="Red", depth=1))), force_multigraph=True)
    assert sorted(n.removeprefix(AGID) for n in ego) == ["carl-mott", "freedonian-government", "harbor-gang",
                                                          "sylvania"]
    people = nx.read_graphml(io.BytesIO(build(world, "graphml", View(types=("person", "government body")))),
                             force_multigraph=True)
    assert sorted(n.removeprefix(AGID) for n in people) == ["ana-torres", "bo-lind", "carl-mott",
                                                             "freedonian-government"]
    dated = nx.read_graphml(io.BytesIO(build(world, "graphml", View(as_of="2021"))), force_multigraph=True)
    assert sorted(k for *_, k in dated.edges(keys=True)) == ["heads", "holdsOfficeIn", "leaderOf",
                                                             "negotiatedWith"]


# -- RDF --------------------------------------------------------------------------------------------------


def _source_graph(directory: Path):
    import rdflib

    graph = rdflib.Graph()
    for path in sorted(directory.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("ntriples", "nt"),
                                                     ("jsonld", "json-ld")])
def test_rdf_round_trip_is_isomorphic(world, fmt, rdflib_format):
    import rdflib
    from rdflib.compare import isomorphic

    text = build(world, fmt)
    back = rdflib.Graph().parse(data=text, format=rdflib_format)
    source = _source_graph(ROOT / "tests" / "fixtures" / "world")
    assert len(back) == len(source)
    assert isomorphic(back, source)


def test_rdf_round_trip_of_the_shipped_graph(kg):
    import rdflib
    from rdflib.compare import isomorphic

    source = _source_graph(GRAPH)
    for fmt, rdflib_format in (("turtle", "turtle"), ("jsonld", "json-ld")):
        assert isomorphic(rdflib.Graph().parse(data=build(kg, fmt), format=rdflib_format), source)


def test_ntriples_are_sorted(world):
    lines = build(world, "ntriples").splitlines()
    assert lines == sorted(lines)


# -- CSV ---------------------------------------------------------------------------------------------------


def test_csv_nodes_and_edges(world):
    files = build(world, "csv")
    nodes = list(csv.DictReader(io.StringIO(files["nodes.csv"])))
    edges = list(csv.DictReader(io.StringIO(files["edges.csv"])))
    assert len(nodes) == 7 and len(edges) == 7
    torres = next(n for n in nodes if n["id"] == AGID + "ana-torres")
    assert (torres["label"], torres["aliases"], torres["degree"]) == ("Ana Torres", "President Torres; Torres", "2")
    offered = next(e for e in edges if e["key"] == "offered")
    assert offered["source"] == AGID + "ana-torres"
    assert offered["target"] == AGID + "offer-house-prisoners"
    assert offered["source_document"] == AGID + "doc-world-report"
    assert offered["status_label"] == "offered"


def test_cli_csv_to_directory_and_prefix(invoke, tmp_path):
    result = invoke("export", "csv", "-o", str(tmp_path))
    assert result.exit_code == 0
    assert (tmp_path / "nodes.csv").read_text().startswith("id,label,type,")
    result = invoke("export", "csv", "-o", str(tmp_path / "world"))
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edges.csv", "nodes.csv", "world-edges.csv",
                                                          "world-nodes.csv"]


def test_cli_csv_makes_the_directory_a_trailing_slash_names(invoke, tmp_path):
    result = invoke("export", "csv", "-o", f"{tmp_path / 'tables'}/")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == ["edges.csv", "nodes.csv"]
    result = invoke("export", "csv", "-o", f"{tmp_path / 'no' / 'tables'}/")
    assert result.exit_code == 1
    assert result.output.strip().endswith(f"{tmp_path / 'no'}: no such directory")
    assert not (tmp_path / "no").exists()


# -- the HTML page's source --------------------------------------------------------------------------------


def page_data(page: str) -> dict:
    """The graph a page carries, as its script reads it."""
    return json.loads(re.search(r'<script id="ag-data" type="application/json">(.*?)</script>', page, re.S).group(1))



def test_html_is_deterministic(world):
    assert build(world, "html") == build(world, "html")
    assert build(world, "timeline") == build(world, "timeline")


def test_html_fetches_nothing(world):
    page = build(world, "html")
    # No external script, stylesheet, image or font; the CSP forbids any that slipped in.
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)
    for host in ("jsdelivr", "cdnjs", "cloudflare", "unpkg", "googleapis"):
        assert host not in page, host
    assert "default-src 'none'" in page
    assert "class AgMap" in page  # the map's script is inlined


def test_html_carries_every_node_and_edge(world):
    data = page_data(build(world, "html"))
    nodes, edges = data["nodes"], data["edges"]
    graph = world.network()
    assert sorted(n["iri"] for n in nodes) == sorted(graph.nodes)
    assert len(edges) == graph.number_of_edges()
    quotes = {item["quote"] for edge in edges for item in edge["ev"]}
    assert "Torres heads the Freedonian government." in quotes
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes)


def test_html_escapes_markup(world_copy):
    kg = actorgraph.load(make_evil_world(world_copy), ONTOLOGY)
    for fmt in ("html", "timeline"):
        page = build(kg, fmt)
        assert "<img" not in page
        assert "window.__pwned=2</script>" not in page
        assert "<a href" not in page
        assert "\\u003cimg src=x onerror=" in page or "&lt;img src=x onerror=" in page
    nodes = page_data(build(kg, "html"))["nodes"]
    assert EVIL in [n["name"] for n in nodes]  # the data still says exactly what the graph says


def test_html_title_is_escaped(world_copy):
    from actorgraph.export.html import render_network

    kg = actorgraph.load(world_copy, ONTOLOGY)
    page = render_network(kg.network(), "<script>window.__pwned=4</script>", kg.vocabulary)
    assert "<script>window.__pwned" not in page
    assert "&lt;script&gt;window.__pwned=4&lt;/script&gt;" in page




def test_timeline_shows_precision(world):
    from actorgraph.export.timeline import spoken_date, timeline_items

    items = timeline_items(world)
    assert [(i["date"], i["precision"], i["when"]) for i in items] == [
        ("2021-03", "month", "March 2021"),
        ("2022", "year", "2022"),
        ("2023-06", "month", "June 2023"),
        ("2025-02-04", "day", "4 February 2025"),
    ]
    assert items[-1]["inferred"] is True
    assert spoken_date("2021-07", "month") == "July 2021"
    page = build(world, "timeline")
    assert "2021-03 · month" in page and "4 February 2025 (inferred)" in page


# -- the CLI writes atomically ----------------------------------------------------------------------------


def test_cli_writes_file_atomically(invoke, tmp_path):
    target = tmp_path / "world.html"
    result = invoke("export", "html", "--ego", "Red", "--depth", "2", "-o", str(target))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["world.html"]  # no temporary file left


def test_cli_failure_leaves_old_file_untouched(invoke, tmp_path):
    target = tmp_path / "world.html"
    target.write_text("old", encoding="utf-8")
    result = invoke("export", "html", "--ego", "Nobody", "-o", str(target))
    assert result.exit_code == 2
    assert result.output.startswith("actorgraph: error: unknown name 'Nobody'")
    assert len(result.output.strip().splitlines()) == 1
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["world.html"]


@pytest.mark.parametrize(("args", "message"), [
    (["export", "html", "--type", "figure"], "actorgraph: error: unknown type 'figure'; known types: "),
    (["export", "html", "--as-of", "2021-02-30"], "actorgraph: error: bad date '2021-02-30'"),
    (["export", "graphml", "-o", "/nonexistent/dir/x.graphml"], "actorgraph: error: /nonexistent/dir: no such"),
    (["export", "csv"], "Error: Missing option '-o'"),
    (["export", "html", "--depth", "2"], "actorgraph: error: --depth needs --ego"),
])
def test_cli_export_errors(invoke, args, message):
    result = invoke(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_turtle_to_stdout(invoke):
    import rdflib
    from rdflib.compare import isomorphic

    result = invoke("export", "turtle")
    assert result.exit_code == 0
    back = rdflib.Graph().parse(data=result.output, format="turtle")
    assert isomorphic(back, _source_graph(ROOT / "tests" / "fixtures" / "world"))


def test_export_all_and_check(invoke, tmp_path):
    graph = ROOT / "graph"
    result = invoke("export", "all", "-o", str(tmp_path), graph=graph)
    assert result.exit_code == 0
    pages = {f"source-{path.stem}.html" for path in (graph / "sources").glob("*.txt")}
    pages |= {f"story-{path.stem}.html" for path in (graph / "stories").glob("*.toml")}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({s.filename for s in SHIPPED} | pages)
    assert invoke("export", "all", "-o", str(tmp_path), "--check", graph=graph).exit_code == 0
    (tmp_path / "timeline.html").write_text("stale", encoding="utf-8")
    result = invoke("export", "all", "-o", str(tmp_path), "--check", graph=graph)
    assert result.exit_code == 1
    assert "stale exports" in result.output and "timeline.html" in result.output


def test_export_all_needs_the_shipped_names(invoke, tmp_path):
    # The fixture world has no Bukele: `export all` says so in one line.
    result = invoke("export", "all", "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.output.startswith("actorgraph: error: unknown name 'Nayib Bukele'")


# -- the shipped exports are up to date ------------------------------------------------------------------


def test_shipped_exports_are_up_to_date(kg):
    files = build_all(kg)
    stale = [name for name, data in files.items()
             if not (EXPORTS / name).is_file() or (EXPORTS / name).read_bytes() != data]
    assert not stale, f"stale exports: {stale}; run: actorgraph export all -o exports/"


def test_shipped_html_holds_the_whole_projection(kg):
    nodes = page_data((EXPORTS / "actorgraph.html").read_text(encoding="utf-8"))["nodes"]
    assert sorted(n["iri"] for n in nodes) == sorted(kg.network().nodes)


# -- the same exports from a remote SPARQL endpoint --------------------------------------------------------


@pytest.mark.server
def test_exports_from_an_endpoint_are_byte_identical(world):
    """The projection reads everything through SPARQL, so a remote store gives the same files."""
    from servers import actorgraph_serve

    world_dir = ROOT / "tests" / "fixtures" / "world"
    with actorgraph_serve(world_dir, ONTOLOGY) as (base, _):
        remote = actorgraph.load(endpoint=base + "sparql")
        for fmt in ("html", "graphml", "gexf", "timeline", "ntriples"):
            assert build(remote, fmt) == build(world, fmt), fmt
        assert build(remote, "csv") == build(world, "csv")
        assert build(remote, "html", View(ego="Red", as_of="2023")) == build(world, "html",
                                                                            View(ego="Red", as_of="2023"))


def test_html_keeps_the_most_connected_entities_and_says_so(invoke, world, tmp_path):
    graph = world.network()
    degrees = sorted((-graph.degree(n), n) for n in graph.nodes())
    expected = {n for _, n in degrees[:3]}
    result = invoke("export", "html", "--max-nodes", "3", "-o", str(tmp_path / "top.html"))
    assert result.exit_code == 0, result.output
    total = graph.number_of_nodes()
    assert f"note: the export shows the 3 most connected of {total} entities" in result.output
    page = (tmp_path / "top.html").read_text(encoding="utf-8")
    data = page_data(page)
    nodes, edges = data["nodes"], data["edges"]
    assert {n["iri"] for n in nodes} == expected
    ids = {n["id"] for n in nodes}
    assert edges and all(e["from"] in ids and e["to"] in ids for e in edges)
    assert f"the 3 most connected of {total} entities" in page
    # Under the cap (the default is 5,000), nothing is cut and nothing is said.
    whole = invoke("export", "html", "-o", str(tmp_path / "all.html"))
    assert "most connected" not in whole.output
    assert len(page_data((tmp_path / "all.html").read_text(encoding="utf-8"))["nodes"]) == total
