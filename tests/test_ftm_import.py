"""`actorgraph import ftm FILE`: FollowTheMoney entities become a new source of claims through the review
sheet and `add`, each claim quoting the exact line or property of the stored file it comes from.

The FtM files here are written by the tests themselves, and the people and companies in them invented.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import actorgraph
from actorgraph.export import build
from actorgraph.validate import validate

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
ID = "https://w3id.org/actorgraph/id/"

LINES = [
    {"id": "p-dana", "schema": "Person", "properties": {
        "name": ["Dana Reyes"], "alias": ["La Jefa"], "nationality": ["sv"], "wikidataId": ["Q4115189"],
        "description": ["Treasurer of Blue Harbor Holdings."]}},
    {"id": "o-blue", "schema": "Company", "properties": {"name": ["Blue Harbor Holdings"]}},
    {"id": "m-1", "schema": "Membership", "properties": {
        "member": ["p-dana"], "organization": ["o-blue"], "role": ["treasurer"], "startDate": ["2019-04"]}},
    {"id": "s-1", "schema": "Sanction", "properties": {
        "entity": ["p-dana"], "program": ["Global Magnitsky"], "authority": ["Office of Foreign Assets Control"],
        "startDate": ["2021-12-08"], "reason": ["corruption"]}},
    {"id": "u-1", "schema": "UnknownLink", "properties": {
        "subject": ["p-dana"], "object": ["o-blue"], "role": ["signatory"]}},
    {"id": "pos-1", "schema": "Position", "properties": {"name": ["Director"], "organization": ["o-blue"]}},
    {"id": "occ-1", "schema": "Occupancy", "properties": {
        "holder": ["p-dana"], "post": ["pos-1"], "startDate": ["2020"]}},
    {"id": "v-1", "schema": "Vessel", "properties": {"name": ["Sea Breeze"]}},
]


def write_ftm(path: Path, lines: list[dict] = LINES) -> Path:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture
def imported(invoke, world_copy, tmp_path):
    """The fixture world after `import ftm --accept` of the test file, then `add`."""
    data = write_ftm(tmp_path / "people.ftm.json")
    result = invoke("import", "ftm", str(data), "--accept", "--published", "2025-03", graph=world_copy)
    assert result.exit_code == 0, result.output
    sheet = tmp_path / "people.sheet.yaml"
    assert sheet.is_file()
    added = invoke("add", str(sheet), graph=world_copy)
    assert added.exit_code == 0, added.output
    return world_copy, data, sheet


def test_import_then_add_gives_a_valid_graph_with_the_entities_and_links(imported):
    graph_dir, data, _ = imported
    report = validate(graph_dir, ONTOLOGY)
    assert report.conforms, "\n".join(v.line() for v in report.violations)
    kg = actorgraph.load(graph_dir, ONTOLOGY)
    people = {r["label"] for r in kg.rows("SELECT ?label WHERE { ?p a ag:Person ; rdfs:label ?label }")}
    assert {"Dana Reyes"} <= people
    rows = kg.rows("""
        SELECT ?p ?o_label WHERE {
          agid:dana-reyes ?p ?o . ?p rdfs:subPropertyOf ag:relatedTo . ?o rdfs:label ?o_label }""")
    assert {(r["p"].rsplit("#", 1)[1], r["o_label"]) for r in rows} == {
        ("memberOf", "Blue Harbor Holdings"), ("holdsOfficeIn", "Blue Harbor Holdings"),
        ("sanctionedUnder", "Global Magnitsky"), ("nationalOf", "El Salvador")}


def test_each_claim_quotes_the_stored_file_and_names_it_as_its_source(imported):
    graph_dir, data, _ = imported
    text = data.read_text(encoding="utf-8")
    kg = actorgraph.load(graph_dir, ONTOLOGY)
    [doc] = kg.rows("SELECT ?d ?file WHERE { ?d a ag:SourceDocument ; ag:textFile ?file . "
                    "FILTER(?d != agid:doc-world-report) }")
    assert (graph_dir / doc["file"]).read_bytes() == data.read_bytes()  # stored byte for byte
    rows = kg.rows("""
        SELECT ?st ?p ?quote ?source ?by ?status ?note WHERE {
          ?st rdf:subject agid:dana-reyes ; rdf:predicate ?p ; ag:quote ?quote ; ag:source ?source ;
              ag:assertedBy ?by ; ag:status ?status . OPTIONAL { ?st ag:note ?note } }""")
    assert len(rows) == 4
    lines = text.splitlines()
    for row in rows:
        assert row["source"] == doc["d"]
        assert row["by"] == doc["d"] + "-reporting"
        assert row["status"].endswith("#Reported")
        assert row["quote"] in text
    quotes = {r["p"].rsplit("#", 1)[1]: r["quote"] for r in rows}
    assert quotes["memberOf"] == lines[2]  # a link quotes its whole line
    assert quotes["sanctionedUnder"] == lines[3]
    assert quotes["holdsOfficeIn"] == lines[6]
    person = next(line for line in lines if '"Dana Reyes"' in line)
    assert quotes["nationalOf"] == person  # a property quotes the whole record that writes it
    assert '"nationality": ["sv"]' in person


def test_roles_reasons_authorities_and_dates_come_through(imported):
    graph_dir, _, _ = imported
    kg = actorgraph.load(graph_dir, ONTOLOGY)
    member = kg.rows("""SELECT ?role ?start WHERE { ?st rdf:predicate ag:memberOf ; rdf:subject agid:dana-reyes ;
        ag:role ?role ; ag:startTime/ag:dateValue ?start }""")
    assert member == [{"role": "treasurer", "start": "2019-04"}]
    office = kg.rows("SELECT ?role WHERE { ?st rdf:predicate ag:holdsOfficeIn ; rdf:subject agid:dana-reyes ; "
                     "ag:role ?role }")
    assert office == [{"role": "Director"}]
    listing = kg.rows("""SELECT ?reason ?issuer ?date WHERE { ?st a ag:SanctionListing ; rdf:subject agid:dana-reyes ;
        ag:reason ?reason ; ag:issuedBy/rdfs:label ?issuer ; ag:pointInTime/ag:dateValue ?date }""")
    assert listing == [{"reason": "corruption", "issuer": "Office of Foreign Assets Control", "date": "2021-12-08"}]


def test_a_wikidata_id_in_the_file_comes_with_the_file_as_its_origin(imported):
    graph_dir, data, _ = imported
    kg = actorgraph.load(graph_dir, ONTOLOGY)
    rows = kg.rows("""SELECT ?origin ?doc ?excerpt WHERE { agid:dana-reyes ag:wikidataId "Q4115189" .
        ?origin ag:identifies agid:dana-reyes ; ag:identifierScheme ag:wikidataId ; ag:identifierValue "Q4115189" ;
                ag:foundIn ?doc ; ag:excerpt ?excerpt }""")
    assert len(rows) == 1
    assert rows[0]["excerpt"] == '"wikidataId": ["Q4115189"]'
    assert rows[0]["excerpt"] in data.read_text(encoding="utf-8")
    assert rows[0]["doc"].startswith(ID + "doc-")


def test_what_no_relationship_type_imports_is_proposed_but_not_accepted(imported):
    graph_dir, _, sheet = imported
    claims = yaml.safe_load(sheet.read_text(encoding="utf-8"))["claims"]
    unknown = [c for c in claims if c["relationship"] is None]
    assert len(unknown) == 1 and unknown[0]["accept"] is False and unknown[0]["role"] == "signatory"
    kg = actorgraph.load(graph_dir, ONTOLOGY)
    assert not kg.rows("SELECT ?x WHERE { ?x rdfs:label \"Sea Breeze\" }")  # a vessel: nothing imports it


def test_the_imported_graph_exports_back_to_ftm(imported):
    graph_dir, data, _ = imported
    exported = {e["id"]: e for e in map(json.loads, build(actorgraph.load(graph_dir, ONTOLOGY), "ftm").splitlines())}
    dana = exported["actorgraph-dana-reyes"]["properties"]
    assert dana["wikidataId"] == ["Q4115189"]
    assert dana["nationality"] == ["sv"]
    member = next(e for e in exported.values()
                  if e["schema"] == "Membership" and e["properties"]["member"] == ["actorgraph-dana-reyes"])
    assert member["properties"]["description"] == [data.read_text(encoding="utf-8").splitlines()[2]]
    sanction = next(e for e in exported.values() if e["schema"] == "Sanction")
    assert sanction["properties"]["program"] == ["Global Magnitsky"]


def test_without_accept_nothing_is_accepted_and_add_refuses(invoke, world_copy, tmp_path):
    data = write_ftm(tmp_path / "people.ftm.json")
    assert invoke("import", "ftm", str(data), graph=world_copy).exit_code == 0
    sheet = yaml.safe_load((tmp_path / "people.sheet.yaml").read_text(encoding="utf-8"))
    assert not any(item["accept"] for item in sheet["entities"] + sheet["claims"])
    result = invoke("add", str(tmp_path / "people.sheet.yaml"), graph=world_copy)
    assert result.exit_code != 0
    assert "nothing in it is accepted" in result.output


def test_importing_the_same_file_again_writes_a_fresh_sheet_and_stores_nothing(invoke, world_copy, tmp_path):
    """Only with --force over a sheet that exists: the reviewer's edits are not lost by accident."""
    data = write_ftm(tmp_path / "people.ftm.json")
    assert invoke("import", "ftm", str(data), graph=world_copy).exit_code == 0
    before = snapshot(world_copy)
    refused = invoke("import", "ftm", str(data), graph=world_copy)  # a sheet under review is never replaced
    assert refused.exit_code == 2
    assert "people.sheet.yaml exists (a sheet under review?): give --force" in refused.stderr
    again = invoke("import", "ftm", str(data), "--force", graph=world_copy)
    assert again.exit_code == 0, again.output
    assert "(already stored)" in again.stdout
    assert snapshot(world_copy) == before
    assert (tmp_path / "people.sheet.yaml").is_file()


