"""The question commands: exact tables, parsed JSON, error paths and injection, on the fixture world."""

from __future__ import annotations

import json

import pytest

from actorgraph.cli import cli
from golden_tables import EXPECTED

ID = "https://w3id.org/actorgraph/id/"


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_table_output_is_exact(invoke, case):
    args, expected = EXPECTED[case]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert result.output == expected


def rows(invoke, *args):
    result = invoke(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_actors_json_lists_types_and_aliases(invoke):
    data = rows(invoke, "actors", "--type", "person")
    assert [(r["name"], r["type"], r["aliases"]) for r in data["rows"]] == [
        ("Ana Torres", "person", ["President Torres", "Torres"]),
        ("Bo Lind", "person", ["Minister Lind"]),
        ("Carl Mott", "person", ["Red"]),
    ]


def test_show_json_has_relationships_in_and_out_with_evidence(invoke):
    data = rows(invoke, "show", "Freedonian government")
    assert data["title"] == "Freedonian government"
    assert data["other names"] == ["Gobierno de Freedonia"]
    incoming = {(r["from"], r["relationship"], r["status"], r["asserted by"]) for r in data["incoming"]}
    assert incoming == {
        ("Ana Torres", "heads", "reported", "the report's own reporting"),
        ("Bo Lind", "holds office in", "reported", "the report's own reporting"),
        ("Carl Mott", "negotiated with", "alleged", "prosecutors"),
        ("Carl Mott", "released by", "reported", "the report's own reporting"),
    }
    assert all(r["quote"] and r["source"] == "World report" for r in data["incoming"])


def test_show_lists_roles_from_statements(invoke):
    data = rows(invoke, "show", "Bo Lind")
    assert data["roles"] == ["Minister"]


def test_who_negotiated_json_names_both_sides(invoke):
    data = rows(invoke, "who-negotiated")
    assert [(r["side"], r["actor"], r["aliases"], r["ties"]) for r in data["rows"]] == [
        ("government", "Freedonian government", [], ["negotiated with Carl Mott"]),
        ("gang", "Carl Mott", ["Red"], ["negotiated with Freedonian government"]),
    ]
    evidence = data["rows"][1]["evidence"]
    assert evidence == [{
        "relationship": "negotiated with", "with": "Freedonian government",
        "quote": "Mott negotiated with the Freedonian government in March 2021, according to prosecutors.",
        "asserted by": "prosecutors", "status": "alleged", "source": "World report",
        "statement": ID + "st-mott-negotiated"}]


def test_timeline_dates_carry_their_precision(invoke):
    data = rows(invoke, "timeline")
    assert [(r["date"], r["precision"], r["inferred"]) for r in data["rows"]] == [
        ("2021-03 (month)", "month", False),
        ("2022 (year)", "year", False),
        ("2023-06 (month)", "month", False),
        ("2025-02-04 (day, inferred)", "day", True),
    ]
    assert data["rows"][-1]["date_basis"] == "\"Tuesday\" in a report of February 2025."


def test_timeline_range_keeps_a_month_that_overlaps_it(invoke):
    # "2021-03" is the whole of March: a range starting mid-March still includes it.
    data = rows(invoke, "timeline", "--from", "2021-03-15", "--to", "2021-03-20")
    assert [r["date_value"] for r in data["rows"]] == ["2021-03"]
    data = rows(invoke, "timeline", "--from", "2021-04", "--to", "2021-12")
    assert data["rows"] == []


def test_figures_json_keeps_both_disagreeing_figures(invoke):
    data = rows(invoke, "figures")
    assert {(r["number"], r["asserted by"], r["status"]) for r in data["rows"]} == {
        (5000, "Prison Monitor", "reported"),
        (4200, "Freedonian government", "claimed"),
    }
    assert data["notes"] == [
        "sources give different values for prison population of Freedonian prisons: "
        "4,200 (Freedonian government) vs 5,000 (Prison Monitor)"
    ]


def test_claims_by_source_document(invoke):
    data = rows(invoke, "claims", "--source", "world-report.txt")
    assert len(data["rows"]) == 9
    assert rows(invoke, "claims", "--source", "World report")["rows"] == data["rows"]


def test_between_gives_direct_links_and_paths_with_quotes(invoke):
    data = rows(invoke, "between", "Red", "Freedonian government")
    kinds = [r["kind"] for r in data["rows"]]
    assert kinds.count("relationship") == 2
    assert all(r["quote"] for r in data["rows"])
    data = rows(invoke, "between", "Carl Mott", "Ana Torres")
    assert [(r["kind"], r["via"], r["link"]) for r in data["rows"]] == [
        ("path 1", "step 1", "Carl Mott → negotiated with → Freedonian government"),
        ("path 1", "step 1", "Carl Mott → released by → Freedonian government"),
        ("path 1", "step 2", "Ana Torres → heads → Freedonian government"),
    ]
    assert data["notes"] == ["1 shortest path(s) of 2 step(s); direction shown as asserted"]


def test_sanctions_and_search_json(invoke):
    assert rows(invoke, "sanctions")["rows"] == []
    found = rows(invoke, "search", "CARL  mött")["rows"]
    assert found[0]["name"] == "Carl Mott" and found[0]["score"] == 100


def test_query_list_describes_every_named_query(invoke):
    data = rows(invoke, "query", "--list")
    names = [r["name"] for r in data["rows"]]
    assert {"who-negotiated", "sanctions", "timeline", "figures", "statements", "between"} <= set(names)
    for row in data["rows"]:
        assert row["title"] and row["description"], row["name"]


def test_query_runs_with_parameters(invoke):
    data = rows(invoke, "query", "statements", "--param", "by=Bo Lind")
    assert [r["statement"] for r in data["rows"]] == [ID + "st-torres-offered"]


def test_csv_output(invoke):
    import csv
    import io

    result = invoke("figures", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(result.output)))
    assert list(table[0])[:8] == ["describes", "measure", "figure", "date", "quote", "asserted by", "status",
                                  "source"]
    # Every field is there for researchers, IRIs included.
    assert {"basis", "number", "figure_iri", "statement", "other figures"} <= set(table[0])
    assert [(r["figure"], r["other figures"]) for r in table] == [
        ("4,200 people", "5000 (Prison Monitor)"), ("5,000 people", "4200 (Freedonian government)")]


