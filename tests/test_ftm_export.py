"""`actorgraph export ftm`: FollowTheMoney entities that the followthemoney package itself reads back and
validates, that its own `ftm validate` and `ftm export-gexf` accept, and that count what the graph holds.

The counts are computed from the graph under test with SPARQL (never typed in), so the tests hold for the
fixture world, for the shipped graph, and for the shipped graph with more sources.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from followthemoney import model

import actorgraph
from actorgraph.export import build
from actorgraph.export.ftm import build_ftm, entity_id

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
FTM = Path(sys.executable).parent / "ftm"  # the package's own command, from this environment


@pytest.fixture(scope="module", params=["world", "shipped"])
def graph(request, world, kg) -> actorgraph.KnowledgeGraph:
    return world if request.param == "world" else kg


@pytest.fixture(scope="module")
def exported(graph) -> tuple[actorgraph.KnowledgeGraph, str, list[dict]]:
    text = build(graph, "ftm")
    return graph, text, [json.loads(line) for line in text.splitlines()]


def count(kg, pattern: str) -> int:
    return kg.rows(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")[0]["n"]


def by_schema(entities: list[dict]) -> Counter:
    return Counter(e["schema"] for e in entities)


# -- the package reads every entity back, and finds it valid -----------------------------------------


def test_every_entity_reads_back_valid_and_unchanged(exported):
    _, _, entities = exported
    assert entities
    ids = [e["id"] for e in entities]
    assert len(ids) == len(set(ids)), "ids are unique"
    known = set(ids)
    for data in entities:
        proxy = model.get_proxy(data, cleaned=False)  # every value cleaned again by FtM's own types
        assert proxy.to_dict()["properties"] == data["properties"], f"FtM changed or dropped a value of {data['id']}"
        assert proxy.schema.validate(proxy.to_dict()) is None
        assert not proxy.schema.abstract
        for schema in proxy.schema.schemata:  # required properties of the schema and all it extends
            for required in schema.required:
                assert proxy.get(required), f"{data['id']} ({proxy.schema.name}) has no {required}"
        for prop in proxy.iterprops():
            if prop.type.name == "entity":
                for value in proxy.get(prop):
                    assert value in known, f"{data['id']}.{prop.name} points at {value}, which is not exported"
                    target = next(e for e in entities if e["id"] == value)
                    assert prop.range is None or model[target["schema"]].is_a(prop.range)


def test_people_organisations_bodies_and_sanctions_are_counted_against_the_graph(exported):
    kg, _, entities = exported
    schemata = by_schema(entities)
    assert schemata["Person"] == count(kg, "?x a ag:Person")
    assert schemata["PublicBody"] == count(kg, "?x a/rdfs:subClassOf* ag:GovernmentBody")
    assert schemata["Organization"] == count(kg, """?x a/rdfs:subClassOf* ag:Organization .
        FILTER NOT EXISTS { ?x a/rdfs:subClassOf* ag:GovernmentBody }""")
    assert schemata["Territory"] == count(kg, "?x a ag:Country")
    assert schemata["Sanction"] == count(kg, "?x rdf:predicate ag:sanctionedUnder")
    assert schemata["Document"] + schemata["Article"] == count(kg, "?x a ag:SourceDocument")


def test_every_statement_between_exported_entities_is_one_link(exported):
    """A link per statement: each interval's recordId is its statement, and every statement whose subject
    and object have an FtM schema (a sanction's programme is held as text) is there exactly once."""
    kg, _, entities = exported
    mapped = "?{v} a ?{v}c . ?{v}c rdfs:subClassOf* ?{v}m . ?{v}m ag:ftmSchema ?{v}s ."
    statement = "?p rdfs:subPropertyOf ag:relatedTo . ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ."
    both = kg.rows(f"SELECT DISTINCT ?st WHERE {{ {statement} {mapped.format(v='s')} {mapped.format(v='o')} }}")
    listings = kg.rows(f"SELECT DISTINCT ?st WHERE {{ {statement} {mapped.format(v='s')} "
                       "FILTER(?p = ag:sanctionedUnder) }")
    expected = {r["st"] for r in both + listings}
    records = Counter(v for e in entities if model[e["schema"]].is_a("Interval")
                      for v in e["properties"].get("recordId", []))
    assert set(records) == expected
    assert all(n == 1 for n in records.values())
    links = [e for e in entities if e["properties"].get("recordId") and e["schema"] != "Payment"]
    assert len(links) == len(expected)  # one statement each (a Payment gathers those of its payer and payee)


def test_each_link_carries_its_evidence(exported):
    """The quote verbatim (and found in the exported source text), who asserts it with the status, the
    statement's IRI, and the source document as proof."""
    kg, _, entities = exported
    rows = kg.rows("""
        SELECT ?st ?quote ?doc ?status_label ?party_label WHERE {
          ?p rdfs:subPropertyOf ag:relatedTo . ?st rdf:predicate ?p ; ag:quote ?quote ; ag:source ?doc ;
              ag:status/skos:prefLabel ?status_label ; ag:assertedBy/rdfs:label ?party_label .
          FILTER(LANG(?party_label) = "" || LANGMATCHES(LANG(?party_label), "en"))
        }""")
    statements = {r["st"]: r for r in rows}
    documents = {e["id"]: e for e in entities if model[e["schema"]].is_a("Document")}
    checked = 0
    for link in entities:
        for record in link["properties"].get("recordId", []):
            row = statements[record]
            props = link["properties"]
            assert props["description"] == [row["quote"]]
            assert props["summary"][0].startswith(f"{row['status_label']}, according to {row['party_label']}")
            assert props["proof"] == [entity_id(row["doc"])]
            assert row["quote"] in documents[props["proof"][0]]["properties"]["bodyText"][0]
            if "status" in props:
                assert props["status"] == [row["status_label"]]
            checked += 1
    assert checked == len({r for e in entities for r in e["properties"].get("recordId", [])})


def test_claims_offers_and_denials_keep_their_status(kg):
    """What one party claims is that party's claim; an offer is an offer: FtM's summary and status say so."""
    entities = {json.loads(line)["id"]: json.loads(line) for line in build(kg, "ftm").splitlines()}
    rows = kg.rows("""
        SELECT ?st ?status ?party WHERE {
          ?st a ag:Statement ; ag:status ?s ; ag:assertedBy ?a . ?s skos:prefLabel ?status . ?a rdfs:label ?party .
          FILTER(?s IN (ag:Claimed, ag:Offered, ag:Alleged, ag:Denied, ag:NotAgreed))
          FILTER(LANG(?party) = "" || LANGMATCHES(LANG(?party), "en"))
        }""")
    assert rows
    for row in rows:
        link = entities.get(entity_id(row["st"]))
        if link is not None:
            assert link["properties"]["summary"][0].startswith(f"{row['status']}, according to {row['party']}")


def test_the_shipped_sanctions_carry_authority_programme_date_and_reason(kg):
    entities = [json.loads(line) for line in build(kg, "ftm").splitlines()]
    sanctions = {e["id"]: e["properties"] for e in entities if e["schema"] == "Sanction"}
    engel = sanctions["actorgraph-st-luna-engel-2021"]
    assert engel["entity"] == ["actorgraph-osiris-luna-meza"]
    assert engel["program"] == ["Engel List"]
    assert engel["authority"] == ["U.S. Department of State"]
    assert engel["startDate"] == ["2021-07"]
    assert engel["reason"] == ["for his involvement in diverting food purchased to deliver to the population "
                               "during the Covid-19 emergency"]


def test_identifiers_and_country_codes_travel(kg):
    entities = {e["id"]: e["properties"] for e in map(json.loads, build(kg, "ftm").splitlines())}
    assert entities["actorgraph-el-salvador"]["territoryCode"] == ["sv"]
    assert entities["actorgraph-el-salvador"]["wikidataId"] == ["Q792"]
    assert entities["actorgraph-marco-rubio"]["wikidataId"] == ["Q324546"]
    assert "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=33950" in entities[
        "actorgraph-osiris-luna-meza"]["sourceUrl"]
    assert entities["actorgraph-cecot"]["country"] == ["sv"]  # CECOT is located in El Salvador
    assert entities["actorgraph-dgcp"]["jurisdiction"] == ["sv"]  # its government body's country


def test_ids_are_stable_and_the_export_deterministic(graph):
    first = build(graph, "ftm")
    assert build(graph, "ftm") == first
    assert build(actorgraph.load(graph.graph_dir, ONTOLOGY), "ftm") == first
    ids = {json.loads(line)["id"] for line in first.splitlines()}
    assert all(i.startswith("actorgraph-") for i in ids)
    people = {r["x"] for r in graph.rows("SELECT ?x WHERE { ?x a ag:Person }")}
    assert {entity_id(p) for p in people} <= ids
    assert entity_id("https://w3id.org/actorgraph/id/nayib-bukele") == "actorgraph-nayib-bukele"


def test_what_is_left_out_is_said(kg):
    notes: list[str] = []
    build_ftm(kg, notes)
    figures = count(kg, "?x a ag:Figure")
    assert f"left out of the FtM export ({figures}): figures and their statements (FtM cannot say that a " \
           "number is about, at least or more than)" in notes


# -- the package's own command accepts the file ---------------------------------------------------------


@pytest.fixture(scope="module")
def exported_file(exported, tmp_path_factory) -> tuple[Path, list[dict]]:
    _, text, entities = exported
    path = tmp_path_factory.mktemp("ftm") / "graph.ftm.json"
    path.write_text(text, encoding="utf-8")
    return path, entities


def run_ftm(*args: str) -> subprocess.CompletedProcess:
    assert FTM.exists(), f"{FTM}: the followthemoney package's command is missing"
    return subprocess.run([str(FTM), *args], capture_output=True, text=True, timeout=300)


def test_ftm_validate_accepts_every_entity_unchanged(exported_file, tmp_path):
    path, entities = exported_file
    out = tmp_path / "validated.json"
    result = run_ftm("validate", "-i", str(path), "-o", str(out))
    assert result.returncode == 0, result.stderr
    validated = {e["id"]: e for e in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(validated) == {e["id"] for e in entities}
    for entity in entities:
        again = validated[entity["id"]]
        assert again["schema"] == entity["schema"]
        assert {k: sorted(v) for k, v in again["properties"].items()} == \
               {k: sorted(v) for k, v in entity["properties"].items()}


def test_ftm_export_gexf_draws_every_link(exported_file, tmp_path):
    path, entities = exported_file
    out = tmp_path / "graph.gexf"
    result = run_ftm("export-gexf", "-i", str(path), "-o", str(out))
    assert result.returncode == 0, result.stderr
    graph = nx.read_gexf(out)
    things = {f"entity:{e['id']}" for e in entities if model[e["schema"]].is_a("Thing")}
    assert things <= set(graph.nodes())  # FtM names an entity's node "entity:" and its id
    edges = {(u, v) for u, v in graph.edges()} | {(v, u) for u, v in graph.edges()}
    drawn = 0
    for entity in entities:
        schema = model[entity["schema"]]
        if schema.edge:
            for source in entity["properties"][schema.source_prop.name]:
                for target in entity["properties"][schema.target_prop.name]:
                    assert (f"entity:{source}", f"entity:{target}") in edges, f"{entity['id']} is not drawn"
                    drawn += 1
    assert drawn == sum(1 for e in entities if model[e["schema"]].edge)


# -- the command ---------------------------------------------------------------------------------------


def test_cli_writes_the_file_and_says_what_is_left_out(invoke, tmp_path):
    target = tmp_path / "world.ftm.json"
    result = invoke("export", "ftm", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.stderr
    assert "note: left out of the FtM export" in result.stderr
    assert target.read_text(encoding="utf-8") == build(actorgraph.load(ROOT / "tests" / "fixtures" / "world",
                                                                       ONTOLOGY), "ftm")


@pytest.mark.server
def test_from_an_endpoint_everything_but_the_stored_text(world):
    """Through SPARQL the export is the same, except the documents' text, which lives in files."""
    from servers import actorgraph_serve

    with actorgraph_serve(ROOT / "tests" / "fixtures" / "world", ONTOLOGY) as (base, _):
        remote = build(actorgraph.load(endpoint=base + "sparql"), "ftm")
    local = [json.loads(line) for line in build(world, "ftm").splitlines()]
    for entity in local:
        for name in ("bodyText", "mimeType", "encoding"):
            entity["properties"].pop(name, None)
    assert [json.loads(line) for line in remote.splitlines()] == local


# -- payments: a Payment when payer and payee are legal entities, else an Event with its links -----------

PAYMENT = """
@prefix ag:   <https://w3id.org/actorgraph/ont#> .
@prefix agid: <https://w3id.org/actorgraph/id/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

agid:payment-to-gang a ag:Payment ; rdfs:label "Payment by the government to the Harbor Gang" .
{statements}
"""

PAYMENT_STATEMENT = """
agid:payment-to-gang ag:{rel} agid:{obj} .
agid:st-payment-{rel} a ag:Statement ;
    rdf:subject agid:payment-to-gang ; rdf:predicate ag:{rel} ; rdf:object agid:{obj} ;
    ag:quote "Mott negotiated with the Freedonian government in March 2021, according to prosecutors." ;
    ag:source agid:doc-world-report ; ag:assertedBy agid:prosecutors ; ag:status ag:Alleged .
"""


def payment_world(world_dir: Path, *links: tuple[str, str]) -> list[dict]:
    statements = "".join(PAYMENT_STATEMENT.format(rel=rel, obj=obj) for rel, obj in links)
    (world_dir / "payment.ttl").write_text(PAYMENT.format(statements=statements), encoding="utf-8")
    text = build(actorgraph.load(world_dir, ONTOLOGY), "ftm")
    for data in map(json.loads, text.splitlines()):
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.to_dict()["properties"] == data["properties"]
    return [json.loads(line) for line in text.splitlines()]


def test_a_payment_between_legal_entities_is_an_ftm_payment(world_copy):
    entities = payment_world(world_copy, ("paidBy", "freedonian-government"), ("paidTo", "harbor-gang"),
                             ("paymentFor", "offer-house-prisoners"))
    payment = next(e for e in entities if e["id"] == "actorgraph-payment-to-gang")
    assert payment["schema"] == "Payment"
    props = payment["properties"]
    assert props["payer"] == ["actorgraph-freedonian-government"]
    assert props["beneficiary"] == ["actorgraph-harbor-gang"]
    assert props["purpose"] == ["Offer to house prisoners from Sylvania"]
    assert props["summary"] == ["Payment by the government to the Harbor Gang"]
    # Payment is no Thing, so no link can point at it: its statements' evidence is on it.
    assert sorted(props["recordId"]) == [f"https://w3id.org/actorgraph/id/st-payment-{rel}"
                                         for rel in ("paidBy", "paidTo", "paymentFor")]
    assert props["proof"] == ["actorgraph-doc-world-report"]
    assert not any(e["id"].startswith("actorgraph-st-payment-") for e in entities)


def test_a_payment_without_a_payee_is_an_event_with_its_links(world_copy):
    entities = payment_world(world_copy, ("paidBy", "freedonian-government"))
    payment = next(e for e in entities if e["id"] == "actorgraph-payment-to-gang")
    assert payment["schema"] == "Event"
    link = next(e for e in entities if e["id"] == "actorgraph-st-payment-paidBy")
    assert link["schema"] == "UnknownLink"
    assert link["properties"]["subject"] == ["actorgraph-payment-to-gang"]
    assert link["properties"]["object"] == ["actorgraph-freedonian-government"]
    assert link["properties"]["role"] == ["paid by"]
