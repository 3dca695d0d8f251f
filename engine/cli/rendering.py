"""``render``: draw one sample's forward and backward pass to a file, no ``dot`` needed."""
from __future__ import annotations

from ..record import record
from ..render.export import FORMATS, GIF_MAX_WIDTH, PNG_MAX_SIDE, SCALES, export
from ..render.frames import VIEWS
from ..render.style import RANKDIRS, THEMES
from . import UsageError, real_number, whole_number
from .inspect import add_model_source, load_model_source


def register(sub) -> None:
    p = sub.add_parser("render", help="draw the forward and backward pass (svg, png, pdf, dot, gif, html)")
    add_model_source(p)
    p.add_argument("--sample", type=whole_number, default=1, help="sample number, counted from 1 (default 1)")
    p.add_argument("--arithmetic", choices=("exact", "float"), help="default: the model's own")
    p.add_argument("--view", choices=tuple(VIEWS), default="layer")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--step", type=whole_number, help="show the timeline up to step N (0: nothing computed yet)")
    when.add_argument("--final", action="store_true", help="the final frame (the default)")
    p.add_argument("--theme", choices=tuple(THEMES), default="light")
    p.add_argument("--rankdir", choices=RANKDIRS, default="LR")
    p.add_argument("--scale", type=real_number, default=None,
                   help=f"PNG/GIF pixel scale, {SCALES[0]:g} to {SCALES[1]:g} (default: PNG 2, GIF 1); a picture"
                        f" wider than {PNG_MAX_SIDE:,} px (PNG) or {GIF_MAX_WIDTH:,} px (GIF) is drawn smaller")
    p.add_argument("--format", choices=FORMATS, required=True,
                   help="gif and html animate every step; the others draw one frame")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.set_defaults(run=run_render)


def run_render(args) -> int:
    # Checked here, before any work, so that only a --scale the user gave is ever blamed;
    # the scale chosen to fit a big picture may be smaller and is never refused.
    if args.scale is not None and not SCALES[0] <= args.scale <= SCALES[1]:
        raise UsageError(f"--scale {args.scale:g} is out of range; use {SCALES[0]:g} to {SCALES[1]:g}"
                         " or leave it out")
    spec = load_model_source(args)
    graph = record(spec.model, *spec.data.sample(args.sample, spec.model.arithmetic))
    if args.step is not None and args.format in ("gif", "html"):
        raise ValueError(f"--step draws one frame; {args.format} animates every step")
    kw = {}
    if args.view == "neuron":
        kw["feature_names"] = spec.data.feature_names
    data = export(graph, args.format, view=args.view, step=args.step, theme=args.theme,
                  rankdir=args.rankdir, scale=args.scale, **kw)
    with open(args.output, "wb") as f:
        f.write(data)
    print(f"wrote {args.output} ({len(data):,} bytes, {args.view} view, {args.format}{_pixels(data)})")
    return 0


def _pixels(data: bytes) -> str:
    """", 16,384 × 157 px" for a PNG or GIF: the size says when it was drawn smaller to fit."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    elif data[:4] == b"GIF8":
        w, h = int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    else:
        return ""
    return f", {w:,} × {h:,} px"
