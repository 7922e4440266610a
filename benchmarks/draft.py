"""How good and how fast `actorgraph draft` is.

Quality: the draft of the second test article (tests/fixtures/second-source/article.txt), made against the
shipped graph, scored against its answer key (answer-key.sheet.yaml, what a careful reader records):
precision and recall for mentions of entities already in the graph, candidate new entities,
relationships, statuses, asserting parties, dates and figures. Then the first source against its
statements in graph/, written by hand before the drafter existed.

Speed: a 1,000-sentence text (the article's sentences over and over), drafted in this process, beside spaCy's
blank English pipeline with its sentencizer alone over the same text (the floor of any draft), and the whole
`actorgraph draft` command in a fresh process on a copy of the graph holding that text.

    python benchmarks/draft.py            # --sentences 1000 --runs 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "second-source"
sys.path.insert(0, str(ROOT / "src"))

from actorgraph.coverage import is_heading  # noqa: E402
from actorgraph.draft import Draft, Drafter  # noqa: E402
from actorgraph.kg import load  # noqa: E402


def ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def score(predicted: Counter, gold: Counter) -> tuple[int, int, int]:
    """(matched, predicted, gold) for two multisets."""
    return sum((predicted & gold).values()), sum(predicted.values()), sum(gold.values())


def entity_map(draft: Draft, key: dict) -> dict[str, str]:
    """Each proposed new entity's key -> the answer key's entity it names (a shared mention span)."""
    gold = {e["key"]: [tuple(m) for m in e.get("mentions") or []] for e in key["entities"]}
    mapping = {}
    for entity in draft.entities:
        for gold_key, spans in gold.items():
            if any(s < ge and gs < e for s, e in entity.mentions for gs, ge in spans):
                mapping[entity.key] = gold_key
                break
    return mapping


def quality(draft: Draft, key: dict) -> list[tuple[str, tuple[int, int, int], str]]:
    """Rows of (what, (matched, predicted, gold), how it is counted)."""
    rows = []
    gold_mentions = Counter({(m["span"][0], m["span"][1], m["id"]) for item in key["claims"] + key["figures"]
                             for m in item.get("mentions") or []})
    found = Counter({(m.start, m.end, m.ref) for m in draft.mentions if m.iri})
    rows.append(("mentions of entities in the graph", score(found, gold_mentions), "same span and same id"))

    mapping = entity_map(draft, key)
    matched_gold = set(mapping.values())
    rows.append(("new entities", (len(mapping), len(draft.entities), len(key["entities"])),
                 "a proposed entity shares a mention with the key's"))
    types = {e["key"]: e["type"] for e in key["entities"]}
    same_type = sum(1 for e in draft.entities if e.key in mapping and types[mapping[e.key]] == e.type)
    rows.append(("  of which the proposed class is the key's", (same_type, len(mapping), len(mapping)), ""))
    del matched_gold

    def ref(name: str | None) -> str | None:
        return mapping.get(name, name) if name else None

    claims = [c for c in draft.claims if c.relationship]
    rows.append(("relationships (sentence, type)",
                 score(Counter((c.sentence, c.relationship) for c in claims),
                       Counter((c["sentence"], c["relationship"]) for c in key["claims"])),
                 "a claim of that type in that sentence"))
    rows.append(("claims (sentence, subject, type, object)",
                 score(Counter((c.sentence, ref(c.subject), c.relationship, ref(c.object)) for c in claims),
                       Counter((c["sentence"], c["subject"], c["relationship"], c["object"]) for c in key["claims"])),
                 "the whole triple"))
    rows.append(("statuses (sentence, status)",
                 score(Counter({(c.sentence, c.status) for c in draft.claims}),
                       Counter({(c["sentence"], c["status"]) for c in key["claims"]})),
                 "each status once per sentence"))
    rows.append(("asserting parties (sentence, party)",
                 score(Counter({(c.sentence, ref(c.asserted_by)) for c in draft.claims + draft.figures}),
                       Counter({(c["sentence"], c["asserted_by"]) for c in key["claims"] + key["figures"]})),
                 "each party once per sentence"))

    def dates_of(items, attr):
        out = set()
        for item in items:
            for role, value in (attr(item) or {}).items():
                if isinstance(value, dict):
                    out.add((item["sentence"], role, str(value["value"]), bool(value.get("inferred"))))
                else:
                    out.add((item.sentence, role, value.value, value.inferred))
        return Counter(out)

    gold_dates = dates_of(key["claims"] + key["figures"], lambda c: c.get("dates"))
    found_dates = dates_of(draft.claims + draft.figures, lambda c: c.dates)
    rows.append(("dates (sentence, role, value, inferred)", score(found_dates, gold_dates),
                 "each date once per sentence"))
    rows.append(("figures (sentence, value, approximation)",
                 score(Counter((f.sentence, int(f.value), f.approximation) for f in draft.figures),
                       Counter((f["sentence"], int(f["value"]), f["approximation"]) for f in key["figures"])),
                 ""))
    return rows


def first_article(kg, drafter: Drafter) -> None:
    """The first source against its statements in graph/, written by hand before the drafter existed: a
    check on cue phrases tuned while writing the second article. Every entity it names is in the graph, so
    this measures the claims, not the names."""
    from actorgraph.coverage import split_sentences
    from actorgraph.draft import source_text

    doc = source_text(kg, "el-salvador-offers-to-jail-us-deportees")
    sentences = split_sentences(doc.text)[0]

    def sentence_of(quote: str) -> int | None:
        at = doc.text.find(quote)
        return next((n for n, s in enumerate(sentences, 1) if s.start <= at < s.end), None) if at >= 0 else None

    rows = [r for r in kg.named("statements", source=doc.iri) if not r["predicate"].endswith("#describes")]
    gold = [(sentence_of(r["quote"]), r) for r in rows]
    gold = [(n, r) for n, r in gold if n is not None]
    local = {r["asserted_by"]: "reporting" for _, r in gold if r["asserted_by"].endswith("/article-reporting")}

    def ref(iri: str) -> str:
        return local.get(iri, iri.rsplit("/", 1)[-1])

    draft = drafter.draft(doc.text, published=doc.published, source_id=doc.id, text_file=doc.text_file)
    claims = [c for c in draft.claims if c.relationship]
    table = [
        ("relationships (sentence, type)", score(Counter((c.sentence, c.relationship) for c in claims),
                                                 Counter((n, r["relationship"]) for n, r in gold))),
        ("claims (sentence, subject, type, object)",
         score(Counter((c.sentence, c.subject, c.relationship, c.object) for c in claims),
               Counter((n, ref(r["subject"]), r["relationship"], ref(r["object"])) for n, r in gold))),
        ("statuses (sentence, status)", score(Counter({(c.sentence, c.status) for c in draft.claims}),
                                              Counter({(n, r["status_label"]) for n, r in gold}))),
        ("asserting parties (sentence, party)",
         score(Counter({(c.sentence, c.asserted_by) for c in draft.claims}),
               Counter({(n, ref(r["asserted_by"])) for n, r in gold}))),
        ("dates (sentence, value)",
         score(Counter({(c.sentence, d.value) for c in draft.claims for d in c.dates.values()}),
               Counter({(n, str(r[k])) for n, r in gold for k in ("date", "start", "end") if r.get(k)}))),
    ]
    print(f"\nDraft of the first source ({doc.text_file}, {len(sentences)} sentences) against its "
          f"{len(gold)} statements in graph/\n")
    print(f"{'':44}{'precision':>10}{'recall':>8}   matched / proposed / in graph/")
    for what, (hits, proposed, total) in table:
        p, r = ratio(hits, proposed), ratio(hits, total)
        shown = (f"{p:10.2f}" if p is not None else f"{'-':>10}") + (f"{r:8.2f}" if r is not None else f"{'-':>8}")
        print(f"{what:44}{shown}   {hits:4} / {proposed:4} / {total:4}")


def long_text(sentences: int) -> str:
    article = (FIXTURE / "article.txt").read_text(encoding="utf-8")
    lines = [line for line in article.splitlines() if line.strip()]
    per_copy = 21
    copies = -(-sentences // per_copy)
    return "\n".join(lines * copies) + "\n"


def graph_with(text: str, where: Path) -> Path:
    """A copy of the shipped graph with ``text`` stored as one more source document."""
    graph = where / "graph"
    shutil.copytree(ROOT / "graph", graph)
    (graph / "sources" / "long.txt").write_text(text, encoding="utf-8")
    with (graph / "sources.ttl").open("a", encoding="utf-8") as out:
        out.write('\nagid:doc-long a ag:SourceDocument ; rdfs:label "A long text" ; ag:textFile "sources/long.txt" ;\n'
                  '    ag:publicationDate [ a ag:DateValue ; ag:dateValue "2025-03-17"^^xsd:date ; '
                  "ag:precision time:unitDay ; ag:inferred false ] .\n")
    return graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    kg = load()
    drafter = Drafter(kg)
    built = time.perf_counter() - started

    article = (FIXTURE / "article.txt").read_text(encoding="utf-8")
    key = yaml.safe_load((FIXTURE / "answer-key.sheet.yaml").read_text(encoding="utf-8"))
    draft = drafter.draft(article, published=_published(key), source_id="doc-article",
                          text_file="sources/article.txt")
    print("Draft of tests/fixtures/second-source/article.txt against its answer key\n")
    print(f"{'':44}{'precision':>10}{'recall':>8}   matched / proposed / in the key")
    for what, (hits, proposed, gold), how in quality(draft, key):
        p, r = ratio(hits, proposed), ratio(hits, gold)
        shown = (f"{p:10.2f}" if p is not None else f"{'-':>10}") + (f"{r:8.2f}" if r is not None else f"{'-':>8}")
        print(f"{what:44}{shown}   {hits:4} / {proposed:4} / {gold:4}   {how}")

    first_article(kg, drafter)

    text = long_text(args.sentences)
    import spacy

    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    # The same lines the draft reads: a heading (a line without final punctuation) is not a sentence.
    lines = [line for line in text.splitlines() if line.strip() and not is_heading(line)]
    drafts, pipes, commands = [], [], []
    for _ in range(args.runs):
        drafts.append(timed(lambda: drafter.draft(text, published=_published(key), source_id="doc-long",
                                                  text_file="sources/long.txt")))
        pipes.append(timed(lambda: sum(len(list(doc.sents)) for doc in blank.pipe(lines))))
    result = drafter.draft(text, published=_published(key), source_id="doc-long", text_file="sources/long.txt")
    sentences = sum(len(list(doc.sents)) for doc in blank.pipe(lines))
    with tempfile.TemporaryDirectory() as tmp:
        graph = graph_with(text, Path(tmp))
        command = [sys.executable, "-m", "actorgraph", "--graph-dir", str(graph), "draft", "long",
                   "-o", str(Path(tmp) / "long.sheet.yaml"), "--force"]
        for _ in range(args.runs):
            commands.append(timed(lambda: subprocess.run(command, check=True, capture_output=True), children=True))
    print(f"\nSpeed on a {len(result.sentences)}-sentence text ({len(text):,} characters; spaCy's sentencizer finds "
          f"{sentences}), median of {args.runs} runs; wall clock, and CPU time (the cores are shared)\n")
    p_wall, p_cpu = median(pipes)
    rows = [("spaCy blank pipeline + sentencizer alone", median(pipes)),
            ("draft, in this process (matchers built once)", median(drafts)),
            ("actorgraph draft, whole command in a new process", median(commands))]
    print(f"{'':52}{'wall':>8}{'CPU':>9}   CPU / blank pipeline's CPU")
    for what, (wall, cpu) in rows:
        print(f"{what:52}{wall:7.2f}s{cpu:8.2f}s   {cpu / p_cpu:6.1f}x")
    print(f"{'building the matchers (graph loaded, spaCy imported)':52}{built:7.2f}s")
    import os

    print(f"target for the whole command: under 5 s; load average during the run: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"\nproposed for the long text: {len(result.entities)} new entities, {len(result.claims)} claims, "
          f"{len(result.figures)} figures")


def timed(run, children: bool = False) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``run()``; with ``children``, the CPU time of the processes it waited for."""
    import resource

    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    before, t0 = resource.getrusage(who), time.perf_counter()
    run()
    wall, after = time.perf_counter() - t0, resource.getrusage(who)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def median(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def _published(key: dict):
    from actorgraph.dates import parse_date

    return parse_date(str(key["source"]["published"]))


if __name__ == "__main__":
    main()