def test_an_entity_carrying_a_known_identifier_is_proposed_as_that_entity(invoke, world_copy, tmp_path):
    (world_copy / "ids.ttl").write_text("""
@prefix ag: <https://w3id.org/actorgraph/ont#> . @prefix agid: <https://w3id.org/actorgraph/id/> .
agid:ana-torres ag:wikidataId "Q4115189" .
agid:xid-ana-torres-wikidata a ag:IdentifierOrigin ; ag:identifies agid:ana-torres ;
    ag:identifierScheme ag:wikidataId ; ag:identifierValue "Q4115189" ;
    ag:foundIn <https://github.com/example/registry/blob/0123456789abcdef0123456789abcdef01234567/p.csv> ;
    ag:repository "example/registry" ; ag:path "p.csv" ; ag:commit "0123456789abcdef0123456789abcdef01234567" ;
    ag:excerpt "Q4115189,Ana Torres" .
""", encoding="utf-8")
    data = write_ftm(tmp_path / "people.ftm.json")
    assert invoke("import", "ftm", str(data), "--accept", graph=world_copy).exit_code == 0
    sheet = tmp_path / "people.sheet.yaml"
    entities = yaml.safe_load(sheet.read_text(encoding="utf-8"))["entities"]
    dana = next(e for e in entities if e["label"] == "Dana Reyes")
    assert dana["same_as"] == "ana-torres"
    added = invoke("add", str(sheet), graph=world_copy)
    assert added.exit_code == 0, added.output
    kg = actorgraph.load(world_copy, ONTOLOGY)
    assert kg.rows("SELECT ?o WHERE { agid:ana-torres ag:memberOf ?o }")
    assert not kg.rows("SELECT ?x WHERE { ?x rdfs:label \"Dana Reyes\" }")
    assert validate(world_copy, ONTOLOGY).conforms


