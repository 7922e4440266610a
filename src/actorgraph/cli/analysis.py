"""Commands: network analyses (centrality, brokers, communities, path, ego) over the cached network."""

from __future__ import annotations

import click

from . import answer_options, cli, pass_ctx

_EXACT = click.option("--exact", is_flag=True,
                      help="Exact betweenness even on a large graph (it is estimated from a sample of "
                           "entities when the exact figure would take long, and the output says so).")
_TOP = click.option("--top", type=click.IntRange(min=0), default=20, show_default=True, metavar="N",
                    help="Show the first N (0: all); a note says how many were left out.")
_AS_OF = click.option("--as-of", "as_of", metavar="DATE",
                      help="Only what holds on this date (YYYY, YYYY-MM or YYYY-MM-DD).")


@cli.command("centrality")
@click.option("--by", type=click.Choice(["pagerank", "betweenness", "degree"]), default="pagerank",
              show_default=True, help="The measure to rank by.")
@_TOP
@_EXACT
@_AS_OF
@answer_options
@pass_ctx
def centrality_command(ctx, by: str, top: int, exact: bool, as_of: str | None):
    """Rank entities by degree, betweenness and PageRank.

    Example:

        actorgraph centrality --by betweenness --top 10
    """
    from ..network import centrality

    return centrality(ctx.kg.structure(as_of=as_of), by=by, top=top or None, exact=exact)


@cli.command("brokers")
@_TOP
@_EXACT
@_AS_OF
@answer_options
@pass_ctx
def brokers_command(ctx, top: int, exact: bool, as_of: str | None):
    """List the entities that hold the network together: articulation points, bridges, betweenness.

    Example:

    \b
        actorgraph brokers --format json
        actorgraph brokers --top 0
    """
    from ..network import brokers

    return brokers(ctx.kg.structure(as_of=as_of), exact=exact, top=top or None)


@cli.command("communities")
@click.option("--seed", type=int, default=42, show_default=True, help="Louvain's random seed.")
@_AS_OF
@answer_options
@pass_ctx
def communities_command(ctx, seed: int, as_of: str | None):
    """Group entities into communities (Louvain, fixed seed: the same graph gives the same answer).

    Example:

        actorgraph communities
    """
    from ..network import communities

    return communities(ctx.kg.structure(as_of=as_of), seed=seed)


@cli.command("path")
@click.argument("source")
@click.argument("target")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="Show at most this many shortest paths.")
@_AS_OF
@answer_options
@pass_ctx
def path_command(ctx, source: str, target: str, limit: int, as_of: str | None):
    """Show every shortest path between two entities, each step with its relationship and quote.

    Steps may be walked either way; each shows the relationship in the direction it was asserted.

    Example:

        actorgraph path "Nayib Bukele" "Élmer Canales Rivera"
    """
    from ..network import require_nodes, shortest_paths

    kg = ctx.kg
    a, b = kg.resolve(source), kg.resolve(target)
    network = kg.structure(as_of=as_of)
    require_nodes(kg, network, a, b)
    return shortest_paths(network, a, b, limit=limit)


@cli.command("ego")
@click.argument("name")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="How many steps out from NAME.")
@_AS_OF
@answer_options
@pass_ctx
def ego_command(ctx, name: str, depth: int, as_of: str | None):
    """List the relationships around one entity, out to --depth steps.

    Example:

        actorgraph ego "Osiris Luna Meza" --depth 2
    """
    from ..network import ego_table, require_nodes

    kg = ctx.kg
    center = kg.resolve(name)
    network = kg.structure(as_of=as_of)
    require_nodes(kg, network, center)
    return ego_table(network, center, depth)
