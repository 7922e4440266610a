"""The documentation's examples are real output. This module finds each ```console block in README.md
and in every page of docs/, runs every `$ actorgraph ...` line in it on the shipped graph, and compares
(or, run as a script, rewrites) the output beneath it.

    python tests/readme_tour.py      # rewrite every recorded output after the graph or the CLI changed

Fences and what happens to them:

- ```console: each `$ actorgraph ...` line is run from the project's root, on graph/, in a terminal 110
  columns wide, and the lines below it up to the next `$ ` are its output. A command may end in
  `| head -n N`: then only the first N lines of its standard output are kept, as a shell would.
- ```shell-session (docs/adding-sources.md): the same, but run in order on a scratch copy of the project,
  because those commands change the graph (tests/test_adding_sources_doc.py).
- ```sh, ```text and the rest are not replayed: commands whose output depends on the machine, on time
  or on another server. tests/test_docs.py checks that each `actorgraph` line in them parses.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
BLOCK_RE = re.compile(r"```console\n(.*?)```", re.DOTALL)
WIDTH = "110"


def pages() -> list[Path]:
    """Every page whose console blocks are replayed: README.md, then docs/*.md."""
    return [README, *sorted(DOCS.glob("*.md"))]


def split_pipe(command: str) -> tuple[list[str], int | None]:
    """The command's words, and N when it ends in `| head -n N` (the only pipe the pages use)."""
    words = shlex.split(command)
    if "|" not in words:
        return words, None
    at = words.index("|")
    tail = words[at + 1:]
    assert len(tail) == 3 and tail[:2] == ["head", "-n"] and tail[2].isdigit(), \
        f"only `| head -n N` may follow a command: {command}"
    return words[:at], int(tail[2])


def run(command: str, graph: Path | None = None) -> str:
    """Output of one `actorgraph ...` command line, as a person would see it (stdout then stderr); on
    ``graph`` instead of graph/ when given."""
    from click.testing import CliRunner

    from actorgraph.cli import cli

    args, head = split_pipe(command)
    assert args[0] == "actorgraph", command
    env = {"COLUMNS": WIDTH, "ACTORGRAPH_GRAPH_DIR": str(graph) if graph else None}
    result = CliRunner(env=env).invoke(cli, args[1:], catch_exceptions=False)
    if head is None:
        return result.output
    kept = "".join(result.stdout.splitlines(keepends=True)[:head])
    return kept + result.stderr


def blocks(text: str, fence: str = "console") -> list[tuple[str, list[tuple[str, str]]]]:
    """Each ```console block (or another ``fence``): its raw text and its (command, recorded output) pairs."""
    found = []
    pattern = BLOCK_RE if fence == "console" else re.compile(rf"```{re.escape(fence)}\n(.*?)```", re.DOTALL)
    for match in pattern.finditer(text):
        pairs: list[tuple[str, list[str]]] = []
        for line in match.group(1).splitlines():
            if line.startswith("$ "):
                pairs.append((line[2:], []))
            elif pairs:
                pairs[-1][1].append(line)
        found.append((match.group(0), [(cmd, "\n".join(out).rstrip("\n")) for cmd, out in pairs]))
    return found


def rewrite(page: Path) -> None:
    """Run the console blocks of ``page`` and write their output back into it."""
    text = page.read_text(encoding="utf-8")
    for raw, pairs in blocks(text):
        body = "".join(f"$ {cmd}\n{run(cmd).rstrip()}\n" for cmd, _ in pairs)
        text = text.replace(raw, f"```console\n{body}```", 1)
    page.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT / "tests"))
    for page in pages():
        rewrite(page)
        print(f"rewrote the console blocks of {page.relative_to(ROOT)}")
    import test_adding_sources_doc

    test_adding_sources_doc.rewrite()
    print(f"rewrote the walkthrough of {test_adding_sources_doc.DOC.relative_to(ROOT)} on a scratch copy")
