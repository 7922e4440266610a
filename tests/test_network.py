# ruff: noqa: E501 - the expected tables are as wide as the terminal (COLUMNS=200)
"""The projection (RDF -> networkx), the as-of rule, and the analysis commands on the fixture world."""

from __future__ import annotations

import json

import pytest

import actorgraph
from actorgraph.dates import parse_date
from actorgraph.errors import BadDateError
from actorgraph.network import holds_on, project
from conftest import ONTOLOGY as ONTOLOGY_DIR

AGID = "https://w3id.org/actorgraph/id/"
AG = "https://w3id.org/actorgraph/ont#"


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch):
    """The expected tables are 200 columns wide, whatever another test left in the environment."""
    monkeypatch.setenv("COLUMNS", "200")


# -- the projection -------------------------------------------------------------------------------


def test_nodes_are_entities_in_relationships(world):
    graph = project(world)
    assert sorted(n.removeprefix(AGID) for n in graph.nodes) == [
        "ana-torres", "bo-lind", "carl-mott", "freedonian-government", "harbor-gang",
        "offer-house-prisoners", "sylvania",
    ]
    # Figures, statements, documents, the reporting party and untouched entities are not nodes.
    for absent in ("fig-prisoners-5000", "st-torres-heads", "doc-world-report", "world-reporting",
                   "freedonian-prisons", "freedonia", "arrest-of-red", "prosecutors"):
        assert AGID + absent not in graph


def test_node_attributes_come_from_the_ontology(world):
    graph = project(world)
    torres = graph.nodes[AGID + "ana-torres"]
    assert torres == {
        "label": "Ana Torres", "type": AG + "Person", "type_label": "person",
        "aliases": ["President Torres", "Torres"], "colour": "#1f77b4", "shape": "dot",
    }
    government = graph.nodes[AGID + "freedonian-government"]
    # The English label, not the Spanish one; the most specific class, styled by the ontology.
    assert government["label"] == "Freedonian government"
    assert (government["type"], government["colour"], government["shape"]) == (AG + "GovernmentBody",
                                                                            "#2ca02c", "box")
    assert graph.nodes[AGID + "sylvania"]["shape"] == "triangle"


def test_edges_are_relationships_keyed_by_local_name_with_evidence(world):
    graph = project(world)
    assert graph.number_of_edges() == 7
    keys = sorted(k for _, _, k in graph.edges(keys=True))
    assert keys == ["arrestedIn", "heads", "holdsOfficeIn", "leaderOf", "negotiatedWith", "offered",
                    "releasedBy"]
    # Two relationships between the same pair stay two edges.
    assert sorted(graph[AGID + "carl-mott"][AGID + "freedonian-government"]) == ["negotiatedWith",
                                                                                 "releasedBy"]
    edge = graph.edges[AGID + "ana-torres", AGID + "offer-house-prisoners", "offered"]
    assert edge["predicate"] == AG + "offered"
    assert (edge["relationship"], edge["edge_label"], edge["colour"]) == ("offered", "offered", "#e377c2")
    assert edge["evidence"] == [{
        "statement": AGID + "st-torres-offered",
        "quote": '"It is an offer, not an agreement," said Minister Bo Lind of Sylvania on Tuesday.',
        "source": AGID + "doc-world-report", "source_label": "World report",
        "asserted_by": AGID + "bo-lind", "asserted_by_label": "Bo Lind",
        "status": AG + "Offered", "status_label": "offered",
        "reason": None, "role": None, "event": None, "event_label": None,
        "point_in_time": "2025-02-04", "point_in_time_precision": "day", "point_in_time_inferred": True,
        "point_in_time_basis": '"Tuesday" in a report of February 2025.',
        "start_time": None, "start_time_precision": None, "start_time_inferred": None,
        "start_time_basis": None,
        "end_time": None, "end_time_precision": None, "end_time_inferred": None, "end_time_basis": None,
        "content": None, "scope": None, "inferred": None, "inference_basis": None,
    }]
    # Flattened copies for tables and files.
    assert edge["quote"] == edge["evidence"][0]["quote"]
    assert (edge["status_label"], edge["asserted_by_label"], edge["point_in_time"]) == ("offered", "Bo Lind",
                                                                                      "2025-02-04")
    arrest = graph.edges[AGID + "carl-mott", AGID + "sylvania", "arrestedIn"]
    assert (arrest["event_label"], arrest["evidence"][0]["point_in_time_precision"]) == (
        "Arrest of Carl Mott in Sylvania", "month")


