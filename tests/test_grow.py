"""Growing the graph: add-source stores a text and its document node; add compiles a reviewed sheet.

The logic is tested on copies of the fixture world, with a short follow-up report and a sheet written
here; the shipped graph is only ever copied, never changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from actorgraph.errors import DataFileError, SheetError
from actorgraph.sheet import load_sheet
from actorgraph.validate import validate
from conftest import ONTOLOGY, SHIPPED

FOLLOWUP = (
    "Sylvania deported 40 men to Freedonian prisons on Friday, according to Minister Bo Lind.\n"
    "Judge Rosa Vey of Sylvania ordered the flights to turn back, but the planes landed.\n"
    "Freedonia will be paid about $6 million for a year, President Torres said.\n"
)
Q_DEPORTED = "Sylvania deported 40 men to Freedonian prisons on Friday, according to Minister Bo Lind."
Q_JUDGE = "Judge Rosa Vey of Sylvania"
Q_PAID = "Freedonia will be paid about $6 million for a year, President Torres said."


def span(quote: str, text: str = FOLLOWUP) -> list[int]:
    start = text.index(quote)
    return [start, start + len(quote)]


def followup_sheet(sha: str) -> str:
    """A reviewed sheet for the follow-up report: two new entities, two claims, one figure."""
    return f"""format: actorgraph-sheet/1
source:
  id: doc-followup
  text_file: sources/followup.txt
  sha256: {sha}
  published: 2025-03-17

entities:
  - key: rosa-vey
    accept: true
    label: Rosa Vey
    type: person
    aliases: [Judge Vey]
    comment: A judge in Sylvania.
    mentions: [[6, 14]]
    closest: []
    same_as: null
    distinct_from: []
  - key: deported-men
    accept: true
    label: Men deported from Sylvania to Freedonia
    type: Group
  - key: torres-again
    accept: false
    label: Ana Torres
    type: Person

claims:
  - id: c1
    accept: true
    sentence: 2
    quote: "{Q_JUDGE}"
    span: {span(Q_JUDGE)}
    subject: Rosa Vey
    relationship: holds office in
    object: Freedonian government
    status: reported
    asserted_by: reporting
    dates: {{}}
    role: judge
    reason: null
    in_event: null
    note: null
    mentions:
      - {{text: Rosa Vey, span: [6, 14], id: null}}
    cues: []
  - id: c2
    accept: true
    quote: "{Q_DEPORTED}"
    span: {span(Q_DEPORTED)}
    subject: deported-men
    relationship: locatedIn
    object: agid:freedonian-prisons
    status: reported
    asserted_by: Minister Lind
    dates:
      point_in_time: {{value: 2025-03-14, inferred: true, basis: "“Friday” in a report of Monday 17 March 2025"}}
  - id: c3
    accept: false
    quote: not even in the text
    subject: nobody at all

figures:
  - id: f1
    accept: true
    sentence: 3
    quote: "{Q_PAID}"
    span: {span(Q_PAID)}
    value: 6000000
    unit: US dollars
    approximation: about
    measure: payment for detention
    describes: freedonia
    asserted_by: Torres
    status: claimed
    dates:
      start_time: 2025-03
    note: null
