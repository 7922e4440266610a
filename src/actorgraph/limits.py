"""Time and memory limits: checking the values people give, and running one piece of work under them.

``actorgraph sparql`` runs its query in a forked child process, so that a time limit and Ctrl-C can
stop it even inside Oxigraph (which never returns to Python while it evaluates), and so that a memory
limit or a crash ends the child, not the command: the parent then prints one line. Forking costs about
a millisecond, and the child inherits everything the parent has imported, so a small query stays fast.
The server's workers use the same memory limit (``limit_memory``).
"""

from __future__ import annotations

import math
import os
import re
import signal
from collections.abc import Callable
from typing import Any

from .errors import ActorgraphError, QueryStopped, UsageError

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


MAX_SECONDS = 86_400.0  # a day; far more than that overflows socket timers (1e300 s is an OverflowError)


def seconds(value: str | float, option: str) -> float:
    """A time limit: a finite number of seconds above 0 and at most a day (``nan``, ``inf``, 0, negatives
    and ``1e300`` refused)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{option} must be a number of seconds, not {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise UsageError(f"{option} must be a finite number of seconds above 0, not {value!r}")
    if number > MAX_SECONDS:
        raise UsageError(f"{option} must be at most {MAX_SECONDS:g} seconds (a day), not {value!r}")
    return number


def size(value: str | int, option: str) -> int:
    """A size in bytes, written as 1048576, 512K, 64M, 4G or 4GiB (powers of 1024)."""
    match = _SIZE.match(str(value))
    number = int(float(match.group(1)) * _UNITS[match.group(2).upper()]) if match else 0
    if number < 1:
        raise UsageError(f"{option} must be a size such as 512M or 4G, not {value!r}")
    return number


def human(count: int) -> str:
    """A byte count as people write it: 4 GiB, 512 MiB, 1000 bytes."""
    for unit, factor in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= factor:
            return f"{count / factor:.3g} {unit}"
    return f"{count} bytes"


def physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def limit_memory(limit: int) -> None:
    """Cap this process's data memory (heap and private mappings, not files it reads): past it, an
    allocation fails, which ends the process (Oxigraph aborts) or raises MemoryError (Python)."""
    import resource

    limit = max(limit, 64 << 20)
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def run_limited(work: Callable[[], Any], *, timeout: float, memory: int, what: str) -> Any:
    """``work()`` in a forked child under ``timeout`` seconds and ``memory`` bytes; its result (pickled).

    An ``ActorgraphError`` in the child is raised again here with the same message and exit code. Past
    the time limit, on Ctrl-C (KeyboardInterrupt here) or when the child dies, the child is killed and
    a ``QueryStopped`` (or the KeyboardInterrupt) says why. ``what`` names the command for messages.
    """
    import pickle
    import select
    import time

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(work, memory, write_end)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    finished = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QueryStopped(f"query stopped: it ran past the time limit of {timeout:g} s ({what} --timeout)")
            ready, _, _ = select.select([read_end], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(read_end, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        finished = True
    finally:
        os.close(read_end)
        if not finished:
            _kill(pid)
    data = b"".join(chunks)
    if not data:
        raise QueryStopped(_death(status, memory, what))
    kind, payload = pickle.loads(data)
    if kind == "ok":
        return payload
    if kind == "error":
        message, code = payload
        err = ActorgraphError(message)
        err.exit_code = code
        raise err
    if kind == "memory":
        raise QueryStopped(f"query stopped: it needed more than {human(memory)} of memory ({what} --max-memory)")
    raise RuntimeError(payload)


def _child(work: Callable[[], Any], memory: int, write_end: int) -> None:
    import pickle

    # The parent handles Ctrl-C; Oxigraph's own messages (an allocation failure) are the parent's to word.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    code = 1
    try:
        limit_memory(memory)
        try:
            outcome: tuple[str, Any] = ("ok", work())
        except ActorgraphError as err:
            outcome = ("error", (str(err), err.exit_code))
        except MemoryError:
            outcome = ("memory", None)
        except Exception as err:  # noqa: BLE001 - sent to the parent, which reports it as internal
            outcome = ("internal", f"{type(err).__name__}: {err}")
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", None))
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view):]
        code = 0
    finally:
        os._exit(code)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _death(status: int, memory: int, what: str) -> str:
    """Why a child that sent nothing ended, in one line."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number in (signal.SIGABRT, signal.SIGKILL):
            return (f"query stopped: it needed more than {human(memory)} of memory ({what} --max-memory), "
                    f"or the SPARQL engine failed (signal {number})")
        return f"query stopped: the SPARQL engine crashed (signal {number}, {signal.Signals(number).name})"
    return f"query stopped: the query process exited with status {os.WEXITSTATUS(status)}"
