"""Make a rendered folium page self-contained: every script and stylesheet inlined.

folium (0.20) writes ``<script src="https://cdn...">`` and ``<link href="https://cdn...">``
tags for Leaflet, jQuery, Bootstrap, awesome-markers, markercluster and (through branca)
d3. A map that must open on an air-gapped machine cannot fetch them, so
:func:`inline_assets` replaces each one with the same library read from the XStatic
packages installed from PyPI (``xstatic-leaflet`` 1.9.3 is the Leaflet folium 0.20
links to), turns CSS images into ``data:`` URIs and drops the libraries our maps never
use. Any other external URL left in a tag is a :class:`~geo.errors.MapError`: a folium
upgrade that links a new CDN file must fail loudly instead of producing a map that
silently needs the network.

Assets are recognised by file name, not by full URL, so a folium release that bumps a
CDN version still gets the packaged copy.
"""
from __future__ import annotations

import base64
import html
import importlib
import mimetypes
import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import MapError
from ..caches import memo

__all__ = ["inline_assets", "external_urls", "asset_text", "INLINED", "DROPPED"]

# file name in a CDN URL -> (xstatic package, file inside its data folder)
INLINED: dict[str, tuple[str, str]] = {
    "leaflet.js": ("leaflet", "leaflet.js"),
    "leaflet.css": ("leaflet", "leaflet.css"),
    "jquery.min.js": ("jquery", "jquery.min.js"),
    "jquery-3.7.1.min.js": ("jquery", "jquery.min.js"),
    "jquery.js": ("jquery", "jquery.min.js"),
    "d3.min.js": ("d3", "d3.js"),
    "d3.v3.min.js": ("d3", "d3.js"),
    "d3.js": ("d3", "d3.js"),
    "leaflet.markercluster.js": ("leaflet_markercluster", "leaflet.markercluster.js"),
    "MarkerCluster.css": ("leaflet_markercluster", "MarkerCluster.css"),
    "MarkerCluster.Default.css": ("leaflet_markercluster", "MarkerCluster.Default.css"),
}

# Libraries folium links by default that no PyPI package ships and our maps do not use.
# Each maps to a JavaScript/CSS marker whose presence in the page means it IS used, in
# which case dropping it would break the map and we refuse instead.
DROPPED: dict[str, str | None] = {
    "bootstrap.bundle.min.js": None,
    "bootstrap.min.css": None,
    "bootstrap-glyphicons.css": None,
    "all.min.css": "L.AwesomeMarkers",  # font-awesome: only awesome-markers icons use it
    "leaflet.awesome-markers.js": "L.AwesomeMarkers",
    "leaflet.awesome-markers.css": "L.AwesomeMarkers",
    "leaflet.awesome.rotate.min.css": "L.AwesomeMarkers",
}