"""


@pytest.fixture
def grown(tmp_path, world_copy, invoke):
    """The fixture world with the follow-up report stored (add-source) and its sheet written, not added."""
    text = tmp_path / "followup.txt"
    text.write_text(FOLLOWUP, encoding="utf-8")
    result = invoke("add-source", str(text), "--title", "Deportation flights to Freedonia",
                    "--published", "2025-03-17", "--language", "en", graph=world_copy)
    assert result.exit_code == 0, result.output
    sheet = tmp_path / "followup.sheet.yaml"
    sha = hashlib.sha256(FOLLOWUP.encode()).hexdigest()
    sheet.write_text(followup_sheet(sha), encoding="utf-8")
    return world_copy, sheet


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under a directory and its bytes: to prove that nothing changed."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def edit_sheet(sheet: Path, old: str, new: str, count: int = 1) -> None:
    text = sheet.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times"
    sheet.write_text(text.replace(old, new), encoding="utf-8")


def line_of(sheet: Path, needle: str) -> int:
    lines = sheet.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# -- add-source -------------------------------------------------------------------------------------


def test_add_source_stores_the_text_and_its_document(invoke, world_copy, tmp_path):
    text = tmp_path / "Followup Report.txt"
    text.write_bytes(FOLLOWUP.replace("\n", "\r\n").encode())  # stored byte for byte, line ends and all
    result = invoke("add-source", str(text), "--title", "Deportation flights to Freedonia",
                    "--published", "2025-03", "--language", "en", "--url", "https://example.org/a?b=1",
                    "--format", "json", graph=world_copy)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    digest = hashlib.sha256(text.read_bytes()).hexdigest()
    assert (data["document"], data["sha256"], data["reporting"]) == (
        "agid:doc-followup-report", digest, "agid:doc-followup-report-reporting")
    assert data["unknown"] == ["outlet", "author"]
    assert (world_copy / "sources" / "followup-report.txt").read_bytes() == text.read_bytes()

    import actorgraph

    kg = actorgraph.load(world_copy, ONTOLOGY)
    [doc] = [d for d in kg.named("documents") if d["document"].endswith("doc-followup-report")]
    assert (doc["title"], doc["text_file"], doc["published"], doc["published_precision"]) == (
        "Deportation flights to Freedonia", "sources/followup-report.txt", "2025-03", "month")
    assert doc["published_inferred"] is False
    assert set(doc["unknown"].split(", ")) == {"outlet", "author"}
    assert kg.rows("SELECT ?url WHERE { agid:doc-followup-report schema:url ?url }") == [
        {"url": "https://example.org/a?b=1"}]
    assert kg.label(kg.resolve("the article's own reporting (Deportation flights to Freedonia)")).startswith(
        "the article's own reporting")
    assert validate(world_copy, ONTOLOGY).conforms


def test_add_source_links_a_known_outlet_and_creates_a_new_author(invoke, world_copy, tmp_path):
    text = tmp_path / "monitor.txt"
    text.write_text("The Prison Monitor counted 5,100 people.\n", encoding="utf-8")
    result = invoke("add-source", str(text), "--title", "Monitor count", "--outlet", "prison monitor",
                    "--author", "Dana Quill", "--published", "2025", "--published-basis",
                    "The text says it covers last year's count.", graph=world_copy)
    assert result.exit_code == 0, result.output
    import actorgraph

    kg = actorgraph.load(world_copy, ONTOLOGY)
    rows = kg.rows("""SELECT ?outlet ?author ?inferred ?basis WHERE {
        agid:doc-monitor dct:publisher ?outlet ; dct:creator ?a ;
                         ag:publicationDate [ ag:inferred ?inferred ; ag:inferenceBasis ?basis ] .
        ?a a ag:Person ; rdfs:label ?author }""")
    assert rows == [{"outlet": "https://w3id.org/actorgraph/id/prison-monitor", "author": "Dana Quill",
                     "inferred": True, "basis": "The text says it covers last year's count."}]
    assert validate(world_copy, ONTOLOGY).conforms


@pytest.mark.parametrize("args, message", [
    (["--name", "other"], "this text is already in the graph as agid:doc-followup (same SHA-256)"),
    (["--name", "followup"], "the name 'followup' is taken"),
    (["--name", "x", "--published", "2025-02-30"], "--published: bad date '2025-02-30'"),
    (["--name", "x", "--published", "March 2025"], "--published: bad date 'March 2025'"),
    (["--name", "sources"], "the name 'sources' is reserved"),
    (["--name", "Bad Name"], "bad source name 'Bad Name'"),
    (["--name", "x", "--url", "javascript:alert(1)"], "--url must be an http(s) address"),
    (["--name", "x", "--outlet", "Prison Monitors Inc"], None),
    (["--name", "x", "--author", "Carl Motte"], "--author 'Carl Motte' is probably Carl Mott (agid:carl-mott)"),
])
def test_add_source_refuses_and_writes_nothing(invoke, grown, tmp_path, args, message):
    world, _ = grown
    text = tmp_path / "followup.txt"
    if args[:2] != ["--name", "other"] and "--name" in args:
        text = tmp_path / "fresh.txt"
        text.write_text("A different text.\n", encoding="utf-8")
    before = snapshot(world)
    result = invoke("add-source", str(text), "--title", "Another title", *args, graph=world)
    if message is None:  # not close enough to the Prison Monitor to be refused: a new outlet
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert message in result.output
    assert snapshot(world) == before


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe not utf-8", "not UTF-8 text"),
    (b"   \n\n", "the text is empty"),
    (b"a\x00b", "not a text file"),
])
def test_add_source_refuses_a_bad_file(invoke, world_copy, tmp_path, content, message):
    text = tmp_path / "bad.txt"
    text.write_bytes(content)
    before = snapshot(world_copy)
    result = invoke("add-source", str(text), "--title", "Bad", graph=world_copy)
    assert result.exit_code == 1 and message in result.output and result.output.count("\n") == 1
    assert snapshot(world_copy) == before


def test_add_source_never_writes_through_a_symlink(invoke, world_copy, tmp_path):
    real = tmp_path / "real-sources.ttl"
    shutil.move(world_copy / "sources.ttl", real)
    os.symlink(real, world_copy / "sources.ttl")
    before = real.read_bytes()
    text = tmp_path / "t.txt"
    text.write_text("Some text.\n", encoding="utf-8")
    result = invoke("add-source", str(text), "--title", "T", graph=world_copy)
    assert result.exit_code == 1 and "is a symbolic link" in result.output
    assert real.read_bytes() == before and not (world_copy / "sources" / "t.txt").exists()


def test_a_title_already_taken_is_refused(invoke, world_copy, tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("Some text.\n", encoding="utf-8")
    result = invoke("add-source", str(text), "--title", "WORLD report", graph=world_copy)
    assert result.exit_code == 2 and "already titled 'WORLD report'" in result.output


# -- add: the happy path ------------------------------------------------------------------------------


def test_add_compiles_the_accepted_claims(invoke, grown):
    world, sheet = grown
    other = (world / "world-report.ttl").read_bytes()
    result = invoke("add", str(sheet), "--format", "json", graph=world)
    assert result.exit_code == 0, result.output
    done = json.loads(result.output)
    assert (done["statements"], done["figures"]) == (3, 1)
    assert [(e["id"], e["label"], e["type"]) for e in done["new entities"]] == [
        ("agid:rosa-vey", "Rosa Vey", "person"), ("agid:deported-men", "Men deported from Sylvania to Freedonia",
                                                  "group of people")]
    assert done["new measures"] == ["agid:measure-payment-for-detention"]
    assert (world / "world-report.ttl").read_bytes() == other  # another source's file is untouched
    report = validate(world, ONTOLOGY)
    assert report.conforms, [v.line() for v in report.violations]
    assert (report.statements, report.figures, report.sources) == (12, 3, 2)

    import actorgraph

    kg = actorgraph.load(world, ONTOLOGY)
    rows = kg.rows("""
        SELECT ?st ?label ?quote ?by ?status WHERE {
          ?st ag:source agid:doc-followup ; rdfs:label ?label ; ag:quote ?quote ; ag:assertedBy ?by ;
              ag:status ?status } ORDER BY ?st""")
    assert [(r["st"].rsplit("/", 1)[1], r["label"], r["by"].rsplit("/", 1)[1], r["status"].rsplit("#")[1])
            for r in rows] == [
        ("st-followup-c1", "Rosa Vey holds office in Freedonian government (reported, per the article)",
         "doc-followup-reporting", "Reported"),
        ("st-followup-c2", "Men deported from Sylvania to Freedonia located in Freedonian prisons "
                           "(reported, per Bo Lind)", "bo-lind", "Reported"),
        ("st-followup-f1", "About 6,000,000 US dollars (payment for detention, per Ana Torres) describes "
                           "Freedonia (claimed, per Ana Torres)", "ana-torres", "Claimed"),
    ]
    assert all(r["quote"] in FOLLOWUP for r in rows)
    assert kg.ask("ASK { agid:rosa-vey ag:holdsOfficeIn agid:freedonian-government }")
    [date] = kg.rows("""SELECT ?v ?p ?i ?b WHERE { agid:st-followup-c2 ag:pointInTime
                        [ ag:dateValue ?v ; ag:precision ?p ; ag:inferred ?i ; ag:inferenceBasis ?b ] }""")
    assert (date["v"], date["p"].rsplit("#")[1], date["i"]) == ("2025-03-14", "unitDay", True)
    assert kg.rows("SELECT ?alias WHERE { agid:rosa-vey skos:altLabel ?alias }") == [{"alias": "Judge Vey"}]
    assert not kg.ask("ASK { ?x rdfs:label 'not even in the text' }")


def test_every_command_sees_the_new_facts_with_their_source(invoke, grown):
    world, sheet = grown
    assert invoke("add", str(sheet), graph=world).exit_code == 0

    def ask(*args):
        result = invoke(*args, "--format", "json", graph=world)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    profile = ask("show", "Judge Vey")
    assert profile["title"] == "Rosa Vey"
    [edge] = profile["outgoing"]
    assert (edge["to"], edge["quote"], edge["source"]) == (
        "Freedonian government", Q_JUDGE, "Deportation flights to Freedonia")
    claims = ask("claims", "--source", "followup")["rows"]
    assert len(claims) == 3 and {c["source"] for c in claims} == {"Deportation flights to Freedonia"}
    timeline = ask("timeline")["rows"]
    assert any(r["quote"] == Q_DEPORTED and r["date_value"] == "2025-03-14" for r in timeline)
    figures = ask("figures", "--about", "Freedonia")["rows"]
    assert [(f["value"], f["measure"], f["source"]) for f in figures] == [
        ("about 6,000,000", "payment for detention", "Deportation flights to Freedonia")]
    html = invoke("export", "html", "-o", str(world.parent / "g.html"), graph=world)
    assert html.exit_code == 0, html.output
    page = (world.parent / "g.html").read_text(encoding="utf-8")
    assert "Rosa Vey" in page and "Judge Rosa Vey of Sylvania" in page


def test_add_is_idempotent(invoke, grown):
    world, sheet = grown
    assert invoke("add", str(sheet), graph=world).exit_code == 0
    after_first = snapshot(world)
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 0 and "the graph already holds it; nothing written" in result.output
    assert snapshot(world) == after_first


def test_running_add_again_replaces_the_source_s_statements_and_entities(invoke, grown):
    world, sheet = grown
    assert invoke("add", str(sheet), graph=world).exit_code == 0
    report = (world / "world-report.ttl").read_bytes()
    edit_sheet(sheet, "  - key: deported-men\n    accept: true", "  - key: deported-men\n    accept: false")
    edit_sheet(sheet, "  - id: c2\n    accept: true", "  - id: c2\n    accept: false")
    edit_sheet(sheet, "label: Rosa Vey", "label: Rosa María Vey")
    edit_sheet(sheet, "subject: Rosa Vey", "subject: rosa-vey")
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 0, result.output
    import actorgraph

    kg = actorgraph.load(world, ONTOLOGY)
    assert not kg.ask("ASK { { agid:deported-men ?p ?o } UNION { ?s ?p agid:deported-men } }")
    assert not kg.ask("ASK { agid:st-followup-c2 ?p ?o }")
    assert kg.label(kg.resolve("Rosa Vey")) == "Rosa María Vey"
    actors = (world / "actors.ttl").read_text(encoding="utf-8")
    assert actors.count("# >>> entities from agid:doc-followup") == 1
    assert 'rdfs:label "Rosa María Vey"' in actors and "Rosa Vey" not in actors
    assert (world / "world-report.ttl").read_bytes() == report
    assert validate(world, ONTOLOGY).conforms


def test_an_entity_another_source_uses_cannot_be_dropped(invoke, grown):
    world, sheet = grown
    assert invoke("add", str(sheet), graph=world).exit_code == 0
    with (world / "world-report.ttl").open("a", encoding="utf-8") as out:
        out.write("\nagid:carl-mott ag:negotiatedWith agid:rosa-vey .\n"
                  "agid:st-x a ag:Statement ; rdf:subject agid:carl-mott ; rdf:predicate ag:negotiatedWith ;\n"
                  '  rdf:object agid:rosa-vey ; ag:quote "Carl Mott" ; ag:source agid:doc-world-report ;\n'
                  "  ag:assertedBy agid:world-reporting ; ag:status ag:Reported .\n")
    edit_sheet(sheet, "  - key: rosa-vey\n    accept: true", "  - key: rosa-vey\n    accept: false")
    edit_sheet(sheet, "  - id: c1\n    accept: true", "  - id: c1\n    accept: false")
    before = snapshot(world)
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 1
    assert "agid:rosa-vey, which this source added before, is used elsewhere" in result.output
    assert snapshot(world) == before


def test_add_never_replaces_a_hand_written_file(invoke, grown, tmp_path):
    world, sheet = grown
    (world / "followup.ttl").write_text("# written by hand\n", encoding="utf-8")
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 1 and "was not written by `actorgraph add`" in result.output


def test_check_writes_nothing(invoke, grown):
    world, sheet = grown
    before = snapshot(world)
    result = invoke("add", str(sheet), "--check", graph=world)
    assert result.exit_code == 0 and "checks: nothing written" in result.output
    assert snapshot(world) == before


# -- add: bad sheets -------------------------------------------------------------------------------------


BAD = [
    ("a non-verbatim quote", Q_DEPORTED, Q_DEPORTED.replace("deported", "deport"), 1, "quote: \"Sylvania",
     "quote is not in sources/followup.txt at [0, 88] (the text has only its first 15 of 86 characters)"),
    ("a quote away from its span", f"span: {span(Q_JUDGE)}", "span: [0, 26]", 1, "span: [0, 26]",
     f"quote is in sources/followup.txt at {span(Q_JUDGE)}, not at its span [0, 26]"),
    ("an unknown relationship type", "relationship: holds office in", "relationship: holds ofice in", 1,
     "holds ofice", "unknown relationship type 'holds ofice in'; did you mean 'holdsOfficeIn'?"),
    ("an unknown status", "status: claimed", "status: claimd", 1, "claimd",
     "unknown status 'claimd'; did you mean 'claimed'?"),
    ("a broken date", "value: 2025-03-14", "value: 2025-02-30", 1, "2025-02-30",
     "point_in_time: bad date '2025-02-30': day is out of range for month"),
    ("an inferred date without basis", ', basis: "“Friday” in a report of Monday 17 March 2025"', "", 1,
     "point_in_time", "point_in_time is inferred, so it needs a basis: how the date was worked out"),
    ("an unknown key", "    role: judge", "    rol: judge", 1, "rol: judge",
     "unknown key 'rol' in a claim (did you mean 'role'?)"),
    ("a misspelt accept", "  - id: c1\n    accept: true", "  - id: c1\n    acept: true", 1, "acept",
     "unknown key 'acept' in a claim (did you mean 'accept'?)"),
    ("a name that matches nothing", "subject: Rosa Vey", "subject: Rosa Vei", 1, "Rosa Vei",
     "subject: 'Rosa Vei' names no entity; did you mean 'Rosa Vey' (agid:rosa-vey)?"),
    ("an entity that is not accepted", "subject: Rosa Vey", "subject: torres-again", 1, "subject: torres-again",
     "subject: the sheet's entity 'torres-again' is not accepted (set accept: true)"),
    ("an unknown type", "type: Group", "type: Grup", 1, "Grup", "unknown entity type 'Grup'; did you mean 'Group'?"),
    ("an object outside the range", "relationship: holds office in", "relationship: visited", 1,
     "object: Freedonian", "'visited' needs a place as its object, but Freedonian government is a government body"),
    ("a wrong text", "sha256: ", "sha256: 0", 1, "sha256",
     "sha256 is not that of sources/followup.txt"),
    ("a number with separators", "value: 6000000", "value: 6,000,000", 1, "6,000,000",
     "value must be a number written with digits"),
    ("a rule only the whole graph checks", "relationship: holds office in", "relationship: said about", 1,
     "  - id: c1", "the graph would not validate: agid:st-followup-c1  -  an ag:saidAbout statement needs "
                   "ag:content: what was said, in the source's words"),
    ("a control character in a label", "label: Rosa Vey", 'label: "Rosa \\e[31mVey"', 1, "Rosa \\e",
     "label must be plain text, without control characters"),
]


@pytest.mark.parametrize("what, old, new, count, needle, message", BAD, ids=[b[0] for b in BAD])
def test_a_bad_sheet_gives_one_line_with_its_line_and_changes_nothing(invoke, grown, what, old, new, count,
                                                                      needle, message):
    world, sheet = grown
    edit_sheet(sheet, old, new, count)
    before = snapshot(world)
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [line] = result.output.splitlines()
    where = f"{sheet}:{line_of(sheet, needle)}: "
    assert line.startswith(f"actorgraph: error: {where}"), line
    assert message in line, line
    assert snapshot(world) == before


def test_invalid_yaml_names_its_line(invoke, grown):
    world, sheet = grown
    edit_sheet(sheet, "    aliases: [Judge Vey]", "    aliases: [Judge Vey")
    before = snapshot(world)
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"actorgraph: error: {sheet}:") and "invalid YAML" in line
    assert int(line.split(":")[3]) in range(line_of(sheet, "[Judge Vey"), line_of(sheet, "[Judge Vey") + 3)
    assert snapshot(world) == before


def test_every_problem_is_listed_on_its_own_line(invoke, grown):
    world, sheet = grown
    edit_sheet(sheet, "status: claimed", "status: claimd")
    edit_sheet(sheet, "subject: Rosa Vey", "subject: Rosa Vei")
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{sheet}:{line_of(sheet, 'Rosa Vei')}: subject")
    assert lines[1].startswith(f"{sheet}:{line_of(sheet, 'claimd')}: unknown status")
    assert lines[2] == f"actorgraph: error: {sheet}: 2 problems; nothing was written"


def test_an_ambiguous_name_lists_the_entities(invoke, grown):
    world, sheet = grown
    edit_sheet(sheet, "    aliases: [Judge Vey]", "    aliases: [Judge Vey, Red]")
    edit_sheet(sheet, "    distinct_from: []", "    distinct_from: [carl-mott]")
    edit_sheet(sheet, "subject: Rosa Vey", "subject: red")
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 1
    assert f"{sheet}:{line_of(sheet, 'subject: red')}: subject: 'red' names more than one entity: " \
           "agid:carl-mott (Carl Mott), agid:rosa-vey (Rosa Vey); use the id" in result.output


def test_the_sheet_reader_keeps_lines_and_skips_what_is_not_accepted(grown):
    _, sheet = grown
    loaded = load_sheet(sheet)
    assert [c.id for c in loaded.accepted_claims] == ["c1", "c2"]
    assert [e.key for e in loaded.accepted_entities] == ["rosa-vey", "deported-men"]
    c2 = loaded.accepted_claims[1]
    assert c2.at("subject") == line_of(sheet, "subject: deported-men")
    assert c2.dates["point_in_time"].date.text == "2025-03-14"
    [figure] = loaded.accepted_figures
    assert (figure.value, figure.dates["start_time"].date.precision) == (6000000, "month")


def test_a_missing_sheet_is_one_error(tmp_path):
    with pytest.raises(DataFileError, match="no such file"):
        load_sheet(tmp_path / "missing.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(SheetError, match=r"empty\.yaml:1: the sheet is empty"):
        load_sheet(empty)


# -- duplicates ---------------------------------------------------------------------------------------------


def test_add_refuses_a_duplicate_unless_told(invoke, grown):
    world, sheet = grown
    edit_sheet(sheet, "    label: Men deported from Sylvania to Freedonia\n    type: Group",
               "    label: Carl Mott\n    type: Person")
    edit_sheet(sheet, "    label: Rosa Vey", "    label: Bo Lind Ortez")
    before = snapshot(world)
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 1
    assert (f"{sheet}:{line_of(sheet, 'key: rosa-vey')}: new entity 'rosa-vey' is probably agid:bo-lind (Bo Lind): "
            "“Bo Lind” and “Bo Lind Ortez” differ by one word; write same_as: bo-lind to use it, or "
            "distinct_from: [bo-lind]") in result.output
    assert (f"{sheet}:{line_of(sheet, 'key: deported-men')}: new entity 'deported-men' is probably "
            "agid:carl-mott (Carl Mott): the same name “Carl Mott”") in result.output
    assert snapshot(world) == before
    # Told explicitly: one is another entity, the other is the one already there.
    edit_sheet(sheet, "    distinct_from: []", "    distinct_from: [Minister Lind]")
    edit_sheet(sheet, "  - key: deported-men\n    accept: true", "  - key: deported-men\n    accept: true\n"
                                                                   "    same_as: Carl Mott")
    edit_sheet(sheet, "subject: Rosa Vey", "subject: Bo Lind Ortez")
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 0, result.output
    import actorgraph

    kg = actorgraph.load(world, ONTOLOGY)
    assert kg.ask("ASK { agid:rosa-vey owl:differentFrom agid:bo-lind }")
    assert kg.ask("ASK { agid:carl-mott ag:locatedIn agid:freedonian-prisons }")
    assert validate(world, ONTOLOGY).conforms


def test_a_second_nayib_bukele_is_reported_and_refused(tmp_path, invoke):
    """On a copy of the shipped graph: validate reports a second "Nayib Bukele" and a "Nayib Bukele
    Ortez" as probable duplicates, and add refuses to create them."""
    graph = tmp_path / "graph"
    shutil.copytree(SHIPPED, graph)
    actors = graph / "actors.ttl"
    original = actors.read_text(encoding="utf-8")
    actors.write_text(original + '\nagid:nayib-bukele-2 a ag:Person ; rdfs:label "Nayib Bukele" .\n'
                                 'agid:nayib-bukele-ortez a ag:Person ; rdfs:label "Nayib Bukele Ortez" .\n',
                      encoding="utf-8")
    lines = [v.line() for v in validate(graph, ONTOLOGY).violations]
    assert any(line.startswith("agid:nayib-bukele-2  rdfs:label  probable duplicate of agid:nayib-bukele ")
               for line in lines), lines
    assert any(line.startswith("agid:nayib-bukele-ortez  rdfs:label  probable duplicate of agid:nayib-bukele ")
               for line in lines), lines
    actors.write_text(original, encoding="utf-8")

    text = tmp_path / "bukele.txt"
    text.write_text("Nayib Bukele Ortez, Nayib Bukele, spoke.\n", encoding="utf-8")
    assert invoke("add-source", str(text), "--title", "Bukele spoke", graph=graph).exit_code == 0
    sha = hashlib.sha256(text.read_bytes()).hexdigest()
    sheet = tmp_path / "bukele.sheet.yaml"
    sheet.write_text(f"""format: actorgraph-sheet/1
source: {{id: doc-bukele, text_file: sources/bukele.txt, sha256: {sha}, published: null}}
entities:
  - {{key: nayib-bukele-2, accept: true, label: Nayib Bukele, type: Person}}
  - {{key: nayib-bukele-ortez, accept: true, label: Nayib Bukele Ortez, type: Person}}
""", encoding="utf-8")
    before = snapshot(graph)
    result = invoke("add", str(sheet), graph=graph)
    assert result.exit_code == 1
    assert f"{sheet}:4: new entity 'nayib-bukele-2' is probably agid:nayib-bukele (Nayib Bukele)" in result.output
    assert f"{sheet}:5: new entity 'nayib-bukele-ortez' is probably agid:nayib-bukele (Nayib Bukele)" in result.output
    assert snapshot(graph) == before


