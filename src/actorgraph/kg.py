"""The library's front door: a ``KnowledgeGraph`` over one store, for notebooks and for the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import paths
from .errors import AmbiguousNameError, UnknownNameError, UsageError
from .queries import NamedQuery, bind_value, get_query, paged, prepared
from .store import DataSource, SelectResult, Store, Term, open_store, to_python

if TYPE_CHECKING:
    from collections.abc import Callable

    import networkx as nx

    from .evidence import Fields
    from .names import NameIndex
    from .network import Network
    from .paging import Key, Page, PageIndex, SearchCorpus
    from .vocab import Vocabulary

Row = dict[str, Any]

# What a source document can be called by (the named query "documents" also counts its statements,
# which reads every statement of a big graph).
_DOCUMENT_NAMES = """
SELECT ?document ?label ?title ?text_file WHERE {
  ?document a ag:SourceDocument ; rdfs:label ?label .
  OPTIONAL { ?document dct:title ?title }
  OPTIONAL { ?document ag:textFile ?text_file }
}"""


def plain_rows(result: SelectResult) -> list[Row]:
    """A SELECT result as rows of plain Python values (IRIs as strings), every variable present."""
    return [{v: to_python(row.get(v)) for v in result.variables} for row in result.rows]


class KnowledgeGraph:
    """A loaded graph. Queries run on its store; names, vocabulary and network are computed lazily."""

    def __init__(self, store: Store, graph_dir: Path | None = None):
        self.store = store
        self.graph_dir = Path(graph_dir) if graph_dir else paths.graph_dir()  # its data source's: the texts
        self._page_indexes: dict[str, PageIndex] = {}

    # -- SPARQL ---------------------------------------------------------------------------------

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> SelectResult:
        """Run a SELECT query; rows of pyoxigraph terms."""
        return self.store.select(query, bindings)

    def rows(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """Run a SELECT query; rows of plain Python values (IRIs as strings), every variable present."""
        return plain_rows(self.store.select(query, bindings))

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        return self.store.ask(query, bindings)

    # -- named queries --------------------------------------------------------------------------

    def named_query(self, name: str) -> NamedQuery:
        return get_query(name)

    def bind(self, query: NamedQuery, params: Mapping[str, str | None]) -> dict[str, Term]:
        """Check and convert parameter values (strings, as typed) into bound terms."""
        bindings: dict[str, Term] = {}
        for key, value in params.items():
            param = query.param(key)
            if value is None:
                continue
            resolvers = {"entity": self.resolve, "document": self.resolve_document,
                         "class": self.resolve_class}
            bindings[param.name] = bind_value(param, value, resolvers)
        for param in query.params:
            if param.required and param.name not in bindings:
                raise UsageError(f"query {query.name!r} needs parameter {param.name!r}")
        return bindings

    def named(self, name: str, /, *, limit: int | None = None, offset: int = 0, **params: str | None) -> list[Row]:
        """Run a named query with parameters given as text (names are resolved to entities).

        ``limit`` and ``offset`` page through the rows in the query's own order: on a big graph,
        ``named("statements", limit=100)`` is the first hundred, not a million converted to Python.
        """
        return plain_rows(self.named_select(name, limit=limit, offset=offset, **params))

    def named_select(self, name: str, /, *, limit: int | None = None, offset: int = 0,
                     **params: str | None) -> SelectResult:
        """``named`` with the result as pyoxigraph terms, and its variables even when no row came back."""
        query = self.named_query(name)
        bindings = self.bind(query, params)
        return self.select(paged(prepared(query, bindings), limit, offset), bindings)

    def named_page(self, name: str, /, *, limit: int, cursor: str | None = None, lowest: Key | None = None,
                   highest: Key | None = None, keep: Callable[[Key], bool] | None = None,
                   **params: str | None) -> Page:
        """One page of a listing (``statements``, ``timeline``, ``quotes``): every row of its next
        ``limit`` units (a statement; for the timeline, a statement's date) after ``cursor``, in the
        listing's order, and the cursor of the next page. Units that share a key (statements of the same
        date) stay together, so a page may hold more. ``lowest``, ``highest`` and ``keep`` bound and
        filter the keys (see ``paging``). Fast at any size: see ``paging`` for how."""
        from .paging import Page, decode_cursor, encode_cursor

        if type(limit) is not int or limit < 1:
            raise UsageError(f"a page holds at least one row, not {limit!r}")
        query = self.named_query(name)
        if query.page is None:
            raise UsageError(f"query {name!r} does not page by cursor; use limit and offset")
        bindings = self.bind(query, params)
        after = decode_cursor(name, cursor, len(query.page.key)) if cursor else None
        entries, more = self.page_index(query, bindings).page(after, limit, lowest, keep, highest)
        result = self.select(prepared(query, bindings, page=[unit for _, unit in entries]))
        return Page(result, len(entries), encode_cursor(name, entries[-1][0]) if more and entries else None)

    def page_index(self, query: NamedQuery, bindings: dict[str, Term]) -> PageIndex:
        """The sorted keys and units of a listing for these bindings: read from beside the compiled store,
        else built from its page query (and saved there when the store has a home)."""
        import hashlib

        from .paging import PageIndex, prune_indexes
        from .queries import page_query_text

        assert query.page is not None
        text = page_query_text(query, bindings)
        version = hashlib.blake2b(f"{query.page.key}{query.page.unit}\n{text}".encode(), digest_size=10).hexdigest()
        if version in self._page_indexes:
            return self._page_indexes[version]
        sidecar = self.store.sidecar(f"pages-{query.name}-{version}.txt")
        index = PageIndex.load(sidecar, len(query.page.key)) if sidecar else None
        if index is None and query.page.search and set(bindings) == {query.page.search[1]}:
            # (not saved: searching the corpus again is as quick as reading a saved index)
            index = self._searched(query, bindings[query.page.search[1]])
        if index is None:
            index = PageIndex.from_solutions(self.store.run(text), query.page.key, query.page.unit)
            if sidecar:
                index.save(sidecar)
                prune_indexes(sidecar.parent)
        self._page_indexes[version] = index
        return index

    def search_corpus(self, query: NamedQuery) -> SearchCorpus | None:
        """Where the search corpus of a listing that pages by a search text is kept beside the compiled
        store (see ``paging.SearchCorpus``), or None when the store has no home on disk."""
        import hashlib

        from .paging import SearchCorpus

        assert query.page is not None and query.page.search is not None
        version = hashlib.blake2b(query.page.text.encode(), digest_size=10).hexdigest()
        sidecar = self.store.sidecar(f"search-{query.name}-{version}.txt")
        return None if sidecar is None else SearchCorpus(sidecar, len(query.page.key))

    def keep_search_corpus(self, query: NamedQuery) -> None:
        """Write the search corpus of a listing beside the compiled store (the background compile does)."""
        from .queries import page_query_text

        corpus = self.search_corpus(query)
        if corpus is None:
            return
        searched, param = query.page.search
        bindings = self.bind(query, {param: ""})
        solutions = self.store.run(page_query_text(query, bindings))
        corpus.write(solutions, query.page.key, query.page.unit, searched)

    def _searched(self, query: NamedQuery, text: Term) -> PageIndex | None:
        """The page index of a search text, found in the listing's search corpus when it is kept."""
        corpus = self.search_corpus(query)
        if corpus is None or not corpus.path.with_suffix(".text").exists():
            return None
        lowered = next(iter(self.store.run("SELECT ?lowered WHERE {\n#@values\nBIND(LCASE(?text) AS ?lowered)\n}",
                                           {"text": text})))
        return corpus.search(lowered["lowered"].value)

    # -- names, vocabulary, network ---------------------------------------------------------------

    @cached_property
    def names(self) -> NameIndex:
        from .names import NameIndex

        return NameIndex.from_store(self.store)

    def resolve(self, name: str) -> str:
        """The IRI of the entity called ``name`` (label or alias, any case, accents optional)."""
        return self.names.resolve(name)

    def resolve_document(self, name: str) -> str:
        """The IRI of a source document, by title, label, file name or IRI (any case)."""
        from .names import fold

        wanted = fold(name)
        found: set[str] = set()
        documents = self.rows(_DOCUMENT_NAMES)
        for doc in documents:
            keys = {doc["document"], doc["document"].rsplit("/", 1)[-1], doc["label"], doc["title"],
                    doc["text_file"], Path(doc["text_file"] or "").name, Path(doc["text_file"] or "").stem}
            if wanted in {fold(str(k)) for k in keys if k}:
                found.add(doc["document"])
        if len(found) == 1:
            return found.pop()
        labels = sorted(str(d["label"]) for d in documents)
        if found:
            raise AmbiguousNameError(name, labels)
        raise UnknownNameError(name, labels[:3])

    def resolve_class(self, name: str) -> str:
        """The IRI of a class of entities by local name or label (``person``, ``criminal organisation``)."""
        return self.vocabulary.entity_type(name).iri

    def label(self, iri: str) -> str:
        return self.names.labels.get(iri, iri.rsplit("/", 1)[-1])

    @cached_property
    def vocabulary(self) -> Vocabulary:
        from .vocab import load_vocabulary

        return load_vocabulary(self.store)

    @cached_property
    def evidence_fields(self) -> Fields:
        """The evidence fields the ontology declares (see ``actorgraph.evidence``)."""
        from .evidence import load_fields

        return load_fields(self.store)

    @cached_property
    def bare_structure(self):
        """The bare network's arrays (``network.structure_of``): from the cache when there is one."""
        from .network import structure_of

        return structure_of(self)

    def structure(self, as_of: str | None = None) -> Network:
        """The network without its evidence, which is fetched for the edges an answer shows (see
        ``network.Network``): what the analyses and exports start from."""
        from .network import Network

        return Network.of(self, as_of)

    def network(self, as_of: str | None = None, evidence: bool = True) -> nx.MultiDiGraph:
        """The RDF graph projected to networkx: entities as nodes, relationships as evidenced edges
        (``evidence=False``: the structure only, see ``network.project``)."""
        return self.structure(as_of).to_networkx(evidence=evidence)


def load(
    graph_dir: str | Path | None = None,
    ontology_dir: str | Path | None = None,
    endpoint: str | None = None,
    source: DataSource | None = None,
    reads: str = "part",
) -> KnowledgeGraph:
    """Load the graph: the Turtle under ``graph_dir`` (default ``graph/``), or a remote endpoint.
    ``source`` is the data source when the caller already has one (see ``store.DataSource``); ``reads``
    is "all" for work that reads every statement, which a mid-sized graph then answers from memory (see
    ``store.LocalStore.open`` and docs/speed.md)."""
    source = source or DataSource(graph_dir, ontology_dir)
    return KnowledgeGraph(open_store(source, endpoint, reads), source.graph_dir)
