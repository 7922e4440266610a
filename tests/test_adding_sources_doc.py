"""docs/adding-sources.md is real: its commands run, in order, on a scratch copy of the project (graph/ and
ontology/ copied, the second test article saved as article.txt), with the sheet edited between them as
the page says, and each output must be the one the page shows. graph/ itself is never touched.

Its sessions are fenced ```shell-session (rendered like ```console), because they change the graph they
run on: they must never be run where the other pages' ```console examples are, on graph/ itself.

    python tests/test_adding_sources_doc.py      # rewrite the page's outputs after the commands changed
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from readme_tour import blocks, run  # noqa: E402  (the README's runner: same blocks, same terminal width)

DOC = ROOT / "docs" / "adding-sources.md"
SECOND = ROOT / "tests" / "fixtures" / "second-source"
FENCE = "shell-session"


def answer_key() -> str:
    return (SECOND / "answer-key.sheet.yaml").read_text(encoding="utf-8")


def with_two_slips() -> str:
    """The reviewed sheet with the two slips the page describes: a mistyped status, a changed quote."""
    text = answer_key()
    quote = "quote: ordered that any plane already in the air be turned around"
    assert text.count(quote) == 1 and "    status: claimed\n" in text
    return text.replace("    status: claimed\n", "    status: claimd\n", 1).replace(
        quote, "quote: ordered that any plane already in the air be turned back")


# What the person does in an editor before a console block (by its index on the page).
EDITS = {2: with_two_slips, 3: answer_key}


def scratch(directory: Path) -> Path:
    """A copy of the project to run the walkthrough in: graph/, ontology/ and the article."""
    project = directory / "project"
    shutil.copytree(ROOT / "graph", project / "graph")
    shutil.copytree(ROOT / "ontology", project / "ontology")
    shutil.copy(SECOND / "article.txt", project / "article.txt")
    return project


def walk(project: Path, text: str) -> list[list[tuple[str, str]]]:
    """Run the page's blocks in order inside ``project``: for each block, (command, output) pairs."""
    sheet = project / "article.sheet.yaml"
    results = []
    for index, (_, pairs) in enumerate(blocks(text, FENCE)):
        if index in EDITS:
            sheet.write_text(EDITS[index](), encoding="utf-8")
        results.append([(command, run(command).rstrip()) for command, _ in pairs])
    return results


def test_every_command_of_the_walkthrough_prints_what_the_page_shows(tmp_path, monkeypatch):
    project = scratch(tmp_path)
    shipped = {p: p.read_bytes() for p in (ROOT / "graph").rglob("*") if p.is_file()}
    monkeypatch.chdir(project)
    text = DOC.read_text(encoding="utf-8")
    recorded = [pairs for _, pairs in blocks(text, FENCE)]
    assert len(recorded) == 5 and sum(len(pairs) for pairs in recorded) == 7
    for got, expected in zip(walk(project, text), recorded, strict=True):
        for (command, output), (_, shown) in zip(got, expected, strict=True):
            assert output == shown, f"docs/adding-sources.md is stale for `{command}`: run python {__file__}"
    assert (project / "graph" / "article.ttl").is_file()
    assert {p: p.read_bytes() for p in (ROOT / "graph").rglob("*") if p.is_file()} == shipped


def rewrite() -> None:
    import tempfile

    text = DOC.read_text(encoding="utf-8")
    here = Path.cwd()
    with tempfile.TemporaryDirectory() as directory:
        project = scratch(Path(directory))
        os.chdir(project)
        try:
            results = walk(project, text)
        finally:
            os.chdir(here)
    for (raw, _), pairs in zip(blocks(text, FENCE), results, strict=True):
        body = "".join(f"$ {command}\n{output}\n" if output else f"$ {command}\n" for command, output in pairs)
        text = text.replace(raw, f"```{FENCE}\n{body}```", 1)
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    rewrite()
    print(f"rewrote the console blocks of {DOC}")
