"""The terminal layout of tables: widths, wrapping, when a table becomes blocks, and wide characters."""

from __future__ import annotations

import subprocess
import sys

import pytest

from actorgraph.output import Table, render, text_width, wrap


@pytest.fixture(autouse=True)
def _width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")


def test_a_table_that_fits_is_padded_to_its_widest_cells():
    table = Table(["name", "status"], [{"name": "Ana Torres", "status": "reported"}, {"name": "Bo", "status": None}],
                  title="2 people")
    assert render(table, "table") == (
        "2 people\n\n"
        "  name         status\n"
        " ───────────────────────\n"
        "  Ana Torres   reported\n"
        "  Bo\n")


def test_the_widest_column_wraps_first_and_headers_sit_on_the_rule():
    quote = "the quick brown fox jumps over the lazy dog " * 3
    table = Table(["when", "long header name", "quote"], [{"when": "2021", "long header name": "x", "quote": quote}])
    lines = render(table, "table").splitlines()
    assert all(text_width(line) <= 60 for line in lines)
    rule = next(i for i, line in enumerate(lines) if line.startswith(" ─"))
    assert "long header name" in lines[rule - 1] and "quote" in lines[rule - 1]
    body = lines[rule + 1:]
    assert len(body) > 1 and " ".join(line[lines[rule - 1].index("quote"):].strip() for line in body) == quote.strip()


def test_a_short_column_is_never_cut_it_becomes_blocks():
    # "status" never wraps: a value longer than the terminal turns the table into one block per row.
    table = Table(["status", "quote"], [{"status": "s" * 70, "quote": "q"}])
    assert render(table, "table") == "  status: " + "s" * 50 + "\n          " + "s" * 20 + "\n  quote:  q\n"


def test_tall_narrow_rows_become_blocks():
    words = " ".join(f"w{i}" for i in range(200))
    table = Table(["a", "b", "c"], [{"a": words, "b": words, "c": words}])
    text = render(table, "table")
    assert "─" not in text and text.startswith("  a: w0 w1 w2")


def test_wide_characters_take_two_cells():
    table = Table(["name", "n"], [{"name": "東京", "n": 1}, {"name": "Tokyo", "n": 2}])
    lines = render(table, "table").splitlines()
    assert lines[-2:] == ["  東京    1", "  Tokyo   2"]
    assert text_width("東京") == 4 and text_width("Élmer") == 5 and text_width("e\u0301") == 1


def test_wrap_breaks_between_words_and_cuts_words_longer_than_a_line():
    assert wrap("aaa bbb ccc", 7) == ["aaa bbb", "ccc"]
    assert [line.rstrip() for line in wrap("ab " + "x" * 12, 5)] == ["ab", "xxxxx", "xxxxx", "xx"]
    assert wrap("one\ntwo", 10) == ["one", "two"]
    assert wrap("東京 東京", 5) == ["東京 ", "東京"]


def test_no_table_library_is_imported():
    code = ("import sys; from actorgraph.output import Table, render; "
            "render(Table(['a'], [{'a': 'x' * 300}], title='t'), 'table'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_plain_text_wraps_as_textwrap_wraps_it_and_long_words_are_told():
    """The one regular expression that wraps a column's plain texts gives textwrap's lines, and says
    None when a text has a word longer than the column (which textwrap would cut), wherever it is."""
    import random
    import textwrap

    from actorgraph.output import _cp1252_printable, _printable_one_cell, _word_lines

    rng = random.Random(3)
    words = ["a", "of", "said", "government", "Élmer", "“point", "MS-13", "  ", "x" * 12]
    for _ in range(2000):
        room = rng.randrange(1, 30)
        values = [" ".join(rng.choice(words) for _ in range(rng.randrange(0, 12))).lstrip(" ")
                  for _ in range(rng.randrange(1, 4))]
        expected = [textwrap.wrap(v, room, break_on_hyphens=False) for v in values]
        long_word = any(len(word) > room for v in values for word in v.split())
        assert _word_lines(values, room, False) == (None if long_word else expected), (values, room)
    # Every printable character of Windows-1252 takes one cell, as _printable_one_cell assumes.
    for byte in _cp1252_printable():
        char = bytes([byte]).decode("cp1252")
        assert char.isprintable() and text_width(char) == 1 and _printable_one_cell(char) == (True, True)


def test_a_tab_in_a_cell_is_shown_and_keeps_the_columns_in_line():
    text = render(Table(["name", "quote", "status"], [{"name": "Ana\tTorres", "quote": "one\ttwo", "status": "ok"},
                                                      {"name": "Bo", "quote": "three", "status": "alleged"}]),
                  "table")
    rows = [line for line in text.splitlines() if line.startswith("  ") and "status" not in line]
    assert "\t" not in text and "Ana\\tTorres" in text and "one\\ttwo" in text
    assert len({row.index("ok" if "ok" in row else "alleged") for row in rows}) == 1, text
