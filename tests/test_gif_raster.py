"""The GIF's frames drawn once, then only where they change (engine/render/raster.py).

What is checked is what a viewer sees: every frame of the patched animation against
the same frame rasterised whole, and how much drawing the GIF asks of the rasteriser
(counted, never timed: figures on a shared machine mean nothing; ``python -m bench
--only gif_all`` measures)."""
from __future__ import annotations

import copy
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import vl_convert
from PIL import Image

from engine.presets import load_preset
from engine.record import record
from engine.render import raster, svgdoc
from engine.render.leaves import Frame
from engine.render.export import export, gif_documents

TEXT = f"{svgdoc.SVG}text"


def graph(name="article"):
    spec = load_preset(name)
    return spec, record(spec.model, *spec.data.sample(1, spec.model.arithmetic))


def whole(root: ET.Element, scale: float) -> np.ndarray:
    """A frame rasterised whole, as every frame was before (hidden labels left out)."""
    svg = svgdoc.serialise(svgdoc.drop_hidden_text(copy.deepcopy(root)))
    return np.asarray(Image.open(io.BytesIO(bytes(vl_convert.svg_to_png(svg, scale=scale)))).convert("RGB"), int)


def played(first, patches):
    """Every frame as the GIF shows it: frame 0, then each frame's patches laid on the one before."""
    frame, out = first.copy(), []
    for changes in patches:
        for x, y, im in changes:
            frame.paste(im, (x, y))
        out.append(np.asarray(frame, int))
    return out


def text_areas(root: ET.Element, scale: float, shape) -> np.ndarray:
    """Where the frame's visible labels may draw, in pixels: text is laid over the shapes
    there (an edge crossing a label no longer covers it), so pixels may differ there."""
    frame = Frame(root)
    k = frame.size[0] * frame.unit[0] * scale / frame.view[2]
    out = np.zeros(shape, bool)
    for i in np.flatnonzero(frame.text & frame.drawn):
        x0, y0, x1, y1 = (int(v * k) for v in frame.boxes[i])
        out[max(0, y0):y1 + 2, max(0, x0):x1 + 2] = True
    return out


@pytest.mark.parametrize("name,view", [("article", "neuron"), ("xor", "layer")])
def test_every_patched_frame_looks_like_the_whole_frame(name, view):
    spec, g = graph(name)
    kw = {"feature_names": spec.data.feature_names} if view == "neuron" else {}
    roots, scale = gif_documents(g, view=view, **kw)
    first, patches = raster.frames(roots, scale)
    assert len(patches) == len(roots) == len(g.timeline) + 1
    assert sum(len(p) for p in patches[1:]) >= len(roots) - 1  # every step changes something: the caption
    assert any(im.size != first.size for p in patches for _, _, im in p)  # and most only in part
    for n, (shown, root) in enumerate(zip(played(first, patches), roots)):
        truth = whole(root, scale)
        assert shown.shape == truth.shape
        off = np.abs(shown - truth).max(axis=2)[~text_areas(root, scale, truth.shape[:2])]
        # anti-aliasing may differ by a few levels where a patch cuts a curve; never a stale element
        assert (off > 8).mean() < 1e-4 and off.max() < 64, (n, off.max(), (off > 8).sum())


def test_each_line_of_text_is_rasterised_once_not_once_a_frame(monkeypatch):
    spec, g = graph("xor")
    roots, _ = gif_documents(g, view="neuron", feature_names=spec.data.feature_names)
    every_frame = sum(len(t.text or "") for r in roots for t in r.iter(TEXT) if t.get("fill") != "none")
    drawn = []
    real = vl_convert.svg_to_png

    def counting(svg, **kw):
        drawn.append(sum(len(t.text or "") for t in svgdoc.parse(svg).iter(TEXT)))
        return real(svg, **kw)

    monkeypatch.setattr(vl_convert, "svg_to_png", counting)
    gif = export(g, "gif", view="neuron", feature_names=spec.data.feature_names)
    assert Image.open(io.BytesIO(gif)).n_frames == len(g.timeline) + 1
    # before: every frame's labels, every frame (the spiral's neuron view: 40,000 characters)
    assert sum(drawn) < every_frame / 3, (sum(drawn), every_frame)


def test_a_document_it_cannot_follow_is_rasterised_whole_frame_by_frame():
    _, g = graph()
    roots, scale = gif_documents(g)
    for root in roots:  # a rotation: where an element draws is no longer read
        root[-1].set("transform", root[-1].get("transform") + " rotate(1)")
    first, patches = raster.frames(roots, scale)
    assert all(len(p) == 1 and p[0][:2] == (0, 0) and p[0][2].size == first.size for p in patches[1:])
    for shown, root in zip(played(first, patches), roots):
        assert np.array_equal(shown, whole(root, scale))


def test_the_gif_numbers_stay_legible_in_every_frame():
    """The last frame of the spiral's neuron view GIF (its biggest) still shows its labels
    at the scale the GIF always had: the patches change the time, not the size."""
    spec, g = graph("spiral")
    gif = Image.open(io.BytesIO(export(g, "gif", view="neuron", feature_names=spec.data.feature_names)))
    assert gif.n_frames == len(g.timeline) + 1 and gif.size[0] == 1600
    gif.seek(gif.n_frames - 1)
    last = np.asarray(gif.convert("RGB"), int)
    roots, scale = gif_documents(g, view="neuron", feature_names=spec.data.feature_names)
    truth = whole(roots[-1], scale)
    assert last.shape == truth.shape
    assert np.abs(last - truth).max(axis=2).mean() < 2  # the palette's rounding, not missing labels
