"""Keyset paging of listings: pages put together are the listing, cursors are stable and checked, and the
page index lives beside the compiled store."""

from __future__ import annotations

import pytest

import actorgraph
from actorgraph.errors import UsageError
from actorgraph.kg import plain_rows
from conftest import GRAPH, ONTOLOGY, WORLD


def every_page(kg, name: str, limit: int, **params) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        page = kg.named_page(name, limit=limit, cursor=cursor, **params)
        pages.append(plain_rows(page.result))
        cursor = page.cursor
        if cursor is None:
            return pages
        assert len(pages) < 1000


@pytest.fixture(scope="module", params=["never", "always"], ids=["in memory", "on disk"])
def stores(request, tmp_path_factory):
    """The fixture world and the shipped graph, in memory and as compiled on-disk stores."""
    mp = pytest.MonkeyPatch()
    mp.setenv("ACTORGRAPH_STORE_CACHE", request.param)
    mp.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path_factory.mktemp("paging-cache")))
    graphs = {"world": actorgraph.load(WORLD, ONTOLOGY), "shipped": actorgraph.load(GRAPH, ONTOLOGY)}
    mp.undo()
    return graphs


@pytest.mark.parametrize("graph", ["world", "shipped"])
def test_the_pages_of_a_listing_are_the_listing(stores, graph):
    kg = stores[graph]
    entities = [row["e"] for row in kg.rows("SELECT DISTINCT ?e WHERE { ?s rdf:subject ?e } ORDER BY ?e")
                if row["e"] in kg.names.labels][:4]
    party = kg.rows("SELECT ?p WHERE { ?s ag:assertedBy ?p } ORDER BY ?p LIMIT 1")[0]["p"]
    cases = [("statements", {}), ("timeline", {}), ("quotes", {"text": "the"}), ("statements", {"by": party}),
             *[("statements", {"entity": e}) for e in entities], *[("timeline", {"actor": e}) for e in entities]]
    for name, params in cases:
        whole = kg.named(name, **params)
        for limit in (1, 3, 40):
            pages = every_page(kg, name, limit, **params)
            rows = [row for page in pages for row in page]
            # Rows that tie on the listing's ORDER BY (a statement with two reasons) may swap.
            assert sorted(map(repr, rows)) == sorted(map(repr, whole)), (name, params, limit)
            assert all(pages[:-1]) and len(pages) <= max(1, -(-len(whole) // limit)), (name, params, limit)
            order = query_order(name)
            assert [order(r) for r in rows] == sorted(order(r) for r in rows), (name, params, limit)


def query_order(name: str):
    """The first keys of each listing's ORDER BY: pages follow each other in that order."""
    if name == "timeline":
        return lambda row: str(row["date"])
    return lambda row: row["statement"]


def test_a_page_holds_whole_statements_and_whole_dates(stores):
    kg = stores["shipped"]
    for page in every_page(kg, "statements", 5):
        assert len({row["statement"] for row in page}) >= min(5, len(page))
    pages = every_page(kg, "timeline", 2)
    dates = [{str(row["date"]) for row in page} for page in pages]
    assert all(not (a & b) for i, a in enumerate(dates) for b in dates[i + 1:]), "a date on two pages"


def test_a_cursor_is_stable_and_checked(stores):
    kg = stores["world"]
    first = kg.named_page("statements", limit=2)
    again = kg.named_page("statements", limit=2, cursor=first.cursor)
    assert plain_rows(again.result) == plain_rows(kg.named_page("statements", limit=2, cursor=first.cursor).result)
    assert plain_rows(again.result) != plain_rows(first.result)
    timeline = kg.named_page("timeline", limit=1)
    for bad, message in ((timeline.cursor, "bad cursor"), ("p1.bm90IGpzb24", "bad cursor"), ("x", "bad cursor"),
                         (first.cursor[:-3], "bad cursor")):
        with pytest.raises(UsageError, match=message) as err:
            kg.named_page("statements", limit=2, cursor=bad)
        assert "\n" not in str(err.value) and "page of 'statements'" in str(err.value)
    with pytest.raises(UsageError, match="does not page by cursor"):
        kg.named_page("actors", limit=2)
    with pytest.raises(UsageError, match="at least one row"):
        kg.named_page("statements", limit=0)


def test_the_page_index_is_kept_beside_the_compiled_store(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "always")
    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path))
    kg = actorgraph.load(WORLD, ONTOLOGY)
    first = plain_rows(kg.named_page("timeline", limit=3).result)
    saved = sorted(p.name for p in kg.store.sidecar("x").parent.glob("pages-timeline-*"))
    assert len(saved) == 2 and saved[0].endswith(".offsets") and saved[1].endswith(".txt")
    # A new process reads the index and runs only the page itself.
    again = actorgraph.load(WORLD, ONTOLOGY)
    ran: list[str] = []
    real = again.store.run
    monkeypatch.setattr(again.store, "run", lambda text, bindings=None: ran.append(text) or real(text, bindings))
    assert plain_rows(again.named_page("timeline", limit=3).result) == first
    assert len(ran) == 1 and "#@page" not in ran[0].split("WHERE", 1)[1].split("\n")[2]