def test_kg_network_is_the_projection(world):
    assert sorted(world.network().edges(keys=True)) == sorted(project(world).edges(keys=True))


# -- as of a date -----------------------------------------------------------------------------------


@pytest.mark.parametrize("graph", ["world", "kg"])
def test_structure_projection_is_the_projection_without_evidence(graph, request):
    from actorgraph.network import brokers, centrality, communities

    kg = request.getfixturevalue(graph)
    full, bare = kg.network(), kg.network(evidence=False)
    assert full.graph["evidence"] is True and bare.graph["evidence"] is False
    assert dict(bare.nodes(data=True)) == dict(full.nodes(data=True))
    dropped = {"evidence", "statements", *kg.evidence_fields.flat_keys}
    assert sorted(bare.edges(keys=True, data=True)) == sorted(
        (u, v, k, {a: x for a, x in d.items() if a not in dropped}) for u, v, k, d in full.edges(keys=True, data=True))
    assert all(not dropped & set(d) for *_, d in bare.edges(keys=True, data=True))
    for analysis in (centrality, brokers, communities):
        assert analysis(bare).rows == analysis(full).rows, analysis.__name__
    dated = kg.network(as_of="2024", evidence=False)  # the dates are read, the evidence is not
    assert dated.graph["evidence"] is False and dated.graph["as_of"] == "2024"


def test_both_projections_keep_an_edge_known_only_from_its_statement(world_copy):
    """A denied claim has a statement but no direct triple: it is still an edge, with its evidence in
    the full projection and without it in the structure."""
    report = world_copy / "world-report.ttl"
    text = report.read_text(encoding="utf-8")
    direct = "agid:ana-torres ag:heads agid:freedonian-government .\n"
    assert direct in text
    report.write_text(text.replace(direct, ""), encoding="utf-8")
    kg = actorgraph.load(world_copy)
    edge = ("https://w3id.org/actorgraph/id/ana-torres", "https://w3id.org/actorgraph/id/freedonian-government",
            "heads")
    full, bare = kg.network(), kg.network(evidence=False)
    assert full.has_edge(*edge) and bare.has_edge(*edge)
    assert full.edges[edge]["statements"] == 1 and "evidence" not in bare.edges[edge]


@pytest.mark.parametrize(("as_of", "expected"), [
    ("2020", {"heads", "holdsOfficeIn", "leaderOf"}),                      # only the undated ones
    ("2021-02", {"heads", "holdsOfficeIn", "leaderOf"}),                   # March 2021 is still ahead
    ("2021-03-31", {"heads", "holdsOfficeIn", "leaderOf", "negotiatedWith"}),  # within March 2021
    ("2021", {"heads", "holdsOfficeIn", "leaderOf", "negotiatedWith"}),    # the year holds March
    ("2022-01-01", {"heads", "holdsOfficeIn", "leaderOf", "negotiatedWith", "releasedBy"}),  # "2022" holds
    ("2025-02-03", {"heads", "holdsOfficeIn", "leaderOf", "negotiatedWith", "releasedBy", "arrestedIn"}),
    ("2025-02-04", {"heads", "holdsOfficeIn", "leaderOf", "negotiatedWith", "releasedBy", "arrestedIn",
                    "offered"}),
])
def test_as_of_keeps_what_holds_on_the_date(world, as_of, expected):
    graph = project(world, as_of=as_of)
    assert {k for _, _, k in graph.edges(keys=True)} == expected
    assert graph.graph["as_of"] == as_of
    # Nodes left without a relationship go too.
    assert all(graph.degree(n) for n in graph.nodes)