# -- SPARQL ---------------------------------------------------------------------------------------


def test_sparql_select_json_is_sparql_results(invoke):
    result = invoke("sparql", "SELECT ?name WHERE { agid:carl-mott rdfs:label ?name }", "--format", "json")
    data = json.loads(result.output)
    assert data["head"]["vars"] == ["name"]
    assert data["results"]["bindings"][0]["name"]["value"] == "Carl Mott"


def test_sparql_construct_gives_turtle_jsonld_ntriples(invoke):
    import rdflib

    query = "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a ag:Person ; rdfs:label ?l }"
    graphs = []
    for fmt, parser in (("turtle", "turtle"), ("jsonld", "json-ld"), ("ntriples", "nt")):
        result = invoke("sparql", query, "--format", fmt)
        assert result.exit_code == 0, result.output
        graphs.append(rdflib.Graph().parse(data=result.output, format=parser))
    from rdflib.compare import isomorphic

    assert len(graphs[0]) == 3
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])


def test_sparql_from_file_and_stdin(invoke, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("ASK { agid:ana-torres ag:heads agid:freedonian-government }")
    assert invoke("sparql", str(path)).output == "true\n"
    assert invoke("sparql", "-", input="ASK { agid:ana-torres ag:heads agid:carl-mott }").output == "false\n"


@pytest.mark.parametrize("update", [
    "INSERT DATA { agid:a agid:b agid:c }",
    "PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }",
    "# comment\nCLEAR ALL",
    "LOAD <http://example.org/data.ttl>",
])
def test_sparql_refuses_updates_and_leaves_graph_alone(invoke, world_copy, update):
    before = {p.name: p.read_bytes() for p in world_copy.glob("*.ttl")}
    result = invoke("sparql", update, graph=world_copy)
    assert result.exit_code != 0
    assert "updates are not allowed" in result.output or "bad SPARQL" in result.output
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in world_copy.glob("*.ttl")} == before


