"""An export's output folder as one transaction.

Everything is written into a fresh hidden sibling folder; the commit swaps it with the output
folder in one atomic `renameat2(RENAME_EXCHANGE)` (Linux), so a reader, a kill or a crash sees the
complete old export or the complete new one, never a mix. Where the exchange is not available,
two renames are used and a later export puts the old folder back if it finds one half-way.

The folder is the export's own: an input file inside it, or a file there that an earlier export
did not write under a name this one writes, stops the export (`--force` replaces them); other
files the user keeps there are carried over into the new folder; files of an earlier export that
this one does not write (a `test.jsonl` from a run with `--split`) go. A lock file beside the
folder stops a second export into it.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from sftlint.export.options import ExportError
from sftlint.jsonvalues import dumps

STAGING = ".sftlint-new-"
OLD = ".sftlint-old-"
LOCK = ".sftlint-lock"
OWN = ("manifest.json",)
"""Files every export writes besides those its manifest lists."""


def _renameat2():
    try:
        # The process's own symbols include libc's; find_library("c") would run ldconfig in a subprocess.
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn


_EXCHANGE = _renameat2()
AT_FDCWD, RENAME_EXCHANGE = -100, 2


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot."""
    if _EXCHANGE is None:
        return False
    if _EXCHANGE(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    if ctypes.get_errno() in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StagedFiles(ABC):
    """Files written in full and synced before anything is renamed into place; a subclass says
    where each is staged (`path`) and how they are committed."""

    staged: dict[str, Path]

    @abstractmethod
    def path(self, name: str) -> Path:
        """Where the file `name` is written before the commit (recorded in `staged`)."""

    def write_bytes(self, name: str, data: bytes) -> None:
        with open(self.path(name), "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def write_lines(self, name: str, records: Iterable[dict[str, Any]]) -> None:
        with open(self.path(name), "wb") as fh:
            for record in records:
                fh.write(dumps(record) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())

    def digest(self, name: str) -> str:
        path = self.staged[name]
        h = hashlib.sha256()
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            h.update(str(f.relative_to(path)).encode() if path.is_dir() else b"")
            h.update(f.read_bytes())
        return h.hexdigest()


class ExportFolder(StagedFiles):
    def __init__(self, out: Path, inputs: Iterable[Path], names: Iterable[str], force: bool = False) -> None:
        """`names`: the top-level files and folders this export will write."""
        self.given = out
        self.out = out.resolve()
        self.parent = self.out.parent
        self.parent.mkdir(parents=True, exist_ok=True)
        self.lock = self.parent / f".{self.out.name}{LOCK}"
        self._take_lock()
        try:
            self._recover()
            if self.out.exists() and not self.out.is_dir():
                raise ExportError(f"{out}: is a file, not a folder")
            for p in inputs:
                where = p.resolve()
                if self.out == where or self.out in where.parents:
                    raise ExportError(f"{out}: holds the input {p}; write the export to another folder")
            owned = self._owned()
            names = set(names) | set(OWN)
            theirs = sorted(n for n in names if (self.out / n).exists() and n not in owned)
            if theirs and not force:
                raise ExportError(f"{out}: {', '.join(theirs)} were not written by sftlint export; choose another "
                                  f"folder, or pass --force to replace them")
            self.keep = [p for p in self.out.iterdir() if p.name not in owned and p.name not in names] \
                if self.out.is_dir() else []
            self.staging = self.parent / f".{self.out.name}{STAGING}{os.getpid()}"
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging.mkdir()
        except BaseException:
            self.lock.unlink(missing_ok=True)
            raise
        self.staged: dict[str, Path] = {}

    def _take_lock(self) -> None:
        for _ in range(2):
            try:
                fd = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    pid = int(self.lock.read_text().strip() or 0)
                except (OSError, ValueError):
                    pid = 0
                if pid and _alive(pid):
                    raise ExportError(f"{self.out}: another export into it is running (pid {pid}); "
                                      f"if it is not, remove {self.lock}") from None
                self.lock.unlink(missing_ok=True)  # left by an export that was killed
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            return
        raise ExportError(f"{self.out}: cannot take the lock {self.lock}")

    def _recover(self) -> None:
        """Undo a half-done commit of a killed export, and clear what killed exports left."""
        olds = sorted(self.parent.glob(f".{self.out.name}{OLD}*"))
        if olds and not self.out.exists():
            olds[-1].rename(self.out)  # killed between the two renames: the old export comes back
            olds = olds[:-1]
        for stale in [*olds, *self.parent.glob(f".{self.out.name}{STAGING}*")]:
            shutil.rmtree(stale, ignore_errors=True)

    def _owned(self) -> set[str]:
        manifest = self.out / "manifest.json"
        if not manifest.is_file():
            return set()
        try:
            files = orjson.loads(manifest.read_bytes()).get("files", {})
        except (orjson.JSONDecodeError, AttributeError):
            return set()
        return {str(n) for n in files} | set(OWN) if isinstance(files, dict) else set()

    def path(self, name: str) -> Path:
        self.staged[name] = self.staging / name
        return self.staged[name]

    # the transaction

    def commit(self) -> list[Path]:
        try:
            for p in self.keep:  # the user's own files in the folder stay there
                target = self.staging / p.name
                if p.is_dir():
                    shutil.copytree(p, target, symlinks=True, copy_function=_link_or_copy)
                else:
                    _link_or_copy(p, target)
            _fsync(self.staging)
            if not self.out.exists():
                self.staging.rename(self.out)
            elif exchange(self.staging, self.out):
                shutil.rmtree(self.staging, ignore_errors=True)  # the old export, now
            else:
                old = self.parent / f".{self.out.name}{OLD}{os.getpid()}"
                self.out.rename(old)
                self.staging.rename(self.out)
                shutil.rmtree(old, ignore_errors=True)
            _fsync(self.parent)
        finally:
            self.lock.unlink(missing_ok=True)
        return [self.given / n for n in self.staged]  # as the user named the folder

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        self.lock.unlink(missing_ok=True)


def _link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _fsync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