def test_as_of_drops_the_offer_and_its_offer_node(world):
    graph = project(world, as_of="2024")
    assert AGID + "offer-house-prisoners" not in graph


def test_holds_on_start_and_end_with_precision():
    span = {"start_time": "2021-07", "end_time": "2022", "point_in_time": None}
    assert holds_on(span, parse_date("2021-07-01"))
    assert holds_on(span, parse_date("2021-06-30")) is False      # before July begins
    assert holds_on(span, parse_date("2022-12-31"))                # "2022" lasts all year
    assert holds_on(span, parse_date("2023-01-01")) is False      # over
    assert holds_on(span, parse_date("2021"))                      # the year overlaps July
    assert holds_on({}, parse_date("1900"))                        # undated: kept


def test_bad_as_of_date_is_a_usage_error(world):
    with pytest.raises(BadDateError):
        project(world, as_of="2021-13")


# -- the analysis commands, exact output ------------------------------------------------------------

CENTRALITY = """\
Centrality, ranked by pagerank

  rank   name                                     type                    degree   neighbours   betweenness   pagerank
 ──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  1      Carl Mott                                person                  4        3            0.6           0.2665
  2      Freedonian government                    government body         4        3            0.7333        0.2645
  3      Ana Torres                               person                  2        2            0.3333        0.15
  4      Offer to house prisoners from Sylvania   offer                   1        1            0             0.0852
  5      Harbor Gang                              criminal organisation   1        1            0             0.0781
  5      Sylvania                                 country                 1        1            0             0.0781
  7      Bo Lind                                  person                  1        1            0             0.0776
"""

CENTRALITY_BETWEENNESS = """\
Centrality, ranked by betweenness

  rank   name                    type              degree   neighbours   betweenness   pagerank
 ───────────────────────────────────────────────────────────────────────────────────────────────
  1      Freedonian government   government body   4        3            0.7333        0.2645
  2      Carl Mott               person            4        3            0.6           0.2665
  3      Ana Torres              person            2        2            0.3333        0.15

note: the first 3 of 7 shown (--top 0 shows all)
"""

BROKERS = """\
Brokers

  name                                     type                    articulation point   bridges to                                                      betweenness
 ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  Freedonian government                    government body         yes                  Ana Torres; Bo Lind; Carl Mott                                  0.7333
  Carl Mott                                person                  yes                  Freedonian government; Harbor Gang; Sylvania                    0.6
  Ana Torres                               person                  yes                  Freedonian government; Offer to house prisoners from Sylvania   0.3333
  Bo Lind                                  person                  no                   Freedonian government                                           0
  Harbor Gang                              criminal organisation   no                   Carl Mott                                                       0
  Offer to house prisoners from Sylvania   offer                   no                   Ana Torres                                                      0
  Sylvania                                 country                 no                   Carl Mott                                                       0

note: 3 articulation point(s), 6 bridge(s)
"""

COMMUNITIES = """\
Communities (Louvain, seed 42)

  community   size   members
 ─────────────────────────────────────────────────────────────────────────────────────
  1           5      Bo Lind; Carl Mott; Freedonian government; Harbor Gang; Sylvania
  2           2      Ana Torres; Offer to house prisoners from Sylvania
"""

PATH = """\
Shortest paths from Ana Torres to Carl Mott

  path   step   subject      relationship      object                  quote                                                                                     asserted by                  status
 ──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  1      1      Ana Torres   heads             Freedonian government   Torres heads the Freedonian government.                                                   the report's own reporting   reported
  1      2      Carl Mott    negotiated with   Freedonian government   Mott negotiated with the Freedonian government in March 2021, according to prosecutors.   prosecutors                  alleged
  1      2      Carl Mott    released by       Freedonian government   Red was released by the Freedonian government in 2022                                     the report's own reporting   reported

source: World report
note: 1 shortest path(s) of 2 step(s); direction shown as asserted
"""