def test_bad_sparql_gives_parser_position(invoke):
    result = invoke("sparql", "SELECT ?x WHERE { ?x ?y }")
    assert result.exit_code == 1
    assert result.output.startswith("actorgraph: error: bad SPARQL: error at 1:")
    assert len(result.output.strip().splitlines()) == 1


# -- error paths: one line, non-zero, no traceback -------------------------------------------------


@pytest.mark.parametrize("args, code, message", [
    (["show", "Nobody Atall"], 2, "unknown name 'Nobody Atall'"),
    (["show", "Carl Mot"], 2, "closest: Carl Mott"),
    (["show", "freedonian"], 2, "ambiguous name 'freedonian'; it matches: Freedonian government, Freedonian prisons"),
    (["timeline", "--from", "2021-13"], 2, "bad date '2021-13'"),
    (["timeline", "--to", "21 March"], 2, "bad date '21 March'"),
    (["timeline", "--from", "2023-02-30"], 2, "bad date '2023-02-30'"),
    (["actors", "--type", "spaceship"], 2, "unknown type 'spaceship'"),
    (["query", "nosuch"], 2, "unknown query 'nosuch'"),
    (["query", "quotes", "--param", "nope=1"], 2, "has no parameter 'nope'"),
    (["query", "quotes", "--param", "novalue"], 2, "expected key=value"),
    (["query", "quotes"], 2, "needs parameter 'text'"),
    (["claims", "--source", "nothing.txt"], 2, "unknown name 'nothing.txt'"),
    (["sparql", "missing-file.rq"], 1, "missing-file.rq: No such file or directory"),
])
def test_errors_are_one_line(invoke, args, code, message):
    result = invoke(*args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert result.output.startswith("actorgraph: error: ")
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_missing_graph_dir_is_one_line(invoke, tmp_path):
    result = invoke("actors", graph=tmp_path / "nowhere")
    assert result.exit_code == 1
    assert result.output.strip() == f"actorgraph: error: {tmp_path / 'nowhere'}: no such directory"


def test_malformed_turtle_names_file_and_line(invoke, world_copy):
    (world_copy / "broken.ttl").write_text("@prefix ag: <https://w3id.org/actorgraph/ont#> .\n\nag:a ag:b \"open .\n")
    result = invoke("actors", graph=world_copy)
    assert result.exit_code == 1
    assert f"{world_copy / 'broken.ttl'}:3:" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_graph_dir_from_environment(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from conftest import WORLD

    monkeypatch.setenv("ACTORGRAPH_GRAPH_DIR", str(WORLD))
    result = CliRunner().invoke(cli, ["actors", "--format", "json"])
    assert [r["name"] for r in json.loads(result.output)["rows"]][:3] == ["Ana Torres", "Bo Lind", "Carl Mott"]


# -- injection: user text is data, never query text ------------------------------------------------

HOSTILE = [
    'x" } UNION { ?s ?p ?o } #',
    "x' } ; DROP ALL ; #",
    "}}}}",
    "# comment",
    "back\\slash\\",
    "new\nline\r\n",
    "SELECT * WHERE { ?s ?p ?o }",
    "\"\"\" ''' <http://evil/> ?var $var",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_string_parameters_are_bound_as_data(world, text):
    import pyoxigraph as ox

    # The value comes back exactly as it went in, and matches nothing in the graph.
    echoed = world.rows("SELECT ?v WHERE {\n  #@values\n  BIND(?text AS ?v)\n}", {"text": ox.Literal(text)})
    assert echoed == [{"v": text}]
    assert world.named("quotes", text=text) == []


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_names_are_unknown_names(invoke, text):
    for args in (["show", text], ["sanctions", text], ["claims", "--by", text], ["timeline", "--actor", text],
                 ["query", "statements", "-p", f"entity={text}"]):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


def test_hostile_label_resolves_and_is_shown_as_text(invoke, world_copy):
    label = 'Evil "} UNION { ?s ?p ?o } # \\ [bold]x[/bold]'
    ttl = (world_copy / "actors.ttl").read_text()
    escaped = label.replace("\\", "\\\\").replace('"', '\\"')
    (world_copy / "actors.ttl").write_text(ttl + f'\nagid:evil a ag:Person ; rdfs:label "{escaped}" .\n')
    result = invoke("search", "Evil", "--format", "json", graph=world_copy)
    assert json.loads(result.output)["rows"][0]["name"] == label
    result = invoke("actors", "--type", "person", graph=world_copy)
    assert label in result.output  # rich markup in data is printed, not interpreted
    result = invoke("show", label, "--format", "json", graph=world_copy)
    assert json.loads(result.output)["title"] == label


# -- documentation stays honest --------------------------------------------------------------------


def test_every_command_has_help_with_an_example(invoke):
    from actorgraph.cli import all_commands

    for name, command in sorted(all_commands().items()):
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        assert "Example:" in result.output, name
        if getattr(command, "commands", None):
            for sub in command.commands:
                assert invoke(name, sub, "--help").exit_code == 0, (name, sub)


def test_who_negotiated_needs_a_government_and_a_gang(invoke, world_copy):
    # Two negotiation events: the gang with a monitor (not counted), the gang with the government (counted).
    extra = '''
@prefix ag:   <https://w3id.org/actorgraph/ont#> .
@prefix agid: <https://w3id.org/actorgraph/id/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
agid:talks-monitor a ag:Negotiation ; rdfs:label "Talks between the gang and the monitor" .
agid:talks-government a ag:Negotiation ; rdfs:label "Talks between the gang and the government" .
'''
    statements = []
    for n, (actor, event) in enumerate([("harbor-gang", "talks-monitor"), ("prison-monitor", "talks-monitor"),
                                        ("harbor-gang", "talks-government"),
                                        ("freedonian-government", "talks-government")]):
        statements.append(f'''agid:{actor} ag:participatedIn agid:{event} .
agid:st-talks-{n} a ag:Statement ; rdf:subject agid:{actor} ; rdf:predicate ag:participatedIn ;
    rdf:object agid:{event} ; ag:quote "Mott negotiated" ; ag:source agid:doc-world-report ;
    ag:assertedBy agid:world-reporting ; ag:status ag:Reported .''')
    (world_copy / "talks.ttl").write_text(extra + "\n".join(statements) + "\n")
    data = rows_of(invoke("who-negotiated", "--format", "json", graph=world_copy))
    ties = {(r["actor"], tie) for r in data["rows"] for tie in r["ties"]}
    assert ("Harbor Gang", "participated in Talks between the gang and the government") in ties
    assert ("Freedonian government", "participated in Talks between the gang and the government") in ties
    assert not any("monitor" in tie for _, tie in ties)


def rows_of(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_query_pages_with_a_note(invoke):
    whole = json.loads(invoke("query", "actors", "--format", "json").output)["rows"]
    first = json.loads(invoke("query", "actors", "--limit", "2", "--format", "json").output)
    assert first["rows"] == whole[:2]
    assert first["notes"] == ["rows 1 to 2 shown; more follow (--offset 2)"]
    last = invoke("query", "actors", "--limit", "5", "--offset", str(len(whole) - 1))
    assert last.exit_code == 0, last.output
    assert f"rows {len(whole)} to {len(whole)} shown; no more follow" in last.output
    beyond = json.loads(invoke("query", "actors", "--offset", str(len(whole)), "--format", "json").output)
    assert beyond["rows"] == [] and beyond["notes"] == [f"no rows after the first {len(whole)}"]
    bad = invoke("query", "actors", "--limit", "-3")
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_a_listing_pages_by_cursor(invoke):
    """statements: --limit N is N statements with all their rows; the note's cursor gives the next page;
    the pages together are the listing."""
    whole = json.loads(invoke("query", "statements", "--format", "json").output)["rows"]
    rows, args, notes = [], ["--limit", "3"], []
    while True:
        page = json.loads(invoke("query", "statements", *args, "--format", "json").output)
        assert len({r["statement"] for r in page["rows"]}) == (3 if "the next page" in page["notes"][0] else
                                                             len({r["statement"] for r in page["rows"]}))
        rows += page["rows"]
        notes += page["notes"]
        if "--cursor" not in page["notes"][0]:
            break
        args = ["--limit", "3", "--cursor", page["notes"][0].rsplit("--cursor ", 1)[1]]
    assert sorted(map(repr, rows)) == sorted(map(repr, whole))
    assert notes[0].startswith("this page holds 3 statements; the next page: --cursor p1.")
    assert notes[-1].endswith("; no more follow")
    text = invoke("query", "statements", "--limit", "2")
    assert text.exit_code == 0 and "note: this page holds 2 statements; the next page: --cursor p1." in text.output
    for bad, message in ((["--limit", "2", "--offset", "4"], "pages by cursor: give the --cursor"),
                         (["--cursor", "p1.nonsense"], "bad cursor 'p1.nonsense'"),
                         (["--cursor", "x", "--limit", "1"], "bad cursor 'x'")):
        result = invoke("query", "statements", *bad)
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, bad
        assert len(result.output.strip().splitlines()) == 1
    wrong = invoke("query", "actors", "--cursor", "p1.x")
    assert wrong.exit_code == 2 and "does not page by cursor" in wrong.output


def test_claims_and_timeline_page_too(invoke):
    every = json.loads(invoke("claims", "--by", "prosecutors", "--format", "json").output)["rows"]
    page = json.loads(invoke("claims", "--by", "prosecutors", "--limit", "1", "--format", "json").output)
    assert len(page["rows"]) == 1 and page["rows"][0] in every
    assert page["notes"][0].startswith("this page holds 1 statement;")
    dates = json.loads(invoke("timeline", "--format", "json").output)["rows"]
    seen, args = [], []
    while True:
        page = json.loads(invoke("timeline", "--limit", "2", *args, "--format", "json").output)
        seen += page["rows"]
        if "--cursor" not in page["notes"][0]:
            break
        args = ["--cursor", page["notes"][0].rsplit("--cursor ", 1)[1]]
    assert sorted(map(repr, seen)) == sorted(map(repr, dates))
    ranged = json.loads(invoke("timeline", "--from", "2021-07-15", "--to", "2022", "--format", "json").output)
    paged = json.loads(invoke("timeline", "--from", "2021-07-15", "--to", "2022", "--limit", "50",
                              "--format", "json").output)
    assert ranged["rows"] and paged["rows"] == ranged["rows"]


def test_a_type_is_resolved_one_way_everywhere(invoke, tmp_path):
    """actors --type and export --type take the same names and refuse others with the same line."""
    listed = invoke("actors", "--type", "criminal organisation", "--format", "json")
    assert [r["name"] for r in json.loads(listed.output)["rows"]] == ["Harbor Gang"]
    errors = [invoke(*args, "--type", "spaceship").output for args in (["actors"], ["export", "graphml", "-o",
                                                                               str(tmp_path / "g.graphml")])]
    assert errors[0] == errors[1] and errors[0].startswith("actorgraph: error: unknown type 'spaceship'; known types: ")
    assert "criminal organisation" in errors[0] and "figure" not in errors[0]


def test_the_sparql_help_lists_every_predeclared_prefix(invoke):
    from actorgraph.store import PREFIXES

    text = " ".join(invoke("sparql", "--help").output.split())
    assert all(f"{name}:" in text for name in PREFIXES) and "sh:" in text
