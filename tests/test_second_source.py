"""A second source, added to a copy of graph/ the way a person adds one: add-source, draft, the review
(the article's answer key is the reviewed sheet), add. Then every check of the shipped graph runs on that
copy, and every answer about the first article must be unchanged there.

The second article (tests/fixtures/second-source/) is this project's own prose about the March 2025
deportation flights to CECOT; its answer key is what a careful reader records from it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from actorgraph.cli import cli
from actorgraph.sheet import load_sheet
from actorgraph.validate import validate
from conftest import ONTOLOGY, ROOT, SHIPPED
from readme_tour import README, blocks, run, split_pipe

SECOND = Path(__file__).resolve().parent / "fixtures" / "second-source"
ANSWER_KEY = SECOND / "answer-key.sheet.yaml"
META = yaml.safe_load((SECOND / "source.yaml").read_text(encoding="utf-8"))
TITLE = META["title"]


class Grown:
    """The grown copy, and what each of the three commands printed."""

    def __init__(self, graph: Path, sheet: Path, outputs: list):
        self.graph, self.sheet, self.outputs = graph, sheet, outputs


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> Grown:
    """graph/ copied, then the second article added: three commands, and the sheet edited in between."""
    work = tmp_path_factory.mktemp("second-source")
    graph = work / "graph"
    shutil.copytree(SHIPPED, graph)
    sheet = work / "article.sheet.yaml"
    runner = CliRunner(env={"COLUMNS": "110"})

    def actorgraph(*args: str):
        result = runner.invoke(cli, ["--graph-dir", str(graph), "--ontology-dir", str(ONTOLOGY), *args],
                               catch_exceptions=False)
        assert result.exit_code == 0, f"actorgraph {' '.join(args)}: {result.output}"
        return result

    outputs = [actorgraph("add-source", str(SECOND / META["file"]), "--title", TITLE,
                          "--published", str(META["published"]), "--language", META["language"])]
    outputs.append(actorgraph("draft", "article", "-o", str(sheet)))
    drafted = yaml.safe_load(sheet.read_text(encoding="utf-8"))
    reviewed = yaml.safe_load(ANSWER_KEY.read_text(encoding="utf-8"))
    # The review: the reviewer accepts, fixes or drops each proposal. The reviewed sheet is the answer key,
    # which speaks of the very text the draft was made from.
    assert drafted["source"] == reviewed["source"]
    sheet.write_text(ANSWER_KEY.read_text(encoding="utf-8"), encoding="utf-8")
    outputs.append(actorgraph("add", str(sheet)))
    return Grown(graph, sheet, outputs)


def ask(graph: Path, *args: str):
    result = CliRunner().invoke(cli, ["--graph-dir", str(graph), "--ontology-dir", str(ONTOLOGY), *args,
                                      "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# -- from a text to answers --------------------------------------------------------------------------------


def test_the_draft_proposes_and_writes_nothing(grown, tmp_path):
    """The draft is a sheet that add reads, with nothing accepted: nothing enters the graph from it alone."""
    copy = tmp_path / "graph"
    shutil.copytree(SHIPPED, copy)
    runner = CliRunner()
    base = ["--graph-dir", str(copy), "--ontology-dir", str(ONTOLOGY)]
    assert runner.invoke(cli, [*base, "add-source", str(SECOND / META["file"]), "--title", TITLE]).exit_code == 0
    sheet = tmp_path / "draft.sheet.yaml"
    assert runner.invoke(cli, [*base, "draft", "article", "-o", str(sheet)]).exit_code == 0
    drafted = load_sheet(sheet)
    assert drafted.claims and not drafted.accepted_claims and not drafted.accepted_entities
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    result = runner.invoke(cli, [*base, "add", str(sheet)])
    assert result.exit_code == 1 and "nothing in it is accepted" in result.output
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before


def test_three_commands_and_a_review_take_a_new_text_to_a_valid_graph(grown):
    key = load_sheet(ANSWER_KEY)
    added = grown.outputs[2].output
    assert f"statements: {len(key.accepted_claims) + len(key.accepted_figures)}" in added
    assert f"figures: {len(key.accepted_figures)}" in added
    report = validate(grown.graph, ONTOLOGY)
    assert report.conforms, "\n".join(v.line() for v in report.violations)
    assert report.sources == 2
    doc = "https://w3id.org/actorgraph/id/doc-article"
    import actorgraph

    kg = actorgraph.load(grown.graph, ONTOLOGY)
    rows = kg.rows("SELECT (COUNT(?st) AS ?n) WHERE {\n#@values\n ?st ag:source ?doc }",
                   {"doc": __import__("pyoxigraph").NamedNode(doc)})
    assert rows == [{"n": len(key.accepted_claims) + len(key.accepted_figures)}]


def test_show_claims_timeline_figures_and_the_html_export_answer_with_the_new_source(grown, tmp_path):
    graph = grown.graph
    judge = ask(graph, "show", "James Boasberg")
    assert judge["title"] == "James Boasberg"
    assert judge["outgoing"] and {row["source"] for row in judge["outgoing"]} == {TITLE}
    assert all(row["quote"] in (SECOND / META["file"]).read_text(encoding="utf-8") for row in judge["outgoing"])

    claims = ask(graph, "claims", "--source", "article")["rows"]
    key = load_sheet(ANSWER_KEY)
    assert len(claims) == len(key.accepted_claims) + len(key.accepted_figures)
    assert {row["source"] for row in claims} == {TITLE}
    denied = [row for row in claims if row["status"] == "denied"]
    assert denied and all(row["asserted by"] != "the article's own reporting" for row in denied)

    timeline = ask(graph, "timeline", "--actor", "James Boasberg")["rows"]
    assert any(row["date_value"] == "2025-03-15" and row["source"] == TITLE for row in timeline)

    figures = ask(graph, "figures", "--about", "Salvadoran prison system")
    new = [row for row in figures["rows"] if row["source"] == TITLE]
    assert [(row["value"], row["measure"]) for row in new] == [("at least 350", "deaths in prison")]
    assert any("349" in note and "350" in note for note in figures["notes"])  # both kept, side by side

    page = tmp_path / "graph.html"
    result = CliRunner().invoke(cli, ["--graph-dir", str(graph), "--ontology-dir", str(ONTOLOGY), "export", "html",
                                      "-o", str(page)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    # Labels, quotes and the source's title are in the page's data (JSON-escaped: an apostrophe is \u0027).
    assert "James Boasberg" in html and "Alien Enemies Act" in html
    assert "Chief Judge James Boasberg of the U.S. District Court" in html
    assert TITLE.replace("'", "\\u0027") in html


def test_adding_the_same_sheet_again_changes_nothing(grown):
    before = {p: p.read_bytes() for p in grown.graph.rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli, ["--graph-dir", str(grown.graph), "--ontology-dir", str(ONTOLOGY), "add",
                                      str(grown.sheet)], catch_exceptions=False)
    assert result.exit_code == 0 and "nothing written" in result.output
    assert {p: p.read_bytes() for p in grown.graph.rglob("*") if p.is_file()} == before


# -- every check of the shipped graph, on the copy -------------------------------------------------------

# The modules that check the shipped graph. They read ACTORGRAPH_TEST_GRAPH (see conftest.GRAPH).
SHIPPED_CHECKS = ["tests/test_graph.py", "tests/test_competency.py", "tests/test_cli_shipped.py",
                  "tests/test_network.py", "tests/test_validate.py::test_shipped_graph_is_valid",
                  "tests/test_export.py::test_rdf_round_trip_of_the_shipped_graph", "tests/test_ftm_export.py",
                  "tests/test_identifiers.py::test_every_identifier_of_the_shipped_graph_has_a_recorded_origin"]


def test_every_check_of_the_shipped_graph_passes_on_the_copy(grown, tmp_path):
    env = {**os.environ, "ACTORGRAPH_TEST_GRAPH": str(grown.graph), "ACTORGRAPH_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SHIPPED_CHECKS],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    tail = "\n".join(done.stdout.splitlines()[-30:])
    assert done.returncode == 0, tail
    assert re.search(r"\b\d+ passed\b", tail) and "failed" not in tail and "skipped" not in tail, tail


# -- the README tour, on the copy ------------------------------------------------------------------------------

# Whole-network analyses: their answer is about the graph, not about one article, and any new source
# may change it. On the copy they must still run.
WHOLE_GRAPH = {"centrality", "path", "ego"}
PAIRS = [pair for _, pairs in blocks(README.read_text(encoding="utf-8")) for pair in pairs]


def holds(new, old, key: str = "") -> bool:
    """Whether the answer ``old`` (from graph/) is still all there in ``new`` (from the grown copy):
    every row, field and note; a list of other sources' figures may grow; a title may count more ("1
    figure" may become "2 figures")."""
    if key == "title" and isinstance(old, str) and isinstance(new, str):
        def counted(title: str) -> str:
            return re.sub(r"\d[\d,]* (\w+?)s?\b", r"N \1", title)

        return counted(old) == counted(new)
    if key == "other figures":
        return set(filter(None, (old or "").split(" | "))) <= set(filter(None, (new or "").split(" | ")))
    if isinstance(old, dict):
        return isinstance(new, dict) and all(k in new and holds(new[k], v, k) for k, v in old.items())
    if isinstance(old, list):
        return isinstance(new, list) and all(any(holds(n, o, key) for n in new) for o in old)
    return old == new