EGO = """\
Ego network of Bo Lind (depth 2)

  distance   subject      relationship      object                  quote                                                                                     asserted by                  status
 ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  1          Bo Lind      holds office in   Freedonian government   Minister Bo Lind of Sylvania                                                              the report's own reporting   reported
  2          Ana Torres   heads             Freedonian government   Torres heads the Freedonian government.                                                   the report's own reporting   reported
  2          Carl Mott    negotiated with   Freedonian government   Mott negotiated with the Freedonian government in March 2021, according to prosecutors.   prosecutors                  alleged
  2          Carl Mott    released by       Freedonian government   Red was released by the Freedonian government in 2022                                     the report's own reporting   reported

source: World report
note: 4 entities and 4 relationships within 2 step(s) of Bo Lind
"""


@pytest.mark.parametrize(("args", "expected"), [
    (["centrality"], CENTRALITY),
    (["centrality", "--by", "betweenness", "--top", "3"], CENTRALITY_BETWEENNESS),
    (["brokers"], BROKERS),
    (["communities"], COMMUNITIES),
    (["path", "Torres", "Red"], PATH),
    (["ego", "Minister Lind", "--depth", "2"], EGO),
], ids=["centrality", "centrality-betweenness", "brokers", "communities", "path", "ego"])
def test_analysis_table_output(invoke, args, expected):
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert result.output == expected


def test_centrality_json(invoke):
    data = json.loads(invoke("centrality", "--format", "json").output)
    assert data["columns"] == ["rank", "name", "type", "degree", "neighbours", "betweenness", "pagerank"]
    first = data["rows"][0]
    assert (first["name"], first["rank"], first["degree"], first["betweenness"]) == ("Carl Mott", 1, 4, 0.6)
    assert first["iri"] == AGID + "carl-mott"
    assert sum(row["pagerank"] for row in data["rows"]) == pytest.approx(1.0, abs=1e-5)


def test_brokers_and_communities_json(invoke):
    brokers = json.loads(invoke("brokers", "--format", "json").output)
    assert [r["name"] for r in brokers["rows"] if r["articulation point"]] == [
        "Freedonian government", "Carl Mott", "Ana Torres"]
    assert brokers["notes"] == ["3 articulation point(s), 6 bridge(s)"]
    communities = json.loads(invoke("communities", "--format", "json").output)
    assert [r["members"] for r in communities["rows"]] == [
        ["Bo Lind", "Carl Mott", "Freedonian government", "Harbor Gang", "Sylvania"],
        ["Ana Torres", "Offer to house prisoners from Sylvania"]]


def test_communities_are_deterministic(world):
    from actorgraph.network import communities

    runs = {json.dumps(communities(project(world)).rows) for _ in range(3)}
    assert len(runs) == 1


def test_path_json_walks_either_way_and_keeps_direction(invoke):
    data = json.loads(invoke("path", "Harbor Gang", "Bo Lind", "--format", "json").output)
    steps = [(r["step"], r["subject"], r["relationship"], r["object"]) for r in data["rows"]]
    assert steps == [
        (1, "Carl Mott", "leader of", "Harbor Gang"),
        (2, "Carl Mott", "negotiated with", "Freedonian government"),
        (2, "Carl Mott", "released by", "Freedonian government"),
        (3, "Bo Lind", "holds office in", "Freedonian government"),
    ]
    assert all(r["quote"] for r in data["rows"])
    assert data["rows"][0]["statements"] == [AGID + "st-mott-leads"]


def test_path_as_of_and_csv(invoke):
    # Before March 2021 Carl Mott has no tie to the government: no path.
    result = invoke("path", "Torres", "Red", "--as-of", "2021-02")
    assert result.exit_code == 0
    assert result.output == ("Shortest paths from Ana Torres to Carl Mott: no results\n\n"
                             "note: no path: they are not connected\n"
                             "note: as of 2021-02: only statements that may hold then; undated ones are "
                             "included\n")
    csv_out = invoke("path", "Torres", "Red", "--format", "csv").output.splitlines()
    assert csv_out[0] == (
        "path,step,subject,relationship,object,quote,asserted by,status,source,subject_iri,object_iri,statements")
    assert len(csv_out) == 4


