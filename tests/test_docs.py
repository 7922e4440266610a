"""The documentation holds together: the README fits on a page, every page of docs/ can be reached from
it, every link and image points at something that exists, every command has its reference entry, every
module is in CONTRIBUTING.md's map, and the examples that the console replay (tests/test_readme.py)
does not run are checked here: Python sessions run as doctests, commands in ```sh blocks parse, the
export examples run in a scratch directory, and the endpoint example answers what its page shows.
"""

from __future__ import annotations

import doctest
import re
import shlex
import urllib.parse
import urllib.request
from pathlib import Path

import click
import pytest

from actorgraph.cli import cli
from readme_tour import README, ROOT, blocks, run

DOCS = ROOT / "docs"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
PAGES = [README, CONTRIBUTING, *sorted(DOCS.glob("*.md"))]
FENCE_RE = re.compile(r"^```(\S*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
LINK_RE = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
README_MAX_LINES = 250


def prose(text: str) -> str:
    """The page without its fenced blocks and inline code, where brackets are not links."""
    return re.sub(r"`[^`\n]*`", "", FENCE_RE.sub("", text))


def links(page: Path) -> list[str]:
    return LINK_RE.findall(prose(page.read_text(encoding="utf-8")))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE_RE.sub("", page.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def fences(page: Path, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE_RE.finditer(page.read_text(encoding="utf-8"))
            if m.group(1) not in skip]


# -- the pages hold together ------------------------------------------------------------------------


def test_the_readme_fits_on_a_page():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to docs/"


def test_every_docs_page_can_be_reached_from_the_readme():
    reached, todo = set(), [README]
    while todo:
        page = todo.pop()
        for target in links(page):
            path = (page.parent / target.split("#", 1)[0]).resolve()
            if path.suffix == ".md" and path.is_file() and path not in reached:
                reached.add(path)
                todo.append(path)
    unreached = [p.name for p in sorted(DOCS.glob("*.md")) if p.resolve() not in reached]
    assert not unreached, f"no link leads from README.md to: {unreached}"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_link_and_image_points_at_something(page):
    broken = []
    for target in links(page):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        path_part, _, anchor = target.partition("#")
        path = (page.parent / path_part).resolve() if path_part else page
        if not path.exists():
            broken.append(target)
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(target)
    assert not broken, f"{page.name}: links to nothing: {broken}"


def test_every_command_has_an_entry_in_the_reference():
    """Each command is in docs/commands.md; each subcommand there or on the page of its family
    (export formats: docs/exports.md)."""
    from actorgraph.cli import all_commands

    commands = all_commands()
    reference = (DOCS / "commands.md").read_text(encoding="utf-8")
    missing = [name for name in commands if f"actorgraph {name}" not in reference]
    assert not missing, f"commands missing from docs/commands.md: {missing}"
    family = reference + (DOCS / "exports.md").read_text(encoding="utf-8")
    for name, command in commands.items():
        for sub in getattr(command, "commands", {}):
            assert f"actorgraph {name} {sub}" in family or f"`{sub}`" in family, f"{name} {sub} is undocumented"


def test_every_module_is_in_the_contributing_map():
    text = CONTRIBUTING.read_text(encoding="utf-8")
    section = text.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE)
    package = ROOT / "src" / "actorgraph"
    modules = {str(p.relative_to(package)) for p in package.rglob("*.py")}
    assert modules - set(listed) == set(), f"modules missing from CONTRIBUTING.md: {sorted(modules - set(listed))}"
    for entry in listed:
        assert list(package.glob(entry.rstrip("/"))), f"CONTRIBUTING.md lists {entry}, which does not exist"
    assert len(listed) == len(set(listed))


# -- examples the console replay does not run --------------------------------------------------------


OPERATORS = {"&&", "||", ";", "|", "&"}
REDIRECTS = {">", ">>", "<", "2>", "2>&1"}


def invocations(page: Path) -> list[list[str]]:
    """Each `actorgraph ...` command in the page's blocks that are not replayed (```sh, ```text...):
    its words, without redirections, leading VAR=value assignments, or what follows a shell operator."""
    found = []
    for _, body in fences(page, skip=("console", "shell-session", "pycon", "python", "sparql", "turtle",
                                      "yaml", "ini", "json")):
        for line in body.replace("\\\n", " ").splitlines():
            if " [-" in line:
                continue  # a synopsis (`push --store URL [--update URL]`), not a command
            try:
                words = shlex.split(line.removeprefix("$ "), comments=True)
            except ValueError:
                continue  # not a command line (an output line with an odd quote)
            segments: list[list[str]] = [[]]
            skip_next = False
            for word in words:
                if skip_next:
                    skip_next = False
                elif word in OPERATORS:
                    segments.append([])
                elif word in REDIRECTS:
                    skip_next = True
                elif not word.startswith((">", "2>")):
                    segments[-1].append(word)
            for segment in segments:
                while segment and re.fullmatch(r"[A-Z_]+=.*", segment[0]):
                    segment.pop(0)
                if segment[:1] == ["actorgraph"]:
                    found.append(segment)
    return found


def check_words(words: list[str]) -> None:
    """The words name real commands and options, with no more arguments than the command takes."""
    command: click.Command = cli
    positional = 0
    at = 1
    while at < len(words):
        word = words[at]
        if word.startswith("-") and word != "-":
            name = word.split("=", 1)[0]
            options = {o: p for p in command.params if isinstance(p, click.Option) for o in p.opts + p.secondary_opts}
            options.update({o: None for o in ("-h", "--help")})
            assert name in options, f"{' '.join(words)}: {command.name} has no option {name}"
            param = options[name]
            if param is not None and not param.is_flag and "=" not in word:
                at += 1
        elif isinstance(command, click.Group):
            assert word in command.commands, f"{' '.join(words)}: no command {word!r}"
            command = command.commands[word]
        else:
            positional += 1
            arguments = [p for p in command.params if isinstance(p, click.Argument)]
            unlimited = any(p.nargs == -1 for p in arguments)
            assert unlimited or positional <= sum(p.nargs for p in arguments), \
                f"{' '.join(words)}: too many arguments for {command.name}"
        at += 1


SHOWN = [(page, words) for page in PAGES for words in invocations(page)]


@pytest.mark.parametrize("page, words", SHOWN, ids=[f"{p.name}: {' '.join(w)[:70]}" for p, w in SHOWN])
def test_commands_shown_without_output_parse(page, words):
    check_words(words)


def test_the_parser_of_shown_commands_can_fail():
    with pytest.raises(AssertionError):
        check_words(["actorgraph", "export", "html", "--no-such-option"])
    with pytest.raises(AssertionError):
        check_words(["actorgraph", "shwo", "Luna"])
    assert ["actorgraph", "validate"] in invocations(README)


EXPORTS = sorted({shlex.join(words) for _, words in SHOWN if words[1:2] == ["export"]
                  and (("-o" in words and words[words.index("-o") + 1] != "-") or "--check" in words)})


@pytest.mark.parametrize("command", EXPORTS)
def test_export_examples_run_in_a_scratch_directory(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    output = run(command, graph=ROOT / "graph")
    assert "error" not in output, output
    if "-o" in shlex.split(command):
        assert [p for p in tmp_path.rglob("*") if p.is_file()], f"{command} wrote nothing"


def test_export_examples_are_found():
    assert len(EXPORTS) >= 5 and any("--check" in c for c in EXPORTS)


SESSIONS = [(page, body) for page in PAGES for kind, body in fences(page) if kind == "pycon"]


@pytest.mark.parametrize("page", sorted({p for p, _ in SESSIONS}), ids=lambda p: p.name)
def test_python_sessions_run(page, monkeypatch):
    monkeypatch.chdir(ROOT)
    text = "\n".join(body for p, body in SESSIONS if p == page)
    test = doctest.DocTestParser().get_doctest(text, {}, page.name, str(page), 0)
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_python_sessions_are_found():
    assert any(p.name == "python.md" for p, _ in SESSIONS)


@pytest.mark.server
def test_the_endpoint_example_answers_what_its_page_shows():
    from servers import actorgraph_serve

    page = (DOCS / "endpoint.md").read_text(encoding="utf-8")
    section = page.split("## Asking it", 1)[1]
    curl = next(body for kind, body in FENCE_RE.findall(section) if kind == "sh")
    shown = next(body for kind, body in FENCE_RE.findall(section) if kind == "text")
    words = shlex.split(curl)
    accept = words[words.index("-H") + 1].split(": ", 1)[1]
    query = words[words.index("--data-urlencode") + 1].removeprefix("query=")
    with actorgraph_serve(ROOT / "graph", ROOT / "ontology", "--workers", "1") as (base, _):
        request = urllib.request.Request(base + "sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                                         headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = response.read().decode("utf-8")
    assert answer.replace("\r\n", "\n").strip() == shown.strip()


def test_the_broken_example_graph_has_what_its_page_says():
    """docs/validation.md shows validate on docs/examples/broken-world; the replay checks its output,
    and this checks that it is still a copy of the fixture world with the mistakes the page names."""
    world = ROOT / "tests" / "fixtures" / "world"
    broken = DOCS / "examples" / "broken-world"
    assert sorted(p.relative_to(broken) for p in broken.rglob("*") if p.is_file()) == \
        sorted(p.relative_to(world) for p in world.rglob("*") if p.is_file())
    report = (broken / "world-report.ttl").read_text(encoding="utf-8")
    for mistake in ('"Minister Bo Lind of Freedonia"', '"2021-13"^^xsd:gYearMonth', "ag:inEvent agid:arrest-of-blue"):
        assert mistake in report
    assert "agid:carl-mott ag:leaderOf agid:harbor-gang ." not in report
    page = (DOCS / "validation.md").read_text(encoding="utf-8")
    assert "four\nmistakes" in page or "four mistakes" in page
    [(_, pairs)] = [b for b in blocks(page) if "broken-world" in b[0]]
    [(_, output)] = pairs
    assert output.endswith("actorgraph: error: 5 violation(s)")
