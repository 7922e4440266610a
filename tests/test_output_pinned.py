"""The terminal rendering of tables, pinned byte for byte.

Each case below is rendered and compared with the text recorded in tests/fixtures/output-pinned.json:
tables that fit, tables whose cells wrap, tables printed as one block per row (too wide a short column,
too narrow a terminal, rows too tall), wide and accented characters and combining marks, terminal
control characters in cells, headers, titles and notes, empty tables and documents, plus a few hundred
random small tables at random widths (those pinned by a SHA-256 digest of their text, to keep the
file small). The layout code is tuned for speed with many shortcuts; this
keeps every shortcut honest. After a deliberate change of layout, `python tests/test_output_pinned.py`
rewrites the expectations; review the diff.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path

import pytest

from actorgraph import output
from actorgraph.output import Document, Table, render

PINNED = Path(__file__).parent / "fixtures" / "output-pinned.json"

# Letters of every kind the layout treats differently: ASCII, accented and typographic, wide (two
# cells), combining marks (none), spaces and hyphens, layout whitespace, and characters a terminal acts on.
_PIECES = ["a", "b", "word", "Élmer", "Canales", "“point", "honor”", "MS-13", "déjà-vu", "e\u0301", "東京",
           "한국", "🙂", " ", " ", "  ", "   ", "-", "\t", "\n", "\r", "\x0b", "\x0c", "\x1b[31m", "\x9b",
           "\u202e", "\u2066", "\x7f", "\x00", "x" * 25, "\u00a0", "\u3000", "ab\u200bcd"]


def _text(rng: random.Random, most: int) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randrange(0, most)))


def _random_value(rng: random.Random):
    kind = rng.random()
    if kind < 0.08:
        return None
    if kind < 0.14:
        return rng.randrange(-5, 100000)
    if kind < 0.2:
        return rng.choice([0.0, 0.5, 1 / 3, 12.34567, 2e-5, -7.25, 1e12])
    if kind < 0.24:
        return rng.random() < 0.5
    if kind < 0.28:
        return [_text(rng, 4) for _ in range(rng.randrange(0, 3))]
    if kind < 0.55:
        return " ".join(rng.choice(["the", "minister", "said", "Élmer", "東京", "MS-13", "x" * 12])
                        for _ in range(rng.randrange(1, 40)))
    return _text(rng, 14) if rng.random() < 0.9 else "y" * 60


def _random_table(rng: random.Random) -> Table:
    names = ["name", "quote", "status", "when", "asserted by", "source", "score", "what", "a\x1bb", "東京",
             "step", "kind"]
    columns = rng.sample(names, rng.randrange(1, 6))
    constant = rng.random() < 0.2
    rows = []
    for _ in range(rng.randrange(0, 7)):
        row = {column: _random_value(rng) for column in columns if rng.random() < 0.9}
        if constant and "source" in columns:
            row["source"] = "Report Ü"
        rows.append(row)
    title = rng.choice([None, "", "a title", "a title\x1b[2J with escapes\nand a newline", _text(rng, 10)])
    notes = [_text(rng, 8) for _ in range(rng.randrange(0, 3))]
    return Table(columns, rows, title, notes)


_WORDS = ("the", "government", "negotiated", "with", "leaders", "prison", "Élmer", "“point", "honor”", "MS-13",
          "東京", "x" * 30)


def _plain_table(rng: random.Random) -> Table:
    """A table of plain text (ASCII and accented letters, runs of spaces, empty and blank values, now and
    then a word longer than a column), the kind most answers are."""
    words = ["a", "of", "said", "government", "Élmer", "“point", "MS-13", "x" * 18, "y" * 45]

    def value():
        kind = rng.random()
        if kind < 0.08:
            return rng.choice(["", "   ", None, rng.randrange(1000), 0.25])
        text = " ".join(rng.choice(words[:-1] if rng.random() < 0.9 else words) for _ in range(rng.randrange(1, 25)))
        if rng.random() < 0.1:
            text = text.replace(" ", "   ", 2)
        if rng.random() < 0.05:
            text = " " + text
        if rng.random() < 0.1:
            text += "  "
        return text if rng.random() < 0.5 else text[: rng.randrange(1, 30)]

    columns = rng.sample(["name", "quote", "status", "when", "what", "role", "score", "source"], rng.randrange(1, 6))
    rows = [{column: value() for column in columns} for _ in range(rng.randrange(1, 10))]
    return Table(columns, rows, rng.choice([None, "plain"]))


def _long_table(rows: int, seed: int, words: tuple[str, ...] = _WORDS) -> Table:
    rng = random.Random(seed)
    return Table(["date", "what", "quote", "asserted by", "status", "source"],
                 [{"date": f"{2000 + i % 25}-{1 + i % 12:02d}", "what": " ".join(rng.choices(words, k=5)),
                   "quote": " ".join(rng.choices(words, k=rng.randrange(5, 40))), "asserted by": "the minister",
                   "status": rng.choice(("reported", "alleged")), "source": f"Report {i % 3}"}
                  for i in range(rows)], title="timeline")


def cases() -> dict[str, tuple[int, Table | Document]]:
    """Each case by name: the terminal width, and what is rendered."""
    people = [{"name": "Ana Torres", "type": "person", "degree": 3, "pagerank": 0.123456789, "alive": True,
               "aliases": ["President Torres", "Torres"]},
              {"name": "Bo Lind", "type": "person", "degree": 12, "pagerank": 2e-5, "alive": False, "aliases": []},
              {"name": "Carl Mott", "type": None, "degree": 0, "pagerank": 1.0}]
    columns = ["name", "type", "degree", "pagerank", "alive", "aliases"]
    unicode_rows = [{"name": "Élmer Canales Rivera", "quote": "un “punto de honor”", "n": 1},
                    {"name": "東京都庁", "quote": "大きな 建物", "n": 22},
                    {"name": "Jose\u0301 Mari\u0301a", "quote": "combining marks take no cell", "n": 333},
                    {"name": "🙂 emoji", "quote": "wide too", "n": 4444}]
    controls = [{"na\x1bme": "Evil\x1b[31mRed\x1b[0m", "quote": "line one\nline two\ttabbed\rover",
                 "status": "rep\u202eorted", "source": "OSC\x1b]52;c;aGk=\x07 clip"},
                {"na\x1bme": "C1\x9b2J and DEL\x7f", "quote": "vertical\x0btab and form\x0cfeed and NUL\x00",
                 "status": "ok", "source": "iso\u2066late\u2069"}]
    quote = "Mott negotiated with the Freedonian government in March 2021, according to prosecutors. " * 2
    long_rows = [{"when": f"2021-0{i + 1}", "quote": quote[: 40 + 30 * i], "asserted by": "prosecutors",
                  "status": "alleged", "source": "World report"} for i in range(4)]
    evil = Table(["na\x1bme", "quote"], controls, title="ti\x1b]0;tle\x07", notes=["no\x1b[1mte", "second\nnote"])
    document = Document("Carl Mott\x1b[2J", {"iri": "https://w3id.org/actorgraph/id/carl-mott", "types": ["person"],
                                            "aliases": ["Red"], "score": 0.5, "missing": None},
                        {"out": Table(["to", "relationship", "quote", "source"],
                                      [{"to": "Sylvania", "relationship": "arrested in", "quote": quote,
                                        "source": "World report"}], title="Carl Mott → (outgoing: 1)",
                                      notes=["a note"]),
                         "in": Table(["from", "relationship"], [], title="→ Carl Mott (incoming: 0)"),
                         "ids": Table(["id", "source"], [{"id": "Q1", "source": "Wikidata"},
                                                         {"id": "Q2", "source": "OFAC"}], title="ids")},
                        notes=["sources disagree"])
    out: dict[str, tuple[int, Table | Document]] = {
        "fits": (120, Table(columns, people, title="3 people", notes=["betweenness was sampled"])),
        "fits_no_title": (120, Table(["name", "type"], people)),
        "fits_unicode": (120, Table(["name", "quote", "n"], unicode_rows, title="Ünïcode")),
        "fits_constant_source": (120, Table(["name", "source"], [{"name": "a", "source": "S"},
                                                                  {"name": "b", "source": "S"}], notes=["n"])),
        "wraps_in_table": (80, Table(["when", "quote", "asserted by", "status", "source"], long_rows,
                                     title="quotes that wrap")),
        "wraps_unicode": (40, Table(["name", "quote", "n"], unicode_rows * 2)),
        "blocks_narrow": (30, Table(["when", "quote", "asserted by", "status", "source"], long_rows)),
        "blocks_short_column_too_wide": (60, Table(["status", "quote"], [{"status": "s" * 70, "quote": "q"}])),
        "blocks_tall_rows": (60, Table(["a", "b", "c"], [{"a": " ".join(f"w{i}" for i in range(200))} | {
            "b": "x " * 100, "c": "y" * 300}])),
        "blocks_unicode": (24, Table(["name", "quote", "status"], [
            {**row, "status": "reported" * 4} for row in unicode_rows], title="blocks")),
        "controls_fit": (200, evil),
        "controls_wrap": (50, evil),
        "controls_blocks": (25, evil),
        "empty": (80, Table(["a", "b"], [])),
        "empty_titled": (80, Table(["a", "b"], [], title="Nothing\x1b[2J here", notes=["a note"])),
        "empty_row": (80, Table(["a", "b"], [{}], title="one empty row")),
        "empty_columns": (80, Table(["a", "b"], [{"a": "", "b": None}, {"a": None, "b": ""}])),
        "document": (100, document),
        "document_narrow": (30, document),
        "long_fits": (200, _long_table(100, 1)),
        "long_wraps": (120, _long_table(100, 2)),
        "long_blocks": (50, _long_table(100, 3)),
        "long_ascii_wraps": (120, _long_table(100, 4, _WORDS[:6])),
        "long_ascii_blocks": (50, _long_table(100, 5, _WORDS[:6])),
        "long_ranks_fit": (120, Table(["rank", "name", "score", "pagerank", "source"], [
            {"rank": i, "name": f"Person {i * 7919 % 1000}", "score": i % 3 == 0, "pagerank": 1 / (i + 1),
             "source": "S"} for i in range(100)], title="ranks")),
    }
    rng = random.Random(15)
    for i in range(400):
        out[f"random_{i:03d}"] = (rng.choice([1, 8, 20, 30, 45, 60, 80, 120, 200, 300]), _random_table(rng))
    for i in range(300):
        out[f"plain_{i:03d}"] = (rng.choice([30, 60, 80, 100, 120, 160, 200, 250, 300]), _plain_table(rng))
    return out


def _digested(name: str) -> bool:
    return name.startswith(("random_", "plain_"))


def _pinned_form(name: str, text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if _digested(name) else text


def _render(width: int, result: Table | Document) -> str:
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        return render(result, "table")
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


_CASES = cases()


@pytest.fixture(scope="module")
def pinned() -> dict[str, str]:
    return json.loads(PINNED.read_text(encoding="utf-8"))


def test_every_case_is_pinned(pinned):
    assert sorted(pinned) == sorted(_CASES)


@pytest.mark.parametrize("name", list(_CASES))
def test_rendered_as_pinned(name, pinned):
    width, result = _CASES[name]
    text = _render(width, result)
    assert _pinned_form(name, text) == pinned[name], f"{name} at width {width} now renders as:\n{text}"


@pytest.mark.parametrize("name", [name for name, (_, result) in _CASES.items()
                                  if isinstance(result, Table) and len(result.rows) > 2])
def test_rendered_as_pinned_a_few_rows_at_a_time(name, pinned, monkeypatch):
    """Long tables are laid out some rows at a time; where one part ends changes nothing."""
    monkeypatch.setattr(output, "_ROWS_AT_ONCE", 2)
    monkeypatch.setattr(output, "_COMPILE_AT", 2)  # a shape met twice in two rows is compiled, others not
    width, result = _CASES[name]
    assert _pinned_form(name, _render(width, result)) == pinned[name]


@pytest.mark.parametrize("name", [name for name, (_, result) in _CASES.items() if isinstance(result, Table)])
def test_rendered_as_pinned_with_every_row_layout_compiled(name, pinned, monkeypatch):
    """A row's layout compiled from an f-string lays the row out as its format string does."""
    monkeypatch.setattr(output, "_COMPILE_AT", 1)
    width, result = _CASES[name]
    assert _pinned_form(name, _render(width, result)) == pinned[name]


@pytest.mark.parametrize(("width", "words"), [(120, _WORDS[:10]), (120, _WORDS[:6]), (90, _WORDS[:10]), (50, _WORDS)])
def test_a_long_table_renders_alike_at_once_and_in_parts(width, words, monkeypatch):
    """Thousands of rows, laid out some rows at a time with the layouts of common row shapes compiled,
    render as they do at once with none compiled (the way the pinned cases above check)."""
    table = _long_table(3500, width, words)
    table = Table(["date", "what", "quote", "status"], table.rows, table.title)  # two columns that wrap
    parts = _render(width, table)
    assert parts.count("\n") > 3500
    monkeypatch.setattr(output, "_ROWS_AT_ONCE", 10**9)
    monkeypatch.setattr(output, "_COMPILE_AT", 10**9)
    assert _render(width, table) == parts


if __name__ == "__main__":
    PINNED.write_text(json.dumps({name: _pinned_form(name, _render(width, result))
                                  for name, (width, result) in _CASES.items()},
                                 ensure_ascii=True, indent=0, sort_keys=True) + "\n", encoding="utf-8")
