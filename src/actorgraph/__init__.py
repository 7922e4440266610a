"""actorgraph: a knowledge graph of political actors, where every edge carries its evidence.

In a notebook::

    import actorgraph
    kg = actorgraph.load()
    kg.rows("SELECT ?name WHERE { ?p a ag:Person ; rdfs:label ?name }")
    kg.named("who-negotiated")
    g = kg.network()            # networkx MultiDiGraph, edges carry quote, source, dates, status
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["KnowledgeGraph", "load"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from .kg import KnowledgeGraph, load


def __getattr__(name: str):
    # The store and query modules (and pyoxigraph) are imported on first use, not with the package:
    # ``python -m actorgraph`` imports this package before the CLI, and an answer from the answer
    # cache, --help or a usage error needs neither.
    if name in __all__:
        from . import kg

        return getattr(kg, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
