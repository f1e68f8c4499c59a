"""Checking an output path before any work: a run that would overwrite its own input,
write into a file that is a folder (or the reverse) or write where it may not, fails
at once, naming the option and the path, instead of after an hour of extraction.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

from .errors import OutputError
from .read.reports import PathLike

__all__ = ["check_output", "writable_folder"]


def _real(path: PathLike) -> Path:
    # resolve() follows symlinks and "..": two spellings of one file must compare equal
    return Path(os.path.abspath(Path(path).expanduser())).resolve()


def check_output(out: PathLike, inputs: Iterable[PathLike], *, folder: bool,
                 option: str = "--out") -> Path:
    """Refuse an output path that cannot be used; return it resolved.

    :param out: the output file, or folder when ``folder``.
    :param inputs: every file and folder the run reads.
    :param folder: ``out`` is a folder (``geo map``), else a file.
    :param option: the option's name, for the message.
    :raises OutputError: ``out`` is an input, holds one or lies inside an input folder
        (the run would read or replace its own input); is a file where a folder is
        wanted or the reverse; or its folder cannot be written.
    """
    target = _real(out)
    for given in inputs:
        source = _real(given)
        if target == source:
            raise OutputError(f"{option} {out} is also an input; writing it would replace "
                              f"the input: choose another {option}")
        if source.is_relative_to(target):
            raise OutputError(f"{option} {out} holds the input {given}; writing there could "
                              f"replace it: choose another {option}")
        if target.is_relative_to(source) and source.is_dir():
            raise OutputError(f"{option} {out} lies inside the input folder {given}; the "
                              f"next run would read its outputs as input: choose a "
                              f"{option} outside it")
    if folder and target.exists() and not target.is_dir():
        raise OutputError(f"{option} {out} is a file; {option} names the folder for "
                          "index.html, events.geojson, events.csv and regions.csv")
    if not folder and target.is_dir():
        raise OutputError(f"{option} {out} is a folder; give a file name")
    # staged files are made beside the target, and (for a folder) moved into it
    writable_folder(target.parent, option, out)
    if folder and target.exists():
        writable_folder(target, option, out)
    return target


def writable_folder(folder: Path, option: str, given: PathLike) -> None:
    """Raise :class:`OutputError` unless a file can be made in ``folder`` (or, when it
    does not exist yet, in its nearest existing ancestor, where it will be made).

    It tries: ``os.access`` is no answer for root, ACLs or read-only mounts.
    """
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"{option} {given}: {probe} is a file, not a folder")
    try:
        fd, name = tempfile.mkstemp(prefix=".geo-write-test-", dir=probe)
    except OSError as exc:
        raise OutputError(f"{option} {given}: cannot write in {probe}: "
                          f"{exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(name)
