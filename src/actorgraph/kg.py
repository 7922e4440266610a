"""The library's front door: a ``KnowledgeGraph`` over one store, for notebooks and for the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AmbiguousNameError, UnknownNameError, UsageError
from .queries import NamedQuery, bind_value, get_query, paged, prepared
from .store import ONT, SelectResult, Store, Term, open_store, to_python

if TYPE_CHECKING:
    import networkx as nx

    from .evidence import Fields
    from .names import NameIndex
    from .network import Network
    from .vocab import Vocabulary

Row = dict[str, Any]


def plain_rows(result: SelectResult) -> list[Row]:
    """A SELECT result as rows of plain Python values (IRIs as strings), every variable present."""
    return [{v: to_python(row.get(v)) for v in result.variables} for row in result.rows]


class KnowledgeGraph:
    """A loaded graph. Queries run on its store; names, vocabulary and network are computed lazily."""

    def __init__(self, store: Store, graph_dir: Path | None = None):
        self.store = store
        self.graph_dir = graph_dir

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
        documents = self.named("documents")
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
        """The IRI of an ontology class by local name or label (``person``, ``criminal organisation``)."""
        cls = self.vocabulary.class_named(name)
        if cls is None:
            known = sorted(c.name.lower() for c in self.vocabulary.classes.values()
                           if self.vocabulary.is_a(c.iri, ONT + "Entity"))
            raise UsageError(f"unknown type {name!r} (types: {', '.join(known)})")
        return cls.iri

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
    known_fingerprint: str | None = None,
    reads: str = "part",
) -> KnowledgeGraph:
    """Load the graph: the Turtle under ``graph_dir`` (default ``graph/``), or a remote endpoint.
    ``known_fingerprint`` is the files' fingerprint when the caller already has it; ``reads`` is "all"
    for work that reads every statement, which a mid-sized graph then answers from memory (see
    ``store.LocalStore.open`` and docs/speed.md)."""
    gdir = Path(graph_dir) if graph_dir else None
    odir = Path(ontology_dir) if ontology_dir else None
    return KnowledgeGraph(open_store(gdir, odir, endpoint, known_fingerprint, reads), gdir)
