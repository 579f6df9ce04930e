"""The one way hedgec writes a file: `-o`, `build`, `fmt`, `--plot` and the
catalog cache all come here.

A regular file (or a new one) is written to a temporary file beside it and
renamed over it, so a reader or a killed process sees the old file or the new
one, never half of either. The temporary file is named
`.NAME.hedgec-tmp-PID-TOKEN[.SUFFIX]`, so a leftover is recognisable, and the
next write to NAME removes leftovers whose process is gone. A new file gets
the mode the umask gives; a replaced one keeps its mode. What is not a
regular file (a FIFO, a terminal, /dev/null, /dev/stdout) is written in place:
renaming over it would replace the device with a file. Missing folders above
the target are created.
"""
from __future__ import annotations

import glob
import os
import secrets
import stat
from pathlib import Path
from typing import Callable

TEMP_MARK = ".hedgec-tmp-"
STALE_AGE = 24 * 3600.0  # a leftover this old goes even if its pid was reused


class WriteError(Exception):
    """A file could not be written; the message is one line naming the path."""


def write_text(path: str | os.PathLike, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    def dump(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            handle.write(data)

    write_with(path, dump)


def write_with(path: str | os.PathLike, draw: Callable[[str], None]) -> None:
    """Have `draw(p)` write the whole file at path p, then put it at `path`.
    `p` keeps `path`'s suffix, so tools that choose a format by the file name
    (matplotlib's savefig) choose the right one."""
    path = os.fspath(path)
    if path.endswith(os.sep) or os.path.isdir(path):
        raise WriteError(f"cannot write {path}: it names a folder, not a file")
    if _in_place(path):
        _guard(path, draw, path)
        return
    target = Path(os.path.realpath(path))  # through a symlink: replace the file, keep the link
    _make_folder(path, target.parent)
    remove_stale_temps(target)
    tmp = _create_temp(path, target)
    try:
        _guard(path, draw, tmp)
        if target.exists():
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        os.replace(tmp, target)
    except OSError as err:
        raise WriteError(f"cannot write {path}: {reason(err)}") from None
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def temp_pattern(target: Path) -> str:
    """A glob for the temporary files of writes to `target`."""
    return str(target.parent / f".{glob.escape(target.name)}{TEMP_MARK}*")


def remove_stale_temps(target: Path) -> list[str]:
    """Remove temporary files left beside `target` by writes whose process is gone."""
    import time

    removed = []
    for tmp in glob.glob(temp_pattern(target)):
        pid = _pid_of(Path(tmp).name[len(target.name) + 1 + len(TEMP_MARK):])
        try:
            old = time.time() - os.lstat(tmp).st_mtime > STALE_AGE
            if old or not _alive(pid):
                os.unlink(tmp)
                removed.append(tmp)
        except OSError:
            continue  # removed meanwhile, or not ours to remove
    return removed


def _make_folder(shown: str, folder: Path) -> None:
    """Create the missing folders above the target, as `-o` in ruff does."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise WriteError(f"cannot write {shown}: {_folder(shown)} is not a folder") from None
    except OSError as err:
        raise WriteError(f"cannot write {shown}: cannot create its folder: {reason(err)}") from None


def _in_place(path: str) -> bool:
    """Whether `path` is written where it is: an existing non-regular file, or
    a file reached through /dev or /proc (/dev/stdout, /proc/self/fd/1)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if not stat.S_ISREG(mode):
        return True
    return any(p.startswith(("/dev/", "/proc/")) for p in (os.path.abspath(path), os.path.realpath(path)))


def _create_temp(shown: str, target: Path) -> str:
    suffix = target.suffix if len(target.suffix) <= 16 else ""
    for _ in range(100):
        tmp = str(target.parent / f".{target.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}{suffix}")
        try:
            # 0o666 through the umask: the mode a new file would get from `>` in a shell
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue
        except OSError as err:
            raise WriteError(f"cannot write {shown}: {reason(err)}") from None
    raise WriteError(f"cannot write {shown}: no free temporary file name beside it")


def _guard(shown: str, draw: Callable[[str], None], where: str) -> None:
    try:
        draw(where)
    except OSError as err:
        raise WriteError(f"cannot write {shown}: {reason(err)}") from None


def _pid_of(rest: str) -> int | None:
    head = rest.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    if pid == os.getpid():
        return True  # another write of this process, under way
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


def _folder(path: str) -> str:
    return os.path.dirname(path.rstrip(os.sep)) or "."


def reason(err: OSError) -> str:
    return (err.strerror or str(err)).lower()
