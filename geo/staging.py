"""A run's outputs appear together or not at all, and one run writes a target at a time.

* :class:`OutputLock`: a lock file beside each target (``.maps.lock`` beside ``maps/``)
  held from the checks to the last rename; a second run on the same target waits a
  moment, then fails naming the lock and the process holding it. The lock is
  ``fcntl.flock`` where there is one, so a killed run leaves no stale lock behind.
* :class:`Staging`: every file is written into a staging folder beside its target (same
  file system) and :meth:`Staging.commit` moves them all in at the end, with Ctrl-C
  held back while it does, so the map, events and regions are always from one run. A
  target folder that does not exist yet is renamed into place whole; a staged folder
  (events parts) replaces its target folder whole.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Iterator

from .errors import OutputLockedError
from .read.reports import PathLike

__all__ = ["OutputLock", "Staging", "OutputsInterrupted", "lock_path"]


class OutputsInterrupted(KeyboardInterrupt):
    """Ctrl-C arrived while the outputs were being moved in; it was held back until they
    all were. ``written`` lists them: they are complete and from this run."""

    def __init__(self, written: list[Path]):
        super().__init__()
        self.written = list(written)


def lock_path(target: PathLike) -> Path:
    """The lock file of an output file or folder: ``.<name>.lock`` beside it (beside, not
    in, because a folder may not exist yet, and a hidden name keeps it out of listings)."""
    target = Path(target)
    return target.parent / f".{target.name}.lock"


class OutputLock:
    """Exclusive locks on output targets, taken in a fixed order (two runs asking for
    the same two targets cannot each hold one and wait for the other).

    :param targets: output files or folders.
    :param wait: seconds to wait for a lock another run holds before giving up.
    :raises OutputLockedError: (on entering) a lock is still held after ``wait``.
    """

    def __init__(self, targets: Iterable[PathLike], *, wait: float = 2.0):
        self.paths = sorted({lock_path(Path(os.path.abspath(t))) for t in targets})
        self.wait = wait
        self._held: list[tuple[Path, int]] = []

    def __enter__(self) -> OutputLock:
        try:
            for path in self.paths:
                self._held.append((path, _acquire(path, self.wait)))
        except BaseException:
            self.release()
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.release()

    def release(self) -> None:
        """Remove the lock files and let go of the locks."""
        for path, fd in reversed(self._held):
            # unlink while still holding it: a waiting run re-checks the file it locked
            with contextlib.suppress(OSError):
                path.unlink()
            os.close(fd)
        self._held.clear()


def _acquire(path: Path, wait: float) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # no flock (Windows): a file only one process can create
        return _acquire_exclusive(path, wait)
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise _locked(path, holder) from None
            time.sleep(0.1)
            continue
        # the run we waited for removed the file as it let go: what we locked is gone,
        # and a third run may have made a new one; lock the file that is there now
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return fd


def _acquire_exclusive(path: Path, wait: float) -> int:
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if time.monotonic() >= deadline:
                try:
                    holder = path.read_text(encoding="ascii").strip() or None
                except OSError:
                    holder = None
                raise _locked(path, holder, stale_hint=True) from None
            time.sleep(0.1)
            continue
        os.write(fd, f"{os.getpid()}\n".encode())
        return fd


def _read_holder(fd: int) -> str | None:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or None
    except OSError:
        return None


def _locked(path: Path, holder: str | None, stale_hint: bool = False) -> OutputLockedError:
    who = f"process {holder}" if holder else "another process"
    target = path.parent / path.name[1:-len(".lock")]
    hint = (f"; if no geo run is active, delete {path}" if stale_hint
            else "; wait for it to finish, or choose another --out")
    return OutputLockedError(f"{target} is being written by another geo run ({who} holds "
                             f"the lock {path}){hint}", lock=str(path))


class Staging:
    """Files written beside their targets and moved in together by :meth:`commit`.

    Use :meth:`folder` for a run whose outputs all go into one folder (``geo map``),
    :meth:`files` for separate files (``geo extract``, ``geo aggregate --map``). Leaving
    the ``with`` block without a commit removes everything staged: the targets are as
    they were.
    """

    def __init__(self, folder: PathLike | None = None):
        self._folder = Path(folder) if folder is not None else None
        self._folder_stage: Path | None = None
        self._moves: list[tuple[Path, Path]] = []
        self._dirs: list[Path] = []
        self.written: list[Path] = []

    @classmethod
    def folder(cls, out: PathLike) -> Staging:
        """Staging for outputs that all go into the folder ``out``."""
        return cls(out)

    @classmethod
    def files(cls) -> Staging:
        """Staging for output files anywhere."""
        return cls(None)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.discard()

    def path(self, target: PathLike) -> Path:
        """Where to write ``target`` now; it is moved there by :meth:`commit`.

        The staged file has the target's own name: some writers record the file name in
        the file (GDAL's GeoJSON writer as the layer name).
        """
        target = Path(target)
        if self._folder is not None and target.parent == self._folder:
            if self._folder_stage is None:
                self._folder_stage = self._make_dir(self._folder.parent, self._folder.name)
            staged = self._folder_stage / target.name
        else:
            staged = self._make_dir(target.parent, target.name) / target.name
        self._moves.append((staged, target))
        return staged

    def _make_dir(self, parent: Path, name: str) -> Path:
        parent.mkdir(parents=True, exist_ok=True)
        # os.mkdir, not mkdtemp: the folder may become the target itself and should get
        # the mode a plain mkdir gives (mkdtemp's is 0700)
        while True:
            path = parent / f".{name}.staging-{secrets.token_hex(4)}"
            try:
                path.mkdir()
            except FileExistsError:
                continue
            self._dirs.append(path)
            return path

    def commit(self) -> list[Path]:
        """Move every staged file to its target; return the targets.

        Ctrl-C is held back until the last one is in place (then raised as
        :class:`OutputsInterrupted`, which says every output was written).
        """
        with _sigint_held() as received:
            if (self._folder_stage is not None and not self._folder.exists()
                    and all(t.parent == self._folder for _, t in self._moves)):
                # a new folder: one rename brings every file in at once
                os.rename(self._folder_stage, self._folder)
                self._dirs.remove(self._folder_stage)
            else:
                if self._folder is not None:
                    self._folder.mkdir(parents=True, exist_ok=True)
                for staged, target in self._moves:
                    if staged.is_dir() and target.is_dir():
                        _replace_folder(staged, target)
                    else:
                        os.replace(staged, target)
            self.written = [t for _, t in self._moves]
            self._moves.clear()
        self.discard()
        if received:
            raise OutputsInterrupted(self.written)
        return self.written

    def discard(self) -> None:
        """Remove the staging folders (and whatever was staged and not committed)."""
        for path in self._dirs:
            shutil.rmtree(path, ignore_errors=True)
        self._dirs.clear()
        self._moves.clear()
        self._folder_stage = None


def _replace_folder(staged: Path, target: Path) -> None:
    """A staged folder (of events parts) in place of the target folder, whole: the old
    one is moved aside, the new one renamed in, the old one removed (the target is
    missing only between two renames; no part of the old run stays among the new)."""
    aside = target.parent / f".{target.name}.old-{secrets.token_hex(4)}"
    os.rename(target, aside)
    os.rename(staged, target)
    shutil.rmtree(aside, ignore_errors=True)


@contextlib.contextmanager
def _sigint_held() -> Iterator[list[int]]:
    """Hold SIGINT back while the block runs; the list says whether one came."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received  # only the main thread gets signals, and may set handlers
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)
        if previous is signal.SIG_IGN:
            received.clear()
