"""A self-contained HTML page that plays the frames offline: play, pause, step,
a scrub slider and a speed choice. Vanilla JS, inline SVG, no network access — a
file a course page can link or embed as it is."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html import escape

from ..names import one_line
from . import svgdoc


def inline_svg(svg: str | ET.Element, prefix: str) -> str:
    """An SVG document (text, or a parsed tree: changed in place) made fit to sit inside
    HTML: no XML prologue, DOCTYPE or comments, and ids made unique per frame (every
    frame has a "node1"; duplicate ids are invalid HTML)."""
    root = svgdoc.parse(svg) if isinstance(svg, (str, bytes)) else svg
    return svgdoc.serialise(svgdoc.prefix_ids(root, prefix), declaration=False)


_CSS = """
:root { color-scheme: %(scheme)s; }
body { margin: 0; background: %(bg)s; color: %(fg)s; font: 14px/1.4 Helvetica, Arial, sans-serif; }
header { padding: 12px 16px 0; } h1 { font-size: 18px; margin: 0 0 4px; }
.stage { padding: 8px 16px; overflow: auto; }
.stage svg { max-width: 100%%; height: auto; display: block; margin: 0 auto; }
.frame[hidden] { display: none; }
.controls { position: sticky; bottom: 0; display: flex; gap: 8px; align-items: center; flex-wrap: wrap;
  padding: 10px 16px; background: %(bg)s; border-top: 1px solid %(muted)s; }
button, select { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid %(muted)s;
  background: transparent; color: inherit; cursor: pointer; }
input[type=range] { flex: 1; min-width: 160px; }
#caption { min-width: 280px; font-variant-numeric: tabular-nums; }
"""

_JS = """
(function () {
  var frames = document.querySelectorAll('.frame');
  var captions = JSON.parse(document.getElementById('captions').textContent);
  var slider = document.getElementById('scrub'), caption = document.getElementById('caption');
  var play = document.getElementById('play'), speed = document.getElementById('speed');
  var i = 0, timer = null;
  function show(n) {
    i = Math.max(0, Math.min(frames.length - 1, n));
    for (var k = 0; k < frames.length; k++) frames[k].hidden = (k !== i);
    slider.value = i; caption.textContent = captions[i];
  }
  function stop() { if (timer) { clearTimeout(timer); timer = null; } play.textContent = '\u25B6 Play'; }
  function tick() {
    if (i >= frames.length - 1) { stop(); return; }
    show(i + 1); timer = setTimeout(tick, 1000 / parseFloat(speed.value));
  }
  function start() {
    if (i >= frames.length - 1) show(0);
    play.textContent = '\u275A\u275A Pause'; timer = setTimeout(tick, 1000 / parseFloat(speed.value));
  }
  play.onclick = function () { timer ? stop() : start(); };
  document.getElementById('prev').onclick = function () { stop(); show(i - 1); };
  document.getElementById('next').onclick = function () { stop(); show(i + 1); };
  document.getElementById('first').onclick = function () { stop(); show(0); };
  document.getElementById('last').onclick = function () { stop(); show(frames.length - 1); };
  slider.oninput = function () { stop(); show(parseInt(slider.value, 10)); };
  document.addEventListener('keydown', function (e) {
    if (e.target.tagName === 'SELECT') return;
    if (e.key === ' ') { e.preventDefault(); play.onclick(); }
    else if (e.key === 'ArrowRight') { stop(); show(i + 1); }
    else if (e.key === 'ArrowLeft') { stop(); show(i - 1); }
  });
  show(0);
})();
"""


def player_html(svgs: list[str | ET.Element], captions: list[str], *, title: str, theme) -> str:
    """The page: every frame inline (only one visible), the captions as JSON data;
    a frame is an SVG document or its parsed tree."""
    if len(svgs) != len(captions) or not svgs:
        raise ValueError("the player needs one caption per frame and at least one frame")
    frames = "\n".join(
        f'<div class="frame" id="frame{n}"{" hidden" if n else ""}>{inline_svg(s, f"f{n}-")}</div>'
        for n, s in enumerate(svgs))
    # JSON inside <script>: "</" must not close the element early.
    data = json.dumps(captions, ensure_ascii=False).replace("</", "<\\/")
    css = _CSS % {"scheme": "dark" if theme.name == "dark" else "light", "bg": theme.bg,
                  "fg": theme.fg, "muted": theme.muted}
    last = len(svgs) - 1
    # a title may carry a model's name: HTML text, as typed (``&amp;`` stays five
    # characters, ``<b>`` no tag), bidi controls shown as escapes
    title = escape(one_line(title), quote=True)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style></head>
<body>
<header><h1>{title}</h1></header>
<main class="stage">
{frames}
</main>
<nav class="controls" aria-label="animation controls">
<button id="first" title="first frame">|&#9664;</button>
<button id="prev" title="previous step (←)">&#9664;</button>
<button id="play" title="play or pause (space)">&#9654; Play</button>
<button id="next" title="next step (→)">&#9654;</button>
<button id="last" title="last frame">&#9654;|</button>
<input id="scrub" type="range" min="0" max="{last}" value="0" step="1" aria-label="frame">
<label>speed <select id="speed">
<option value="0.5">0.5×</option><option value="1" selected>1×</option>
<option value="2">2×</option><option value="4">4×</option></select></label>
<span id="caption"></span>
</nav>
<script type="application/json" id="captions">{data}</script>
<script>{_JS}</script>
</body></html>
"""
