"""The byte-making behind the Export page: plain functions, and cached wrappers keyed
by content.

The caches (ui/byte_cache.py) are shared by every session and bounded by bytes, so a
cached call is keyed by what it draws — the model file text of the graph's model and batch (a hash of it), the step,
the sample and the options — never by a session's objects; the Graph itself is
passed unhashed (``_graph``) and only read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine.graph import Graph
from engine.render.export import export
from engine.spec import Spec, dump_spec
from ui.byte_cache import MB, ByteCache

FRAME_FORMATS = ("svg", "png", "pdf", "dot")
ANIMATED_FORMATS = ("gif", "html")
MIME = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf", "dot": "text/vnd.graphviz",
        "gif": "image/gif", "html": "text/html", "json": "application/json"}
GIF_SCALE = 1.0  # a 2× GIF takes about three times as long, for little gain on screen


@dataclass(frozen=True)
class Options:
    """What a picture depends on besides the graph."""

    view: str = "layer"
    theme: str = "light"
    rankdir: str = "LR"
    sample: int = 0  # row of the graph's batch (0-based)
    scale: float = 2.0  # PNG only
    feature_names: tuple[str, ...] = ()  # the neuron view's input names, as Explore shows them


def for_format(opts: Options, fmt: str) -> Options:
    """The options that matter for ``fmt``: only PNG has a scale (fewer cache entries)."""
    from dataclasses import replace
    return opts if fmt == "png" else replace(opts, scale=GIF_SCALE if fmt == "gif" else 2.0)


def frame_file(graph: Graph, fmt: str, step: int | None, opts: Options) -> bytes:
    """One frame (``step``; None: the final picture) as svg, png, pdf or dot."""
    if fmt not in FRAME_FORMATS:
        raise ValueError(f"unknown frame format {fmt!r}; choose one of {FRAME_FORMATS}")
    return export(graph, fmt, view=opts.view, step=step, sample=opts.sample, theme=opts.theme,
                  rankdir=opts.rankdir, scale=opts.scale, feature_names=opts.feature_names)


def animation_file(graph: Graph, fmt: str, opts: Options) -> bytes:
    """The whole forward + backward pass: an animated GIF or the offline HTML player."""
    if fmt not in ANIMATED_FORMATS:
        raise ValueError(f"unknown animation format {fmt!r}; choose one of {ANIMATED_FORMATS}")
    return export(graph, fmt, view=opts.view, sample=opts.sample, theme=opts.theme, rankdir=opts.rankdir,
                  scale=GIF_SCALE, feature_names=opts.feature_names)


def model_file(spec: Spec) -> bytes:
    """The model file (JSON) that Explore and the command line read back."""
    return dump_spec(spec).encode("utf-8")


def _joined(*parts) -> str:
    """Each part cleaned on its own, so "article (edited)" gives "article_edited-…", not
    "article_edited_-…"; then joined by "-"."""
    clean = (re.sub(r"[^A-Za-z0-9._-]+", "_", str(p)).strip("_.-") for p in parts if p)
    return "-".join(p for p in clean if p)


def file_name(stem: str, *parts: str, ext: str) -> str:
    """A safe, readable file name: "moons-layer-step7.png"."""
    return (_joined(stem, *parts) or "backprop") + "." + ext


def training_stem(model: str, training: dict | None) -> str:
    """The stem of every file of a graph from training (ui/state.py: open_in_explore), so
    that a picture of epoch 40 does not pass for the workspace's:
    "moons-epoch40-before-update1234" (Train's step: its pass at the weights before training
    step 1234's update, in epoch 40), "moons-epoch40-after-update1234" (a film frame: after
    it, on the same batch; the film's first frame: "moons-epoch0-before-update1").
    ``training``: {"epoch", "update", "after"}; None (an entry that does not say): "moons-training".
    The word is "update", not "step": "step9" in a picture's name is the pass's own step."""
    if not training:
        return _joined(model, "training")
    return _joined(model, f"epoch{int(training['epoch'])}",
                   f"{'after' if training['after'] else 'before'}-update{int(training['update'])}")


def picture_name(model: str, *, sample: int | str | None, step: int | str, arithmetic: str,
                 view: str, ext: str) -> str:
    """A picture's file name says what it shows, in the order one reads it:
    "article-sample3-step6-float-neuron.svg". ``sample``: 1-based, "batch" (or None for
    a graph with no sample of the workspace); ``step``: a step number, "final" or "pass"
    (the whole animation)."""
    where = f"sample{sample}" if isinstance(sample, int) else sample
    when = f"step{step}" if isinstance(step, int) else step
    return file_name(model, where, when, arithmetic, view, ext=ext)


# cached wrappers: the key says what is drawn; the graph rides along unhashed ---------

# A PNG at 2× is ~2 MB for the neuron view of moons; SVG, PDF and DOT ~50-100 KB.
FRAMES = ByteCache("exported frames", 32 * MB)
# The HTML player of moons is ~2.3 MB; a GIF takes seconds to make, so room for several.
ANIMATIONS = ByteCache("exported animations", 48 * MB)


def cached_frame(key: str, _graph: Graph, fmt: str, step: int | None, opts: Options) -> bytes:
    return FRAMES.get_or_compute(("frame", key, fmt, step, opts), lambda: frame_file(_graph, fmt, step, opts))


def cached_animation(key: str, _graph: Graph, fmt: str, opts: Options) -> bytes:
    return ANIMATIONS.get_or_compute(("animation", key, fmt, opts), lambda: animation_file(_graph, fmt, opts))
