"""Exports: the registry of formats. Each builder returns text or bytes (CSV: a dict of file name to
text); only the CLI writes files, and it writes them atomically.

| format   | family module | what it holds |
|----------|---------------|---------------|
| html     | html          | the interactive network page (offline, evidence on hover and click) |
| svg      | svg           | a static figure of the network for reports |
| timeline | timeline      | the dated events and claims, in order, evidence on click |
| graphml  | gephi         | the network for Gephi, yEd, networkx |
| gexf     | gephi         | the network for Gephi, with colours and positions |
| csv      | table         | nodes.csv and edges.csv |
| turtle   | rdf           | the RDF data as Turtle |
| ntriples | rdf           | the RDF data as sorted N-Triples |
| jsonld   | rdf           | the RDF data as JSON-LD |
| ftm      | ftm           | FollowTheMoney entities (JSON lines) for Aleph, OpenSanctions and the ftm tools |

Beside them, ``export all`` writes one page per source document (``source.py``) and per story
(``story.py``), which the network pages link to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from ..kg import KnowledgeGraph

Output = str | bytes | dict[str, str]

# A page draws this many entities in about 1 s (benchmarks/html_scale.py); bigger graphs show their most
# connected entities, and say so.
HTML_MAX_NODES = 5000


@dataclass(frozen=True)
class View:
    """Which part of the network an export shows (network formats only)."""

    as_of: str | None = None
    ego: str | None = None
    depth: int = 1
    types: tuple[str, ...] = ()
    max_nodes: int | None = None  # keep only the most connected entities above this many (None: all)


def network_view(kg: KnowledgeGraph, view: View, notes: list[str] | None = None) -> tuple[nx.MultiDiGraph, str]:
    """The projection cut to ``view``, and a title that says what it shows; what the view leaves out
    beyond what was asked is appended to ``notes``. The view is cut from the bare network, and only its
    own edges' evidence is read."""
    from ..network import ego_network, most_connected, of_types, require_nodes

    network = kg.structure(as_of=view.as_of)
    title = "actorgraph network"
    if view.types:
        classes = [kg.vocabulary.entity_type(name) for name in view.types]
        network = of_types(network, kg.vocabulary, [c.iri for c in classes])
        title += " of " + ", ".join(c.label for c in classes)
    if view.ego:
        center = kg.resolve(view.ego)
        require_nodes(kg, network, center, where="this view of the graph")
        network = ego_network(network, center, view.depth)
        title = f"{title} around {kg.label(center)} ({view.depth} step{'s' if view.depth != 1 else ''})"
    if view.max_nodes and network.number_of_nodes() > view.max_nodes:
        total = network.number_of_nodes()
        network = most_connected(network, view.max_nodes)
        title += f": the {view.max_nodes:,} most connected of {total:,} entities"
        if notes is not None:
            notes.append(f"the export shows the {view.max_nodes:,} most connected of {total:,} entities "
                         f"and the relationships among them; --ego, --type or --max-nodes choose others")
    if view.as_of:
        title += f" as of {view.as_of}"
    return network.to_networkx(evidence=True), title


def _html(kg: KnowledgeGraph, view: View, notes: list[str]) -> str:
    from ..questions import identifiers_by_entity
    from .html import render_network

    graph, title = network_view(kg, view, notes)
    if any(data.get("evidence") for _, _, data in graph.edges(data=True)):  # every statement has a source
        notes.append("the evidence links to each source's text page (source-*.html): "
                     "write them beside this page with: actorgraph export sources -o DIR")
    return render_network(graph, title, kg.vocabulary, identifiers=identifiers_by_entity(kg))


def _svg(kg: KnowledgeGraph, view: View, notes: list[str]) -> str:
    from .svg import build_svg

    graph, title = network_view(kg, view, notes)
    return build_svg(graph, title, kg.vocabulary)


def _timeline(kg: KnowledgeGraph, view: View, notes: list[str]) -> str:
    from .timeline import build_timeline

    return build_timeline(kg)


def _graphml(kg: KnowledgeGraph, view: View, notes: list[str]) -> bytes:
    from .gephi import build_graphml

    return build_graphml(network_view(kg, view, notes)[0])


def _gexf(kg: KnowledgeGraph, view: View, notes: list[str]) -> bytes:
    from .gephi import build_gexf
    from .html import layout

    graph = network_view(kg, view, notes)[0]
    return build_gexf(graph, layout(graph))


def _csv(kg: KnowledgeGraph, view: View, notes: list[str]) -> dict[str, str]:
    from .table import build_csv

    return build_csv(network_view(kg, view, notes)[0])


def _turtle(kg: KnowledgeGraph, view: View, notes: list[str]) -> str:
    from .rdf import build_turtle

    return build_turtle(kg)


