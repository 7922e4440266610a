"""actorgraph validate: the shapes and the checks beyond them, on the real graph and on broken copies
of the fixture world. Each broken copy breaks one thing, and the test names the node that must be blamed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from actorgraph.errors import DataFileError, ParseError
from actorgraph.validate import validate
from conftest import GRAPH, ONTOLOGY, WORLD

REPORT = "world-report.ttl"
WORLD_SUMMARY = "valid: 9 statements, 13 entities, 2 figures, 1 source document; 154 triples"


def edit(path: Path, old: str, new: str) -> None:
    """Replace text that must occur exactly once, so a test cannot pass by breaking nothing."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n" + text + "\n")


def failing(invoke, graph: Path) -> list[str]:
    """Run validate on a broken graph: it must exit 1 with one line per violation and no traceback."""
    result = invoke("validate", graph=graph)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "violation" in result.stderr
    return result.stdout.splitlines()


def fields(line: str) -> list[str]:
    """focus, path and message (with its value) of one violation line, without the file:line."""
    return line.rsplit("  (", 1)[0].split("  ", 2)


# -- valid graphs -----------------------------------------------------------------------------


def test_shipped_graph_is_valid():
    report = validate(GRAPH, ONTOLOGY)
    problems = "\n".join(v.line() for v in report.violations)
    assert report.conforms, f"the shipped graph has {len(report.violations)} violation(s):\n{problems}"
    assert report.statements > 0 and report.entities > 0 and report.sources >= 1


def test_fixture_world_is_valid():
    report = validate(WORLD, ONTOLOGY)
    assert report.violations == []
    assert report.summary() == WORLD_SUMMARY


def test_cli_prints_one_summary_line(invoke):
    result = invoke("validate")
    assert result.exit_code == 0, result.output
    expected = WORLD_SUMMARY
    if importlib.util.find_spec("actorgraph.coverage"):
        from actorgraph.coverage import sentence_coverage

        expected += "; " + sentence_coverage(WORLD, ONTOLOGY).summary()
    assert result.stdout == expected + "\n"


