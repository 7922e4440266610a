"""The one exception hierarchy. The CLI turns each into a one-line message and an exit code."""

from __future__ import annotations


class ActorgraphError(Exception):
    """Base of every error actorgraph reports to a person. ``str(err)`` is the whole message.

    ``partial``, when set, is a result (an ``output.Table``) of what was done before the failure: the
    CLI prints it, in the format asked for, before the message.
    """

    exit_code = 1
    partial = None


class UsageError(ActorgraphError):
    """The arguments are wrong: an unknown name, a bad date, an unknown format or parameter."""

    exit_code = 2


class UnknownNameError(UsageError):
    """A name matched no entity. ``matches`` holds the closest labels, best first."""

    def __init__(self, name: str, matches: list[str]):
        self.name, self.matches = name, matches
        hint = f"; closest: {', '.join(matches)}" if matches else ""
        super().__init__(f"unknown name {name!r}{hint}")


class AmbiguousNameError(UsageError):
    """A name matched more than one entity equally well."""

    def __init__(self, name: str, matches: list[str]):
        self.name, self.matches = name, matches
        super().__init__(f"ambiguous name {name!r}; it matches: {', '.join(matches)}")


class BadDateError(UsageError):
    """A date argument is not YYYY, YYYY-MM or YYYY-MM-DD, or is not a real date."""


class ParseError(ActorgraphError):
    """A data file could not be parsed. The message starts with file:line."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line = path, line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class SheetError(ActorgraphError):
    """A review sheet is malformed, or names something the graph does not have. ``problems`` holds one
    line per problem, each starting with sheet:line; the message is the only problem, or a count."""

    def __init__(self, path: str, problems: list[str]):
        self.path, self.problems = path, problems
        message = problems[0] if len(problems) == 1 else f"{path}: {len(problems)} problems; nothing was written"
        super().__init__(message)


class DataFileError(ActorgraphError):
    """A file or directory is missing, unreadable or of the wrong kind."""


class QueryError(ActorgraphError):
    """A SPARQL query is malformed or failed to run. The message carries the parser's position."""


class QueryRefused(QueryError):
    """A query refused before it ran (see ``actorgraph.guard``)."""


class ServiceRefused(QueryRefused):
    """The query calls a SERVICE endpoint that the user did not allow: no outbound request is made."""


class QueryTooComplex(QueryRefused):
    """The query nests too deeply, or chains too many operators, for the SPARQL engine to parse safely."""


class QueryStopped(QueryError):
    """A query ran past its time or memory limit, or crashed the engine, and was stopped."""


class ReadOnlyError(ActorgraphError):
    """An update was sent where only queries are allowed."""


class EndpointError(ActorgraphError):
    """A remote SPARQL endpoint or graph store could not be reached or answered with an error."""


class HTTPStatusError(EndpointError):
    """A remote endpoint or store answered with an HTTP error status; ``detail`` is its first line."""

    def __init__(self, where: str, status: int, detail: str, doing: str = ""):
        self.where, self.status, self.detail = where, status, detail
        super().__init__(f"{where}: {doing}HTTP {status}: {detail}")


class EndpointTimeout(EndpointError):
    """A remote endpoint or store gave no answer in time: what it does with the request is unknown."""


class PushFailed(EndpointError):
    """``push`` stopped part-way (an error, or Ctrl-C: exit code 130). ``results`` says, graph by
    graph, whether it was replaced, not replaced, or is in an unknown state."""

    def __init__(self, message: str, results: list, interrupted: bool = False):
        self.results = results
        if interrupted:
            self.exit_code = 130
        super().__init__(message)


class ValidationFailed(ActorgraphError):
    """The graph broke one or more rules. ``violations`` lists them."""

    def __init__(self, violations: list):
        self.violations = violations
        super().__init__(f"{len(violations)} violation(s)")
