"""The RDF graph itself, as Turtle, N-Triples or JSON-LD (all the data files; the ontology is left out).

The triples are read from the store (local or remote) through SPARQL, so what is exported is what the
queries see. rdflib serialises; N-Triples are canonical (blank nodes named from their content) and
sorted, so the file depends on the graph alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..store import GRAPH_NS, OUR_GRAPHS, PREFIXES

if TYPE_CHECKING:
    import rdflib

    from ..kg import KnowledgeGraph

_XSD_STRING = PREFIXES["xsd"] + "string"
ONTOLOGY_GRAPHS = GRAPH_NS + "ontology/"

_DATA_TRIPLES = f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  #@values
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER({OUR_GRAPHS} && !STRSTARTS(STR(?g), ?ontology))
}}
"""


def _term(term):
    import pyoxigraph as ox
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        # RDF 1.1: a simple literal is an xsd:string; rdflib tells them apart, so write it the simple way.
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def data_graph(kg: KnowledgeGraph) -> rdflib.Graph:
    """The data (graph/ files, not the ontology) as an rdflib Graph with our prefixes bound."""
    import pyoxigraph as ox
    import rdflib

    graph = rdflib.Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    result = kg.select(_DATA_TRIPLES, {"ontology": ox.Literal(ONTOLOGY_GRAPHS)})
    for row in result.rows:
        graph.add((_term(row["s"]), _term(row["p"]), _term(row["o"])))
    return graph


def build_turtle(kg: KnowledgeGraph) -> str:
    return data_graph(kg).serialize(format="turtle")


def build_ntriples(kg: KnowledgeGraph) -> str:
    """Sorted lines, with blank nodes named canonically, so the same graph gives the same file."""
    from rdflib.compare import to_canonical_graph

    lines = to_canonical_graph(data_graph(kg)).serialize(format="nt").splitlines()
    return "\n".join(sorted(line for line in lines if line.strip())) + "\n"


def build_jsonld(kg: KnowledgeGraph) -> str:
    graph = data_graph(kg)
    context = {prefix: namespace for prefix, namespace in PREFIXES.items()}
    return graph.serialize(format="json-ld", context=context, indent=2, sort_keys=True)