_SCRIPT_TAG = re.compile(r"""<script\b[^>]*?\bsrc\s*=\s*["']([^"']+)["'][^>]*>\s*</script>""", re.I)
_LINK_TAG = re.compile(r"""<link\b[^>]*?\bhref\s*=\s*["']([^"']+)["'][^>]*?/?>""", re.I)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""", re.I)
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.M)
# Places where a browser fetches on its own when the page is parsed or styled.
_FETCHING = [
    re.compile(r"""<(?:script|img|iframe|embed|source|audio|video|input)\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I),
    re.compile(r"""<link\b[^>]*?\bhref\s*=\s*["']?([^"'\s>]+)""", re.I),
    re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""", re.I),
]


def _is_external(url: str) -> bool:
    u = url.strip().lower()
    return u.startswith(("http:", "https:", "//", "ftp:", "ws:", "wss:"))


def _file_name(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]


@memo(256)
def _data_dir(package: str) -> Path:
    try:
        module = importlib.import_module(f"xstatic.pkg.{package}")
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise MapError(
            f"the PyPI package xstatic-{package.replace('_', '-')} is needed to inline "
            f"{package} into offline maps: pip install xstatic-{package.replace('_', '-')}"
        ) from exc
    return Path(module.BASE_DIR)


@memo(256)
def asset_text(name: str) -> str:
    """Return the packaged text of the asset a CDN file name stands for (CSS images inlined)."""
    try:
        package, file_name = INLINED[name]
    except KeyError:
        raise MapError(f"no packaged copy of {name!r}") from None
    path = _data_dir(package) / file_name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MapError(f"{path}: cannot read packaged asset: {exc}") from exc
    if file_name.endswith(".css"):
        text = _inline_css_images(text, path.parent, path)
    else:
        # Source maps are only fetched by open DevTools, but the page should name no file
        # it does not carry.
        text = _SOURCE_MAP.sub("", text)
        # An inlined script must not end the <script> element early.
        text = re.sub(r"</(script)", r"<\\/\1", text, flags=re.I)
    if name == "leaflet.js":
        text += _default_icon(path.parent / "images")
    return text


def _default_icon(images: Path) -> str:
    """Point Leaflet's default marker icon at data: URIs.

    Leaflet finds its marker images by reading the folder of leaflet.css from a CSS
    rule and appending file names, which cannot work on an inlined stylesheet; an empty
    imagePath plus full data: URIs gives folium.Marker a working icon offline.
    """
    def uri(file_name: str) -> str:
        try:
            payload = (images / file_name).read_bytes()
        except OSError as exc:
            raise MapError(f"{images / file_name}: packaged Leaflet image missing: {exc}") from exc
        return "data:image/png;base64," + base64.b64encode(payload).decode("ascii")

    return (
        "\n;L.Icon.Default.imagePath = \"\";"
        f"L.Icon.Default.mergeOptions({{iconUrl: \"{uri('marker-icon.png')}\", "
        f"iconRetinaUrl: \"{uri('marker-icon-2x.png')}\", shadowUrl: \"{uri('marker-shadow.png')}\"}});\n"
    )


def _inline_css_images(css: str, folder: Path, css_path: Path) -> str:
    def replace(match: re.Match) -> str:
        target = match.group(2).strip()
        if target.startswith(("data:", "#")):
            return match.group(0)
        if _is_external(target):
            raise MapError(f"{css_path}: stylesheet refers to external {target!r}")
        image = folder / target
        try:
            payload = image.read_bytes()
        except OSError as exc:
            raise MapError(f"{css_path}: image {target!r} not found: {exc}") from exc
        mime = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
        return f'url("data:{mime};base64,{base64.b64encode(payload).decode("ascii")}")'

    return _CSS_URL.sub(replace, css)


def external_urls(page: str) -> list[str]:
    """External URLs that a browser would fetch by itself when it opens ``page``.

    Looks at tags that load resources (script/img/iframe src, link href) and CSS
    ``@import``/``url()``; links in ``<a href>`` are not fetched until clicked and are
    ignored, as are URL strings inside scripts (a tile URL template, say).
    """
    found: list[str] = []
    for pattern in _FETCHING:
        found.extend(m.group(1) for m in pattern.finditer(page) if _is_external(m.group(1)))
    for block in re.findall(r"<style\b[^>]*>(.*?)</style>", page, flags=re.I | re.S):
        found.extend(m.group(2) for m in _CSS_URL.finditer(block) if _is_external(m.group(2)))
    return found


def inline_assets(page: str, *, allowed: Iterable[str] = ()) -> str:
    """Return ``page`` with folium's CDN scripts and stylesheets replaced by inline copies.

    ``allowed`` lists URL prefixes the caller accepts to remain external (none by
    default). Raises :class:`MapError` for an external URL that is neither a known
    library nor allowed, and for a dropped library the page actually uses.
    """
    allowed = tuple(allowed)

    def check_dropped(name: str, url: str) -> None:
        marker = DROPPED[name]
        if marker is not None and marker in page:
            raise MapError(
                f"the map uses {name} ({url}), which has no offline copy; "
                "use CircleMarker/DivIcon instead of folium.Icon"
            )

    # Assets go in through placeholders, after the checks: the libraries' own text
    # (jQuery holds "<link" in a regular expression) must not be scanned as page markup.
    inlined: list[str] = []

    def put(tag: str, name: str) -> str:
        inlined.append(f"<{tag}>/* {html.escape(name)} (inlined) */\n{asset_text(name)}\n</{tag}>")
        return f"\x00asset{len(inlined) - 1}\x00"

    def replace(match: re.Match, tag: str, kind: str) -> str:
        url = match.group(1)
        name = _file_name(url)
        if not _is_external(url) or url.startswith(allowed):
            return match.group(0)
        if name in INLINED:
            return put(tag, name)
        if name in DROPPED:
            check_dropped(name, url)
            return ""
        raise MapError(f"unknown external {kind} {url!r} in the map: it would need the network")

    page = _SCRIPT_TAG.sub(lambda m: replace(m, "script", "script"), page)
    page = _LINK_TAG.sub(lambda m: replace(m, "style", "stylesheet"), page)
    left = [u for u in external_urls(page) if not u.startswith(allowed)]
    if left:
        raise MapError(f"external URL(s) left in the map, it would not open offline: {left}")
    return re.sub("\x00asset(\\d+)\x00", lambda m: inlined[int(m.group(1))], page)
