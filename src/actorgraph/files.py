"""The one way actorgraph writes a file (atomically, never through a link or onto a special file), and
how it reads the text a person hands it.

A write goes to a temporary file in the target's directory, is flushed to disk, and is then renamed
over the target, so a reader sees the old file or the new one, never half of one, and an error or
Ctrl-C part-way leaves the old file as it was.

What may be replaced: a regular file, or nothing. A target that is a symbolic link (even one pointing
at a regular file), a directory, a FIFO, a socket or a device is refused with a one-line
``DataFileError`` before anything is written: renaming over a link would silently cut it, and writing
through it would change a file the user did not name. Only the last component of the path is checked;
directories on the way may be links (``/tmp`` is one on some systems).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from .errors import DataFileError

_KINDS = [
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
]


def check_target(target: str | os.PathLike) -> os.stat_result | None:
    """Refuse a target that a write must not replace; return its ``lstat`` (None when it does not exist).

    Raises ``DataFileError`` for a link, a directory or any other non-regular file, and for a missing or
    unusable parent directory.
    """
    path = Path(target)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise DataFileError(f"{path}: cannot write: {err.strerror}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
        rule = "write to the file it points to, or remove the link" if stat.S_ISLNK(info.st_mode) \
            else "name a new or regular file"
        raise DataFileError(f"{path}: is {kind}; actorgraph only replaces regular files ({rule})")
    parent = path.parent
    if not parent.is_dir():
        reason = "not a directory" if parent.exists() else "no such directory"
        raise DataFileError(f"{parent}: {reason}")
    return info


def _new_file_mode() -> int:
    """The mode ``open()`` gives a new file: 0o666 less the umask (which can only be read by setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _stage(target: Path, data: bytes, mode: int, sync: bool) -> Path:
    """Write ``data`` to a new temporary file beside ``target`` (flushed to disk with ``sync``)."""
    import tempfile

    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as err:
        raise DataFileError(f"{target}: cannot write: {err.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            if sync:
                os.fsync(out.fileno())
        os.chmod(temporary, mode)
    except BaseException as err:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise DataFileError(f"{target}: cannot write: {err.strerror}") from None
        raise
    return Path(temporary)


def write_files(files: Mapping[str | os.PathLike, bytes | str], *, sync: bool = True) -> None:
    """Write several files (text as UTF-8), each atomically, and none unless every one can be.

    Every target is checked, then every temporary file is written and flushed to disk, and only then
    are they renamed into place (renames take microseconds): a refused target, a full disk or Ctrl-C
    while writing leaves all the old files. An existing file keeps its permissions; a new one gets the
    usual ``0o666`` less the umask. ``sync=False`` skips flushing to disk, for files that only save
    time (caches), where losing the newest copy in a power cut costs nothing.
    """
    targets = [(Path(name), data.encode("utf-8") if isinstance(data, str) else data)
               for name, data in files.items()]
    modes = {}
    for target, _ in targets:
        info = check_target(target)
        modes[target] = stat.S_IMODE(info.st_mode) if info else None
    default_mode = _new_file_mode()
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in targets:
            mode = default_mode if modes[target] is None else modes[target]
            staged.append((_stage(target, data, mode, sync), target))
        for temporary, target in staged:
            # A link or special file that appeared since the check would be replaced, not written
            # through: rename never follows its target. Checking again keeps that window small.
            check_target(target)
            try:
                os.replace(temporary, target)
            except OSError as err:
                raise DataFileError(f"{target}: cannot write: {err.strerror}") from None
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)


def write_file(target: str | os.PathLike, data: bytes | str, *, sync: bool = True) -> None:
    """Write one file atomically (text as UTF-8); see the module docstring for what is refused."""
    write_files({target: data}, sync=sync)


def decode_text(data: bytes, where: str) -> str:
    """``data`` as UTF-8 text, else a one-line ``DataFileError`` naming ``where``, the line and the byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise DataFileError(f"{where}:{line}: not UTF-8 text (byte 0x{data[err.start]:02x})") from None
