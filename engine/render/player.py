"""A self-contained HTML page that plays the frames offline with Explore's own player
(assets/player.js): play, pause, step, a scrub slider, a speed choice, zoom, and each
step's chain rule typeset by the KaTeX inlined in the page. Inline SVG, no network
access — a file a course page can link or embed as it is."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html import escape

from ..names import one_line
from . import player_parts, svgdoc


def inline_svg(svg: str | ET.Element, prefix: str) -> str:
    """An SVG document (text, or a parsed tree: changed in place) made fit to sit inside
    HTML: no XML prologue, DOCTYPE or comments, and ids made unique per frame (every
    frame has a "node1"; duplicate ids are invalid HTML)."""
    root = svgdoc.parse(svg) if isinstance(svg, (str, bytes)) else svg
    return svgdoc.serialise(svgdoc.prefix_ids(root, prefix), declaration=False)


_CSS = """
:root { color-scheme: %(scheme)s; --st-text-color: %(fg)s; --st-background-color: %(bg)s;
  --st-secondary-background-color: %(node)s; --st-border-color: %(muted)s; --st-primary-color: %(accent)s; }
body { margin: 0; background: %(bg)s; color: %(fg)s; font: 14px/1.4 Helvetica, Arial, sans-serif; }
header { padding: 12px 16px 0; } h1 { font-size: 18px; margin: 0 0 4px; overflow-wrap: anywhere; }
main { padding: 8px 16px; }
"""

# The page's side of the one player: the frames are already in the page (one div each,
# ids prefixed per frame by inline_svg), the data in the JSON script; keys are heard on
# the whole page, which is nothing but the player.
_BOOT = """
(function () {
  var data = JSON.parse(document.getElementById('steps').textContent);
  var root = document.getElementById('player');
  var frames = Array.prototype.slice.call(root.querySelectorAll('.frame'));
  var p = BP.mount(root, { frameEls: frames, prefix: function (n) { return 'f' + n + '-'; },
                           report: function () {} }, document);
  p.load(data);
})();
"""


def player_html(svgs: list[str | ET.Element], captions: list[str], *, title: str, theme,
                active: list | None = None, explain: list | None = None, trace: dict | None = None) -> str:
    """The page: every frame inline (only one visible; a frame is an SVG document or its
    parsed tree), the captions, each step's marker (``active``) and explanation
    (``explain``, engine.explain.step_texts) and the evaluation trace (``trace``,
    engine.evaluation_trace) as JSON data, played by the same player as
    Explore (assets/player.js)."""
    if len(svgs) != len(captions) or not svgs:
        raise ValueError("the player needs one caption per frame and at least one frame")
    for extra in (active, explain):
        if extra is not None and len(extra) != len(svgs):
            raise ValueError("the player needs one marker and one explanation per frame")
    frames = "\n".join(
        f'<div class="frame" id="frame{n}"{" hidden" if n else ""}>{inline_svg(s, f"f{n}-")}</div>'
        for n, s in enumerate(svgs))
    # JSON inside <script>: "</" must not close the element early.
    data = json.dumps({"frames": None, "titles": captions, "active": active or [], "explain": explain or [],
                       "trace": trace, "step": 0}, ensure_ascii=False).replace("</", "<\\/")
    css = _CSS % {"scheme": "dark" if theme.name == "dark" else "light", "bg": theme.bg,
                  "fg": theme.fg, "muted": theme.muted, "node": theme.node, "accent": theme.forward}
    # a title may carry a model's name: HTML text, as typed (``&amp;`` stays five
    # characters, ``<b>`` no tag), bidi controls shown as escapes
    title = escape(one_line(title), quote=True)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}{player_parts.css()}</style></head>
<body>
<header><h1>{title}</h1></header>
<main id="player" aria-label="animation">
{frames}
</main>
<script type="application/json" id="steps">{data}</script>
<script>{player_parts.js()}{_BOOT}</script>
</body></html>
"""
