"""Per-user state. Everything a user builds lives in ``st.session_state`` (one per
browser session); nothing mutable is shared through module globals or caches."""
from __future__ import annotations

import streamlit as st

from engine.presets import PRESETS, load_preset

from . import share
from .text import message

DEFAULT_PRESET = "article"


def workspace():
    """The current preset/model of this session, created once from the link
    (``?preset=`` or ``?model=``, see ui/share.py; a bad link warns and falls back
    to the default). The URL's model parameters are kept pointing at it."""
    if "workspace" not in st.session_state:
        spec, warning = share.spec_from_params(st.query_params, DEFAULT_PRESET)
        st.session_state["workspace"] = spec
        if warning:
            st.warning(message(warning), icon=":material/link_off:")  # it may quote the link
    ws = st.session_state["workspace"]
    _keep_link(ws)
    for key in EXPLORE_CHOICES:  # back from a page without Explore's widgets
        if key not in st.session_state and "_" + key in st.session_state:
            st.session_state[key] = st.session_state["_" + key]
    return ws


# Streamlit forgets a widget's value once a page without it has run: Explore's choices
# are kept under "_"-prefixed keys too (remember_choices), so float, the neuron view or
# the dark theme survive a visit to Build or Train, and Export starts from them.
EXPLORE_CHOICES = ("arithmetic", "view", "theme", "rankdir")


def remember_choices() -> None:
    for key in EXPLORE_CHOICES:
        if key in st.session_state:
            st.session_state["_" + key] = st.session_state[key]


def _keep_link(ws) -> None:
    # Page switches may drop the query; putting it back costs one comparison per run.
    if st.session_state.get("_linked") is not ws:
        st.session_state["_link_params"] = share.model_params(ws)
        st.session_state["_linked"] = ws
    wanted = st.session_state["_link_params"]
    if any(st.query_params.get(k) != wanted.get(k) for k in ("preset", "model")):
        share.share_model(ws)


def set_workspace(spec) -> None:
    """Make ``spec`` this session's model: back to step 0, and the link follows it."""
    st.session_state["workspace"] = spec
    st.session_state["step"] = 0
    for key in ("arithmetic", "_arithmetic"):  # the new model starts in its own arithmetic
        st.session_state.pop(key, None)
    share.share_model(spec, reset_view=True)