def test_a_sheet_with_nothing_accepted_writes_nothing(invoke, grown):
    world, sheet = grown
    text = sheet.read_text(encoding="utf-8").replace("accept: true", "accept: false")
    sheet.write_text(text, encoding="utf-8")
    before = snapshot(world)
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 1
    assert result.output == (f"actorgraph: error: {sheet}: nothing in it is accepted: set accept: true on what "
                             "the text says, then run add again; nothing was written\n")
    assert snapshot(world) == before


def test_a_triple_already_in_the_graph_is_not_stated_twice(invoke, grown):
    world, sheet = grown
    edit_sheet(sheet, "subject: deported-men\n    relationship: locatedIn\n    object: agid:freedonian-prisons",
               "subject: Carl Mott\n    relationship: negotiated with\n    object: Freedonian government")
    assert invoke("add", str(sheet), graph=world).exit_code == 0
    written = (world / "followup.ttl").read_text(encoding="utf-8")
    assert "# agid:carl-mott ag:negotiatedWith agid:freedonian-government .  (stated in another file)" in written
    import actorgraph

    kg = actorgraph.load(world, ONTOLOGY)
    rows = kg.rows("SELECT ?o WHERE { agid:carl-mott ag:negotiatedWith ?o }")
    assert rows == [{"o": "https://w3id.org/actorgraph/id/freedonian-government"}]  # once, not once per file
    assert len(kg.rows("SELECT ?st WHERE { ?st rdf:subject agid:carl-mott ; rdf:predicate ag:negotiatedWith }")) == 2
    assert validate(world, ONTOLOGY).conforms


