"""How long the probable-duplicate check (`validate`, `add`) takes as the graph grows, and what looking
only at names that share a word saves against scoring every pair of names.

Entities are synthetic: names of one to four words drawn from a vocabulary of 3,000 random words, so
that some names share words and a few are near-duplicates. Both ways run on the same entities in one
run; the pairs they find are compared (they must be the same here).

Usage: python benchmarks/duplicates.py [--sizes 1000 5000 10000]
"""

from __future__ import annotations

import argparse
import random
import string
import time


def entities(count: int, seed: int = 7) -> list:
    from actorgraph.duplicates import Named

    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
                  for _ in range(3000)]
    return [Named(f"urn:e{i}", (" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 4))).title(),),
                  frozenset({"urn:Person"})) for i in range(count)]


def main() -> None:
    import actorgraph.duplicates as duplicates

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    sizes = parser.parse_args().sizes
    blocked = duplicates._worth_comparing

    def every_pair(queries, names):
        return ((query, [name for name in names if name != query]) for query in queries)

    print(f"{'entities':>9}  {'shared words':>12}  {'every pair':>10}  ratio  same pairs")
    for size in sizes:
        world = entities(size)
        timings, found = [], []
        for way in (blocked, every_pair):
            duplicates._worth_comparing = way
            start = time.perf_counter()
            found.append(duplicates.find_duplicates(world, lambda cls: {cls}))
            timings.append(time.perf_counter() - start)
        duplicates._worth_comparing = blocked
        print(f"{size:>9,}  {timings[0]:>10.2f} s  {timings[1]:>8.2f} s  {timings[1] / timings[0]:>4.1f}x  "
              f"{'yes' if found[0] == found[1] else 'NO'} ({len(found[0])})")


if __name__ == "__main__":
    main()