def test_cli_json_report(invoke):
    result = invoke("validate", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["valid"] is True
    assert data["violations"] == []
    assert (data["statements"], data["entities"], data["figures"], data["source_documents"]) == (9, 13, 2, 1)
    assert data["triples"] == 154


def test_cli_json_report_lists_violations(invoke, world_copy):
    edit(world_copy / REPORT, 'ag:quote "Torres heads the Freedonian government." ;', "")
    result = invoke("validate", "--format", "json", graph=world_copy)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert [(v["focus"], v["path"], v["check"]) for v in data["violations"]] == [
        ("agid:st-torres-heads", "ag:quote", "shacl")
    ]
    assert data["violations"][0]["location"] == f"{world_copy / REPORT}:9"


# -- statements -------------------------------------------------------------------------------


def test_missing_quote(invoke, world_copy):
    edit(world_copy / REPORT, 'ag:quote "Torres heads the Freedonian government." ;', "")
    assert failing(invoke, world_copy) == [
        f"agid:st-torres-heads  ag:quote  a statement needs its verbatim quote (ag:quote)  ({world_copy / REPORT}:9)"
    ]


def test_empty_quote(invoke, world_copy):
    edit(world_copy / REPORT, '"Torres heads the Freedonian government."', '"  "')
    (line,) = failing(invoke, world_copy)
    assert fields(line)[:3] == [
        "agid:st-torres-heads",
        "ag:quote",
        'ag:quote must be a non-empty plain string (no language tag, not blank): "  "',
    ]


def test_quote_not_in_source(invoke, world_copy):
    edit(world_copy / REPORT, '"Minister Bo Lind of Sylvania"', '"Minister Bo Lind of Freedonia"')
    assert failing(invoke, world_copy) == [
        "agid:st-lind-minister  ag:quote  quote not found verbatim in sources/world-report.txt "
        '(the source has only its first 20 of 29 characters): "Minister Bo Lind of Freedonia"  '
        f"({world_copy / REPORT}:25)"
    ]


def test_quote_with_straightened_quotation_marks_gets_a_hint(invoke, world_copy):
    text = world_copy / "sources" / "world-report.txt"
    edit(text, '"It is an offer, not an agreement,"', "“It is an offer, not an agreement,”")
    edit(
        world_copy / "sources.ttl",
        "64c012be9f80983686999451149e0d1999ddddbe5ad540257d2a5ccc8788f729",
        hashlib.sha256(text.read_bytes()).hexdigest(),
    )
    (line,) = failing(invoke, world_copy)
    assert fields(line)[:2] == ["agid:st-torres-offered", "ag:quote"]
    assert "differs only in quotation marks" in line


def test_statement_without_source_asserter_or_status(invoke, world_copy):
    edit(
        world_copy / REPORT,
        'ag:quote "Carl Mott, known as Red, leads the Harbor Gang." ;\n'
        "    ag:source agid:doc-world-report ; ag:assertedBy agid:world-reporting ; ag:status ag:Reported .",
        'ag:quote "Carl Mott, known as Red, leads the Harbor Gang." .',
    )
    lines = failing(invoke, world_copy)
    assert [fields(line)[:2] for line in lines] == [
        ["agid:st-mott-leads", "ag:assertedBy"],
        ["agid:st-mott-leads", "ag:source"],
        ["agid:st-mott-leads", "ag:status"],
    ]


def test_status_must_be_a_status(invoke, world_copy):
    edit(
        world_copy / REPORT,
        "agid:prosecutors ; ag:status ag:Alleged",
        "agid:prosecutors ; ag:status ag:Offer",
    )
    (line,) = failing(invoke, world_copy)
    assert fields(line)[:3] == [
        "agid:st-mott-negotiated",
        "ag:status",
        "ag:status must be one of the ag:Status values in the ontology: ag:Offer",
    ]


def test_asserted_by_must_be_an_actor(invoke, world_copy):
    edit(world_copy / REPORT, "ag:assertedBy agid:prosecutors", "ag:assertedBy agid:freedonian-prisons")
    lines = failing(invoke, world_copy)
    assert [fields(line)[:3] for line in lines] == [
        [
            "agid:st-mott-negotiated",
            "ag:assertedBy",
            "ag:assertedBy must be an ag:Actor: agid:freedonian-prisons",
        ]
    ]


def test_predicate_must_be_a_relationship_type(invoke, world_copy):
    report = world_copy / REPORT
    edit(report, "agid:carl-mott ag:leaderOf agid:harbor-gang .", "agid:carl-mott ag:colour agid:harbor-gang .")
    edit(report, "rdf:predicate ag:leaderOf", "rdf:predicate ag:colour")
    lines = failing(invoke, world_copy)
    assert [fields(line)[:2] for line in lines] == [["agid:st-mott-leads", "rdf:predicate"]]
    assert "must be a relationship type" in lines[0]


# -- direct triples and statements come in pairs ------------------------------------------------


def test_direct_triple_without_statement(invoke, world_copy):
    append(world_copy / REPORT, "agid:ana-torres ag:partyTo agid:offer-house-prisoners .")
    assert failing(invoke, world_copy) == [
        "agid:ana-torres  ag:partyTo  direct triple has no statement node with its quote, source and status: "
        f"agid:ana-torres ag:partyTo agid:offer-house-prisoners  ({world_copy / REPORT}:77)"
    ]


def test_statement_without_direct_triple(invoke, world_copy):
    edit(world_copy / REPORT, "agid:carl-mott ag:leaderOf agid:harbor-gang .\n", "")
    assert failing(invoke, world_copy) == [
        "agid:st-mott-leads  rdf:predicate  the statement's triple is missing from the graph; add the direct "
        f"triple: agid:carl-mott ag:leaderOf agid:harbor-gang  ({world_copy / REPORT}:29)"
    ]


def test_subject_outside_the_relationship_domain(invoke, world_copy):
    report = world_copy / REPORT
    edit(
        report,
        "agid:ana-torres ag:heads agid:freedonian-government .",
        "agid:freedonia ag:heads agid:freedonian-government .",
    )
    edit(
        report,
        "rdf:subject agid:ana-torres ; rdf:predicate ag:heads",
        "rdf:subject agid:freedonia ; rdf:predicate ag:heads",
    )
    (line,) = failing(invoke, world_copy)
    assert fields(line)[:3] == [
        "agid:st-torres-heads",
        "rdf:subject",
        "ag:heads needs a ag:Person as its subject, but agid:freedonia is ag:Country",
    ]


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ['"2021-13"^^xsd:gYearMonth', '"2021-3"^^xsd:gYearMonth', '"21-03"^^xsd:gYearMonth'])
def test_ill_typed_month(invoke, world_copy, bad):
    edit(world_copy / REPORT, '"2021-03"^^xsd:gYearMonth', bad)
    assert failing(invoke, world_copy) == [
        "agid:st-mott-negotiated  ag:pointInTime/ag:dateValue  ag:dateValue must be a well-formed xsd:date "
        f"(YYYY-MM-DD), xsd:gYearMonth (YYYY-MM) or xsd:gYear (YYYY): {bad}  ({world_copy / REPORT}:40)"
    ]


