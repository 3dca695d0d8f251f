"""Per-user state. Everything a user builds lives in ``st.session_state`` (one per
browser session); nothing mutable is shared through module globals or caches."""
from __future__ import annotations

import streamlit as st

from engine.presets import PRESETS, load_preset

DEFAULT_PRESET = "article"


def workspace():
    """The current preset/model of this session, created once."""
    if "workspace" not in st.session_state:
        name = st.query_params.get("preset", DEFAULT_PRESET)
        if name not in PRESETS:
            name = DEFAULT_PRESET
        st.session_state["workspace"] = load_preset(name)
    return st.session_state["workspace"]


def set_workspace(preset) -> None:
    st.session_state["workspace"] = preset
    st.session_state["step"] = 0
