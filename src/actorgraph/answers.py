"""A cache of rendered answers, so that asking the same question twice is instant.

An answer is stored under a key made of everything it depends on: the bytes of every Turtle file
of the graph and the ontology, the bytes of actorgraph's own code and named queries, the command and
its arguments, the output format, the terminal width and the working directory. Change any of them
and the key changes, so a stale answer can never be printed. Answers from a remote endpoint are
never cached (its data may change behind our back), nor are errors. ``ACTORGRAPH_ANSWER_CACHE=never``
turns the cache off.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from . import paths

ENV_ANSWER_CACHE = "ACTORGRAPH_ANSWER_CACHE"  # auto (default) or never
KEEP = 500  # answers kept; the oldest go first


def _code_files() -> list[Path]:
    return sorted(p for p in paths.PACKAGE_DIR.rglob("*") if p.suffix in (".py", ".rq"))


def enabled() -> bool:
    return os.environ.get(ENV_ANSWER_CACHE, "auto") != "never"


def answer_key(data: str, parts: list[str]) -> str:
    """The key of one answer: the data's fingerprint, the code's, the width, the directory, the question."""
    from .store import fingerprint

    context = [data, fingerprint(_code_files()), os.environ.get("COLUMNS", ""), str(Path.cwd()), *parts]
    import hashlib

    return hashlib.blake2b("\0".join(context).encode(), digest_size=20).hexdigest()


def cached(key: str | None, compute: Callable[[], str]) -> str:
    """The stored answer for ``key``, else ``compute()`` stored under it (atomically)."""
    if key is None:
        return compute()
    directory = paths.cache_dir() / "answers"
    path = directory / f"{key}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    text = compute()
    paths.write_cache_file(path, text)
    try:
        _prune(directory)
    except OSError:
        pass  # a cache that cannot be pruned only costs disk
    return text


def _prune(directory: Path) -> None:
    answers = list(directory.glob("*.txt"))
    if len(answers) <= KEEP:
        return
    answers.sort(key=lambda p: p.stat().st_mtime)
    for old in answers[: len(answers) - KEEP]:
        old.unlink(missing_ok=True)