def test_impossible_day(invoke, world_copy):
    edit(world_copy / REPORT, '"2025-02-04"^^xsd:date', '"2025-02-30"^^xsd:date')
    (line,) = failing(invoke, world_copy)
    assert fields(line)[:2] == ["agid:st-torres-offered", "ag:pointInTime/ag:dateValue"]
    assert line.endswith(f': "2025-02-30"^^xsd:date  ({world_copy / REPORT}:19)')


def test_untyped_date_value(invoke, world_copy):
    edit(world_copy / REPORT, '"2022"^^xsd:gYear', '"2022"')
    lines = failing(invoke, world_copy)
    assert [fields(line)[:2] for line in lines] == [["agid:st-mott-released", "ag:pointInTime/ag:dateValue"]]


def test_precision_that_does_not_match_the_datatype(invoke, world_copy):
    edit(
        world_copy / REPORT,
        '"2022"^^xsd:gYear ; ag:precision time:unitYear',
        '"2022"^^xsd:gYear ; ag:precision time:unitMonth',
    )
    assert failing(invoke, world_copy) == [
        "agid:st-mott-released  ag:pointInTime  the date is an xsd:gYear (YYYY), so its ag:precision must be "
        f"time:unitYear  ({world_copy / REPORT}:48)"
    ]


def test_day_given_with_month_precision(invoke, world_copy):
    edit(world_copy / REPORT, "ag:precision time:unitDay", "ag:precision time:unitMonth")
    (line,) = failing(invoke, world_copy)
    assert fields(line) == [
        "agid:st-torres-offered",
        "ag:pointInTime",
        "the date is an xsd:date (YYYY-MM-DD), so its ag:precision must be time:unitDay",
    ]


def test_missing_precision(invoke, world_copy):
    edit(world_copy / REPORT, "; ag:precision time:unitDay", "")
    (line,) = failing(invoke, world_copy)
    assert fields(line) == [
        "agid:st-torres-offered",
        "ag:pointInTime/ag:precision",
        "a date needs exactly one ag:precision",
    ]


def test_unknown_precision(invoke, world_copy):
    edit(world_copy / REPORT, "ag:precision time:unitYear", "ag:precision time:unitWeek")
    lines = failing(invoke, world_copy)
    assert [fields(line)[:2] for line in lines] == [["agid:st-mott-released", "ag:pointInTime/ag:precision"]]
    assert "must be time:unitDay, time:unitMonth or time:unitYear: time:unitWeek" in lines[0]


def test_inferred_date_needs_its_basis(invoke, world_copy):
    edit(world_copy / REPORT, ' ag:inferenceBasis "\\"Tuesday\\" in a report of February 2025."', "")
    (line,) = failing(invoke, world_copy)
    assert fields(line)[:3] == [
        "agid:st-torres-offered",
        "ag:pointInTime",
        "an inferred date (ag:inferred true) needs ag:inferenceBasis: how it was worked out",
    ]


def test_date_must_say_whether_it_was_inferred(invoke, world_copy):
    edit(
        world_copy / REPORT,
        "ag:precision time:unitYear ;\n        ag:inferred false ]",
        "ag:precision time:unitYear ]",
    )
    lines = failing(invoke, world_copy)
    assert [fields(line)[:2] for line in lines] == [["agid:st-mott-released", "ag:pointInTime/ag:inferred"]]


