"""For tests that edit a copy of ``geo/vocab``: append a row, or read the copy in a fresh
interpreter (modules build their patterns from the tables at import, so a new row is
seen only by a process that imports them after pointing the loader at the copy)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def append_row(path: Path, line: str) -> int:
    """Append ``line`` to a vocabulary file; its line number."""
    text = path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def run_with_vocab(folder: Path, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter whose loader reads ``folder``."""
    prelude = ("import pathlib, geo.vocab; "
               f"geo.vocab.VOCAB_DIR = pathlib.Path({str(folder)!r})\n")
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
