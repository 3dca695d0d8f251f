"""The leave guard: asks the browser to confirm before a reload or a link leaves the page
while this session holds work that only lives here (a reload starts a new Streamlit
session: st.session_state, and so the work, is gone).

A ``st.components.v2`` component, so its script runs in the page itself and can hold a
``beforeunload`` listener (a v1 component's iframe could not). Browsers show their own
text ("Leave site? Changes you made may not be saved."); the list of what is at risk is
sent anyway, for the page's own notes and the tests."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

_guard = st.components.v2.component(
    "backprop_guard", html="", js=(Path(__file__).parent / "assets" / "guard.js").read_text())


def leave_guard(at_risk: list[str]) -> None:
    """Mount the guard (once per run, in the sidebar, where it takes no room in the page)."""
    with st.sidebar:
        _guard(data={"at_risk": list(at_risk)}, key="leave_guard", height="content")
