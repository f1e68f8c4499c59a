"""The files of a folder, walked in sorted order one directory at a time.

``sorted(folder.rglob("*"))`` holds a ``Path`` for every file of the tree (and
``rglob`` itself keeps a set of all it has yielded): about half a kilobyte per file, so
that a run over an archive of a million reports held ~0.5 GB before reading the first
one. :func:`walk` gives the same files in the same order holding only the names of the
directories on the way down, packed (see :data:`_RUN`).

The order is that of sorting the paths: a directory's entries sorted by name, each
subfolder's files right after the subfolder's own name, before the next entry (``a/b``
before ``a-c``: paths sort part by part, not as strings). Like ``rglob`` it follows
symbolic links to files but does not descend into linked folders.
"""
from __future__ import annotations

import heapq
import os
from pathlib import Path
from typing import Callable, Iterator

__all__ = ["walk"]

#: a folder's names are sorted in runs of this many, each run kept as one string, and
#: the runs merged as the walk goes: a folder of a million files costs ~20 MB, not ~70
_RUN = 16_384


def walk(folder: Path, on_error: Callable[[Path, OSError], None] | None = None,
         ) -> Iterator[tuple[Path, bool]]:
    """(file, hidden) for every regular file under ``folder``, in sorted path order.

    ``hidden`` is True when the file's name or a folder between it and ``folder`` starts
    with a dot (``.git``, ``.DS_Store``). A folder that cannot be listed is passed to
    ``on_error`` with the error (``rglob`` passed over it in silence) and left out.
    """
    yield from _walk(Path(folder), False, on_error)


def _walk(folder: Path, hidden: bool,
          on_error: Callable[[Path, OSError], None] | None) -> Iterator[tuple[Path, bool]]:
    runs: list[str] = []
    batch: list[str] = []
    subfolders: set[str] = set()  # few next to the files: kept apart, not per name
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                batch.append(entry.name)
                if _is_folder(entry):
                    subfolders.add(entry.name)
                if len(batch) >= _RUN:
                    runs.append(_packed(batch))
                    batch = []
    except OSError as exc:
        if on_error is not None:
            on_error(folder, exc)
        return
    if batch:
        runs.append(_packed(batch))
    names = (_unpacked(runs[0]) if len(runs) == 1
             else heapq.merge(*map(_unpacked, runs), key=os.path.normcase))
    for name in names:
        path = folder / name
        if name in subfolders:
            yield from _walk(path, hidden or name.startswith("."), on_error)
        elif path.is_file():  # a file, or a link to one
            yield path, hidden or name.startswith(".")


def _packed(names: list[str]) -> str:
    # sorted as Path sorts its parts (case-folded on Windows), then one string: a name
    # costs its characters and a separator, not a str object and a list slot (~70 bytes)
    names.sort(key=os.path.normcase)
    return "\0".join(names)  # no file name holds a NUL


def _unpacked(run: str) -> Iterator[str]:
    start = 0
    while True:
        end = run.find("\0", start)
        if end == -1:
            yield run[start:]
            return
        yield run[start:end]
        start = end + 1


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False
