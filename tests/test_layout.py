"""The package's layout follows the flow: no import runs against it, and none goes round.

Read from the code's own import statements (module level and inside functions alike), so
a lazy import against the flow is caught as well as a top-level one.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parents[1] / "geo"

# step -> the steps it may import. Base modules (errors, caches, vocab, events) are
# what every step shares; places is the service extraction and aggregation ask; dedup
# (the same seizure in several reports) comes between the events and the aggregates.
ALLOWED = {
    "base": {"base"},
    "text": {"base", "text"},
    "read": {"base", "text", "read"},
    "places": {"base", "text", "places"},
    "extraction": {"base", "text", "read", "places", "extraction"},
    "dedup": {"base", "text", "dedup"},
    "aggregates": {"base", "text", "places", "dedup", "aggregates"},
    # the events' routes summed into flows: beside the aggregates, from the events alone
    "flows": {"base", "flows"},
    "maps": {"base", "text", "places", "aggregates", "flows", "maps"},
    "top": {"base", "text", "read", "places", "extraction", "dedup", "aggregates", "flows",
            "maps", "top", "geo"},
    "geo": {"base"},
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(GEO.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _step(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "geo"
    if parts[1] in ("errors", "caches", "vocab", "events"):
        return "base"
    if parts[1] in ("pipeline", "output", "staging", "targets", "summary", "cli", "shards"):
        return "top"
    if parts[1] == "sources":  # the aggregates' sources column (geo.sources)
        return "aggregates"
    return parts[1]


@functools.lru_cache(maxsize=1)
def _imports() -> dict[str, set[str]]:
    """module -> the geo modules it imports (``from . import x`` counted as module x)."""
    modules = {_module(p): p for p in GEO.rglob("*.py")}
    out: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = [f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target
                         for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            out[mod].update(n for n in names if n == "geo" or n.startswith("geo."))
    return out


def test_no_import_runs_against_the_flow():
    wrong = sorted(f"{m} imports {t}" for m, targets in _imports().items() for t in targets
                   if _step(t) not in ALLOWED[_step(m)])
    assert not wrong, "\n".join(wrong)


def test_no_import_loops():
    graph = {m: {t for t in ts if t in _imports()} for m, ts in _imports().items()}
    loops = []
    # a module that can reach itself is in a loop
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            m = todo.pop()
            if m == start:
                loops.append(start)
                break
            if m not in seen:
                seen.add(m)
                todo.extend(graph.get(m, ()))
    # the package __init__ only names modules lazily; submodules importing their package
    # for its docstring are not loops
    loops = [m for m in loops if m.count(".") > 0]
    assert not loops, f"modules in an import loop: {loops}"


@pytest.mark.parametrize("package", ["read", "text", "extraction", "places", "maps", "vocab"])
def test_every_step_says_what_it_takes_and_gives(package):
    doc = ast.get_docstring(ast.parse((GEO / package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc) > 100, f"geo/{package}/__init__.py needs its paragraph"