def _entries(index) -> list:
    return [index[i] for i in range(len(index))]


def test_a_search_text_is_found_in_the_corpus_as_the_store_finds_it(tmp_path):
    """The search corpus finds the statements whose quotes contain a text as the store's CONTAINS(LCASE)
    does, for letters whose lower case is not simple (dotted I, final sigma, sharp s, ligatures),
    several quotes of one statement, newlines and quote marks."""
    import pyoxigraph as ox

    from actorgraph.paging import PageIndex, SearchCorpus
    from actorgraph.queries import get_query, page_query_text
    from actorgraph.store import PREFIXES, bind_values

    quotes = ["İstanbul ve IŞIK", "ΟΔΟΣ and ΣΟΦΟΣ.", "Straße STRASSE", "ﬁnal ﬂag", "one line\nTwo LINES",
              'He said "no"', "tab\there", "Élmer Canales", "ÉLMER again", "", "back\\slash"]
    store = ox.Store()
    ag = PREFIXES["ag"]
    for i, quote in enumerate(quotes):
        store.add(ox.Quad(ox.NamedNode(f"https://example.org/s{i % 9}"), ox.NamedNode(ag + "quote"),
                          ox.Literal(quote)))
    query = get_query("quotes")

    def answer(text: str):
        bindings = {"text": ox.Literal(text)}
        return store.query(page_query_text(query, bindings), prefixes=PREFIXES)

    corpus = SearchCorpus(tmp_path / "corpus.txt", len(query.page.key))
    corpus.write(answer(""), query.page.key, query.page.unit, "quoted")
    texts = ["", "i", "İ", "ı", "istanbul", "ışık", "σοφος", "σοφοσ", "ς", "ΟΔΟΣ AND", "straße", "strasse", "ss",
             "fi", "ﬁ", "line\ntwo", "\n", '"no"', "\t", "élmer", "ÉLMER", "elmer", "back\\", "absent", "s"]
    for text in texts:
        lower_case = bind_values("SELECT ?l WHERE {\n#@values\nBIND(LCASE(?t) AS ?l)\n}", {"t": ox.Literal(text)})
        lowered = next(iter(store.query(lower_case)))["l"].value
        expected = PageIndex.from_solutions(answer(text), query.page.key, query.page.unit)
        assert _entries(corpus.search(lowered)) == _entries(expected), text


def test_the_background_compile_keeps_the_search_corpus(tmp_path, monkeypatch):
    """Once the corpus is kept, a page of quotes for a new text reads no quote from the store: it runs
    the page itself (and the store's lower case of the text), and gives the listing's rows."""
    from actorgraph.compiled import index_listings
    from actorgraph.store import DataSource

    monkeypatch.setenv("ACTORGRAPH_STORE_CACHE", "always")
    monkeypatch.setenv("ACTORGRAPH_CACHE_DIR", str(tmp_path))
    kg = actorgraph.load(GRAPH, ONTOLOGY)
    index_listings(DataSource(GRAPH, ONTOLOGY))
    assert len(list(kg.store.sidecar("x").parent.glob("search-quotes-*.text"))) == 1
    again = actorgraph.load(GRAPH, ONTOLOGY)
    ran: list[str] = []
    real = again.store.run
    monkeypatch.setattr(again.store, "run", lambda text, bindings=None: ran.append(text) or real(text, bindings))
    for text in ("THE", "Bukele", "cecot", "no such words"):
        ran.clear()
        rows = [row for page in every_page(again, "quotes", 2, text=text) for row in page]
        assert sorted(map(repr, rows)) == sorted(map(repr, kg.named("quotes", text=text))), text
        assert not any("ag:quote ?quote .\n  BIND" in query for query in ran), text
