"""The one road from RDF to networkx, and the analyses that start from it.

The road has two stops. ``Network.build(kg)`` reads the bare network through SPARQL:

- nodes are the entities (instances of a subclass of ``ag:Entity``) that take part in at least one
  relationship; figures, statements, source documents and date nodes never become nodes;
- edges are the triples whose predicate is a relationship type (``rdfs:subPropertyOf ag:relatedTo``),
  one edge per (subject, relationship, object), keyed by the relationship's local name; each edge
  knows the IRIs of its statements, but not yet what they say.

That structure is a few arrays, kept on disk beside the compiled store under the files' fingerprint
(``kg.structure()``): later runs load it in milliseconds, and a changed file means a new fingerprint, so
it is never stale. ``path``, ``ego``, ``centrality``, ``brokers``, ``communities``, ``between`` and the
exports start from it. The evidence (quote, source, asserting party, status, dates with precision...) is
then fetched only for the edges an answer shows, in one query (``actorgraph.evidence``).

``project(kg)`` (``kg.network()``) is the whole road: the ``networkx.MultiDiGraph`` of every entity and
relationship, each edge with the list of its statements as ``evidence`` and flattened copies of their
fields. Every value comes from SPARQL, so the store may be a remote endpoint; styling comes from the
ontology through ``kg.vocabulary``.

``as_of``: what holds on a date
-------------------------------
A statement is kept on the date D unless it certainly does not hold then:

- its start time begins after D ends  (started later),
- its end time ends before D begins   (already over),
- its point in time begins after D ends (had not happened yet).

Each date covers its whole period: "2021-07" is every day of July 2021, so on the date 2021-07-10 a
statement dated "2021-07" is kept, and on the date "2021" a statement starting 2021-11-03 is kept.
Undated statements are kept. An edge is kept while at least one of its statements is kept (an edge with
no statement at all counts as undated), and a node is kept while at least one of its edges is. The
statements' dates are read once, as day numbers, and cached beside the structure.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .dates import parse_date
from .evidence import (
    fields_of,
    holds_on,  # noqa: F401 - part of this module's API: the as-of rule
)
from .store import ONT

if TYPE_CHECKING:
    import mmap

    import networkx as nx
    import numpy as np

    from .evidence import Fields, Record
    from .kg import KnowledgeGraph

# Bump when the structure or its files change: a cache written by other code is then rebuilt.
STRUCTURE_VERSION = "network-4"

# What the structure is made of, read as plain facts, each kind from one query (per source file when the
# store has one named graph per file, so that a changed file's facts are read again alone; see
# ``_facts``). The joins that need the whole graph (is this an entity? which label?) are made in
# Python, in ``_Structure.merge``. The ontology's patterns come first: Oxigraph keeps much of the
# written order, and the 50-odd relationship types are a far smaller start than every triple.
_FACTS = {
    # (entity, class) for the classes below ag:Entity
    "types": "?b rdfs:subClassOf* ag:Entity . {g} ?a a ?b {end}",
    # (thing, label): filtered to entities in the merge
    "labels": "{g} ?a rdfs:label ?b {end}",
    "aliases": "{g} ?a skos:altLabel ?b {end}",
    # (subject, relationship, object)
    "edges": "?b rdfs:subPropertyOf ag:relatedTo . {g} ?a ?b ?c {end}",
    # (statement, subject, relationship, object): a statement's triple even without the direct one
    "statements": "?c rdfs:subPropertyOf ag:relatedTo . {g} ?d rdf:subject ?a ; rdf:predicate ?c ; rdf:object ?b {end}",
}
_FACT_VARIABLES = {"types": "?a ?b", "labels": "?a ?b", "aliases": "?a ?b", "edges": "?a ?b ?c",
                   "statements": "?d ?a ?c ?b"}


def _facts_query(kind: str, graphs: str | None) -> str:
    """One kind of fact, per named graph (``graphs``: a VALUES block of ?g, or "" for every graph), or
    over the union of the graphs (None: a remote store may keep its data in the default graph)."""
    if graphs is None:
        body = _FACTS[kind].format(g="", end="")
        return f"SELECT {_FACT_VARIABLES[kind]} WHERE {{ {body} }}"
    body = _FACTS[kind].format(g="GRAPH ?g {", end="}")
    return f"SELECT ?g {_FACT_VARIABLES[kind]} WHERE {{ {graphs} {body} }}"


def _pick_label(labels: list[tuple[str, str]], iri: str) -> str:
    """An English or untagged label, else any label, else the IRI's local name."""
    for lang_ok in (lambda lang: lang in ("", "en") or lang.startswith("en-"), lambda lang: True):
        chosen = sorted(text for text, lang in labels if lang_ok(lang))
        if chosen:
            return chosen[0]
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _most_specific(types: Iterable[str], vocab) -> str:
    known = [t for t in types if t in vocab.classes]
    if not known:
        return ONT + "Entity"
    # A type that is an ancestor of another type of the same entity is less specific.
    leaves = [t for t in known if not any(o != t and vocab.is_a(o, t) for o in known)]
    return sorted(leaves, key=lambda t: (-len(vocab.ancestors(t)), t))[0]


# ----------------------------------------------------------------------------------------------
# Strings kept compactly: one UTF-8 blob and the offsets of each string in it.
# ----------------------------------------------------------------------------------------------


