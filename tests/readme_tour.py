"""The README's command tour is real output. This module finds each ```console block in README.md,
runs every `$ actorgraph ...` line in it on the shipped graph, and compares (or, run as a script,
rewrites) the output beneath it.

    python tests/readme_tour.py      # rewrite the tour's output after the graph or the CLI changed
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK_RE = re.compile(r"```console\n(.*?)```", re.DOTALL)
WIDTH = "110"


def run(command: str, graph: Path | None = None) -> str:
    """Output of one `actorgraph ...` command line, as a person would see it (stdout then stderr); on
    ``graph`` instead of graph/ when given."""
    from click.testing import CliRunner

    from actorgraph.cli import cli

    args = shlex.split(command)
    assert args[0] == "actorgraph", command
    env = {"COLUMNS": WIDTH, "ACTORGRAPH_GRAPH_DIR": str(graph) if graph else None}
    result = CliRunner(env=env).invoke(cli, args[1:], catch_exceptions=False)
    return result.output


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


def rewrite() -> None:
    text = README.read_text()
    for raw, pairs in blocks(text):
        body = "".join(f"$ {cmd}\n{run(cmd).rstrip()}\n" for cmd, _ in pairs)
        text = text.replace(raw, f"```console\n{body}```", 1)
    README.write_text(text)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT / "tests"))
    rewrite()
    print(f"rewrote the console blocks of {README}")