def test_a_triple_another_source_stands_on_cannot_be_dropped(invoke, grown):
    world, sheet = grown
    assert invoke("add", str(sheet), graph=world).exit_code == 0
    with (world / "world-report.ttl").open("a", encoding="utf-8") as out:  # leans on followup's direct triple
        out.write("\nagid:st-y a ag:Statement ; rdf:subject agid:rosa-vey ; rdf:predicate ag:holdsOfficeIn ;\n"
                  '  rdf:object agid:freedonian-government ; ag:quote "Torres heads the Freedonian government." ;\n'
                  "  ag:source agid:doc-world-report ;\n"
                  "  ag:assertedBy agid:world-reporting ; ag:status ag:Reported .\n")
    assert validate(world, ONTOLOGY).conforms
    edit_sheet(sheet, "  - id: c1\n    accept: true", "  - id: c1\n    accept: false")
    before = snapshot(world)
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 1
    assert ("the triple agid:rosa-vey ag:holdsOfficeIn agid:freedonian-government, which this source stated before, "
            "is what agid:st-y stands on; keep its claim accepted") in result.output
    assert snapshot(world) == before


def test_a_reporting_party_is_declared_distinct_from_a_look_alike(invoke, world_copy, tmp_path):
    for name, title in (("c", "Flights to Freedonia"), ("d", "Flights to Freedonia again")):
        text = tmp_path / f"{name}.txt"
        text.write_text(f"Text {name}.\n", encoding="utf-8")
        assert invoke("add-source", str(text), "--title", title, graph=world_copy).exit_code == 0
    import actorgraph

    kg = actorgraph.load(world_copy, ONTOLOGY)
    assert kg.ask("ASK { agid:doc-d-reporting owl:differentFrom agid:doc-c-reporting }")
    assert validate(world_copy, ONTOLOGY).conforms


def test_a_source_of_new_entities_only_has_no_file_of_its_own(invoke, grown):
    """Accepting only entities gives no statements: no empty graph/NAME.ttl (validate refuses an empty
    file), and the file an earlier run wrote goes when its last claim and figure are dropped."""
    world, sheet = grown
    assert invoke("add", str(sheet), graph=world).exit_code == 0
    assert (world / "followup.ttl").is_file()
    text = sheet.read_text(encoding="utf-8")
    ids = [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("  - id: ")]
    assert ids
    for item in ids:
        text = text.replace(f"  - id: {item}\n    accept: true", f"  - id: {item}\n    accept: false")
    sheet.write_text(text, encoding="utf-8")
    result = invoke("add", str(sheet), graph=world)
    assert result.exit_code == 0, result.output
    assert not (world / "followup.ttl").exists()
    assert "rosa-vey" in (world / "actors.ttl").read_text(encoding="utf-8")
    assert validate(world, ONTOLOGY).conforms
