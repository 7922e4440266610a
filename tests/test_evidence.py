"""Evidence as data: the fields come from the ontology, one builder makes the records, every output
consumes them, and a field added to the ontology appears everywhere with no code change."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest

import actorgraph
from actorgraph.evidence import fetch
from conftest import ONTOLOGY, ROOT

AGID = "https://w3id.org/actorgraph/id/"
AG = "https://w3id.org/actorgraph/ont#"


def test_fields_come_from_the_ontology(world):
    fields = world.evidence_fields
    assert [(f.key, f.label, f.kind) for f in fields] == [
        ("quote", "quote", "text"), ("status", "status", "thing"), ("asserted_by", "asserted by", "thing"),
        ("source", "source", "thing"), ("point_in_time", "date", "date"), ("start_time", "from", "date"),
        ("end_time", "until", "date"), ("role", "role", "text"), ("reason", "reason", "text"),
        ("event", "event", "thing"), ("content", "what was said", "text"), ("scope", "holds for", "text"),
        ("inferred", "inferred", "text"), ("inference_basis", "inferred from", "text")]
    assert fields.column_labels == ["quote", "asserted by", "status", "source"]
    assert fields.by_iri[AG + "source"].range_name == "source_document"


def test_one_builder_makes_the_records(world):
    records = fetch(world)
    offered = records[AGID + "st-torres-offered"]
    assert offered == {
        "statement": AGID + "st-torres-offered",
        "quote": '"It is an offer, not an agreement," said Minister Bo Lind of Sylvania on Tuesday.',
        "status": AG + "Offered", "status_label": "offered",
        "asserted_by": AGID + "bo-lind", "asserted_by_label": "Bo Lind",
        "source": AGID + "doc-world-report", "source_label": "World report",
        "point_in_time": "2025-02-04", "point_in_time_precision": "day", "point_in_time_inferred": True,
        "point_in_time_basis": '"Tuesday" in a report of February 2025.',
        "start_time": None, "start_time_precision": None, "start_time_inferred": None, "start_time_basis": None,
        "end_time": None, "end_time_precision": None, "end_time_inferred": None, "end_time_basis": None,
        "role": None, "reason": None, "event": None, "event_label": None,
        "content": None, "scope": None, "inferred": None, "inference_basis": None,
    }
    # Bound by VALUES: the same records, only those asked for; a statement without evidence has none.
    some = fetch(world, [AGID + "st-torres-offered", AGID + "st-mott-leads", AGID + "no-such-statement"])
    assert some == {k: records[k] for k in (AGID + "st-torres-offered", AGID + "st-mott-leads")}
    assert fetch(world, []) == {}


def test_several_values_of_a_text_field_are_all_kept(world_copy):
    report = world_copy / "world-report.ttl"
    text = report.read_text(encoding="utf-8")
    text = text.replace('ag:quote "arrested in Sylvania in June 2023" ;',
                        'ag:quote "arrested in Sylvania in June 2023" ; ag:reason "smuggling", "assault" ;')
    report.write_text(text, encoding="utf-8")
    kg = actorgraph.load(world_copy, ONTOLOGY)
    assert fetch(kg)[AGID + "st-mott-arrested"]["reason"] == "assault; smuggling"
    edge = kg.network().edges[AGID + "carl-mott", AGID + "sylvania", "arrestedIn"]
    assert edge["reason"] == "assault; smuggling"


def test_every_asserting_party_is_kept(world_copy):
    report = world_copy / "world-report.ttl"
    text = report.read_text(encoding="utf-8")
    old = ("ag:assertedBy agid:prosecutors ; ag:status ag:Alleged ;\n"
           "    ag:pointInTime [ a ag:DateValue ; ag:dateValue \"2021-03\"")
    assert old in text
    report.write_text(text.replace(old, old.replace("agid:prosecutors", "agid:prosecutors, agid:world-reporting")),
                      encoding="utf-8")
    kg = actorgraph.load(world_copy, ONTOLOGY)
    record = fetch(kg, [AGID + "st-mott-negotiated"])[AGID + "st-mott-negotiated"]
    assert record["asserted_by"] == AGID + "prosecutors"
    labels = record["asserted_by_label"].split("; ")
    assert len(labels) == 2 and labels[0] == kg.label(AGID + "prosecutors")
    assert labels[1] == kg.label(AGID + "world-reporting")
    edge = kg.network().edges[AGID + "carl-mott", AGID + "freedonian-government", "negotiatedWith"]
    assert edge["asserted_by_label"] == record["asserted_by_label"]


def test_one_evidence_query_per_answer(kg, monkeypatch):
    """A path's or an ego network's evidence is read in one query bound to its statements."""
    from actorgraph.network import ego_table, shortest_paths

    seen: list[tuple[str, dict]] = []
    run = type(kg.store).run

    def counting(self, query, bindings=None):
        seen.append((query, bindings or {}))
        return run(self, query, bindings)

    network = kg.structure()
    monkeypatch.setattr(type(kg.store), "run", counting)
    path = shortest_paths(network, AGID + "nayib-bukele", AGID + "marco-rubio")
    ego_table(network, AGID + "osiris-luna-meza", 1)
    evidence = [(q, b) for q, b in seen if "?pref_label" in q]
    assert len(evidence) == 2, seen
    # Bound on the #@values line of each branch (a VALUES outside the UNION makes Oxigraph scan).
    assert all(q.count("#@values") == 3 and set(b) == {"statement"} for q, b in evidence)
    # Only the path's own statements are bound.
    bound = {term.value for term in evidence[0][1]["statement"]}
    assert bound == {st for row in path.rows for st in row["statements"]}


# -- adding a field is one edit ----------------------------------------------------------------------

NOTE = """
ag:note ag:evidenceKey "note" ; ag:evidenceLabel "editor's note"@en ; ag:evidenceOrder 20 ; ag:answerColumn 5 .
"""
NOTE_TEXT = "Checked against the court record."


@pytest.fixture
def noted(tmp_path, world_copy) -> actorgraph.KnowledgeGraph:
    """The fixture world with one edit to a copy of the ontology (ag:note becomes an evidence field),
    and a note on a dated statement, so that the timeline has one too."""
    ontology = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, ontology)
    with (ontology / "actorgraph.ttl").open("a", encoding="utf-8") as out:
        out.write(NOTE)
    report = world_copy / "world-report.ttl"
    text = report.read_text(encoding="utf-8")
    text = text.replace('ag:quote "Red was released by the Freedonian government in 2022" ;',
                        f'ag:quote "Red was released by the Freedonian government in 2022" ; ag:note "{NOTE_TEXT}" ;')
    report.write_text(text, encoding="utf-8")
    kg = actorgraph.load(world_copy, ontology)
    kg.dirs = ["--graph-dir", str(world_copy), "--ontology-dir", str(ontology)]
    return kg


def test_a_field_added_to_the_ontology_is_in_every_output(noted):
    from click.testing import CliRunner

    from actorgraph import questions
    from actorgraph.cli import cli
    from actorgraph.export import View, build
    from actorgraph.network import ego_table, shortest_paths
    from actorgraph.output import render

    released = (AGID + "carl-mott", AGID + "freedonian-government", "releasedBy")
    # The projection: in the records and flattened on the edge.
    graph = noted.network()
    assert graph.edges[released]["evidence"][0]["note"] == NOTE_TEXT
    assert graph.edges[released]["note"] == NOTE_TEXT
    # The analyses' tables and the answers: a fifth evidence column.
    network = noted.structure()
    path = shortest_paths(network, AGID + "ana-torres", AGID + "carl-mott")
    ego = ego_table(network, AGID + "carl-mott", 1)
    answers = [path, ego, questions.who_negotiated(noted), questions.claims(noted, source="World report"),
               questions.timeline(noted), questions.between(noted, "Red", "Torres")]
    for table in answers:
        assert table.columns[-1] == "editor's note", table.title
        assert NOTE_TEXT in render(table, "table") or table is answers[2], table.title
    profile = questions.profile(noted, "Red")
    assert NOTE_TEXT in render(profile, "table") and NOTE_TEXT in render(profile, "json")
    # GraphML, GEXF and CSV.
    import networkx as nx

    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        back = read(io.BytesIO(build(noted, fmt)))
        assert [d["note"] for *_, d in back.edges(data=True) if d["relationship"] == "released by"] == [NOTE_TEXT]
    edges = list(csv.DictReader(io.StringIO(build(noted, "csv")["edges.csv"])))
    assert [e["note"] for e in edges if e["key"] == "releasedBy"] == [NOTE_TEXT]
    # Both pages: in the evidence they carry and in the fields their panel lists.
    for page in (build(noted, "html"), build(noted, "html", View(ego="Red")), build(noted, "timeline")):
        data = json.loads(re.search(r'<script id="ag-data" type="application/json">(.*?)</script>', page,
                                    re.DOTALL).group(1))
        assert {"key": "note", "label": "editor's note", "kind": "text"} in data["fields"]
        assert NOTE_TEXT in json.dumps(data, ensure_ascii=False)
    # The source's text page: the statement's record carries it.
    from actorgraph.export.source import build_source_page, documents

    report = next(d for d in documents(noted) if d["label"] == "World report")
    page = build_source_page(noted, report, "Red was released by the Freedonian government in 2022.")
    data = json.loads(re.search(r'<script id="ag-data" type="application/json">(.*?)</script>', page,
                                re.DOTALL).group(1))
    assert {"key": "note", "label": "editor's note", "kind": "text"} in data["fields"]
    assert NOTE_TEXT in [s["ev"].get("note") for s in data["statements"]]
    # The CLI, in JSON.
    for command in (["path", "Torres", "Red"], ["ego", "Red"], ["show", "Red"]):
        result = CliRunner().invoke(cli, [*noted.dirs, *command, "--format", "json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert NOTE_TEXT in result.output, command


# -- one module knows the fields ---------------------------------------------------------------------

# Keys no other module has a reason to spell: the field keys of records that are not also ordinary words.
_RECORD_KEYS = ("asserted_by", "status_label", "source_label", "event_label", "point_in_time", "start_time",
                "end_time", "_precision", "_inferred", "_basis")


# The modules that read or show evidence records. The pages read the status, the source and the quote of
# a record through ``evidence.status``, ``document`` and ``quote``, to style a line, link a source's page
# or search.
_CONSUMERS = ("kg.py", "network.py", "questions.py", "answers.py", "output.py", "export/__init__.py",
              "export/gephi.py", "export/table.py", "export/rdf.py", "export/html.py", "export/timeline.py",
              "export/svg.py", "export/source.py", "cli/analysis.py", "cli/export.py", "cli/queries.py")
# The review sheet's modules: its YAML (docs/review-sheet.md) uses the fields' keys as its own, and they
# take them from ``evidence`` too, every word of them.
_SHEET = ("sheet.py", "compiler.py", "review.py", "draft.py", "ftm_import.py")


def _spelled(name: str, keys: list[str]) -> list[str]:
    text = (ROOT / "src" / "actorgraph" / name).read_text(encoding="utf-8")
    return sorted({k for k in keys if re.search(rf"[\"']{k}[\"']", text)})


def test_only_the_evidence_module_spells_the_record_keys(kg):
    """`grep` finds each evidence field's key in one Python module (evidence.py), or none."""
    keys = [k for k in kg.evidence_fields.keys if k != "statement"]
    compound = [k for k in keys if "_" in k]
    assert compound and all(any(part in k for part in _RECORD_KEYS) for k in compound)
    offenders = {name: found for name in _CONSUMERS + _SHEET
                 if (ROOT / "src" / "actorgraph" / name).exists() and (found := _spelled(name, compound))}
    assert offenders == {}
    # The single words (quote, status, source, role, reason, event...) are not spelled by the projection,
    # the analyses, the views or the sheet's modules either (the edge lists of CSV and Gephi have "source"
    # columns of their own: the node an edge leaves).
    words = [k for k in keys if "_" not in k]
    assert {"quote", "status", "source", "role", "reason"} <= set(words)
    for name in ("network.py", "export/__init__.py", "export/html.py", "export/svg.py", "export/source.py", *_SHEET):
        assert not _spelled(name, words), name