def test_start_after_end(invoke, world_copy):
    edit(
        world_copy / REPORT,
        'ag:pointInTime [ a ag:DateValue ; ag:dateValue "2022"^^xsd:gYear',
        'ag:endTime [ a ag:DateValue ; ag:dateValue "2021"^^xsd:gYear ; ag:precision time:unitYear ; '
        'ag:inferred false ] ;\n    ag:startTime [ a ag:DateValue ; ag:dateValue "2022"^^xsd:gYear',
    )
    (line,) = failing(invoke, world_copy)
    assert fields(line)[:3] == ["agid:st-mott-released", "ag:startTime", "starts (2022) after it ends (2021)"]


def test_sanction_listing_needs_issuer_and_date(invoke, world_copy):
    edit(world_copy / REPORT, "agid:st-mott-leads a ag:Statement", "agid:st-mott-leads a ag:SanctionListing")
    lines = failing(invoke, world_copy)
    assert [fields(line)[:3] for line in lines] == [
        ["agid:st-mott-leads", "-", "a sanction listing needs a date (ag:pointInTime or ag:startTime)"],
        [
            "agid:st-mott-leads",
            "ag:issuedBy",
            "a sanction listing needs ag:issuedBy: the authority that imposed it",
        ],
    ]


# -- identifiers, terms, entities, figures ----------------------------------------------------------


def test_dangling_reference(invoke, world_copy):
    edit(world_copy / REPORT, "ag:inEvent agid:arrest-of-red", "ag:inEvent agid:arrest-of-blue")
    lines = failing(invoke, world_copy)
    assert [fields(line)[:3] for line in lines] == [
        ["agid:st-mott-arrested", "ag:inEvent", "ag:inEvent must be an ag:Event: agid:arrest-of-blue"],
        ["agid:arrest-of-blue", "rdf:type",
         "is used but never described (no rdf:type); did you mean agid:arrest-of-red?"],
    ]
    assert lines[1].endswith(f"({world_copy / REPORT}:54)")


def test_dangling_reference_in_a_direct_triple(invoke, world_copy):
    report = world_copy / REPORT
    edit(
        report,
        "agid:carl-mott ag:leaderOf agid:harbor-gang .",
        "agid:carl-mott ag:leaderOf agid:harbour-gang .",
    )
    edit(report, "rdf:object agid:harbor-gang", "rdf:object agid:harbour-gang")
    lines = failing(invoke, world_copy)
    assert ["agid:harbour-gang", "rdf:type",
            "is used but never described (no rdf:type); did you mean agid:harbor-gang?"] in [
        fields(line)[:3] for line in lines
    ]


def test_undefined_ontology_term(invoke, world_copy):
    edit(world_copy / "actors.ttl", "agid:sylvania a ag:Country", "agid:sylvania a ag:Kountry")
    lines = failing(invoke, world_copy)
    assert ["ag:Kountry", "-", "is not defined in the ontology; did you mean ag:Country?"] in [
        fields(line)[:3] for line in lines
    ]


def test_typo_in_a_known_vocabulary(invoke, world_copy):
    edit(world_copy / "actors.ttl", 'rdfs:label "Sylvania"', 'rdfs:lable "Sylvania"')
    lines = failing(invoke, world_copy)
    assert [fields(line)[:3] for line in lines] == [
        ["agid:sylvania", "rdfs:label", "an entity needs an rdfs:label"],
        [
            "rdfs:lable",
            "-",
            "is not a term of the vocabulary <http://www.w3.org/2000/01/rdf-schema#> (a typo?)",
        ],
    ]


def test_entity_needs_a_label(invoke, world_copy):
    edit(
        world_copy / "actors.ttl",
        'agid:prison-monitor a ag:Monitor ; rdfs:label "Prison Monitor" .',
        "agid:prison-monitor a ag:Monitor .",
    )
    assert failing(invoke, world_copy) == [
        f"agid:prison-monitor  rdfs:label  an entity needs an rdfs:label  ({world_copy / 'actors.ttl'}:12)"
    ]


