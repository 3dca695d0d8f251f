"""The graph player: a Streamlit v2 component that plays pre-rendered SVG frames in
the browser (no server round trip per frame), shows each step's chain rule beside the
graph, and reports the step where it stops. Its code is the one player the exported
HTML page also runs (engine/render/assets/player.js), plus Explore's glue."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from engine.render import player_parts

_ASSETS = Path(__file__).parent / "assets"
_player = st.components.v2.component(
    "backprop_player",
    html="",
    css=player_parts.css(),
    js=player_parts.js() + "\n" + (_ASSETS / "player.js").read_text(),
)


def player(frames: list[str], titles: list[str], active: list[dict | None], explain: list[dict], *,
           step: int, signature: str, key: str, on_change, autoplay: bool = False, trace: dict | None = None):
    """Mount the player. ``explain`` holds every step's explanation
    (engine.explain.step_texts), ``trace`` the evaluation trace and each step's row in it
    (engine.evaluation_trace). ``signature`` identifies the frames: when it changes the
    browser takes the new frames and ``step``; otherwise it keeps its own step unless
    Python moved it. ``on_change`` runs when the browser reports a new step or a click
    on a node or edge (``st.session_state[key].step`` / ``.selected``)."""
    return _player(
        data={"frames": frames, "titles": titles, "active": active, "explain": explain, "trace": trace, "step": step,
              "signature": signature, "autoplay": autoplay},
        key=key,
        default={"step": step, "selected": None},
        on_step_change=on_change,
        on_selected_change=on_change,
        height="content",
    )
