"""The files of a folder, walked in sorted order one directory at a time.

``sorted(folder.rglob("*"))`` holds a ``Path`` for every file of the tree (and
``rglob`` itself keeps a set of all it has yielded): about half a kilobyte per file, so
that a run over an archive of a million reports held ~0.5 GB before reading the first
one. :func:`walk` gives the same files in the same order holding only the names of the
directories on the way down (one sorted list of plain strings per open directory).

The order is that of sorting the paths: a directory's entries sorted by name, each
subfolder's files right after the subfolder's own name, before the next entry (``a/b``
before ``a-c``: paths sort part by part, not as strings). Like ``rglob`` it follows
symbolic links to files but does not descend into linked folders.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator

__all__ = ["walk"]


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
    names: list[str] = []
    subfolders: set[str] = set()  # few next to the files: kept apart, not per name
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                names.append(entry.name)
                if _is_folder(entry):
                    subfolders.add(entry.name)
    except OSError as exc:
        if on_error is not None:
            on_error(folder, exc)
        return
    # the names alone, sorted as Path sorts its parts (case-folded on Windows)
    names.sort(key=os.path.normcase)
    for name in names:
        path = folder / name
        if name in subfolders:
            yield from _walk(path, hidden or name.startswith("."), on_error)
        elif path.is_file():  # a file, or a link to one
            yield path, hidden or name.startswith(".")


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False