def test_figure_needs_unit_measure_and_describes_statement(invoke, world_copy):
    report = world_copy / REPORT
    edit(report, 'ag:value 4200 ; ag:unit "people" ; ag:measures ag:PrisonPopulation ;', "ag:value 4200 ;")
    edit(
        report,
        "agid:st-fig-prisoners-4200 a ag:Statement ;\n"
        "    rdf:subject agid:fig-prisoners-4200 ; rdf:predicate ag:describes ;",
        "agid:st-fig-prisoners-4200 a ag:Statement ;\n"
        "    rdf:subject agid:fig-prisoners-5000 ; rdf:predicate ag:describes ;",
    )
    lines = failing(invoke, world_copy)
    got = {tuple(fields(line)[:2]) for line in lines}
    assert {
        ("agid:fig-prisoners-4200", "ag:unit"),
        ("agid:fig-prisoners-4200", "ag:measures"),
        ("agid:fig-prisoners-4200", "^rdf:subject"),
        ("agid:fig-prisoners-4200", "ag:describes"),
    } == got


# -- source documents ---------------------------------------------------------------------------


def test_missing_source_text(invoke, world_copy):
    (world_copy / "sources" / "world-report.txt").unlink()
    assert failing(invoke, world_copy) == [
        "agid:doc-world-report  ag:textFile  source text sources/world-report.txt cannot be read "
        f"(no such file)  ({world_copy / 'sources.ttl'}:6)"
    ]


def test_changed_source_text(invoke, world_copy):
    text = world_copy / "sources" / "world-report.txt"
    append(text, "An added sentence.")
    digest = hashlib.sha256(text.read_bytes()).hexdigest()
    assert failing(invoke, world_copy) == [
        "agid:doc-world-report  ag:sha256  source text sources/world-report.txt has changed: "
        f"its SHA-256 is {digest}  ({world_copy / 'sources.ttl'}:6)"
    ]


def test_source_text_outside_the_graph_directory(invoke, world_copy, tmp_path):
    shutil.copy(WORLD / "sources" / "world-report.txt", tmp_path / "elsewhere.txt")
    edit(world_copy / "sources.ttl", '"sources/world-report.txt"', '"../elsewhere.txt"')
    (line,) = failing(invoke, world_copy)
    assert fields(line)[:3] == [
        "agid:doc-world-report",
        "ag:textFile",
        'the text file must be inside the graph directory: "../elsewhere.txt"',
    ]


def test_source_document_needs_its_digest(invoke, world_copy):
    edit(
        world_copy / "sources.ttl",
        '    ag:sha256 "64c012be9f80983686999451149e0d1999ddddbe5ad540257d2a5ccc8788f729" ;\n',
        "",
    )
    (line,) = failing(invoke, world_copy)
    assert fields(line)[:2] == ["agid:doc-world-report", "ag:sha256"]


# -- files that do not parse ----------------------------------------------------------------------


def test_malformed_turtle(invoke, world_copy):
    edit(world_copy / "actors.ttl", 'skos:altLabel "Minister Lind" .', 'skos:altLabel "Minister Lind"')
    result = invoke("validate", graph=world_copy)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"actorgraph: error: {world_copy / 'actors.ttl'}:8: A dot is expected at the end of statements\n"
    )
    assert "Traceback" not in result.output


def test_malformed_turtle_raises_parse_error(world_copy):
    edit(
        world_copy / REPORT,
        '"Torres heads the Freedonian government." ;',
        '"Torres heads the Freedonian government. ;',
    )
    with pytest.raises(ParseError) as caught:
        validate(world_copy, ONTOLOGY)
    assert caught.value.path == str(world_copy / REPORT)
    assert caught.value.line == 11


def test_malformed_literal_logs_no_traceback(world_copy, capfd):
    edit(world_copy / REPORT, '"2025-02-04"^^xsd:date', '"2025-02"^^xsd:date')
    report = validate(world_copy, ONTOLOGY)
    assert [v.focus for v in report.violations] == ["agid:st-torres-offered"]
    assert "Traceback" not in capfd.readouterr().err


def test_triple_terms_are_refused(invoke, world_copy):
    append(
        world_copy / REPORT, "agid:bo-lind ag:memberOf <<( agid:ana-torres ag:heads agid:freedonian-government )>> ."
    )
    result = invoke("validate", graph=world_copy)
    assert result.exit_code == 1
    assert result.stderr == (
        f"actorgraph: error: {world_copy / REPORT}: RDF 1.2 triple terms are not supported; "
        "give the claim a statement node (rdf:subject, rdf:predicate, rdf:object)\n"
    )


