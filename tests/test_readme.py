"""The README tells the truth: its tour is real output, and its set-up commands are the ones CI runs."""

from __future__ import annotations

import re

import pytest

from readme_tour import README, ROOT, blocks, run

PAIRS = [pair for _, pairs in blocks(README.read_text()) for pair in pairs]
DOC_PAIRS = [(page.name, command, recorded) for page in sorted((ROOT / "docs").glob("*.md"))
             for _, pairs in blocks(page.read_text()) for command, recorded in pairs]


@pytest.mark.parametrize("command, recorded", PAIRS, ids=[cmd for cmd, _ in PAIRS])
def test_tour_output_is_current(monkeypatch, command, recorded):
    monkeypatch.chdir(ROOT)
    assert run(command).rstrip() == recorded, f"README is stale for `{command}`: run python tests/readme_tour.py"


@pytest.mark.parametrize("page, command, recorded", DOC_PAIRS, ids=[f"{p}: {c}" for p, c, _ in DOC_PAIRS])
def test_docs_examples_are_current(monkeypatch, page, command, recorded):
    monkeypatch.chdir(ROOT)
    assert run(command).rstrip() == recorded, f"docs/{page} is stale for `{command}`"


def test_tour_is_not_empty():
    assert len(PAIRS) >= 8


def test_ci_runs_the_readme_test_command():
    readme = README.read_text()
    commands = re.findall(r"```sh\n(.*?)\n```", readme, re.DOTALL)
    test_command = next(c for c in commands if "pytest" in c)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci, f"{test_command!r} is not a line of .ci/run"
    assert any("actorgraph validate" in c and "pip install" in c for c in commands)


def test_ci_runs_the_tests_in_a_fresh_venv_with_the_debian_packages():
    """.ci/run makes a new venv and activates it before the test command (so an undeclared dependency
    fails there), and installs every Debian package the tests drive."""
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    test_line = next(i for i, line in enumerate(ci) if "pytest" in line and not line.startswith("#"))
    venv_line = next(i for i, line in enumerate(ci) if " -m venv " in line)
    activate_line = next(i for i, line in enumerate(ci) if line.startswith("source ") and "bin/activate" in line)
    assert venv_line < activate_line < test_line
    packages = next(line for line in ci if line.startswith("packages=("))
    for package in ("chromium", "chromium-driver", "virtuoso-opensource", "default-jre-headless", "python3-venv"):
        assert f" {package} " in packages.replace("(", " ").replace(")", " "), package


def test_every_import_is_declared():
    """Each third-party module that actorgraph's code imports comes from a distribution that pyproject.toml
    declares (tests: the test extra), so a fresh install has it."""
    import ast
    import sys
    import tomllib
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}

    runtime = names(project["dependencies"])
    test = runtime | names(project["optional-dependencies"]["test"])
    local = {p.stem for p in (ROOT / "tests").glob("*.py")} | {"actorgraph"}
    providers = packages_distributions()
    for folder, declared in (("src", runtime), ("tests", test)):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in sys.stdlib_module_names or top in local:
                        continue
                    distributions = {d.lower().replace("_", "-") for d in providers.get(top, [top])}
                    assert distributions & declared, f"{path.relative_to(ROOT)} imports {top}, which no declared " \
                                                     f"dependency provides ({', '.join(sorted(distributions))})"
