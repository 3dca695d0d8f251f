"""Text from strangers on a Streamlit page: shown as typed, never as Markdown.

Nearly every Streamlit text call reads Markdown: st.markdown, st.caption, st.title,
the alerts (st.info, st.warning, st.error, st.success), and the labels and help of
widgets, tabs, expanders and metrics. A model's name such as
``![x](http://host/img.png)`` made the reader's browser fetch that picture,
``[click](http://host)`` was a link, ``$x$`` LaTeX, ``:red[x]`` coloured, and
``&amp;`` showed as ``&``. Every string that comes from a model file, a link or a
file name goes through :func:`md` before it is put into Markdown; a message that
quotes one (an exception's text) goes through :func:`message`; plain-text places
(st.text, st.code, selectbox options, table headers) take :func:`plain`.
"""
from __future__ import annotations

import re

from engine.names import one_line

# CommonMark lets any ASCII punctuation character be escaped with a backslash, and an
# escaped character is always literal text: no link, image, emphasis, HTML, entity
# (``\&amp;``), directive (``\:red[``), emoji code (``\:smile\:``) or math (``\$``).
# Escaping all of them, not a chosen few, leaves no construct to think of.
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# ... except one: Streamlit's GFM turns bare addresses into links *after* parsing, in
# the text itself, where escapes are gone ("http\:\/\/host" still became a link). A
# WORD JOINER (U+2060, invisible, zero width) splits what the finder looks for.
JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)")
# For messages: only what makes a link, an image, an entity, math, code or emphasis;
# prose punctuation stays as written, so a message reads (and is searched) as before.
# '<' only where it would open an autolink (<http://host>, <a@b.c>): Streamlit shows
# other HTML as text.
_ACTIVE = re.compile(r"""([\\\[\]!&$`*~|#]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])"""
                     r"""|<(?=[A-Za-z][A-Za-z0-9+.\-]{1,31}:|[^\s<>]*@))""")

_SHORTCODE = re.compile(r"(?<=:)(?=[A-Za-z0-9_+\-/]+[:[])")


def _unlinked(text: str) -> str:
    return _AUTOLINK.sub(JOINER, one_line(text))


def md(text) -> str:
    """``text`` for any Streamlit call that reads Markdown: drawn exactly as typed, on
    one line, with bidi controls shown as escapes (``\\u202e``, see engine/names.py)."""
    return _PUNCTUATION.sub(r"\\\1", _unlinked(text))


def message(text) -> str:
    """A message that may quote a stranger's text (``unknown layer type '![x](…)'``),
    for st.error or st.warning: nothing in it becomes a link, an image or markup, and
    its prose punctuation is left alone."""
    # ":smile:", ":material/home:", ":red[x]" are replaced in the text too, escaped or not: a joiner
    # after the colon keeps them as typed ("layer 2: size" has none: prose stays as is)
    return _ACTIVE.sub(r"\\\1", _SHORTCODE.sub(JOINER, _unlinked(text)))


def plain(text) -> str:
    """``text`` for places Streamlit shows as plain text: one line, bidi controls escaped."""
    return one_line(text)