def test_an_opensanctions_export_gives_each_entity_its_opensanctions_id(invoke, world_copy, tmp_path):
    data = write_ftm(tmp_path / "targets.ftm.json", [
        {"id": "NK-4pBYXvV9PeaGqQ6EBm7Pvm", "schema": "Person", "properties": {"name": ["Dana Reyes"]}}])
    assert invoke("import", "ftm", str(data), "--opensanctions", "--accept", graph=world_copy).exit_code == 0
    sheet = tmp_path / "targets.sheet.yaml"
    [entity] = yaml.safe_load(sheet.read_text(encoding="utf-8"))["entities"]
    assert entity["identifiers"] == [{"scheme": "openSanctionsId", "value": "NK-4pBYXvV9PeaGqQ6EBm7Pvm",
                                      "excerpt": '"id": "NK-4pBYXvV9PeaGqQ6EBm7Pvm"', "span": [1, 34]}]
    assert invoke("add", str(sheet), graph=world_copy).exit_code == 0
    assert validate(world_copy, ONTOLOGY).conforms


# -- bad input: one line naming the problem, and nothing written ------------------------------------------


@pytest.mark.parametrize("content, message", [
    ('{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n{"id": "b", "schema": ',
     "people.ftm.json:2: not JSON (Expecting value at column 23)"),
    ('{"id": "a", "schema": "Persn", "properties": {}}\n', "people.ftm.json:1: unknown FtM schema 'Persn'"),
    ('{"id": "a", "schema": "Person", "properties": {"nmae": ["A"]}}\n',
     "people.ftm.json:1: Person has no property 'nmae'"),
    ('{"id": "a", "schema": "Person", "properties": {"name": ["A"], "birthDate": ["yesterday"]}}\n',
     "people.ftm.json:1: Person.birthDate: 'yesterday' is not a valid date"),
    ('{"id": "a", "schema": "Person", "properties": {"name": [1]}}\n',
     "people.ftm.json:1: Person.name must be text or a list of texts"),
    ('[1, 2]\n', "people.ftm.json:1: not an FtM entity (a JSON object with an id and a schema)"),
    ('\n\n', "people.ftm.json: no FtM entities in it"),
])
def test_a_malformed_file_is_refused_in_one_line_and_nothing_is_written(invoke, world_copy, tmp_path, content,
                                                                         message):
    data = tmp_path / "people.ftm.json"
    data.write_text(content, encoding="utf-8")
    before = snapshot(world_copy)
    result = invoke("import", "ftm", str(data), graph=world_copy)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [f"actorgraph: error: {tmp_path / message}"]
    assert snapshot(world_copy) == before
    assert not (tmp_path / "people.sheet.yaml").exists()


def test_a_file_that_is_not_utf8_is_refused(invoke, world_copy, tmp_path):
    data = tmp_path / "people.ftm.json"
    data.write_bytes(b'{"id": "a", "schema": "Person", "properties": {"name": ["Jos\xe9"]}}\n')
    result = invoke("import", "ftm", str(data), graph=world_copy)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"actorgraph: error: {data}: not UTF-8 text (invalid continuation byte at byte 60)"


def test_the_sheet_is_never_written_into_the_graph_directory(invoke, world_copy, tmp_path):
    data = write_ftm(tmp_path / "people.ftm.json")
    before = snapshot(world_copy)
    result = invoke("import", "ftm", str(data), "-o", str(world_copy / "people.sheet.yaml"), graph=world_copy)
    assert result.exit_code == 2
    assert "a review sheet is never written into the graph directory" in result.stderr
    assert snapshot(world_copy) == before
