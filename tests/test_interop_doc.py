"""docs/interop.md is real: the note it quotes is one `export ftm` prints. (Its console examples are
replayed with every other page's, by tests/test_readme.py.)"""

from __future__ import annotations

from actorgraph.export.ftm import build_ftm
from readme_tour import ROOT

DOC = ROOT / "docs" / "interop.md"


def test_the_quoted_note_is_printed(kg):
    notes: list[str] = []
    build_ftm(kg, notes)
    quoted = [line.removeprefix("note: ") for line in DOC.read_text(encoding="utf-8").splitlines()
              if line.startswith("note: left out of the FtM export")]
    assert quoted and all(note in notes for note in quoted)
