"""A static PNG of an :class:`~geo.maps.choropleth.OfflineMap`'s opening view.

For reports and slides: the page's title, subtitle, legend and source line around the
same regions, classes and colours (or circles), drawn with matplotlib through geopandas.
matplotlib is an optional dependency (extras ``png`` or ``bench``).
"""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MapError
from . import classify as md


def render_png(m: Any, path: Any, *, dpi: int = 150, width: float = 12.0) -> None:
    """Draw ``m``'s opening layer and view into ``path`` (PNG)."""
    try:
        import matplotlib
        matplotlib.use("Agg", force=False)  # no display needed, none wanted
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch
    except ImportError as exc:
        raise MapError("a PNG map needs matplotlib: pip install 'seizure-atlas[png]' "
                       "(or pip install matplotlib)") from exc
    if not isinstance(dpi, int) or not 30 <= dpi <= 600:
        raise MapError(f"dpi must be a whole number between 30 and 600, got {dpi!r}")
    st = getattr(m, "static", None)
    if not st:
        raise MapError("to_png needs a map made by geo.choropleth")
    style = st["style"]
    MAX_RADIUS, NO_DATA_COLOR = style["max_radius"], style["no_data"]
    SYMBOL_REGION, SYMBOL_STYLE = style["symbol_region"], style["symbol"]

    layer, values = st["layer"], st["values"]
    regions = st["regions"]
    symbols = m.view == "symbols"
    fills = []
    for c in layer.classes:
        fills.append(NO_DATA_COLOR if c < 0 else SYMBOL_REGION if symbols else layer.colors[c])

    fig, ax = plt.subplots(figsize=(width, width * 0.62), dpi=dpi)
    fig.subplots_adjust(left=0.01, right=0.78, top=0.88, bottom=0.08)
    ax.set_facecolor("#dfe9f2")
    if len(st["background"]):
        st["background"].plot(ax=ax, color=md.NOT_COVERED_COLOR, edgecolor="#9a9a9a", linewidth=0.3)
    drawn = regions.geometry.notna() & ~regions.geometry.is_empty
    if drawn.any():
        regions[drawn].plot(ax=ax, color=[f for f, d in zip(fills, drawn) if d], edgecolor="#ffffff",
                            linewidth=0.3)
    (s, w), (n, e) = st["fit"]
    pad_x, pad_y = max(1.0, (e - w) * 0.04), max(1.0, (n - s) * 0.04)
    ax.set_xlim(w - pad_x, e + pad_x)
    ax.set_ylim(max(-89, s - pad_y), min(89, n + pad_y))
    ax.set_aspect(1 / max(0.2, np.cos(np.radians((s + n) / 2))))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")

    handles: list = []
    top = float(np.nanmax(values[values > 0])) if np.any(values > 0) else 1.0
    # points per pixel: the page's circles are MAX_RADIUS px at the largest figure
    scale_pt = 72 / 96

    def area(v: float) -> float:
        r = max(2.0, MAX_RADIUS * np.sqrt(v / top)) * scale_pt
        return np.pi * r * r

    if symbols:
        pts = [(a[0], a[1], v) for a, v in zip(st["anchors"], values) if a and v > 0]
        pts.sort(key=lambda p: -p[2])
        unit = 10 ** md.decimals_for(m.tolerance)
        if pts:
            ax.scatter([p[0] / unit for p in pts], [p[1] / unit for p in pts],
                       s=[area(p[2]) for p in pts], c=SYMBOL_STYLE["fillColor"], alpha=0.6,
                       edgecolors=SYMBOL_STYLE["color"], linewidths=0.6, zorder=3)
        legend_cfg = next((c for c in [_samples(layer, values)]), [])
        for v, label in legend_cfg:
            handles.append(Line2D([], [], marker="o", linestyle="", markersize=np.sqrt(area(v) / np.pi) * 2,
                                  markerfacecolor=SYMBOL_STYLE["fillColor"], alpha=0.6,
                                  markeredgecolor=SYMBOL_STYLE["color"], label=label))
        handles.append(Patch(facecolor=SYMBOL_REGION, edgecolor="#999", label="region with reports of this"))
    else:
        for color, label in zip(layer.colors, layer.labels):
            handles.append(Patch(facecolor=color, edgecolor="#999", label=label))
    handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor="#999", label=md.NO_DATA_LABEL))
    handles.append(Patch(facecolor=md.NOT_COVERED_COLOR, edgecolor="#999", label=md.NOT_COVERED_LABEL))
    ax.legend(handles=handles, title=layer.label, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              frameon=False, fontsize=8, title_fontsize=9, labelspacing=1.8 if symbols else 0.5,
              handletextpad=1.6 if symbols else 0.8, borderpad=1.0)
    layer_index = m.layer_labels.index(layer.label)
    unplaced = m.unplaced[layer_index] if getattr(m, "unplaced", None) else None
    if unplaced:
        note = "Not placed in a region:\n" + "\n".join(
            textwrap.fill(r, 40) for r in (unplaced["rows"][:8] or ["nothing"]))
        note += "\n" + textwrap.fill(unplaced["totals"], 40)
        ax.text(1.01, 0.0, note, transform=ax.transAxes, fontsize=7, va="bottom", ha="left")
    fig.text(0.01, 0.965, m.title, fontsize=13, fontweight="bold", va="top")
    fig.text(0.01, 0.925, m.subtitle, fontsize=9, color="#444", va="top")
    fig.text(0.01, 0.01, textwrap.fill(m.source, 190), fontsize=6.5, color="#555", va="bottom")
    try:
        fig.savefig(Path(path), format="png", dpi=dpi)
    except OSError as exc:
        raise MapError(f"{path}: cannot write the PNG: {exc}") from exc
    finally:
        plt.close(fig)


def _samples(layer: Any, values: np.ndarray) -> list[tuple[float, str]]:
    top = float(np.nanmax(values[values > 0])) if np.any(values > 0) else 0.0
    out: list[tuple[float, str]] = []
    for part in (1, 5, 25):
        v = md.round_down_125(top / part)
        if v > 0 and all(v < o for o, _ in out):
            out.append((v, md.amount(v, layer.unit) if layer.unit else f"{md.fmt(v)} units"))
    return out
