"""Fixtures shared by the test modules."""
from __future__ import annotations

import shutil

import pytest

from geo import vocab


@pytest.fixture
def vocab_copy(tmp_path, monkeypatch):
    """A copy of geo/vocab that the loaders read until the test ends (edit it to test how
    a table is checked)."""
    folder = tmp_path / "vocab"
    shutil.copytree(vocab.VOCAB_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(vocab, "VOCAB_DIR", folder)
    vocab.clear_caches()
    yield folder
    monkeypatch.undo()
    vocab.clear_caches()
