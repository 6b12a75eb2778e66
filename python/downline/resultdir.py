"""A saved result is one directory, written whole or not at all.

:func:`write_whole` writes every file into a new hidden directory beside the target
(``.NAME.<pid>-<id>.tmp``), then a ``manifest.json`` naming every file with its size and
SHA-256 and the result's run id, flushes it all to disk, and renames the directory into
place. An existing result is first moved aside (``.NAME.<pid>-<id>.old``), and deleted once
the new one is in place. A write that is interrupted (Ctrl-C, SIGKILL, a full disk) leaves
the target either as it was, or — killed between the two renames — absent; never half of
one result beside half of another, and never a ``.part`` file inside it. Hidden directories
left by a killed writer are removed by the next write beside them.

:func:`read_manifest` is the other half: a directory whose manifest is missing, or whose
files differ from what the manifest names, is refused with :class:`ResultDirError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any, Union

PathLike = Union[str, "os.PathLike[str]"]

MANIFEST = "manifest.json"
#: The ``format`` field of a manifest, and the version of its layout.
FORMAT = "downline result"
FORMAT_VERSION = 1

_CHUNK = 1 << 20
#: Hidden directories a writer works in: ``.NAME.<pid>-<8 hex>.tmp`` and ``….old``.
_WORK_DIR = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.(?:tmp|old)$")
#: Temporary files an older downline wrote inside the directory itself.
_OLD_PART = re.compile(r"^\..+\.\d+\.part$")


class ResultDirError(ValueError):
    """A directory is not one whole ``downline simulate --out`` result, or cannot be one."""


def new_run_id() -> str:
    """A fresh run id (32 hex digits), written into the manifest and every file's metadata."""
    return uuid.uuid4().hex


def target_dir(directory: PathLike) -> Path:
    """The absolute directory a result is to be written to; refuses an empty name and a
    file-system root (which cannot be replaced by a rename)."""
    if isinstance(directory, str) and not directory.strip():
        raise ResultDirError("the output directory is an empty name; give a directory, "
                             "e.g. --out out/run1")
    target = Path(os.path.realpath(os.fspath(directory)))
    if target.parent == target:
        raise ResultDirError(f"{target}: a file-system root cannot hold a result; give a "
                             "directory below it")
    return target


def _digest(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of a file just written, after flushing it to disk."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
        os.fsync(f.fileno())
    return {"bytes": size, "sha256": h.hexdigest()}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory; the files are synced
        pass
    finally:
        os.close(fd)


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _remove_stale(parent: Path, name: str) -> None:
    """Remove the work directories of writers to ``parent/name`` that no longer run."""
    for entry in parent.iterdir():
        m = _WORK_DIR.match(entry.name)
        if m and m["name"] == name and not pid_alive(int(m["pid"])):
            shutil.rmtree(entry, ignore_errors=True)


def check_target(directory: PathLike, own: Collection[str]) -> Path:
    """The absolute directory a result is to be written to (:func:`target_dir`), after
    checking that it can be: absent, empty, or a downline result whose files are all in
    ``own`` (or that has a manifest). Raises :class:`ResultDirError` otherwise."""
    target = target_dir(directory)
    _check_replaceable(target, own)
    return target


def _check_replaceable(target: Path, own: Collection[str]) -> None:
    """Refuse to replace anything but an empty directory or a downline result: the whole
    directory is replaced, so nothing else may be in it."""
    if not target.exists():
        return
    if not target.is_dir():
        raise ResultDirError(f"{target}: exists and is not a directory")
    names = [e.name for e in target.iterdir()]
    if MANIFEST in names:
        return
    foreign = sorted(n for n in names if n not in own and not _OLD_PART.match(n))
    if foreign:
        shown = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
        raise ResultDirError(
            f"{target}: exists and holds files that are not a downline result ({shown}); "
            "the whole directory is replaced when a result is written, so give a new or "
            "empty directory")


def write_whole(
    directory: PathLike,
    run_id: str,
    files: Sequence[tuple[str, Callable[[Path], None]]],
    replaceable: Collection[str] = (),
) -> Path:
    """Write ``files`` (``(name, write(path))`` pairs) as one directory at ``directory``,
    with a manifest written last, and rename it into place (see the module's notes).
    ``replaceable``: names besides the files' own that an existing directory may hold and
    still be replaced (e.g. a report made from it). Returns the directory's path."""
    target = check_target(directory, {n for n, _ in files} | set(replaceable))
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(parent, target.name)
    stem = f".{target.name}.{os.getpid()}-{run_id[:8]}"
    work, aside = parent / f"{stem}.tmp", parent / f"{stem}.old"
    work.mkdir()
    try:
        listed = {}
        for name, write in files:
            write(work / name)
            listed[name] = _digest(work / name)
        manifest = {"format": FORMAT, "version": FORMAT_VERSION, "run_id": run_id,
                    "files": listed}
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _digest(work / MANIFEST)
        _fsync_dir(work)
        if target.exists():
            os.rename(target, aside)
        os.rename(work, target)
    except BaseException:
        # (a Ctrl-C may arrive just after a rename returned: ask the file system, not a flag)
        if aside.exists() and not target.exists():
            os.rename(aside, target)  # put the old result back
        shutil.rmtree(work, ignore_errors=True)
        raise
    _fsync_dir(parent)
    shutil.rmtree(aside, ignore_errors=True)
    return target


def read_manifest(directory: PathLike, required: Sequence[str]) -> dict[str, Any]:
    """The manifest of a directory written by :func:`write_whole`, after checking that it
    names every file in ``required`` and that every file it names is there with the same
    size and SHA-256. Raises :class:`ResultDirError` saying what is wrong."""
    d = Path(directory)
    path = d / MANIFEST
    if not path.is_file():
        raise ResultDirError(
            f"{d}: missing {MANIFEST}, so it is not one whole `downline simulate --out` result "
            "(an interrupted write, a directory assembled by hand, or one written before "
            "results carried a manifest); simulate again with --out")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
        run_id = manifest["run_id"]
        ok = (manifest.get("format") == FORMAT and isinstance(run_id, str)
              and isinstance(files, dict)
              and all(isinstance(v, dict) and isinstance(v.get("sha256"), str)
                      and isinstance(v.get("bytes"), int) for v in files.values()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise ResultDirError(f"{path}: not a downline manifest (format {FORMAT!r} with a "
                             "run_id and the size and SHA-256 of every file)")
    unlisted = [n for n in required if n not in files]
    if unlisted:
        raise ResultDirError(f"{path}: does not name {', '.join(unlisted)}; it is not a "
                             "complete `downline simulate --out` directory")
    missing = [n for n in files if not (d / n).is_file()]
    if missing:
        raise ResultDirError(f"{d}: missing {', '.join(missing)}; it is not a complete "
                             "`downline simulate --out` directory")
    for name, want in files.items():
        p = d / name
        if p.stat().st_size != want["bytes"] or _sha256(p) != want["sha256"]:
            raise ResultDirError(
                f"{p}: does not match {MANIFEST} (its size or SHA-256 differs): the file "
                "was changed after the result was written, or comes from another result")
    return manifest


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()
