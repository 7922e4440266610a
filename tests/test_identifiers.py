"""Identifiers in other datasets (Wikidata, OpenSanctions, OFAC): each in its declared form, each with a
recorded origin; `validate` refuses the rest, and `show` links each one.

The fixture world is invented, so the identifiers these tests give it are invented too, and so is the
repository they are "found" in: what is tested is the rule, not the data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from actorgraph.validate import validate
from conftest import GRAPH as CHECKED  # graph/, or the copy grown with a second source
from test_browser import contexts, open_page  # noqa: F401 - the real Chromium, as the browser tests drive it

ROOT = Path(__file__).resolve().parent.parent
GRAPH = ROOT / "graph"
ONTOLOGY = ROOT / "ontology"
COMMIT = "0123456789abcdef0123456789abcdef01234567"

ORIGIN = """
@prefix ag:   <https://w3id.org/actorgraph/ont#> .
@prefix agid: <https://w3id.org/actorgraph/id/> .

agid:ana-torres ag:wikidataId "{value}" .
agid:xid-ana-torres-wikidata a ag:IdentifierOrigin ;
    ag:identifies agid:ana-torres ; ag:identifierScheme ag:wikidataId ; ag:identifierValue "{value}" ;
    ag:foundIn <https://github.com/example/registry/blob/{commit}/people.csv#L3> ;
    ag:repository "example/registry" ; ag:path "people.csv" ; ag:commit "{commit}" ; ag:line 3 ;
    ag:excerpt "{excerpt}" .