def test_file_that_is_not_utf8(invoke, world_copy):
    with (world_copy / "actors.ttl").open("ab") as handle:
        handle.write(b'agid:x a ag:Person ; rdfs:label "caf\xe9" .\n')
    result = invoke("validate", graph=world_copy)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"actorgraph: error: {world_copy / 'actors.ttl'}:19: Invalid UTF-8")
    assert len(result.stderr.splitlines()) == 1


def test_missing_graph_directory(invoke, tmp_path):
    result = invoke("validate", graph=tmp_path / "nowhere")
    assert result.exit_code == 1
    assert result.stderr == f"actorgraph: error: {tmp_path / 'nowhere'}: no such directory\n"


def test_ontology_without_shapes(world_copy, tmp_path):
    ontology = tmp_path / "ontology"
    ontology.mkdir()
    shutil.copy(ONTOLOGY / "actorgraph.ttl", ontology)
    with pytest.raises(DataFileError, match="shapes.ttl: no such file"):
        validate(world_copy, ontology)


def test_an_undefined_term_with_nothing_like_it_asks_whether_to_add_it(invoke, world_copy):
    edit(world_copy / "actors.ttl", "agid:sylvania a ag:Country", "agid:sylvania a ag:Zzqxv")
    lines = failing(invoke, world_copy)
    assert ["ag:Zzqxv", "-", "is not defined in the ontology (a typo, or a term to add there?)"] in [
        fields(line)[:3] for line in lines
    ]


# -- probable duplicates ----------------------------------------------------------------------------


def test_a_second_entity_with_the_same_name_is_a_probable_duplicate(invoke, world_copy):
    append(world_copy / "actors.ttl", 'agid:carl-mott-2 a ag:Person ; rdfs:label "CARL  MÖTT" .')
    lines = failing(invoke, world_copy)
    assert len(lines) == 1
    focus, path, message = fields(lines[0])
    assert (focus, path) == ("agid:carl-mott-2", "rdfs:label")
    assert message == (
        "probable duplicate of agid:carl-mott (tests/fixtures/world/actors.ttl:8): the same name “Carl Mott” "
        "(ignoring case and accents); if they are two, declare it with agid:carl-mott-2 owl:differentFrom "
        "agid:carl-mott".replace("tests/fixtures/world", str(world_copy)))
    assert lines[0].endswith(f"({world_copy}/actors.ttl:20)")


def test_a_shared_alias_is_a_duplicate_whatever_the_types(invoke, world_copy):
    append(world_copy / "actors.ttl", 'agid:red-river a ag:Place ; rdfs:label "Red River" ; skos:altLabel "Red" .')
    [line] = failing(invoke, world_copy)
    assert fields(line)[0] == "agid:red-river"
    assert "probable duplicate of agid:carl-mott" in line and "the same name “Red”" in line


def test_nearly_the_same_name_is_a_probable_duplicate(invoke, world_copy):
    append(world_copy / "actors.ttl", 'agid:carl-motte a ag:Person ; rdfs:label "Carl Motte" .\n'
                                      'agid:bo-lind-ortez a ag:Person ; rdfs:label "Bo Lind Ortez" .')
    lines = failing(invoke, world_copy)
    assert [fields(line)[0] for line in lines] == ["agid:carl-motte", "agid:bo-lind-ortez"]
    assert "“Carl Mott” and “Carl Motte” are 95% alike" in lines[0]
    assert "“Bo Lind” and “Bo Lind Ortez” differ by one word" in lines[1]


def test_declared_distinct_entities_are_not_duplicates(invoke, world_copy):
    append(world_copy / "actors.ttl",
           "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
           'agid:carl-mott-2 a ag:Person ; rdfs:label "Carl Mott" ; owl:differentFrom agid:carl-mott .')
    result = invoke("validate", graph=world_copy)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("label, cls", [
    ("Freedonian prisons 2", "Prison"),  # a different number, like the 2019 and the 2025 agreements
    ("Harbor Gang court", "CourtOrProsecutor"),  # a court is no gang: the types are not compatible
])
def test_near_names_that_are_not_duplicates(invoke, world_copy, label, cls):
    append(world_copy / "actors.ttl", f'agid:other a ag:{cls} ; rdfs:label "{label}" .')
    result = invoke("validate", graph=world_copy)
    assert result.exit_code == 0, result.output
