"""Exact table output of each question command on the fixture world.

Each expectation was reviewed against tests/fixtures/world by hand, then pinned here. After a deliberate
change of output, `python tests/golden_tables.py` rewrites the expectations; review the diff.
"""

EXPECTED = {
    'actors': (
        ['actors'],
        """\
10 actor entities

  name                         type                    aliases
 ───────────────────────────────────────────────────────────────────────────────
  Ana Torres                   person                  President Torres; Torres
  Bo Lind                      person                  Minister Lind
  Carl Mott                    person                  Red
  Freedonia                    country
  Freedonian government        government body         Gobierno de Freedonia
  Harbor Gang                  criminal organisation
  Prison Monitor               NGO or monitor
  prosecutors                  court or prosecutor
  Sylvania                     country
  the report's own reporting   actor
""",
    ),
    'actors_type': (
        ['actors', '--type', 'organization'],
        """\
4 organization entities

  name                    type                    aliases
 ───────────────────────────────────────────────────────────────────────
  Freedonian government   government body         Gobierno de Freedonia
  Harbor Gang             criminal organisation
  Prison Monitor          NGO or monitor
  prosecutors             court or prosecutor
""",
    ),
    'show': (
        ['show', 'red'],
        """\
Carl Mott
  iri: https://w3id.org/actorgraph/id/carl-mott
  types: person
  aliases: Red
  roles:

Carl Mott → (outgoing: 4)

  to                      relationship      date              quote                                                                                     asserted by                  status
 ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  Sylvania                arrested in       2023-06 (month)   arrested in Sylvania in June 2023                                                         the report's own reporting   reported
  Harbor Gang             leader of                           Carl Mott, known as Red, leads the Harbor Gang.                                           the report's own reporting   reported
  Freedonian government   negotiated with   2021-03 (month)   Mott negotiated with the Freedonian government in March 2021, according to prosecutors.   prosecutors                  alleged
  Freedonian government   released by       2022 (year)       Red was released by the Freedonian government in 2022                                     the report's own reporting   reported

source: World report

→ Carl Mott (incoming: 0): none
""",
    ),
    'search': (
        ['search', 'torres'],
        """\
matches for 'torres'

  name                              matched                           score
 ───────────────────────────────────────────────────────────────────────────
  Ana Torres                        Torres                            100
  prosecutors                       prosecutors                       72
  Arrest of Carl Mott in Sylvania   Arrest of Carl Mott in Sylvania   65.5
  Carl Mott                         Red                               60
  Prison Monitor                    Prison Monitor                    60
""",
    ),
    'who_negotiated': (
        ['who-negotiated'],
        """\
who negotiated: 1 on the government side, 1 on the gang side

  side         name                    role   quote                                                                                     asserted by   status
 ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  government   Freedonian government          Mott negotiated with the Freedonian government in March 2021, according to prosecutors.   prosecutors   alleged
  gang         Carl Mott (Red)                Mott negotiated with the Freedonian government in March 2021, according to prosecutors.   prosecutors   alleged

source: World report
note: each party's other evidence is in --format json (key: evidence)
""",
    ),
    'sanctions': (
        ['sanctions'],
        """\
0 sanction listings: no results
""",
    ),
    'timeline': (
        ['timeline', '--actor', 'red', '--from', '2022-01', '--to', '2023'],
        """\
timeline: 2 dated statements

  date              what                                              quote                                                   asserted by                  status
 ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  2022 (year)       Carl Mott → released by → Freedonian government   Red was released by the Freedonian government in 2022   the report's own reporting   reported
  2023-06 (month)   Carl Mott → arrested in → Sylvania                arrested in Sylvania in June 2023                       the report's own reporting   reported

source: World report
""",
    ),
    'figures': (
        ['figures'],
        """\
2 figures

  describes            measure             figure         date   quote                                                             asserted by             status
 ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  Freedonian prisons   prison population   4,200 people          The government says they hold 4,200.                              Freedonian government   claimed
  Freedonian prisons   prison population   5,000 people          The prisons hold 5,000 people, according to the Prison Monitor.   Prison Monitor          reported

source: World report
note: sources give different values for prison population of Freedonian prisons: 4,200 (Freedonian government) vs 5,000 (Prison Monitor)
""",
    ),
    'claims': (
        ['claims', '--by', 'prosecutors'],
        """\
1 claims by prosecutors

  claim                                                 date              quote                                                                                     asserted by   status
 ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  Carl Mott → negotiated with → Freedonian government   2021-03 (month)   Mott negotiated with the Freedonian government in March 2021, according to prosecutors.   prosecutors   alleged

source: World report
""",
    ),
    'between': (
        ['between', 'Carl Mott', 'Ana Torres'],
        """\
between Carl Mott and Ana Torres

  kind     via      link                                                  quote                                                                                  asserted by                  status
 ──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  path 1   step 1   Carl Mott → negotiated with → Freedonian government   Mott negotiated with the Freedonian government in March 2021, according to             prosecutors                  alleged
                                                                          prosecutors.
  path 1   step 1   Carl Mott → released by → Freedonian government       Red was released by the Freedonian government in 2022                                  the report's own reporting   reported
  path 1   step 2   Ana Torres → heads → Freedonian government            Torres heads the Freedonian government.                                                the report's own reporting   reported

source: World report
note: 1 shortest path(s) of 2 step(s); direction shown as asserted
""",
    ),
    'query': (
        ['query', 'quotes', '--param', 'text=sylvania'],
        """\
Statements by quote text: 3 rows

  statement                          subject_label   relationship      object_label                       quote                               asserted_by_label            status_label   source_label
 ──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  https://w3id.org/actorgraph/id/s   Bo Lind         holds office in   Freedonian government              Minister Bo Lind of Sylvania        the report's own reporting   reported       World report
  t-lind-minister
  https://w3id.org/actorgraph/id/s   Carl Mott       arrested in       Sylvania                           arrested in Sylvania in June 2023   the report's own reporting   reported       World report
  t-mott-arrested
  https://w3id.org/actorgraph/id/s   Ana Torres      offered           Offer to house prisoners from      "It is an offer, not an             Bo Lind                      offered        World report
  t-torres-offered                                                     Sylvania                           agreement," said Minister Bo Lind
                                                                                                          of Sylvania on Tuesday.
""",
    ),
    'sparql': (
        ['sparql', 'SELECT ?name WHERE { ?p a ag:Person ; rdfs:label ?name } ORDER BY ?name'],
        """\
3 rows

  name
 ────────────
  Ana Torres
  Bo Lind
  Carl Mott
""",
    ),
}


def _rewrite() -> None:
    import os
    from pathlib import Path

    from click.testing import CliRunner

    from actorgraph.cli import cli

    here = Path(__file__)
    root = here.parent.parent
    os.environ["COLUMNS"] = "200"
    lines = here.read_text().split("EXPECTED = {")[0].splitlines() + ["EXPECTED = {"]
    for name, (args, _) in EXPECTED.items():
        graph = ["--graph-dir", str(root / "tests/fixtures/world"), "--ontology-dir", str(root / "ontology")]
        output = CliRunner().invoke(cli, [*graph, *args], catch_exceptions=False).output
        assert '"""' not in output and "\\" not in output
        lines += [f"    {name!r}: (", f"        {args!r},", '        """\\', output.rstrip("\n"), '""",', "    ),"]
    lines.append("}")
    rest = here.read_text().split("\n}\n", 1)[1]
    here.write_text("\n".join(lines) + "\n" + rest)


if __name__ == "__main__":
    _rewrite()