class _Strings:
    """A list of strings as one UTF-8 blob and the offsets of each string in it: on disk the blob is
    mapped, not read, and only the strings an answer uses are decoded."""

    def __init__(self, blob: bytes | mmap.mmap, offsets: np.ndarray):
        self.blob, self.offsets = blob, offsets

    @classmethod
    def of(cls, strings: Sequence[str]) -> _Strings:
        import numpy as np

        encoded = [s.encode("utf-8") for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return cls(b"".join(encoded), offsets)

    @classmethod
    def load(cls, blob_path: Path, offsets_path: Path) -> _Strings:
        import mmap

        import numpy as np

        offsets = np.load(offsets_path)
        with blob_path.open("rb") as handle:
            blob = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if offsets[-1] else b""
        return cls(blob, offsets)

    def save(self, blob_path: Path, offsets_path: Path) -> None:
        import numpy as np

        blob_path.write_bytes(self.blob[:])
        np.save(offsets_path, self.offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        return self.blob[self.offsets[i]:self.offsets[i + 1]].decode("utf-8")

    def all(self) -> list[str]:
        data, ends = self.blob[:], self.offsets.tolist()
        return [data[a:b].decode("utf-8") for a, b in zip(ends, ends[1:], strict=False)]


# ----------------------------------------------------------------------------------------------
# The structure: what the projection holds without evidence, as arrays.
# ----------------------------------------------------------------------------------------------


class _Structure:
    """The whole bare network, as built from the store or loaded from its cache (never changed)."""

    _ARRAYS = ("node_type", "src", "dst", "rel", "st_ptr", "st_idx", "nbr_ptr", "nbr_idx", "nbr_weight")
    _STRINGS = ("iris", "labels", "aliases", "statements")

    def __init__(self, meta: dict[str, Any], arrays: dict[str, np.ndarray], strings: dict[str, _Strings]):
        self.meta = meta
        self.arrays = arrays
        self.strings = strings
        for name, value in arrays.items():
            setattr(self, name, value)
        self.kept: dict[str, Any] = {}  # each file's facts, saved beside the structure (see ``_facts``)
        self.types: list[dict[str, str]] = meta["types"]  # iri, label, colour, shape
        self.predicates: list[dict[str, str]] = meta["predicates"]  # iri, key, relationship, edge_label, colour
        self.alias_ptr = arrays["alias_ptr"]

    @cached_property
    def iris(self) -> list[str]:
        return self.strings["iris"].all()

    @cached_property
    def labels(self) -> list[str]:
        return self.strings["labels"].all()

    @cached_property
    def index(self) -> dict[str, int]:
        return {iri: i for i, iri in enumerate(self.iris)}

    def aliases(self, i: int) -> list[str]:
        table = self.strings["aliases"]
        return [table[j] for j in range(int(self.alias_ptr[i]), int(self.alias_ptr[i + 1]))]

    @cached_property
    def out_ptr(self):
        """Edges are sorted by subject: the edges out of node i are out_ptr[i]:out_ptr[i + 1]."""
        import numpy as np

        return np.searchsorted(self.src, np.arange(len(self.iris) + 1))

    @cached_property
    def nx_order(self):
        """The edges in the order networkx iterates a MultiDiGraph built by adding them in order: by
        subject, then each object where it first appears, then the relationships between the two.
        Analyses that depend on iteration order (Louvain, PageRank's sums) then see today's order."""
        import numpy as np

        n = len(self.iris)
        pair = self.src.astype(np.int64) * n + self.dst
        _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
        return np.lexsort((np.arange(len(pair)), first[inverse]))

    # -- building --------------------------------------------------------------------------------

    @classmethod
    def build(cls, kg: KnowledgeGraph) -> _Structure:
        """Read the bare network through SPARQL (see ``_facts``) and make it (``merge``)."""
        parts, kept = _facts(kg)
        built = cls.merge(kg, parts)
        built.kept = kept
        return built

    @classmethod
    def merge(cls, kg: KnowledgeGraph, parts: list[dict[str, list[tuple]]]) -> _Structure:
        """The structure from the facts of every source file (or of the whole graph, as one part): the
        entities are the subjects of an entity class, the edges the relationship triples between them."""
        import numpy as np

        vocab = kg.vocabulary
        types: dict[str, set[str]] = defaultdict(set)
        for part in parts:
            for entity, type_ in part["types"]:
                types[entity].add(type_)
        labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        aliases: dict[str, set[str]] = defaultdict(set)
        for part in parts:
            for entity, label in part["labels"]:
                if entity in types and label not in labels[entity]:
                    labels[entity].append(label)
            for entity, alias in part["aliases"]:
                if entity in types:
                    aliases[entity].add(alias[0])

        # The triples are sorted and grouped as integer arrays: at a million statements this is most of
        # the merge.
        subjects, predicates_, objects = [], [], []
        for part in parts:
            for s, p, o in part["edges"]:
                if s in types and o in types:
                    subjects.append(s)
                    predicates_.append(p)
                    objects.append(o)
        direct = len(subjects)
        statement_iris = []
        for part in parts:
            for st, s, p, o in part["statements"]:
                if s in types and o in types:  # a statement about a non-entity is no edge
                    statement_iris.append(st)
                    subjects.append(s)
                    predicates_.append(p)
                    objects.append(o)

        iris = sorted(set(subjects) | set(objects))
        index = {iri: i for i, iri in enumerate(iris)}
        predicate_iris = sorted(set(predicates_))
        p_index = {p: i for i, p in enumerate(predicate_iris)}
        n, m = max(1, len(iris)), max(1, len(predicate_iris))
        # One integer per (subject, relationship, object), ordered as the IRIs are.
        keys = ((np.fromiter((index[x] for x in subjects), np.int64, len(subjects)) * m
                 + np.fromiter((p_index[x] for x in predicates_), np.int64, len(predicates_))) * n
                + np.fromiter((index[x] for x in objects), np.int64, len(objects)))
        del subjects, predicates_, objects
        edge_keys = np.unique(keys)
        src = (edge_keys // (m * n)).astype(np.int32)
        rel = (edge_keys // n % m).astype(np.int32)
        dst = (edge_keys % n).astype(np.int32)

        # Each statement's edge; a statement with two triples keeps the first.
        statements = sorted(set(statement_iris))
        s_index = {st: i for i, st in enumerate(statements)}
        st_rank = np.fromiter((s_index[st] for st in statement_iris), np.int64, len(statement_iris))
        st_key = keys[direct:]
        first = np.lexsort((st_key, st_rank))
        st_rank, st_key = st_rank[first], st_key[first]
        keep = np.ones(len(st_rank), dtype=bool)
        keep[1:] = st_rank[1:] != st_rank[:-1]
        st_rank, st_edge = st_rank[keep], np.searchsorted(edge_keys, st_key[keep])
        order = np.lexsort((st_rank, st_edge))  # by edge, then by statement IRI
        st_idx = st_rank[order].astype(np.int32)
        st_ptr = np.zeros(len(edge_keys) + 1, dtype=np.int64)
        np.cumsum(np.bincount(st_edge, minlength=len(edge_keys)), out=st_ptr[1:])

        relationships = vocab.relationships
        predicates = []
        for p in predicate_iris:
            rel_type = relationships.get(p)
            key = p.removeprefix(ONT) if p.startswith(ONT) else p
            predicates.append({"iri": p, "key": key, "relationship": rel_type.label if rel_type else key,
                               "edge_label": rel_type.edge_label if rel_type else key,
                               "colour": rel_type.colour if rel_type else "#999999"})

        type_of: dict[frozenset[str], str] = {}
        node_type_iri = []
        for iri in iris:
            kinds = frozenset(types[iri])
            if kinds not in type_of:
                type_of[kinds] = _most_specific(kinds, vocab)
            node_type_iri.append(type_of[kinds])
        type_iris = sorted(set(node_type_iri))
        t_index = {t: i for i, t in enumerate(type_iris)}
        type_rows = []
        for t in type_iris:
            style, known = vocab.style(t), vocab.classes.get(t)
            type_rows.append({"iri": t, "label": known.label if known else t.removeprefix(ONT),
                              "colour": (style.colour if style else None) or "#999999",
                              "shape": (style.shape if style else None) or "dot"})

        alias_lists = [sorted(aliases.get(iri, ())) for iri in iris]
        alias_ptr = np.zeros(len(iris) + 1, dtype=np.int64)
        np.cumsum([len(a) for a in alias_lists], out=alias_ptr[1:])
        arrays = {
            "node_type": np.array([t_index[t] for t in node_type_iri], dtype=np.int32),
            "src": src, "dst": dst, "rel": rel, "st_ptr": st_ptr, "st_idx": st_idx, "alias_ptr": alias_ptr,
            **_neighbours(len(iris), src, dst),
        }
        strings = {"iris": _Strings.of(iris), "labels": _Strings.of([_pick_label(labels[i], i) for i in iris]),
                   "aliases": _Strings.of([a for names in alias_lists for a in names]),
                   "statements": _Strings.of(statements)}
        return cls({"version": STRUCTURE_VERSION, "types": type_rows, "predicates": predicates}, arrays, strings)

    # -- the cache on disk --------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the structure as .npy files, atomically (a reader sees all of it or none)."""
        import os
        import pickle
        import shutil
        import tempfile

        import numpy as np

        try:
            directory.parent.mkdir(parents=True, exist_ok=True)
            building = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
        except OSError:
            return  # a cache that cannot be written only costs speed
        try:
            for name, array in self.arrays.items():
                np.save(building / f"{name}.npy", array)
            for name, table in self.strings.items():
                table.save(building / f"{name}.blob", building / f"{name}.at.npy")
            (building / "parts").mkdir()
            for name, part in self.kept.items():
                target = building / "parts" / name
                if isinstance(part, Path):
                    try:
                        os.link(part, target)  # the same facts as an earlier structure's: shared
                        continue
                    except OSError:
                        part = pickle.loads(part.read_bytes())
                target.write_bytes(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
            (building / "meta.json").write_text(json.dumps(self.meta, ensure_ascii=False), encoding="utf-8")
            os.replace(building, directory)
        except OSError:
            pass  # another process wrote it first, or the disk is full: either way, nothing is lost
        finally:
            shutil.rmtree(building, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> _Structure | None:
        """The cached structure, or None when there is none (or it was written by other code)."""
        import numpy as np

        try:
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
            if meta.get("version") != STRUCTURE_VERSION:
                return None
            names = [*cls._ARRAYS, "alias_ptr"]
            # The arrays are read whole (40 MB at a million statements, read in milliseconds); the strings
            # are mapped, and only those an answer uses are read.
            arrays = {name: np.load(directory / f"{name}.npy") for name in names}
            strings = {name: _Strings.load(directory / f"{name}.blob", directory / f"{name}.at.npy")
                       for name in cls._STRINGS}
        except (OSError, ValueError, KeyError):
            return None
        return cls(meta, arrays, strings)


def _neighbours(n: int, src: np.ndarray, dst: np.ndarray) -> dict[str, np.ndarray]:
    """The simple undirected graph as adjacency lists (CSR): each node's distinct neighbours, sorted,
    self-loops left out, and how many relationships join each pair (either way)."""
    import numpy as np

    keep = src != dst
    a = np.concatenate([src[keep], dst[keep]]).astype(np.int64)
    b = np.concatenate([dst[keep], src[keep]]).astype(np.int64)
    pairs, weight = np.unique(a * n + b, return_counts=True)
    first, second = pairs // n, pairs % n
    ptr = np.searchsorted(first, np.arange(n + 1))
    return {"nbr_ptr": ptr.astype(np.int64), "nbr_idx": second.astype(np.int32), "nbr_weight": weight.astype(np.int32)}


def _read_facts(kg: KnowledgeGraph, graphs: str | None) -> dict[str | None, dict[str, list[tuple]]]:
    """The facts of each named graph (``graphs``: see ``_facts_query``), or of the union (key None).
    Literals and IRIs only: an object that is a literal or a blank node is no entity."""
    import pyoxigraph as ox

    found: dict[str | None, dict[str, list[tuple]]] = defaultdict(_empty_part)
    for kind in _FACTS:
        # Rows read positionally, as terms, without converting whole rows: at a million statements
        # this is most of the time.
        for row in kg.store.run(_facts_query(kind, graphs)):
            if graphs is None:
                graph, terms = None, row
            else:
                graph, *terms = row
                graph = graph.value
            if kind in ("labels", "aliases"):
                thing, label = terms
                if isinstance(thing, ox.NamedNode) and isinstance(label, ox.Literal):
                    found[graph][kind].append((thing.value, (label.value, label.language or "")))
            elif all(isinstance(t, ox.NamedNode) for t in terms):
                found[graph][kind].append(tuple(t.value for t in terms))
    return found


def _empty_part() -> dict[str, list[tuple]]:
    return {kind: [] for kind in _FACTS}


def _facts(kg: KnowledgeGraph) -> tuple[list[dict[str, list[tuple]]], dict[str, Any]]:
    """The facts the structure is made of. A local store with a cache directory keeps each file's facts
    there, named by the file's content and the ontology's relationship types and entity classes; a new
    structure reads again only the files whose facts no earlier one kept (one changed article: that
    file alone). Other stores are read whole. Returns the facts, and the files' facts by the name they are
    kept under (each a path to an earlier copy, or the facts)."""
    import hashlib
    import pickle

    from .store import LocalStore

    store = kg.store
    home = store.sidecar(STRUCTURE_VERSION)
    source = store.source if isinstance(store, LocalStore) else None
    if home is None or source is None:
        return [_read_facts(kg, None).get(None, _empty_part())], {}
    files = source.files
    vocab = kg.vocabulary
    signature = hashlib.blake2b("\n".join(
        sorted(vocab.relationships) + sorted(c for c in vocab.classes if vocab.is_a(c, ONT + "Entity"))).encode(),
        digest_size=8).hexdigest()
    digests = source.digests
    names = {f: f"{signature}-{digests[str(f.resolve())]}.pkl" for f in files}
    earlier = [d / "parts" for d in home.parent.parent.glob(f"*/{STRUCTURE_VERSION}") if d != home]
    parts: dict[Path, dict[str, list[tuple]]] = {}
    kept: dict[str, Path | dict[str, list[tuple]]] = {}  # what the new structure keeps beside it
    for f in files:
        for directory in earlier:
            try:
                parts[f] = pickle.loads((directory / names[f]).read_bytes())
            except (OSError, pickle.UnpicklingError, EOFError):
                continue
            kept[names[f]] = directory / names[f]
            break
    missing = [f for f in files if f not in parts]
    if missing:
        from .store import values_block

        # A few files: their graphs alone; more: every graph in one pass.
        few = len(missing) * 4 < len(files)
        read = _read_facts(kg, values_block({"g": [source.graph_name(f) for f in missing]}) if few else "")
        for f in missing:
            parts[f] = kept[names[f]] = read.get(source.graph_name(f).value, _empty_part())
    return [parts[f] for f in files], kept


def structure_of(kg: KnowledgeGraph) -> _Structure:
    """The bare network of ``kg``: loaded from the cache beside its compiled store, else built (and
    saved there for the next run)."""
    directory = kg.store.sidecar(STRUCTURE_VERSION)
    if directory is not None:
        cached = _Structure.load(directory)
        if cached is not None:
            return cached
    built = _Structure.build(kg)
    if directory is not None:
        built.save(directory)
    return built


# ----------------------------------------------------------------------------------------------
# A view of the network: some of its nodes and edges (all, an ego network, a date, some types).
# ----------------------------------------------------------------------------------------------

EvidenceSource = Callable[[list[str] | None], "dict[str, Record]"]
# Above one statement in this many of the graph, a view's evidence is read by scanning every statement's.
WHOLE_SCAN_SHARE = 4


class Network:
    """The bare network, or a part of it, with the evidence of its edges fetched on demand.

    ``nodes`` and ``edges`` are sorted index arrays into the structure; ``keep`` (a mask over the
    structure's statements, or None for all) drops the statements that do not hold on an ``as_of``
    date. ``info`` mirrors a networkx graph's ``graph`` dict (``as_of``, ``center``, ``depth``).
    """

    def __init__(self, structure: _Structure, nodes: np.ndarray, edges: np.ndarray, keep: np.ndarray | None,
                 info: dict[str, Any], fetch: EvidenceSource | None, fields: Fields | None,
                 distance: dict[int, int] | None = None, evidence: dict[str, Record] | None = None):
        self.structure = structure
        self.nodes = nodes
        self.edges = edges
        self.keep = keep
        self.info = info
        self._fetch = fetch
        self.fields = fields
        self.distance = distance
        self._evidence = evidence  # records known in advance (a network made from a networkx graph)

    # -- making one ------------------------------------------------------------------------------

    @classmethod
    def of(cls, kg: KnowledgeGraph, as_of: str | None = None) -> Network:
        """The whole network of ``kg`` (as of a date), evidence fetched from ``kg`` when asked for."""
        import numpy as np

        from .evidence import fetch

        day = parse_date(as_of) if as_of else None
        structure = kg.bare_structure
        network = cls(structure, np.arange(len(structure.iris), dtype=np.int64),
                      np.arange(len(structure.src), dtype=np.int64), None, {"as_of": None},
                      lambda statements: fetch(kg, statements), kg.evidence_fields)
        if day is not None:
            network = network._dated(day, _date_bounds(kg, structure))
        return network

    @classmethod
    def from_networkx(cls, graph: nx.MultiDiGraph) -> Network:
        """A network from a projection (or any MultiDiGraph with the projection's attributes), in the
        graph's own order; the evidence is what its edges carry."""
        import numpy as np

        nodes = list(graph.nodes())
        index = {n: i for i, n in enumerate(nodes)}
        type_rows: dict[tuple, int] = {}
        node_type = []
        for n in nodes:
            data = graph.nodes[n]
            row = (data.get("type", ONT + "Entity"), data.get("type_label", ""), data.get("colour", "#999999"),
                   data.get("shape", "dot"))
            node_type.append(type_rows.setdefault(row, len(type_rows)))
        p_rows: dict[tuple, int] = {}
        src, dst, rel, statements, evidence = [], [], [], [], {}
        st_ptr = [0]
        for u, v, key, data in graph.edges(keys=True, data=True):
            row = (data.get("predicate", key), key, data.get("relationship", key), data.get("edge_label", key),
                   data.get("colour", "#999999"))
            src.append(index[u])
            dst.append(index[v])
            rel.append(p_rows.setdefault(row, len(p_rows)))
            for item in data.get("evidence", []):
                statements.append(item["statement"] if isinstance(item, dict) and "statement" in item
                                  else f"_:{len(statements)}")
                evidence[statements[-1]] = item
            st_ptr.append(len(statements))
        src_a, dst_a = np.array(src, dtype=np.int32), np.array(dst, dtype=np.int32)
        aliases = [list(graph.nodes[n].get("aliases", [])) for n in nodes]
        alias_ptr = np.zeros(len(nodes) + 1, dtype=np.int64)
        np.cumsum([len(a) for a in aliases], out=alias_ptr[1:])
        arrays = {"node_type": np.array(node_type, dtype=np.int32), "src": src_a, "dst": dst_a,
                  "rel": np.array(rel, dtype=np.int32), "st_ptr": np.array(st_ptr, dtype=np.int64),
                  "st_idx": np.arange(len(statements), dtype=np.int32), "alias_ptr": alias_ptr,
                  **_neighbours(len(nodes), src_a, dst_a)}
        meta = {"version": STRUCTURE_VERSION,
                "types": [{"iri": t, "label": label, "colour": c, "shape": s} for t, label, c, s in type_rows],
                "predicates": [{"iri": p, "key": k, "relationship": r, "edge_label": e, "colour": c}
                               for p, k, r, e, c in p_rows]}
        strings = {"iris": _Strings.of([str(n) for n in nodes]),
                   "labels": _Strings.of([graph.nodes[n].get("label", str(n)) for n in nodes]),
                   "aliases": _Strings.of([a for names in aliases for a in names]),
                   "statements": _Strings.of(statements)}
        structure = _Structure(meta, arrays, strings)
        structure.__dict__["iris"] = nodes  # the graph's own node objects, in its order
        structure.__dict__["out_ptr"] = None
        # Not sorted by subject: out-edges are looked up by scanning (these graphs are small).
        info = {k: v for k, v in graph.graph.items() if k in ("as_of", "center", "depth")}
        info.setdefault("as_of", None)
        distance = {index[n]: d for n, d in graph.nodes(data="distance") if d is not None} or None
        return cls(structure, np.arange(len(nodes), dtype=np.int64), np.arange(len(src), dtype=np.int64), None,
                   info, None, fields_of(graph), distance, evidence)

    def _view(self, nodes: np.ndarray | None = None, edges: np.ndarray | None = None, keep=None,
              distance: dict[int, int] | None = None, **info: Any) -> Network:
        return Network(self.structure, self.nodes if nodes is None else nodes,
                       self.edges if edges is None else edges, self.keep if keep is None else keep,
                       {**self.info, **info}, self._fetch, self.fields,
                       self.distance if distance is None else distance, self._evidence)

    def _dated(self, day, bounds: np.ndarray) -> Network:
        """Only what may hold on ``day`` (see the module docstring), from the statements' day numbers."""
        import numpy as np

        s = self.structure
        start, end, point = bounds[:, 0], bounds[:, 1], bounds[:, 2]
        first, last = day.start.toordinal(), day.end.toordinal()
        keep = ~(((start > 0) & (start > last)) | ((end > 0) & (end < first)) | ((point > 0) & (point > last)))
        counts = np.diff(s.st_ptr)
        kept = np.add.reduceat(keep[s.st_idx].astype(np.int64), s.st_ptr[:-1]) if len(s.st_idx) else counts
        kept = np.where(counts > 0, kept, 0)  # reduceat repeats a value where a range is empty
        edges = np.flatnonzero((counts == 0) | (kept > 0))
        nodes = np.unique(np.concatenate([s.src[edges], s.dst[edges]])).astype(np.int64)
        return self._view(nodes=nodes, edges=edges, keep=keep, as_of=day.text)

    # -- reading it ------------------------------------------------------------------------------

    def __contains__(self, iri: object) -> bool:
        i = self.structure.index.get(iri) if isinstance(iri, str) else None
        return i is not None and self._has_node(i)

    def _has_node(self, i: int) -> bool:
        import numpy as np

        position = np.searchsorted(self.nodes, i)
        return bool(position < len(self.nodes) and self.nodes[position] == i)

    def number_of_nodes(self) -> int:
        return len(self.nodes)

    def number_of_edges(self) -> int:
        return len(self.edges)

    def node(self, iri: str) -> int:
        return self.structure.index[iri]

    def iri(self, i: int) -> str:
        return self.structure.iris[i]

    def label(self, i: int) -> str:
        return self.structure.labels[i]

    def type_label(self, i: int) -> str:
        return self.structure.types[self.structure.node_type[i]]["label"]

    def node_attributes(self, i: int) -> dict[str, Any]:
        """A node's attributes, as the projection has them."""
        t = self.structure.types[self.structure.node_type[i]]
        attrs = {"label": self.label(i), "type": t["iri"], "type_label": t["label"],
                 "aliases": self.structure.aliases(i), "colour": t["colour"], "shape": t["shape"]}
        if self.distance is not None and i in self.distance:
            attrs["distance"] = self.distance[i]
        return attrs

    def predicate(self, e: int) -> dict[str, str]:
        return self.structure.predicates[self.structure.rel[e]]

    def statements_of(self, e: int) -> list[str]:
        """The IRIs of the statements behind edge ``e`` that this view keeps, in IRI order."""
        s = self.structure
        table = s.strings["statements"]
        ids = s.st_idx[s.st_ptr[e]:s.st_ptr[e + 1]]
        return [table[int(j)] for j in ids if self.keep is None or self.keep[j]]

    def evidence(self, edges: Iterable[int]) -> dict[int, list[Record]]:
        """The evidence records of each of ``edges``, fetched together in one query."""
        wanted = {int(e): self.statements_of(int(e)) for e in edges}
        statements = sorted({st for sts in wanted.values() for st in sts})
        if self._evidence is not None:
            records = {st: self._evidence[st] for st in statements if st in self._evidence}
        elif self._fetch is not None and statements:
            # A view of most of the graph reads every statement's evidence in one scan, faster than
            # looking each up (all 10k statements of a graph on disk: 1.0 s against 1.25 s).
            bound = len(statements) * WHOLE_SCAN_SHARE < len(self.structure.strings["statements"])
            records = self._fetch(statements if bound else None)
        else:
            records = {}
        fields = self.fields
        return {e: [records.get(st) or (fields.blank(st) if fields else {"statement": st}) for st in sts]
                for e, sts in wanted.items()}

    def degrees(self) -> dict[int, int]:
        """Each node's number of relationships, in and out (a MultiDiGraph's degree: a self-loop counts
        twice)."""
        import numpy as np

        n = len(self.structure.iris)
        counts = np.bincount(self.structure.src[self.edges], minlength=n) + np.bincount(
            self.structure.dst[self.edges], minlength=n)
        return {int(i): int(counts[i]) for i in self.nodes}

    def _nx_edges(self) -> np.ndarray:
        """This view's edges in networkx's iteration order (see ``_Structure.nx_order``)."""
        import numpy as np

        order = self.structure.nx_order if len(self.edges) else np.array([], dtype=np.int64)
        if len(self.edges) == len(self.structure.src):
            return order
        inside = np.zeros(len(self.structure.src), dtype=bool)
        inside[self.edges] = True
        return order[inside[order]]

    def edges_between(self, u: int, v: int) -> list[int]:
        """The edges from ``u`` to ``v``, then from ``v`` to ``u``, each way by relationship key."""
        import numpy as np

        s = self.structure
        found = []
        for a, b in ((u, v), (v, u)):
            if s.out_ptr is not None:
                candidates = np.arange(s.out_ptr[a], s.out_ptr[a + 1])
            else:
                candidates = np.flatnonzero(s.src == a)
            hits = [int(e) for e in candidates if s.dst[e] == b and self._has_edge(int(e))]
            found.extend(sorted(hits, key=lambda e: self.predicate(e)["key"]))
        return found

    def _has_edge(self, e: int) -> bool:
        import numpy as np

        position = np.searchsorted(self.edges, e)
        return bool(position < len(self.edges) and self.edges[position] == e)

    # -- parts -----------------------------------------------------------------------------------

    def subgraph(self, nodes: Iterable[int], **info: Any) -> Network:
        """These nodes and every edge among them (a node may be left without edges)."""
        import numpy as np

        chosen = np.unique(np.fromiter(nodes, dtype=np.int64))
        inside = np.zeros(len(self.structure.iris), dtype=bool)
        inside[chosen] = True
        s = self.structure
        edges = self.edges[inside[s.src[self.edges]] & inside[s.dst[self.edges]]]
        return self._view(nodes=chosen, edges=edges, **info)

    def adjacency(self) -> tuple[np.ndarray, np.ndarray]:
        """The simple undirected graph of this view as CSR (pointers, neighbours)."""

        s = self.structure
        if len(self.edges) == len(s.src) and len(self.nodes) == len(s.iris):
            return s.nbr_ptr, s.nbr_idx
        found = _neighbours(len(s.iris), s.src[self.edges], s.dst[self.edges])
        return found["nbr_ptr"], found["nbr_idx"]

    def simple(self) -> nx.Graph:
        """The simple undirected graph for networkx's algorithms; ``weight`` counts the relationships
        between two entities. Built in the order the projection's ``undirected`` would add them."""
        import networkx as nx

        s = self.structure
        graph = nx.Graph()
        graph.add_nodes_from(self.iri(int(i)) for i in self.nodes)
        weights: dict[tuple[int, int], int] = {}
        for e in self._nx_edges().tolist():
            u, v = int(s.src[e]), int(s.dst[e])
            if u != v:
                key = (u, v) if (u, v) in weights or (v, u) not in weights else (v, u)
                weights[key] = weights.get(key, 0) + 1
        iris = s.iris
        graph.add_weighted_edges_from((iris[u], iris[v], w) for (u, v), w in weights.items())
        return graph

    def to_networkx(self, evidence: bool = True) -> nx.MultiDiGraph:
        """This view as the projection: nodes and edges with their attributes and (``evidence``) the
        evidence behind each edge, fetched in one query."""
        import networkx as nx

        fields = self.fields
        graph = nx.MultiDiGraph()
        for i in self.nodes.tolist():
            graph.add_node(self.iri(i), **self.node_attributes(i))
        edges = self.edges.tolist()
        found = self.evidence(edges) if evidence else {}
        s = self.structure
        for e in edges:
            p = self.predicate(e)
            attrs: dict[str, Any] = {"predicate": p["iri"], "relationship": p["relationship"],
                                     "edge_label": p["edge_label"], "colour": p["colour"]}
            if evidence:
                items = found[e]
                attrs.update(evidence=items, statements=len(items))
                if fields is not None:
                    attrs.update(fields.flatten(items))
            graph.add_edge(self.iri(int(s.src[e])), self.iri(int(s.dst[e])), key=p["key"], **attrs)
        graph.graph.update(self.info)
        graph.graph["evidence"] = evidence
        # The projection carries its fields, so that exports and analyses of it need no store.
        graph.graph["evidence_fields"] = fields
        return graph


def _date_bounds(kg: KnowledgeGraph, structure: _Structure) -> np.ndarray:
    """Each statement's (start, end, point in time) as day numbers (0: none), for ``as_of``: read once
    and cached beside the structure."""
    import numpy as np

    from .evidence import date_bounds, date_fields, fetch

    directory = kg.store.sidecar(STRUCTURE_VERSION)
    path = directory / "dates.npy" if directory is not None else None
    if path is not None:
        try:
            cached = np.load(path)
            if cached.shape == (len(structure.strings["statements"]), 3):
                return cached
        except (OSError, ValueError):
            pass
    records = fetch(kg, fields=date_fields(kg.evidence_fields))
    statements = structure.strings["statements"].all()
    bounds = np.zeros((len(statements), 3), dtype=np.int32)
    for i, st in enumerate(statements):
        record = records.get(st)
        if record is not None:
            bounds[i] = date_bounds(record)
    if path is not None and directory.is_dir():
        import io

        from .paths import write_cache_file

        saved = io.BytesIO()
        np.save(saved, bounds)
        write_cache_file(path, saved.getvalue())
    return bounds


def project(kg: KnowledgeGraph, as_of: str | None = None, evidence: bool = True) -> nx.MultiDiGraph:
    """The RDF graph as a MultiDiGraph of entities and evidenced relationships (see module docstring).

    ``evidence=False`` gives the same nodes and edges without the statements behind each edge (no
    ``evidence`` or flattened evidence fields; ``graph.graph["evidence"]`` is False).
    """
    return Network.of(kg, as_of).to_networkx(evidence=evidence)


def as_network(graph: Network | nx.MultiDiGraph) -> Network:
    """Analyses take the cached ``Network`` or a projection (any MultiDiGraph with its attributes)."""
    return graph if isinstance(graph, Network) else Network.from_networkx(graph)


# ----------------------------------------------------------------------------------------------
# Analyses. Each takes a network (a ``Network`` or a projection) and returns an ``output.Table``.
#
# Structure (betweenness, PageRank, bridges, communities, paths) is read on the undirected simple
# graph: "A directs B" links A and B whichever way it points. Paths still show the real direction.
# ----------------------------------------------------------------------------------------------

# Above this many nodes, betweenness and Louvain run in igraph (networkx takes ~17 s at 2,000 nodes and
# 8,000 links, and over 5 s at 1,000 nodes and 10,000 links in benchmarks/scale.py).
IGRAPH_THRESHOLD = 300
LOUVAIN_SEED = 42
# Exact betweenness above this many (entities x links) steps is estimated from a sample of sources
# (igraph does about 2.5e7 steps a second here: 4 s, which keeps `centrality` at 100k statements within
# 5 s; benchmarks/growth.py measures it).
EXACT_BETWEENNESS_BUDGET = 1e8
BETWEENNESS_MIN_SAMPLE = 100
BETWEENNESS_SEED = 42


def undirected(graph: Network | nx.MultiDiGraph) -> nx.Graph:
    """The simple undirected graph; ``weight`` counts the relationships between two entities."""
    return as_network(graph).simple()


def _to_igraph(simple: nx.Graph):
    import igraph as ig

    order = sorted(simple.nodes())
    index = {n: i for i, n in enumerate(order)}
    edges = sorted((min(index[u], index[v]), max(index[u], index[v])) for u, v in simple.edges())
    g = ig.Graph(n=len(order), edges=edges, directed=False)
    g.es["weight"] = [simple[order[a]][order[b]].get("weight", 1) for a, b in edges]
    return g, order


def _igraph(network: Network):
    """The simple undirected graph in igraph, nodes in IRI order (as ``_to_igraph`` orders them)."""
    import igraph as ig
    import numpy as np

    s = network.structure
    order = sorted(network.nodes.tolist(), key=lambda i: s.iris[i])
    position = np.zeros(len(s.iris), dtype=np.int64)
    position[order] = np.arange(len(order))
    u, v = s.src[network.edges].astype(np.int64), s.dst[network.edges].astype(np.int64)
    keep = u != v
    a, b = position[u[keep]], position[v[keep]]
    low, high = np.minimum(a, b), np.maximum(a, b)
    n = max(1, len(order))
    pairs, weights = np.unique(low * n + high, return_counts=True)
    g = ig.Graph(n=len(order), edges=np.column_stack([pairs // n, pairs % n]).tolist(), directed=False)
    g.es["weight"] = weights.tolist()
    return g, [s.iris[i] for i in order]


def betweenness(simple: nx.Graph | Network, exact: bool = False,
                budget: float | None = None) -> tuple[dict[str, float], list[str]]:
    """Normalised betweenness of every node, and notes saying how it was computed.

    Exact betweenness costs about (entities x links) steps. Above ``budget`` steps it is estimated
    instead, unless ``exact``: shortest paths are followed out of a seeded random sample of entities
    only, and the sums are scaled up by (entities / sample), Brandes and Pich's estimator. The note
    says so, with the sample's size and seed, since ranks below the top can change with the sample.
    """
    import networkx as nx

    if isinstance(simple, Network):
        n = simple.number_of_nodes()
        if n <= IGRAPH_THRESHOLD:
            return nx.betweenness_centrality(simple.simple(), normalized=True), []
        g, order = _igraph(simple)
    else:
        n = simple.number_of_nodes()
        if n <= IGRAPH_THRESHOLD:
            return nx.betweenness_centrality(simple, normalized=True), []
        g, order = _to_igraph(simple)
    budget = EXACT_BETWEENNESS_BUDGET if budget is None else budget
    m = max(1, g.ecount())
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    if exact or n * m <= budget:
        raw = g.betweenness(directed=False)
        notes = [f"betweenness computed with igraph (exact) because the graph has more than "
                 f"{IGRAPH_THRESHOLD} nodes"]
        return {order[i]: value * scale for i, value in enumerate(raw)}, notes
    import random

    k = min(n, max(BETWEENNESS_MIN_SAMPLE, int(budget // m)))
    sources = sorted(random.Random(BETWEENNESS_SEED).sample(range(n), k))
    raw = g.betweenness(directed=False, sources=sources, targets=None)
    notes = [f"betweenness is APPROXIMATE: estimated from shortest paths out of {k:,} of {n:,} entities "
             f"chosen at random (seed {BETWEENNESS_SEED}), since the exact figure at {n:,} entities and "
             f"{m:,} links would take too long; ranks below the top may change with the sample "
             f"(--exact computes it exactly)"]
    return {order[i]: value * scale * n / k for i, value in enumerate(raw)}, notes


def _dated(network: Network, notes: list[str]) -> list[str]:
    """The notes, plus what an --as-of view means, when the network is one."""
    as_of = network.info.get("as_of")
    if not as_of:
        return notes
    return [*notes, f"as of {as_of}: only statements that may hold then; undated ones are included"]


def _rank(values: dict[str, float]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4) of values, highest first; ties share a rank."""
    ordered = sorted(values.values(), reverse=True)
    first = {}
    for i, value in enumerate(ordered, start=1):
        first.setdefault(round(value, 12), i)
    return {node: first[round(value, 12)] for node, value in values.items()}


def _pagerank(network: Network, simple: nx.Graph | None) -> dict[str, float]:
    """PageRank (damping 0.85, weighted by the relationships between two entities): networkx's on a
    small network, igraph's above ``IGRAPH_THRESHOLD`` entities (the same figures to about 1e-6; at
    10,000 entities networkx's own graph took longer to build than the betweenness)."""
    import networkx as nx

    if not network.number_of_nodes():
        return {}
    if simple is None and network.number_of_nodes() > IGRAPH_THRESHOLD:
        g, order = _igraph(network)
        return dict(zip(order, g.pagerank(directed=False, damping=0.85, weights="weight"), strict=True))
    return nx.pagerank(simple if simple is not None else network.simple(), weight="weight")


def centrality(graph: Network | nx.MultiDiGraph, by: str = "pagerank", top: int | None = None,
               exact: bool = False):
    """Degree, betweenness and PageRank of every entity, ranked by ``by`` (highest first)."""
    import numpy as np

    from .output import Table

    network = as_network(graph)
    small = network.number_of_nodes() <= IGRAPH_THRESHOLD
    simple = network.simple() if small else None
    between, notes = betweenness(simple if small else network, exact=exact)
    pagerank = _pagerank(network, simple)
    iris = network.structure.iris
    degree = {iris[i]: d for i, d in network.degrees().items()}
    ptr, _ = network.adjacency()
    counts = np.diff(ptr)
    neighbours = {iris[i]: int(counts[i]) for i in network.nodes.tolist()}
    key = {"degree": degree, "betweenness": between, "pagerank": pagerank}[by]
    ranks = _rank({n: float(v) for n, v in key.items()})
    label = {iris[i]: network.label(i) for i in network.nodes.tolist()}
    order = sorted(label, key=lambda n: (ranks[n], label[n], n))
    index = network.structure.index
    rows = [
        {
            "rank": ranks[n],
            "name": label[n],
            "type": network.type_label(index[n]),
            "degree": degree[n],
            "neighbours": neighbours[n],
            "betweenness": round(between[n], 6),
            "pagerank": round(pagerank[n], 6),
            "iri": n,
        }
        for n in order
    ]
    rows, notes = _first(rows, top, notes)
    return Table(["rank", "name", "type", "degree", "neighbours", "betweenness", "pagerank"], rows,
                 title=f"Centrality, ranked by {by}", notes=_dated(network, notes))


def _first(rows: list, top: int | None, notes: list[str]) -> tuple[list, list[str]]:
    """The first ``top`` rows (all when None), with a note saying how many were left out."""
    if top is None or len(rows) <= top:
        return rows, notes
    return rows[:top], [*notes, f"the first {top:,} of {len(rows):,} shown (--top 0 shows all)"]


def brokers(graph: Network | nx.MultiDiGraph, exact: bool = False, top: int | None = None):
    """Entities that hold the network together: articulation points, bridge ends, high betweenness
    (the first ``top`` by betweenness, or all)."""
    from .output import Table

    network = as_network(graph)
    small = network.number_of_nodes() <= IGRAPH_THRESHOLD
    between, notes = betweenness(network.simple() if small else network, exact=exact)
    g, order = _igraph(network)
    cut = {order[i] for i in g.articulation_points()}
    label = {network.iri(i): network.label(i) for i in network.nodes.tolist()}
    bridge_to: dict[str, list[str]] = defaultdict(list)
    bridges = sorted(tuple(sorted((order[g.es[e].source], order[g.es[e].target]))) for e in g.bridges())
    for u, v in bridges:
        bridge_to[u].append(label[v])
        bridge_to[v].append(label[u])
    candidates = [n for n in label if n in cut or bridge_to.get(n) or between[n] > 0]
    ordered = sorted(candidates, key=lambda n: (-round(between[n], 12), label[n], n))
    index = network.structure.index
    rows = [
        {
            "name": label[n],
            "type": network.type_label(index[n]),
            "articulation point": n in cut,
            "bridges to": sorted(bridge_to.get(n, [])),
            "betweenness": round(between[n], 6),
            "iri": n,
        }
        for n in ordered
    ]
    rows, notes = _first(rows, top, [*notes, f"{len(cut)} articulation point(s), {len(bridges)} bridge(s)"])
    return Table(["name", "type", "articulation point", "bridges to", "betweenness"], rows,
                 title="Brokers", notes=_dated(network, notes))


def communities(graph: Network | nx.MultiDiGraph, seed: int = LOUVAIN_SEED):
    """Louvain communities (fixed seed, so the same graph always gives the same answer)."""
    import networkx as nx

    from .output import Table

    network = as_network(graph)
    notes: list[str] = []
    if network.number_of_nodes() > IGRAPH_THRESHOLD:
        import random

        import igraph as ig

        g, order = _igraph(network)
        # igraph draws from Python's random module; a private, seeded generator keeps it repeatable.
        ig.set_random_number_generator(random.Random(seed))
        try:
            clustering = g.community_multilevel(weights="weight")
        finally:
            ig.set_random_number_generator(random)
        groups = [{order[i] for i in members} for members in clustering]
        notes.append(f"Louvain computed with igraph (seed {seed}) because the graph has more than "
                     f"{IGRAPH_THRESHOLD} nodes")
    else:
        groups = nx.community.louvain_communities(network.simple(), weight="weight", seed=seed)
    index = network.structure.index
    labelled = [sorted(network.label(index[n]) for n in group) for group in groups]
    labelled.sort(key=lambda members: (-len(members), members))
    rows = [{"community": i, "size": len(members), "members": members}
            for i, members in enumerate(labelled, start=1)]
    return Table(["community", "size", "members"], rows, title=f"Communities (Louvain, seed {seed})",
                 notes=_dated(network, notes))


def _distances(ptr: np.ndarray, idx: np.ndarray, n: int, start: int, stop: int | None = None,
               cutoff: int | None = None) -> np.ndarray:
    """Breadth-first distances from ``start`` over CSR adjacency (-1: not reached), level by level in
    arrays; it stops after the level that reaches ``stop``, or at ``cutoff`` steps."""
    import numpy as np

    distance = np.full(n, -1, dtype=np.int64)
    distance[start] = 0
    frontier = np.array([start], dtype=np.int64)
    level = 0
    while len(frontier) and (cutoff is None or level < cutoff) and (stop is None or distance[stop] < 0):
        starts, ends = ptr[frontier], ptr[frontier + 1]
        lengths = ends - starts
        if not lengths.sum():
            break
        # Every neighbour of the frontier at once: offsets into idx, built with repeat and a running count.
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        found = np.unique(idx[offsets])
        found = found[distance[found] < 0]
        level += 1
        distance[found] = level
        frontier = found
    return distance


# At most this many shortest paths are listed and sorted; above it the first ``limit`` in order are
# found by walking the paths in that order (exact unless two entities on the same step share a label).
PATHS_SORTED_MAX = 100_000


def _all_shortest_paths(network: Network, source: int, target: int) -> tuple[list[list[int]], int]:
    """The shortest paths between two nodes (ignoring direction), sorted by their entities' labels then
    IRIs, and how many there are; at most ``PATHS_SORTED_MAX`` are returned."""
    ptr, idx = network.adjacency()
    n = len(network.structure.iris)
    from_source = _distances(ptr, idx, n, source, stop=target)
    length = int(from_source[target])
    if length < 0:
        return [], 0
    from_target = _distances(ptr, idx, n, target, stop=source)
    on_path = (from_source >= 0) & (from_target >= 0) & (from_source + from_target == length)
    s = network.structure
    iris, labels = s.iris, s.labels

    def following(node: int) -> list[int]:
        step = from_source[node] + 1
        nxt = [int(w) for w in idx[ptr[node]:ptr[node + 1]] if on_path[w] and from_source[w] == step]
        return sorted(nxt, key=lambda w: (labels[w], iris[w]))

    # How many paths lead from each node to the target, counted backwards from it.
    count: dict[int, int] = {target: 1}
    layers: dict[int, list[int]] = defaultdict(list)
    for node in map(int, (on_path.nonzero()[0])):
        layers[int(from_source[node])].append(node)
    for step in range(length - 1, -1, -1):
        for node in layers[step]:
            count[node] = sum(count.get(w, 0) for w in following(node))
    total = count.get(source, 0)
    paths: list[list[int]] = []
    stack = [[source]]
    while stack and len(paths) < PATHS_SORTED_MAX:
        path = stack.pop()
        if path[-1] == target:
            paths.append(path)
            continue
        stack.extend(path + [w] for w in reversed(following(path[-1])))
    paths.sort(key=lambda p: [labels[i] for i in p] + [iris[i] for i in p])
    return paths, total


def shortest_paths(graph: Network | nx.MultiDiGraph, source: str, target: str, limit: int = 20):
    """All shortest paths between two entities (ignoring direction); one row per relationship per hop,
    with the evidence behind each, fetched for those relationships only."""
    from .errors import UsageError
    from .output import Table

    network = as_network(graph)
    for iri in (source, target):
        if iri not in network:
            raise UsageError(f"{iri} takes part in no relationship in this graph")
    a, b = network.node(source), network.node(target)
    title = f"Shortest paths from {network.label(a)} to {network.label(b)}"
    columns = ["path", "step", "subject", "relationship", "object", *_evidence_columns(network)]
    paths, total = _all_shortest_paths(network, a, b) if a != b else ([[a]], 1)
    if not total:
        return Table(columns, [], title=title, notes=_dated(network, ["no path: they are not connected"]))
    notes = []
    if total > limit:
        notes.append(f"showing {limit} of {total} shortest paths")
        paths = paths[:limit]
    hops = [(number, step, u, v) for number, path in enumerate(paths, start=1)
            for step, (u, v) in enumerate(zip(path, path[1:], strict=False), start=1)]
    between = {(u, v): network.edges_between(u, v) for _, _, u, v in hops}
    evidence = network.evidence({e for edges in between.values() for e in edges})
    rows = []
    for number, step, u, v in hops:
        for e in between[(u, v)]:
            s, o = int(network.structure.src[e]), int(network.structure.dst[e])
            rows.append({
                "path": number,
                "step": step,
                "subject": network.label(s),
                "relationship": network.predicate(e)["relationship"],
                "object": network.label(o),
                **_answer(network, evidence[e]),
                "subject_iri": network.iri(s),
                "object_iri": network.iri(o),
                "statements": network.statements_of(e),
            })
    notes.insert(0, f"{total} shortest path(s) of {len(paths[0]) - 1} step(s); direction shown as asserted")
    return Table(columns, rows, title=title, notes=_dated(network, notes))


def _evidence_columns(network: Network) -> list[str]:
    return network.fields.column_labels if network.fields is not None else []


def _answer(network: Network, records: list[Record]) -> dict[str, Any]:
    """An edge's evidence columns: each field's distinct values over its statements, joined."""
    fields = network.fields
    return fields.answer(fields.flatten(records)) if fields is not None else {}


def absent(graph: Network | nx.MultiDiGraph, *iris: str) -> list[str]:
    """The entities among ``iris`` that are not in the network: they take part in no relationship."""
    return [iri for iri in iris if iri not in graph]


def require_nodes(kg: KnowledgeGraph, graph: Network | nx.MultiDiGraph, *iris: str,
                  where: str = "this graph") -> None:
    """A UsageError naming the first entity that is not in the network (it has no relationship)."""
    from .errors import UsageError

    for iri in absent(graph, *iris)[:1]:
        raise UsageError(f"{kg.label(iri)} takes part in no relationship in {where}")


def _ego(network: Network, center: str, depth: int) -> Network:
    from .errors import UsageError

    if depth < 0:
        raise UsageError("depth must be 0 or more")
    if center not in network:
        raise UsageError(f"{center} takes part in no relationship in this graph")
    c = network.node(center)
    ptr, idx = network.adjacency()
    distance = _distances(ptr, idx, len(network.structure.iris), c, cutoff=depth)
    import numpy as np

    reached = np.flatnonzero(distance >= 0).tolist()
    return network.subgraph(reached, center=center, depth=depth)._view(
        distance={int(i): int(distance[i]) for i in reached})


def ego_network(graph: Network | nx.MultiDiGraph, center: str, depth: int = 1):
    """The entities within ``depth`` steps of ``center`` (either direction) and all edges among them:
    a ``Network`` from a ``Network``, a projection (with evidence) from a projection."""
    if isinstance(graph, Network):
        return _ego(graph, center, depth)
    ego = _ego(Network.from_networkx(graph), center, depth)
    return ego.to_networkx(evidence=bool(graph.graph.get("evidence", True)))


def ego_table(graph: Network | nx.MultiDiGraph, center: str, depth: int = 1):
    """The ego network as a table of its relationships, nearest first."""
    from .output import Table

    ego = _ego(as_network(graph), center, depth)
    s = ego.structure
    edges = ego._nx_edges().tolist()
    evidence = ego.evidence(edges)
    rows = []
    for e in edges:
        u, v = int(s.src[e]), int(s.dst[e])
        rows.append({
            "distance": max(ego.distance[u], ego.distance[v]),
            "subject": ego.label(u),
            "relationship": ego.predicate(e)["relationship"],
            "object": ego.label(v),
            **_answer(ego, evidence[e]),
            "subject_iri": ego.iri(u),
            "object_iri": ego.iri(v),
        })
    rows.sort(key=lambda r: (r["distance"], r["subject"], r["relationship"], r["object"]))
    c = ego.node(center)
    note = (f"{ego.number_of_nodes()} entities and {ego.number_of_edges()} relationships within "
            f"{depth} step(s) of {ego.label(c)}")
    return Table(["distance", "subject", "relationship", "object", *_evidence_columns(ego)], rows,
                 title=f"Ego network of {ego.label(c)} (depth {depth})", notes=_dated(ego, [note]))


def most_connected(graph: Network | nx.MultiDiGraph, count: int):
    """The ``count`` entities with the most relationships (ties broken by IRI), and the edges among them."""
    network = as_network(graph)
    degree = network.degrees()
    iris = network.structure.iris
    ranked = sorted(degree, key=lambda i: (-degree[i], iris[i]))
    part = network.subgraph(ranked[:count])
    return part if isinstance(graph, Network) else part.to_networkx(evidence=bool(graph.graph.get("evidence", True)))


def of_types(graph: Network | nx.MultiDiGraph, vocab, types: list[str]):
    """Only the entities that are of one of ``types`` (class IRIs, subclasses included), and their edges."""
    network = as_network(graph)
    s = network.structure
    wanted = {t for t in range(len(s.types)) if any(vocab.is_a(s.types[t]["iri"], c) for c in types)}
    part = network.subgraph(i for i in network.nodes.tolist() if int(s.node_type[i]) in wanted)
    return part if isinstance(graph, Network) else part.to_networkx(evidence=bool(graph.graph.get("evidence", True)))
