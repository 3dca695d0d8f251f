"""What the one player (assets/player.js) is made of, for both of its hosts: Explore's
component (ui/player.py) and the exported HTML page (player.py). Its code and look,
KaTeX (vendored from npm, MIT, assets/katex/LICENSE) with the fonts it needs, and the
per-step data: each step's marker, each step's explanation (engine/explain.py) and the
evaluation trace with each step's current row (engine/evaluation_trace.py)."""
from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path

from ..evaluation_trace import evaluation_trace
from ..explain import step_texts
from ..graph import Graph

ASSETS = Path(__file__).parent / "assets"
# KaTeX's CSS loads its fonts by relative URLs, which neither a Streamlit component nor
# an offline file can resolve (and a shadow root ignores @font-face): the player
# registers them itself (BP.fonts), from these files.
_FONTS = {"Main-Regular": ("KaTeX_Main", "normal", "400"), "Main-Bold": ("KaTeX_Main", "normal", "700"),
          "Main-Italic": ("KaTeX_Main", "italic", "400"), "Math-Italic": ("KaTeX_Math", "italic", "400"),
          "AMS-Regular": ("KaTeX_AMS", "normal", "400"),
          **{f"Size{n}-Regular": (f"KaTeX_Size{n}", "normal", "400") for n in range(1, 5)}}


@cache
def css() -> str:
    katex_css = _without_font_faces((ASSETS / "katex" / "katex.min.css").read_text())
    return katex_css + "\n" + (ASSETS / "player.css").read_text()


def _without_font_faces(css_text: str) -> str:
    """KaTeX's CSS less its @font-face rules (flat blocks: no braces inside)."""
    kept = []
    while (at := css_text.find("@font-face{")) >= 0:
        kept.append(css_text[:at])
        css_text = css_text[css_text.index("}", at) + 1:]
    return "".join(kept) + css_text


@cache
def js() -> str:
    """KaTeX, the player (global ``BP``) and the fonts' registration: one classic script,
    also valid at the top of an ES module. No ``</script`` inside (checked by a test)."""
    fonts = [{"family": fam, "style": style, "weight": weight,
              "data": base64.b64encode((ASSETS / "katex" / "fonts" / f"KaTeX_{name}.woff2").read_bytes()).decode()}
             for name, (fam, style, weight) in _FONTS.items()]
    # KaTeX's \includegraphics writes '<img src=...' in a string literal: spelt \x3C, the
    # page holds no "<img" but the frames' own, which the escape tests look for.
    katex = (ASSETS / "katex" / "katex.min.js").read_text().replace("'<img ", "'\\x3Cimg ")
    return "\n".join([katex,
                      (ASSETS / "player.js").read_text(),
                      f"BP.fonts({json.dumps(fonts)});"])


def markers(graph: Graph, theme) -> list[dict | None]:
    """Each step's travelling marker: the edge it runs along, its direction and colour
    (None for step 0, where nothing flows yet)."""
    out = [None]
    for e in graph.timeline:
        backward = e.phase in ("backward", "weight_grad")
        out.append({"id": e.edge, "backward": backward, "color": theme.backward if backward else theme.forward})
    return out


def steps_data(graph: Graph, theme, sample: int = 0) -> dict:
    """The per-step data the player takes besides the frames and titles."""
    texts = step_texts(graph, sample)
    return {"active": markers(graph, theme), "explain": texts, "trace": evaluation_trace(graph, sample, texts)}