def test_the_named_keys_are_declared_fields(kg):
    """The keys ``evidence`` names for code to act on are keys the ontology declares, and the sheet's dates
    compile to the properties the ontology gives those fields."""
    from actorgraph import evidence

    declared = {f.key: f for f in kg.evidence_fields}
    named = [evidence.QUOTE, evidence.STATUS, evidence.ASSERTED_BY, evidence.SOURCE, evidence.ROLE,
             evidence.REASON, evidence.CONTENT, evidence.SCOPE, evidence.INFERRED, *evidence.DATE_KEYS]
    assert [k for k in named if k not in declared] == []
    assert all(declared[k].kind == "date" for k in evidence.DATE_KEYS)
    ont = "https://w3id.org/actorgraph/ont#"
    assert evidence.date_properties(kg.evidence_fields) == {
        "point_in_time": ont + "pointInTime", "start_time": ont + "startTime", "end_time": ont + "endTime"}


def test_pages_draw_the_panel_from_the_fields():
    """The evidence panel's script lists no field: it walks the fields the page carries. The source
    page's statements use the same panel."""
    templates = ROOT / "src" / "actorgraph" / "export" / "templates"
    script = (templates / "evidence.js").read_text(encoding="utf-8")
    panel = script[script.index("function agEvidenceBlock"):script.index("function agShowPanel")]
    source = (templates / "source.html").read_text(encoding="utf-8")
    source = source[source.index("function describe"):source.index("function showStatements")]
    assert "AG_FIELDS" in panel and "agEvidenceBlock(item.ev)" in source
    for text in (panel, source):
        assert not re.search(r"item\.(quote|status|asserted_by|source|point_in_time|start_time|end_time|role|"
                             r"reason|date)", text)
