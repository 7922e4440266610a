"""Command: validate."""

from __future__ import annotations

import click

from ..errors import ValidationFailed
from . import Context, cli, echo_result, pass_ctx


def _coverage(ctx: Context, report):
    """Sentence coverage of the source texts, when the coverage module is installed: from the files the
    validation parsed, so that each file is parsed once."""
    try:
        from ..coverage import coverage_of
    except ImportError:
        return None
    return coverage_of(report.quoted, ctx.source.graph_dir)


@cli.command("validate")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@pass_ctx
def validate_command(ctx: Context, fmt: str) -> None:
    """Check the graph's Turtle files against the ontology, the SHACL shapes and the source texts.

    Besides the shapes (ontology/shapes.ttl) it checks that every quote appears verbatim in its
    stored source text, that every relationship has its statement and every statement its
    relationship, and that no identifier or term is used without being defined. It reads the local
    files, never an endpoint. Prints one summary line when the graph is valid; otherwise one line
    per violation (focus node, property, message) and exits with status 1. Gaps a source may leave
    (a government body, court or prison without its country, an indictment or order without its
    issuer) are warnings on standard error; they do not make the graph invalid.

    \b
    Example:
      actorgraph validate
      actorgraph --graph-dir tests/fixtures/world validate --format json
    """
    from ..output import printable
    from ..validate import validate

    report = validate(ctx.source)
    coverage = _coverage(ctx, report) if report.conforms else None
    if fmt == "json":
        import json

        data = report.as_json()
        if coverage is not None:
            data["sentence_coverage"] = coverage.as_json()
        echo_result(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif report.conforms:
        echo_result(report.summary() + (f"; {coverage.summary()}" if coverage is not None else "") + "\n")
    else:
        echo_result("".join(printable(violation.line()) + "\n" for violation in report.violations))
    if fmt == "text":
        for warning in report.warnings:
            click.echo(printable(f"warning: {warning.line()}"), err=True)
    if not report.conforms:
        raise ValidationFailed(report.violations)