"""


def write_ids(graph: Path, text: str) -> Path:
    path = graph / "ids.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def lines_of(report) -> list[tuple[str, str, str]]:
    return [(v.focus, v.path, v.message) for v in report.violations]


def test_every_identifier_of_the_shipped_graph_has_a_recorded_origin(kg):
    """Each identifier triple has its origin node, with the file it was found in and an excerpt that
    gives it; and the shipped graph has identifiers of every kind the ontology declares."""
    rows = kg.rows("""
        SELECT ?entity ?scheme ?value ?origin ?repository ?path ?commit ?excerpt WHERE {
          ?scheme rdfs:subPropertyOf ag:externalIdentifier .
          ?entity ?scheme ?value .
          OPTIONAL { ?origin ag:identifies ?entity ; ag:identifierScheme ?scheme ; ag:identifierValue ?value ;
                             ag:repository ?repository ; ag:path ?path ; ag:commit ?commit ; ag:excerpt ?excerpt }
        }""")
    assert {r["scheme"].rsplit("#", 1)[1] for r in rows} == {"wikidataId", "openSanctionsId", "ofacId"}
    for row in rows:
        assert row["origin"], f"{row['entity']} {row['scheme']} {row['value']} has no origin"
        assert re.fullmatch(r"[0-9a-f]{40}", row["commit"])
        assert row["value"] in row["excerpt"]
    assert validate(CHECKED, ONTOLOGY).conforms


def test_an_identifier_with_its_origin_is_valid(world_copy):
    write_ids(world_copy, ORIGIN.format(value="Q42", commit=COMMIT, excerpt="Q42,Ana Torres"))
    assert validate(world_copy, ONTOLOGY).violations == []


def test_an_identifier_without_origin_fails(invoke, world_copy):
    path = write_ids(world_copy, '@prefix ag: <https://w3id.org/actorgraph/ont#> .\n'
                                 '@prefix agid: <https://w3id.org/actorgraph/id/> .\n'
                                 'agid:ana-torres ag:wikidataId "Q42" .\n')
    result = invoke("validate", graph=world_copy)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout.splitlines() == [
        'agid:ana-torres  ag:wikidataId  identifier has no recorded origin: add an ag:IdentifierOrigin that says '
        'where it was found (repository, path, commit and excerpt, or a source document): "Q42"  '
        f"({path}:3)"]


@pytest.mark.parametrize("value, message", [
    ("q42", "Wikidata id must be Q followed by digits, such as Q792"),
    ("Q042", "Wikidata id must be Q followed by digits, such as Q792"),
    ("Q42 ", "Wikidata id must be Q followed by digits, such as Q792"),
])
def test_an_identifier_in_the_wrong_form_fails(world_copy, value, message):
    write_ids(world_copy, ORIGIN.format(value=value, commit=COMMIT, excerpt=f"{value},Ana Torres"))
    assert lines_of(validate(world_copy, ONTOLOGY)) == [("agid:ana-torres", "ag:wikidataId", message)]


def test_each_kind_of_identifier_has_its_own_form(world_copy):
    text = ORIGIN.format(value="Q42", commit=COMMIT, excerpt="Q42") + (
        'agid:ana-torres ag:ofacId "OFAC-12" .\n'
        'agid:xid-ana-torres-ofac a ag:IdentifierOrigin ; ag:identifies agid:ana-torres ;\n'
        '    ag:identifierScheme ag:ofacId ; ag:identifierValue "OFAC-12" ;\n'
        f'    ag:foundIn <https://example.org/sdn.csv> ; ag:repository "example/sdn" ; ag:path "sdn.csv" ;\n'
        f'    ag:commit "{COMMIT}" ; ag:excerpt "OFAC-12,TORRES, Ana" .\n')
    write_ids(world_copy, text)
    assert lines_of(validate(world_copy, ONTOLOGY)) == [
        ("agid:ana-torres", "ag:ofacId", "OFAC SDN entry must be a whole number, such as 33950")]


def test_an_excerpt_that_does_not_give_the_identifier_fails(world_copy):
    write_ids(world_copy, ORIGIN.format(value="Q42", commit=COMMIT, excerpt="Q43,Ana Torres"))
    assert lines_of(validate(world_copy, ONTOLOGY)) == [
        ("agid:xid-ana-torres-wikidata", "ag:excerpt", "the excerpt does not contain the identifier")]


def test_an_origin_needs_a_commit_of_forty_hex_digits(world_copy):
    write_ids(world_copy, ORIGIN.format(value="Q42", commit="main", excerpt="Q42"))
    found = lines_of(validate(world_copy, ONTOLOGY))
    assert ("agid:xid-ana-torres-wikidata", "ag:commit",
            "ag:commit must be one commit: 40 lower-case hexadecimal digits") in found


def test_an_origin_in_a_file_needs_repository_path_and_commit(world_copy):
    text = ORIGIN.format(value="Q42", commit=COMMIT, excerpt="Q42").replace(
        f'    ag:repository "example/registry" ; ag:path "people.csv" ; ag:commit "{COMMIT}" ; ag:line 3 ;\n', "")
    write_ids(world_copy, text)
    assert lines_of(validate(world_copy, ONTOLOGY)) == [
        ("agid:xid-ana-torres-wikidata", "ag:foundIn", "an identifier found in a file needs its ag:repository, "
         "ag:path, ag:commit (or ag:foundIn a source document of the graph)")]


def test_an_origin_for_an_identifier_the_entity_does_not_carry_fails(world_copy):
    text = ORIGIN.format(value="Q42", commit=COMMIT, excerpt="Q42").replace(
        'agid:ana-torres ag:wikidataId "Q42" .\n', "")
    write_ids(world_copy, text)
    assert lines_of(validate(world_copy, ONTOLOGY)) == [
        ("agid:xid-ana-torres-wikidata", "ag:identifierValue",
         'records an identifier that agid:ana-torres does not carry (no ag:wikidataId "Q42" on it)')]


def test_an_origin_in_a_source_document_quotes_its_text(world_copy):
    """An identifier the source itself gives: its excerpt must be in the stored text, verbatim."""
    base = ('@prefix ag: <https://w3id.org/actorgraph/ont#> .\n'
            '@prefix agid: <https://w3id.org/actorgraph/id/> .\n'
            'agid:carl-mott ag:openSanctionsId "Red" .\n'
            'agid:xid-carl-mott-os a ag:IdentifierOrigin ; ag:identifies agid:carl-mott ;\n'
            '    ag:identifierScheme ag:openSanctionsId ; ag:identifierValue "Red" ;\n'
            '    ag:foundIn agid:doc-world-report ; ag:excerpt "{excerpt}" .\n')
    write_ids(world_copy, base.format(excerpt="Carl Mott, known as Red"))
    assert validate(world_copy, ONTOLOGY).violations == []
    write_ids(world_copy, base.format(excerpt="Carl Mott, called Red"))
    assert lines_of(validate(world_copy, ONTOLOGY)) == [
        ("agid:xid-carl-mott-os", "ag:excerpt", "excerpt not found verbatim in sources/world-report.txt")]


def test_show_lists_each_identifier_with_its_link_and_origin(invoke):
    result = invoke("show", "Osiris Luna Meza", "--format", "json", graph=GRAPH)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["identifiers"] == [{
        "scheme": "OFAC SDN entry", "id": "33950",
        "link": "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=33950",
        "found in": "edu777art/ListLookup sdn.csv:8925, commit 6903d86",
        "source": "https://github.com/edu777art/ListLookup/blob/6903d86aeafd59dc3f556d337caa348667fc1c30/"
                  "sdn.csv#L8925",
        "excerpt": '33950,"LUNA MEZA, Osiris",individual,GLOMAG',
        "scheme_iri": "https://w3id.org/actorgraph/ont#ofacId",
        "entity": "https://w3id.org/actorgraph/id/osiris-luna-meza"}]
    table = invoke("show", "Osiris Luna Meza", graph=GRAPH).stdout
    assert re.search(r"OFAC SDN entry +33950 +https://sanctionssearch\.ofac\.treas\.gov/Details\.aspx\?id=33950\n",
                     table)
    assert "note: OFAC SDN entry 33950: edu777art/ListLookup sdn.csv:8925, commit 6903d86\n" in table


def test_show_says_nothing_of_identifiers_an_entity_lacks(invoke):
    assert "identifiers" not in invoke("show", "Tatiana Marroquín", graph=GRAPH).stdout


def test_show_escapes_an_identifier_for_the_terminal(invoke, world_copy):
    """A hostile value cannot move the cursor or rewrite the screen: its control characters are shown."""
    write_ids(world_copy, ORIGIN.format(value="Q42\\u001b[2J", commit=COMMIT, excerpt="Q42\\u001b[2J"))
    result = invoke("show", "Ana Torres", graph=world_copy)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout


# -- the HTML page: the evidence panel links each identifier ---------------------------------------------


@pytest.mark.browser
def test_the_evidence_panel_links_each_identifier(world_copy, open_page, tmp_path):  # noqa: F811
    """Click an entity: the panel lists its identifiers, each a link to its page in the other dataset and
    the file it was found in; opening the page asks for nothing, and an id is only ever a link's text and
    an escaped part of its address."""
    from actorgraph.export import build
    from test_browser import AGID, node_id, node_point, write

    write_ids(world_copy, ORIGIN.format(value="Q42", commit=COMMIT, excerpt="Q42,Ana Torres") + (
        'agid:carl-mott ag:openSanctionsId "javascript-alert-1" .\n'
        'agid:xid-carl-mott-os a ag:IdentifierOrigin ; ag:identifies agid:carl-mott ;\n'
        '    ag:identifierScheme ag:openSanctionsId ; ag:identifierValue "javascript-alert-1" ;\n'
        '    ag:foundIn agid:doc-world-report ; ag:excerpt "javascript-alert-1" .\n'))
    import actorgraph

    kg = actorgraph.load(world_copy, ONTOLOGY)
    path = write(tmp_path, "world.html", build(kg, "html"))
    opened = open_page(path)
    page = opened.page
    assert opened.foreign_requests() == []
    page.mouse.click(*node_point(page, node_id(page, AGID + "ana-torres")))
    page.wait_for_function("document.querySelector('#evidence-panel .identifiers a') !== null")
    links = page.evaluate("""() => [...document.querySelectorAll('#evidence-panel .identifiers a')].map(
        (a) => [a.textContent, a.getAttribute('href'), a.closest('li').innerText])""")
    assert links == [["Q42", "https://www.wikidata.org/wiki/Q42",
                      "Wikidata id Q42 (found in example/registry people.csv:3, commit 0123456)"]]
    page.mouse.click(*node_point(page, node_id(page, AGID + "carl-mott")))
    page.wait_for_function("document.querySelector('#evidence-panel h2').innerText === 'Carl Mott'")
    href = page.evaluate("document.querySelector('#evidence-panel .identifiers a').getAttribute('href')")
    assert href == "https://www.opensanctions.org/entities/javascript-alert-1/"
    assert opened.foreign_requests() == [] and opened.errors == []