def as_data(command: str, graph: Path | None):
    """The command's answer as data: JSON rows (or CSV rows, or N-Triples lines for a CONSTRUCT)."""
    import csv
    import io

    args = split_pipe(command)[0][1:]  # the whole answer, not the lines a page cuts it to
    if "--format" in args:
        fmt = args[args.index("--format") + 1]
    else:
        fmt = "ntriples" if args[0] == "sparql" and "CONSTRUCT" in command else "json"
        args += ["--format", fmt]
    text = run(shlex.join(["actorgraph", *args]), graph=graph)
    if fmt == "json":
        return json.loads(text)
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    return sorted(set(text.splitlines()))


@pytest.mark.parametrize("command, recorded", PAIRS, ids=[cmd for cmd, _ in PAIRS])
def test_every_readme_answer_about_the_first_article_holds_on_the_copy(grown, monkeypatch, command, recorded):
    monkeypatch.chdir(ROOT)
    output = run(command, graph=grown.graph).rstrip()
    if output == recorded:
        return  # the same answer, character for character
    name = shlex.split(command)[1]
    if name == "validate":
        assert output.startswith("valid: ") and "violation" not in output, output
        return
    if name in WHOLE_GRAPH:
        assert not output.startswith("actorgraph: error"), output
        return
    shipped, copy = as_data(command, None), as_data(command, grown.graph)
    assert holds(copy, shipped), f"`{command}` on the copy lost part of its answer:\n{output}"


def test_holds_sees_a_lost_row_and_allows_a_new_one():
    old = {"title": "2 figures", "rows": [{"value": "349", "other figures": None}, {"value": "109,000"}]}
    grown_by_one = {"title": "3 figures", "rows": [{"value": "349", "other figures": "350 (groups)"},
                                                   {"value": "109,000"}, {"value": "350"}]}
    assert holds(grown_by_one, old)
    assert not holds({"title": "2 figures", "rows": [{"value": "349", "other figures": None}]}, old)
    assert not holds({**grown_by_one, "title": "3 statements"}, old)
    assert holds({"title": "2 figures"}, {"title": "1 figure"})
    assert not holds({"title": "2 statements"}, {"title": "1 figure"})
    assert not holds({"rows": [{"value": "349", "other figures": "350 (groups)"}, {"value": "109,001"}],
                      "title": "2 figures"}, old)