def test_ego_json_depth_zero(invoke):
    data = json.loads(invoke("ego", "Red", "--depth", "0", "--format", "json").output)
    assert data["rows"] == []
    assert data["notes"] == ["1 entities and 0 relationships within 0 step(s) of Carl Mott"]


@pytest.mark.parametrize(("args", "message"), [
    (["path", "Torres", "Nobody"], "actorgraph: error: unknown name 'Nobody'"),
    (["ego", "the report's own reporting"],
     "actorgraph: error: the report's own reporting takes part in no relationship in this graph"),
    (["centrality", "--as-of", "2021-13"], "actorgraph: error: bad date '2021-13': month must be in 1..12"),
])
def test_analysis_errors_are_one_line(invoke, args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [message] or result.output.startswith(message)


def test_large_graphs_say_they_used_igraph():
    import networkx as nx

    from actorgraph.network import IGRAPH_THRESHOLD, betweenness, brokers, communities

    ring = nx.MultiDiGraph()
    n = IGRAPH_THRESHOLD + 10
    for i in range(n):
        ring.add_node(f"n{i}", label=f"n{i}", type_label="person")
    for i in range(n):
        ring.add_edge(f"n{i}", f"n{(i + 1) % n}", key="knows")
    values, notes = betweenness(nx.Graph(ring.to_undirected()))
    exact = nx.betweenness_centrality(nx.Graph(ring.to_undirected()))
    assert values["n0"] == pytest.approx(exact["n0"])
    assert "igraph" in notes[0]
    assert any("igraph" in note for note in brokers(ring).notes)
    first = communities(ring).rows
    assert any("igraph" in note for note in communities(ring).notes)
    assert communities(ring).rows == first


def _random_network(n: int, m: int, seed: int = 3):
    import random

    import networkx as nx

    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    for i in range(n):
        graph.add_node(f"n{i:04d}", label=f"n{i:04d}", type_label="person")
    for i in range(n):  # a ring keeps it connected, random chords give it structure
        graph.add_edge(f"n{i:04d}", f"n{(i + 1) % n:04d}", key="knows")
    for _ in range(m - n):
        graph.add_edge(f"n{rng.randrange(n):04d}", f"n{rng.randrange(n):04d}", key="knows")
    return graph


def test_betweenness_is_sampled_above_the_budget_and_says_so():
    from actorgraph.network import BETWEENNESS_MIN_SAMPLE, IGRAPH_THRESHOLD, betweenness, undirected

    simple = undirected(_random_network(IGRAPH_THRESHOLD + 200, 4000))
    exact, exact_notes = betweenness(simple)
    assert "exact" in exact_notes[0] and "APPROXIMATE" not in exact_notes[0]
    budget = simple.number_of_nodes() * simple.number_of_edges() / 4
    estimate, notes = betweenness(simple, budget=budget)
    assert len(notes) == 1 and "APPROXIMATE" in notes[0] and "seed" in notes[0], notes
    k = int(budget // simple.number_of_edges())
    assert k >= BETWEENNESS_MIN_SAMPLE and f"out of {k:,} of {simple.number_of_nodes():,} entities" in notes[0]
    # An estimate, scaled to the exact figure's range: the same total within 5%, the same leaders.
    assert sum(estimate.values()) == pytest.approx(sum(exact.values()), rel=0.05)
    top = sorted(exact, key=exact.get, reverse=True)[:5]
    assert set(top) & set(sorted(estimate, key=estimate.get, reverse=True)[:10])
    assert betweenness(simple, budget=budget) == (estimate, notes)  # seeded: the same every run
    assert betweenness(simple, exact=True, budget=budget)[0] == exact


def test_centrality_and_brokers_print_the_approximation(monkeypatch):
    from actorgraph import network
    from actorgraph.output import render

    graph = _random_network(network.IGRAPH_THRESHOLD + 50, 3000)
    monkeypatch.setattr(network, "EXACT_BETWEENNESS_BUDGET", 1000.0)
    for table in (network.centrality(graph, by="betweenness", top=5), network.brokers(graph)):
        assert any("APPROXIMATE" in note for note in table.notes), table.notes
        assert "APPROXIMATE" in render(table, "table")
        assert any("APPROXIMATE" in note for note in json.loads(render(table, "json"))["notes"])
    exact = network.centrality(graph, by="betweenness", top=5, exact=True)
    assert not any("APPROXIMATE" in note for note in exact.notes)


# -- the shipped graph ---------------------------------------------------------------------------------


def test_path_from_bukele_to_canales_has_a_quote_on_every_hop(invoke):
    from conftest import GRAPH

    result = invoke("path", "Nayib Bukele", "Élmer Canales Rivera", "--format", "json", graph=GRAPH)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rows"], data
    assert data["rows"][0]["subject_iri"] == AGID + "nayib-bukele" or data["rows"][0]["object_iri"] == (
        AGID + "nayib-bukele")
    for row in data["rows"]:
        assert row["quote"].strip(), row
        assert row["statements"], row
    steps = {row["step"] for row in data["rows"]}
    assert steps == set(range(1, max(steps) + 1))
    text = invoke("path", "Nayib Bukele", "Élmer Canales Rivera", graph=GRAPH).output
    assert "Élmer Canales Rivera" in text and "note: " in text


def test_shipped_projection_has_no_figures_or_statements(kg):
    graph = project(kg)
    assert graph.number_of_nodes() > 50
    assert not [n for n in graph if "/fig-" in n or "/st-" in n or "/doc-" in n]
    assert all(data["evidence"] and all(item["quote"] for item in data["evidence"])
               for _, _, data in graph.edges(data=True))


def test_exact_flag_changes_nothing_on_a_small_graph(invoke):
    for command in (["centrality", "--by", "betweenness"], ["brokers"]):
        plain, exact = invoke(*command), invoke(*command, "--exact")
        assert plain.exit_code == exact.exit_code == 0, exact.output
        assert plain.output == exact.output


# -- the cached structure ------------------------------------------------------------------------------


def test_the_structure_is_cached_and_never_stale(world_copy, monkeypatch, tmp_path):
    """Built once per fingerprint and read back (no SPARQL); a changed file is a new fingerprint, so
    the next run builds it again and answers from the new data."""
    from actorgraph import network

    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "always")
    built = actorgraph.load(world_copy, ONTOLOGY_DIR)
    expected = built.network()
    saved = list((tmp_path / "cache" / "stores").glob("*/network-*/meta.json"))
    assert len(saved) == 1

    def refuse(kg):
        raise AssertionError("built again")

    monkeypatch.setattr(network._Structure, "build", classmethod(lambda cls, kg: refuse(kg)))
    again = actorgraph.load(world_copy, ONTOLOGY_DIR)
    graph = again.network()
    assert sorted(graph.edges(keys=True, data=True)) == sorted(expected.edges(keys=True, data=True))
    assert dict(graph.nodes(data=True)) == dict(expected.nodes(data=True))
    assert again.network(as_of="2021").number_of_edges() == 4  # the dates are cached beside it
    monkeypatch.undo()
    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "always")
    report = world_copy / "world-report.ttl"
    report.write_text(report.read_text(encoding="utf-8").replace("ag:heads agid:freedonian-government .",
                                                                 "ag:heads agid:harbor-gang ."), encoding="utf-8")
    changed = actorgraph.load(world_copy, ONTOLOGY_DIR).network()
    assert changed.has_edge(AGID + "ana-torres", AGID + "harbor-gang", "heads")


