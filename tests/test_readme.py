"""The README tells the truth: its tour is real output, and its set-up commands are the ones CI runs."""

from __future__ import annotations

import re

import pytest

from readme_tour import README, ROOT, blocks, run

PAIRS = [pair for _, pairs in blocks(README.read_text()) for pair in pairs]


@pytest.mark.parametrize("command, recorded", PAIRS, ids=[cmd for cmd, _ in PAIRS])
def test_tour_output_is_current(monkeypatch, command, recorded):
    monkeypatch.chdir(ROOT)
    assert run(command).rstrip() == recorded, f"README is stale for `{command}`: run python tests/readme_tour.py"


def test_tour_is_not_empty():
    assert len(PAIRS) >= 8


def test_ci_runs_the_readme_test_command():
    readme = README.read_text()
    commands = re.findall(r"```sh\n(.*?)\n```", readme, re.DOTALL)
    test_command = next(c for c in commands if "pytest" in c)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci, f"{test_command!r} is not a line of .ci/run"
    assert any("actorgraph validate" in c and "pip install" in c for c in commands)
