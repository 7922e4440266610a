"""actorgraph: a knowledge graph of political actors, where every edge carries its evidence.

In a notebook::

    import actorgraph
    kg = actorgraph.load()
    kg.rows("SELECT ?name WHERE { ?p a ag:Person ; rdfs:label ?name }")
    kg.named("who-negotiated")
    g = kg.network()            # networkx MultiDiGraph, edges carry quote, source, dates, status
"""

from __future__ import annotations

from .kg import KnowledgeGraph, load

__all__ = ["KnowledgeGraph", "load"]
__version__ = "0.1.0"
