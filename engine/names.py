"""Names from strangers, made safe to show: one rule for every place a name is drawn.

A model file or a link may come from anyone, and its name, description, feature and
target names are shown on every page, in every picture and by the command line. They
are kept exactly as typed in the model (a file read and written again is unchanged);
only their *display* goes through :func:`visible`, which writes the invisible
characters that reorder text as escapes. A right-to-left override (U+202E) in
``"invoice\\u202efdp.exe"`` would otherwise make the terminal, the page or the SVG show
"invoiceexe.pdf"; shown escaped, the name reads as what it is.

Markup is each output's own business: HTML escaping (engine/render/style.py, the HTML
player), Markdown escaping (ui/text.py), plotly's tags (ui/chart_style.py). Each of
those calls :func:`visible` first.
"""
from __future__ import annotations

import re

# The Unicode bidirectional controls: embeddings and overrides (U+202A-U+202E), isolates
# (U+2066-U+2069), the implicit marks (U+200E, U+200F) and the Arabic letter mark (U+061C).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def visible(text) -> str:
    """``text`` with every bidi control written as its escape (``\\u202e``), the rest unchanged."""
    return _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", str(text))


def one_line(text) -> str:
    """:func:`visible`, with line breaks as spaces: a caption, a title or a label holds one line."""
    return " ".join(visible(text).splitlines())
