"""Rendering long tables: the terminal table against CSV, at growing numbers of rows.

Three synthetic tables, each rendered as a terminal table (``output.render(table, "table")``) and as
CSV (``output.render(table, "csv")``), alternately, in one process so that machine load hits both alike:

  - centrality-like: rank, name, type and four numbers per row (short cells: a table that fits, each
    cell on one line);
  - quotes-like: a date, a quote of 20 to 40 words and a status (a table whose quotes wrap inside their
    column, over two to four lines);
  - claims-like: a date, what is claimed (5 to 14 words), its quote (15 to 30 words) and a status (a
    table in which two columns wrap, each over its own number of lines);
  - timeline-like: a date, a claim, a quote of 20 to 40 words, who asserts it, a status and a source
    (too many long cells for the width: printed as one block of ``column: value`` lines per row, with
    the quotes wrapped under their label).

For each size it prints the median times, the table / CSV ratio and the time per row (which stays flat
when rendering is linear in the rows). Each time is that of enough renderings in a row to cover at
least 20,000 rows (20 of a table of 1,000), divided by their number: a rendering of a few milliseconds,
timed alone, varies with the machine's other work more than the layout does. The ratio is the median
of the runs' ratios: each run times the table and its CSV one right after the other, so that a slow
spell of the machine slows both.

With ``--compare FILE`` (another version of ``output.py``, such as ``git show main:src/actorgraph/output.py
> /tmp/output_main.py``), that version's terminal table is timed too, in the same alternation, and its
ratio to CSV printed beside.

Usage: python benchmarks/render.py [--sizes 1000,10000,100000] [--runs 5] [--width 120] [--compare FILE]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

ROWS_TIMED = 20_000  # at least this many rows rendered for each time taken

WORDS = ("the", "government", "negotiated", "with", "leaders", "prison", "minister", "said", "agreed",
         "Élmer", "Canales", "Rivera", "sanctioned", "“point", "of", "honor”", "2021", "transfer", "MS-13")


def centrality_table(rows: int, rng: random.Random):
    from actorgraph.output import Table

    data = [{"rank": i + 1, "name": f"Person {rng.randrange(10 * rows)}",
             "type": rng.choice(("person", "organisation")),
             "degree": rng.randrange(1, 300), "neighbours": rng.randrange(1, 200),
             "betweenness": round(rng.random() / 50, 6), "pagerank": round(rng.random() / 500, 6),
             "iri": f"https://w3id.org/actorgraph/id/actor-{i}"} for i in range(rows)]
    return Table(["rank", "name", "type", "degree", "neighbours", "betweenness", "pagerank"], data,
                 title="Centrality, ranked by pagerank")


def timeline_table(rows: int, rng: random.Random):
    from actorgraph.output import Table

    def words(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    data = [{"date": f"{2000 + i % 25}-{1 + i % 12:02d} (month)", "what": words(6),
             "quote": words(rng.randrange(20, 40)), "asserted by": words(2),
             "status": rng.choice(("reported", "alleged", "claimed")), "source": f"Report {i % 10}"}
            for i in range(rows)]
    return Table(["date", "what", "quote", "asserted by", "status", "source"], data, title="timeline")


def quotes_table(rows: int, rng: random.Random):
    from actorgraph.output import Table

    data = [{"date": f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}",
             "quote": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(20, 40))),
             "status": rng.choice(("reported", "alleged", "claimed"))} for i in range(rows)]
    return Table(["date", "quote", "status"], data, title="quotes")


def claims_table(rows: int, rng: random.Random):
    from actorgraph.output import Table

    def words(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    data = [{"date": f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}", "claim": words(rng.randrange(5, 14)),
             "quote": words(rng.randrange(15, 30)), "status": rng.choice(("reported", "alleged", "claimed"))}
            for i in range(rows)]
    return Table(["date", "claim", "quote", "status"], data, title="claims")


def ratio(times: list[float], csv_times: list[float]) -> float:
    """The median of the runs' ratios of ``times`` to the CSV's."""
    return statistics.median(mine / theirs for mine, theirs in zip(times, csv_times, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--compare", type=Path, help="another output.py, timed beside this one")
    args = parser.parse_args()
    os.environ["COLUMNS"] = str(args.width)

    from actorgraph.output import render

    renderers = {"table": lambda table: render(table, "table"), "csv": lambda table: render(table, "csv")}
    if args.compare:
        import importlib.util

        spec = importlib.util.spec_from_file_location("compared_output", args.compare)
        other = importlib.util.module_from_spec(spec)
        sys.modules["compared_output"] = other  # (dataclasses looks its module up)
        spec.loader.exec_module(other)
        renderers["compared"] = lambda table: other.render(other.Table(table.columns, table.rows, table.title,
                                                                       table.notes), "table")

    rng = random.Random(7)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"rendering, median of {args.runs} alternating runs, width {args.width}, Python "
          f"{sys.version.split()[0]}")
    compared = f" {'compared':>10} {'ratio':>7}" if args.compare else ""
    print(f"{'table':12} {'rows':>8} {'terminal':>10} {'csv':>10} {'ratio':>7} {'µs/row':>8}{compared}")
    for kind, build in (("centrality", centrality_table), ("quotes", quotes_table), ("claims", claims_table),
                        ("timeline", timeline_table)):
        for size in sizes:
            table = build(size, rng)
            if size == sizes[0]:
                shown = render(table, "table")
                layout = "blocks" if "─" not in shown else "table, wrapped" if "\n   " in shown else "table"
                print(f"{kind}: {layout} at width {args.width}")
            if args.compare and other.render(other.Table(table.columns, table.rows, table.title, table.notes),
                                             "table") != render(table, "table"):
                print(f"{kind}: the compared version renders this table differently")
            times: dict[str, list[float]] = {name: [] for name in renderers}
            repeat = -(-ROWS_TIMED // size)
            for run in range(args.runs):
                for name in renderers if run % 2 == 0 else reversed(renderers):
                    start = time.perf_counter()
                    for _ in range(repeat):
                        renderers[name](table)
                    times[name].append((time.perf_counter() - start) / repeat)
            text, csv = statistics.median(times["table"]), statistics.median(times["csv"])
            line = (f"{kind:12} {size:8,} {text:9.3f}s {csv:9.3f}s {ratio(times['table'], times['csv']):6.2f}x "
                    f"{text / size * 1e6:8.1f}")
            if args.compare:
                theirs = statistics.median(times["compared"])
                line += f" {theirs:9.3f}s {ratio(times['compared'], times['csv']):6.2f}x"
            print(line, flush=True)


if __name__ == "__main__":
    main()