def test_analyses_of_the_cached_network_and_of_the_projection_agree(kg):
    """The CLI's road (the cached network, evidence on demand) and the library's projection give the
    same tables, the evidence of every hop of a path included."""
    from actorgraph.network import brokers, centrality, communities, ego_table, shortest_paths

    network, projection = kg.structure(), kg.network()
    for analysis in (centrality, brokers, communities):
        assert analysis(network).rows == analysis(projection).rows
    bukele, canales = AGID + "nayib-bukele", AGID + "elmer-canales-rivera"
    for a, b in ((bukele, canales), (AGID + "osiris-luna-meza", AGID + "marco-rubio")):
        cached, projected = shortest_paths(network, a, b), shortest_paths(projection, a, b)
        assert cached.rows == projected.rows and cached.rows
        for row in cached.rows:
            edge = next(d for _, _, d in projection.edges(data=True)
                        if [i["statement"] for i in d["evidence"]] == row["statements"])
            assert (row["quote"], row["asserted by"], row["status"]) == (
                edge["quote"], edge["asserted_by_label"], edge["status_label"])
    assert ego_table(network, bukele, 2).rows == ego_table(projection, bukele, 2).rows


def test_a_changed_file_alone_is_read_again(world_copy, monkeypatch, tmp_path):
    """The structure keeps each file's facts; after a change, the changed file's facts alone are read
    again, and the structure is the one built from scratch."""
    from actorgraph import network

    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "always")
    assert actorgraph.load(world_copy, ONTOLOGY_DIR).bare_structure.iris
    report = world_copy / "world-report.ttl"
    report.write_text(report.read_text(encoding="utf-8").replace("ag:heads agid:freedonian-government .",
                                                                 "ag:heads agid:harbor-gang ."), encoding="utf-8")
    read = []
    facts = network._read_facts
    monkeypatch.setattr(network, "_read_facts", lambda kg, graphs: (read.append(graphs), facts(kg, graphs))[1])
    changed = actorgraph.load(world_copy, ONTOLOGY_DIR)
    graph = changed.network()
    assert len(read) == 1 and "doc-world-report" in read[0] and "graph/actors" not in read[0]
    assert graph.has_edge(AGID + "ana-torres", AGID + "harbor-gang", "heads")
    whole = network._Structure.merge(changed, [facts(changed, None)[None]])
    assert whole.iris == changed.bare_structure.iris
    for name in ("src", "dst", "rel", "st_ptr", "st_idx", "node_type"):
        assert (whole.arrays[name] == changed.bare_structure.arrays[name]).all(), name
