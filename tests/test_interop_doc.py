"""docs/interop.md is real: its console examples are the commands' output on the shipped graph, and the
note it quotes is one `export ftm` prints."""

from __future__ import annotations

import pytest

from actorgraph.export.ftm import build_ftm
from readme_tour import ROOT, blocks, run

DOC = ROOT / "docs" / "interop.md"
PAIRS = [pair for _, pairs in blocks(DOC.read_text(encoding="utf-8")) for pair in pairs]


@pytest.mark.parametrize("command, recorded", PAIRS, ids=[cmd[:60] for cmd, _ in PAIRS])
def test_console_examples_are_current(monkeypatch, command, recorded):
    monkeypatch.chdir(ROOT)
    assert run(command).rstrip() == recorded, f"docs/interop.md is stale for `{command}`"


def test_the_quoted_note_is_printed(kg):
    notes: list[str] = []
    build_ftm(kg, notes)
    quoted = [line.removeprefix("note: ") for line in DOC.read_text(encoding="utf-8").splitlines()
              if line.startswith("note: left out of the FtM export")]
    assert quoted and all(note in notes for note in quoted)
