"""The library API a notebook uses: load, SPARQL rows, named queries, names, the network."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import actorgraph
from actorgraph.errors import AmbiguousNameError, UnknownNameError, UsageError
from conftest import ONTOLOGY, ROOT, WORLD

ID = "https://w3id.org/actorgraph/id/"


def test_load_and_select_rows(world):
    rows = world.rows("SELECT ?name WHERE { ?p a ag:Person ; rdfs:label ?name } ORDER BY ?name")
    assert rows == [{"name": "Ana Torres"}, {"name": "Bo Lind"}, {"name": "Carl Mott"}]


def test_rows_keep_unbound_variables_as_none(world):
    rows = world.rows("SELECT ?p ?alias WHERE { ?p rdfs:label \"Bo Lind\" OPTIONAL { ?p ag:nothing ?alias } }")
    assert rows == [{"p": ID + "bo-lind", "alias": None}]


def test_numbers_and_booleans_come_back_typed(world):
    rows = world.rows("SELECT ?v ?inferred WHERE { agid:fig-prisoners-5000 ag:value ?v . "
                      "agid:st-torres-offered ag:pointInTime/ag:inferred ?inferred }")
    assert rows == [{"v": 5000, "inferred": True}]


def test_named_query_with_name_parameters(world):
    rows = world.named("sanctions")
    assert rows == []
    rows = world.named("statements", entity="Red", by="prosecutors")
    assert [r["statement"] for r in rows] == [ID + "st-mott-negotiated"]


def test_named_query_parameter_errors(world):
    with pytest.raises(UsageError, match="has no parameter 'nope'"):
        world.named("statements", nope="x")
    with pytest.raises(UsageError, match="needs parameter 'a'"):
        world.named("between", b="Red")


def test_named_queries_page_in_their_own_order(world, tmp_path):
    from actorgraph.queries import parse_named_query

    everything = world.named("statements")
    assert len(everything) > 4
    assert world.named("statements", limit=2) == everything[:2]
    assert world.named("statements", limit=2, offset=3) == everything[3:5]
    assert world.named("statements", offset=len(everything) - 1) == everything[-1:]
    assert world.named("statements", limit=0) == []
    for bad in ({"limit": -1}, {"limit": "5; DROP"}, {"offset": 1.5}, {"limit": True}):
        with pytest.raises(UsageError, match="whole number of rows"):
            world.named("statements", **bad)
    reserved = tmp_path / "reserved.rq"
    reserved.write_text("# title: t\n# param: limit integer\nSELECT ?x WHERE { ?x ?p ?o }\n")
    with pytest.raises(UsageError, match="reserved for paging"):
        parse_named_query(reserved)


@pytest.mark.parametrize("graph", ["world", "kg"])
def test_anchored_parameters_filter_the_listing(graph, request):
    """Each combination of bound parameters gives exactly the rows of the whole listing that a plain
    Python filter keeps: the anchors (left out when unbound, placed at the top and in OPTIONALs when
    bound) change the work, never the answer."""
    import itertools

    import pyoxigraph as ox

    from actorgraph.queries import prepared

    kg = request.getfixturevalue(graph)
    entities = [row["e"] for row in kg.rows(
        "SELECT DISTINCT ?e WHERE { ?s rdf:subject ?e } ORDER BY ?e LIMIT 6")]
    parties = [row["p"] for row in kg.rows("SELECT DISTINCT ?p WHERE { ?s ag:assertedBy ?p } ORDER BY ?p LIMIT 3")]
    sources = [row["d"] for row in kg.rows("SELECT DISTINCT ?d WHERE { ?s ag:source ?d } ORDER BY ?d")]
    keeps = {"entity": lambda row, v: v in (row["subject"], row["object"]),
             "actor": lambda row, v: v in (row["subject"], row["object"]),
             "by": lambda row, v: row["asserted_by"] == v,
             "source": lambda row, v: row["source"] == v}
    checked = kept = 0
    for name, choices in (("statements", {"entity": entities, "by": parties, "source": sources}),
                          ("timeline", {"actor": entities})):
        query = kg.named_query(name)
        assert query.anchors and query.listing, name
        everything = kg.rows(prepared(query, {}))
        assert prepared(query, {}) != query.text  # the listing's labels are joined as tables
        body = prepared(query, {}).split("\nSELECT", 1)[1]
        assert "rdf:subject|rdf:object" not in body  # no unbound anchor multiplies the rows
        for size in range(1, len(choices) + 1):
            for params in itertools.combinations(choices, size):
                for values in itertools.product(*(choices[p] for p in params)):
                    bindings = {p: ox.NamedNode(v) for p, v in zip(params, values, strict=True)}
                    text = prepared(query, bindings)
                    assert "VALUES" in text and "SELECT ?subject ?subject_label" not in text
                    expected = [row for row in everything
                                if all(keeps[p](row, str(v.value)) for p, v in bindings.items())]
                    got = kg.rows(text, bindings)
                    assert sorted(map(repr, got)) == sorted(map(repr, expected)), (name, bindings)
                    checked += 1
                    kept += bool(got)
    assert checked > 20 and kept > 10


@pytest.mark.parametrize("graph", ["world", "kg"])
def test_label_tables_give_the_same_rows(graph, request):
    """A listing's #@table lines, joined as tables when nothing is anchored, give the rows of the text
    as written (where the markers are comments and the lines plain patterns)."""
    import pyoxigraph as ox

    from actorgraph.queries import prepared

    kg = request.getfixturevalue(graph)
    for name, bindings in (("statements", {}), ("timeline", {}), ("quotes", {"text": "the"})):
        query = kg.named_query(name)
        bound = {k: ox.Literal(v) for k, v in bindings.items()}
        text = prepared(query, bound)
        assert text.count("{ SELECT ") >= 5, name
        rows = kg.rows(text, bound)
        # The same rows; rows that tie on the ORDER BY keys (a statement with two notes) may swap.
        assert rows and sorted(map(repr, rows)) == sorted(map(repr, kg.rows(query.text, bound))), name


def test_every_named_query_gives_the_pinned_rows(world):
    """Every named query, for every combination of parameter values, gives the rows it gave before the
    markers (tests/named_query_rows.py says how the pins were made)."""
    from named_query_rows import PINNED, answers

    pinned = json.loads(PINNED.read_text())
    got = answers(world)
    assert sorted(got) == sorted(pinned)
    changed = [key for key in pinned if got[key] != pinned[key]]
    assert not changed, changed[:5]
    assert sum(1 for count, _ in pinned.values() if count) > 50


def marked_query(tmp_path, body: str, header: str = "") -> Path:
    path = tmp_path / "q.rq"
    path.write_text(f"# title: t\n{header}{body}", encoding="utf-8")
    return path


def test_markers_place_anchors_values_and_tables_only_where_they_stand(tmp_path):
    import pyoxigraph as ox

    from actorgraph.queries import parse_named_query, prepared
    from actorgraph.store import bind_values

    path = marked_query(tmp_path, (
        "SELECT ?s WHERE {\n"
        "  #@values\n"
        "  #@anchors\n"
        '  ?s ag:says "#@anchors { OPTIONAL } # WHERE {" .  # OPTIONAL { WHERE { #@values goes above\n'
        "  ?s rdfs:label ?l .  #@table\n"
        "  # ?s rdfs:label ?m .  #@table\n"
        "  OPTIONAL {\n    #@anchors values\n    ?s ag:p4 ?b\n  }\n"
        "  OPTIONAL { ?s ag:p5 ?c }\n"
        "}\n"), "# param: x entity optional\n# anchor: x ?s ag:about ?x .\n# listing: yes\n")
    query = parse_named_query(path)
    x = {"x": ox.NamedNode("https://example.org/x")}
    text = bind_values(prepared(query, x), x)
    values = "VALUES (?x) { (<https://example.org/x>) }"
    body = text.split("\nSELECT", 1)[1]
    assert body.count(values) == 2 and body.count("?s ag:about ?x .") == 2
    assert f"  {values}\n  ?s ag:about ?x .\n" in text
    assert f"    {values} ?s ag:about ?x .\n    ?s ag:p4 ?b\n" in text
    assert "  OPTIONAL { ?s ag:p5 ?c }\n" in text  # no marker, no anchor
    # Strings and comments are left as they are, and an anchored listing keeps its label look-ups.
    assert '"#@anchors { OPTIONAL } # WHERE {" .  # OPTIONAL { WHERE { #@values goes above\n' in text
    assert "  ?s rdfs:label ?l .  #@table\n" in text
    # Nothing anchored: the anchors are left out and the marked line (only it) becomes a table.
    listed = prepared(query, {})
    assert "ag:about" not in listed.split("SELECT", 1)[1]
    assert "  { SELECT ?s ?l WHERE { ?s rdfs:label ?l . } }\n" in listed
    assert "  # ?s rdfs:label ?m .  #@table\n" in listed


def test_bound_values_go_only_to_the_marker(world):
    """The places the old reading of the text got wrong: a WHERE in a comment, a WHERE in a string, a
    query without the word WHERE, a CONSTRUCT."""
    import pyoxigraph as ox

    from actorgraph.errors import QueryError

    text = {"text": ox.Literal('x" } ; DROP ALL # \n')}
    in_comment = "SELECT ?v # what WHERE { gives\nWHERE {\n  #@values\n  BIND(?text AS ?v)\n}\n"
    assert world.rows(in_comment, text) == [{"v": 'x" } ; DROP ALL # \n'}]
    in_string = 'SELECT ?s ?v WHERE {\n  BIND("WHERE { " AS ?s)\n  #@values\n  BIND(?text AS ?v)\n}\n'
    assert world.rows(in_string, text) == [{"s": "WHERE { ", "v": 'x" } ; DROP ALL # \n'}]
    no_where = "SELECT ?v {\n  #@values\n  BIND(?text AS ?v)\n}"
    assert world.rows(no_where, text) == [{"v": 'x" } ; DROP ALL # \n'}]
    construct = ("CONSTRUCT { ?who ag:said ?text } WHERE {\n  #@values\n"
                 "  ?who rdfs:label \"Carl Mott\" .\n}")
    triples = world.store.construct(construct, text)
    assert [(t.subject.value, t.object.value) for t in triples] == [(ID + "carl-mott", 'x" } ; DROP ALL # \n')]
    with pytest.raises(QueryError, match="no line '#@values'"):
        world.rows("SELECT ?v WHERE { BIND(?text AS ?v) }", text)
    assert world.rows("SELECT ?v WHERE { BIND(1 AS ?v) }", {}) == [{"v": 1}]  # nothing to bind: as written


def test_anchors_never_enter_a_construct_template(world, tmp_path):
    import pyoxigraph as ox

    from actorgraph.queries import parse_named_query, prepared

    path = marked_query(tmp_path, (
        "CONSTRUCT { ?s ag:about ?o }\nWHERE {\n  #@values\n  #@anchors\n  ?s rdf:subject ?o .\n}\n"),
        "# param: x entity optional\n# anchor: x ?s rdf:object ?x .\n")
    query = parse_named_query(path)
    x = {"x": ox.NamedNode(ID + "freedonian-government")}
    text = prepared(query, x)
    assert text.startswith("# title: t\n") and "CONSTRUCT { ?s ag:about ?o }\nWHERE {\n" in text
    subjects = {t.object.value for t in world.store.construct(text, x)}
    assert subjects == {ID + "ana-torres", ID + "bo-lind", ID + "carl-mott"}
    assert len(world.store.construct(prepared(query, {}), {})) > len(subjects)


@pytest.mark.parametrize(("body", "header", "message"), [
    ("SELECT ?s WHERE { ?s ?p ?x }\n", "# param: x entity\n", "declares parameters but has no #@values"),
    ("SELECT ?s WHERE {\n  #@value\n  ?s ?p ?x }\n", "# param: x entity\n", "q.rq:4: unknown marker '#@value'"),
    ("SELECT ?s WHERE {\n  #@values\n  ?s ?p ?x }\n", "# param: x entity optional\n# anchor: x ?s ?p ?x .\n",
     "declares anchors but has no #@anchors"),
    ("SELECT ?s WHERE {\n  #@anchors\n  ?s ?p ?o }\n", "", "no '# anchor:' declared"),
    ("SELECT ?s WHERE {\n  ?s ?p ?o .  #@table\n}\n", "", "add '# listing: yes'"),
    ("SELECT ?s WHERE {\n  ?s ?p ?o .  #@tables\n}\n", "# listing: yes\n", "q.rq:4: only #@table"),
])
def test_marker_mistakes_are_one_line_errors(tmp_path, body, header, message):
    from actorgraph.queries import parse_named_query

    with pytest.raises(UsageError, match=re.escape(message)):
        parse_named_query(marked_query(tmp_path, body, header))


def test_anchor_lines_are_checked(tmp_path):
    from actorgraph.queries import parse_named_query

    for line, message in (("# anchor: x", "bad anchor line"), ("# anchor: x ?y ag:p ?z .", "bad anchor line"),
                          ("# anchor: nope ?s ag:p ?nope .", "does not declare: nope")):
        path = tmp_path / "q.rq"
        path.write_text(f"# title: t\n# param: x entity optional\n{line}\nSELECT ?s WHERE {{ ?s ?p ?o }}\n")
        with pytest.raises(UsageError, match=message):
            parse_named_query(path)


def test_resolve_ignores_case_accents_and_spacing(world):
    assert world.resolve("  carl   MOTT ") == ID + "carl-mott"
    assert world.resolve("red") == ID + "carl-mott"
    assert world.resolve("Gobierno de Freedonia") == ID + "freedonian-government"
    assert world.resolve("mott") == ID + "carl-mott"  # a whole word of exactly one name
    with pytest.raises(AmbiguousNameError):
        world.resolve("freedonian")
    with pytest.raises(UnknownNameError) as err:
        world.resolve("Carla Mot")
    assert err.value.matches[0] == "Carl Mott"


def test_network_projection_is_available(world):
    graph = world.network()
    assert graph.has_edge(ID + "ana-torres", ID + "freedonian-government", key="heads")
    evidence = graph.edges[ID + "ana-torres", ID + "freedonian-government", "heads"]["evidence"]
    assert evidence[0]["quote"] == "Torres heads the Freedonian government."


def test_vocabulary_comes_from_the_ontology(world):
    vocab = world.vocabulary
    heads = vocab.relationships["https://w3id.org/actorgraph/ont#heads"]
    assert (heads.label, heads.edge_label, heads.inverse) == ("heads", "heads", "https://w3id.org/actorgraph/ont#headedBy")
    assert vocab.is_a("https://w3id.org/actorgraph/ont#CriminalOrganization", "https://w3id.org/actorgraph/ont#Actor")


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "actorgraph", "--graph-dir", str(WORLD), "--ontology-dir",
                           str(ONTOLOGY), "actors", "--type", "person", "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    assert [r["name"] for r in json.loads(done.stdout)["rows"]] == ["Ana Torres", "Bo Lind", "Carl Mott"]


def test_installed_command_reports_errors_without_traceback():
    done = subprocess.run(["actorgraph", "--graph-dir", str(WORLD), "show", "nobody"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("actorgraph: error: unknown name 'nobody'")
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_internal_errors_are_one_line_too(tmp_path):
    # A file that is not UTF-8 Turtle at all: still one line, no traceback.
    graph = tmp_path / "g"
    graph.mkdir()
    (graph / "bad.ttl").write_bytes(b"\xff\xfe\x00garbage")
    done = subprocess.run(["actorgraph", "--graph-dir", str(graph), "actors"], capture_output=True, text=True)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert "bad.ttl" in done.stderr


def test_version():
    assert actorgraph.__version__ == "0.1.0"