def test_centrality_and_brokers_show_the_first_twenty_unless_told(kg, invoke):
    """On the shipped graph (more than twenty entities): twenty rows and a note by default, a chosen
    number with --top N, every row with --top 0."""
    from conftest import GRAPH

    for command in ("centrality", "brokers"):
        every = json.loads(invoke(command, "--top", "0", "--format", "json", graph=GRAPH).output)
        assert len(every["rows"]) > 20 and not any("shown" in note for note in every.get("notes", [])), command
        first = json.loads(invoke(command, "--format", "json", graph=GRAPH).output)
        assert first["rows"] == every["rows"][:20], command
        assert f"the first 20 of {len(every['rows'])} shown (--top 0 shows all)" in first["notes"]
        three = json.loads(invoke(command, "--top", "3", "--format", "json", graph=GRAPH).output)
        assert three["rows"] == every["rows"][:3]
    bad = invoke("centrality", "--top", "-1", graph=GRAPH)
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_the_answers_are_those_of_the_projection_built_whole():
    """On the shipped graph and the fixture world, the projection, the analyses and every hop's evidence
    of the shortest paths between the most connected entities are those the code gave when it built the
    whole network, evidence and all, before each answer (fixtures/network-answers.json; how it was made:
    tests/network_answers.py), whether the analyses run on the projection or on the cached network."""
    from network_answers import GRAPHS, ONTOLOGY, PINNED, answers

    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    for name, path in GRAPHS.items():
        kg = actorgraph.load(path, ONTOLOGY)
        for cached in (False, True):
            now = answers(kg, cached=cached)
            assert now.keys() == pinned[name].keys()
            for part in now:
                assert now[part] == pinned[name][part], (name, cached, part)
        assert sum(len(rows) for rows in pinned[name]["paths"].values()) > 20
