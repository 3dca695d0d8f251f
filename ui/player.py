"""The graph player: a Streamlit v2 component that plays pre-rendered SVG frames in
the browser (no server round trip per frame) and reports the step where it stops."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

_ASSETS = Path(__file__).parent / "assets"
_player = st.components.v2.component(
    "backprop_player",
    html="",
    css=(_ASSETS / "player.css").read_text(),
    js=(_ASSETS / "player.js").read_text(),
)


def player(frames: list[str], titles: list[str], active: list[dict | None], *, step: int,
           signature: str, key: str, on_change, autoplay: bool = False):
    """Mount the player. ``signature`` identifies the frames: when it changes the
    browser takes the new frames and ``step``; otherwise it keeps its own step unless
    Python moved it. ``on_change`` runs when the browser reports a new step or a click
    on a node or edge (``st.session_state[key].step`` / ``.selected``)."""
    return _player(
        data={"frames": frames, "titles": titles, "active": active, "step": step,
              "signature": signature, "autoplay": autoplay},
        key=key,
        default={"step": step, "selected": None},
        on_step_change=on_change,
        on_selected_change=on_change,
        height="content",
    )