def _ntriples(kg: KnowledgeGraph, view: View, notes: list[str]) -> str:
    from .rdf import build_ntriples

    return build_ntriples(kg)


def _jsonld(kg: KnowledgeGraph, view: View, notes: list[str]) -> str:
    from .rdf import build_jsonld

    return build_jsonld(kg)


def _ftm(kg: KnowledgeGraph, view: View, notes: list[str]) -> str:
    from .ftm import build_ftm

    return build_ftm(kg, notes)


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    build: Callable[[KnowledgeGraph, View, list[str]], Output]
    description: str
    example: str  # a command line for its --help
    network: bool = True  # takes --as-of, --ego, --depth, --type


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("html", ".html", _html, "the interactive network page (offline, evidence on hover and click)",
               'actorgraph export html --as-of 2021-07 --type person --type "government body" -o network.html'),
        Format("svg", ".svg", _svg, "a static figure of the network for reports (names, key and caption)",
               'actorgraph export svg --ego "Osiris Luna Meza" -o luna.svg'),
        Format("timeline", ".html", _timeline, "the dated events and claims in order",
               "actorgraph export timeline -o timeline.html", network=False),
        Format("graphml", ".graphml", _graphml, "GraphML for Gephi, yEd and networkx",
               "actorgraph export graphml -o actorgraph.graphml"),
        Format("gexf", ".gexf", _gexf, "GEXF for Gephi, with colours and positions",
               'actorgraph export gexf --ego "Nayib Bukele" --depth 2 -o bukele.gexf'),
        Format("csv", ".csv", _csv, "nodes.csv and edges.csv", "actorgraph export csv -o tables/"),
        Format("turtle", ".ttl", _turtle, "the RDF data as Turtle", "actorgraph export turtle -o actorgraph.ttl",
               network=False),
        Format("ntriples", ".nt", _ntriples, "the RDF data as sorted N-Triples",
               "actorgraph export ntriples -o actorgraph.nt", network=False),
        Format("jsonld", ".jsonld", _jsonld, "the RDF data as JSON-LD", "actorgraph export jsonld -o actorgraph.jsonld",
               network=False),
        Format("ftm", ".ftm.json", _ftm, "FollowTheMoney entities, one JSON object a line, for Aleph and "
               "OpenSanctions", "actorgraph export ftm -o actorgraph.ftm.json", network=False),
    )
}


def build(kg: KnowledgeGraph, fmt: str, view: View | None = None, notes: list[str] | None = None) -> Output:
    """The export ``fmt`` of the graph as text, bytes or (CSV) a dict of file name to text. What the
    export leaves out beyond what the view asked for (the most connected entities only) is appended to
    ``notes``, for the CLI to say."""
    from ..errors import UsageError

    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    return FORMATS[fmt].build(kg, view or View(), [] if notes is None else notes)


@dataclass(frozen=True)
class Shipped:
    """One file of ``exports/``."""

    filename: str
    fmt: str
    view: View = field(default_factory=View)


# What `actorgraph export all` writes, and what tests/test_export.py checks is up to date.
SHIPPED: tuple[Shipped, ...] = (
    Shipped("actorgraph.html", "html", View(max_nodes=HTML_MAX_NODES)),
    Shipped("actorgraph.svg", "svg", View(max_nodes=HTML_MAX_NODES)),
    Shipped("ego-nayib-bukele.html", "html", View(ego="Nayib Bukele", depth=1, max_nodes=HTML_MAX_NODES)),
    Shipped("ego-osiris-luna-meza.html", "html", View(ego="Osiris Luna Meza", depth=1, max_nodes=HTML_MAX_NODES)),
    Shipped("ego-elmer-canales-rivera.html", "html",
            View(ego="Élmer Canales Rivera", depth=1, max_nodes=HTML_MAX_NODES)),
    Shipped("timeline.html", "timeline"),
    Shipped("actorgraph.graphml", "graphml"),
    Shipped("actorgraph.gexf", "gexf"),
    Shipped("actorgraph.ftm.json", "ftm"),
)


def as_bytes(output: str | bytes) -> bytes:
    return output.encode("utf-8") if isinstance(output, str) else output


def build_all(kg: KnowledgeGraph) -> dict[str, bytes]:
    """Every file of ``exports/``, by file name: the SHIPPED files, each source's page and each story's."""
    from .source import build_source_pages
    from .story import build_story_pages

    files: dict[str, bytes] = {}
    for item in SHIPPED:
        output: Any = build(kg, item.fmt, item.view)
        files[item.filename] = as_bytes(output)
    for name, text in {**build_source_pages(kg), **build_story_pages(kg)}.items():
        files[name] = as_bytes(text)
    return files
