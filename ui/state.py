"""Per-user state. Everything a user builds lives in ``st.session_state`` (one per
browser session); nothing mutable is shared through module globals or caches.

Nothing is lost without a warning:

- the Build draft (``build_draft``) and the last training run (``training``) are plain
  session keys, not widget values, so reruns and page changes keep them;
- replacing the model in use while the draft holds unapplied edits asks first
  (:func:`replace_workspace`, :func:`ask_replace`): the edits stay until "Replace";
- a reload or a link followed in the same tab starts a new session, so the browser is
  asked to confirm leaving while something would be lost (ui/guard.py): unapplied
  edits, a training run not applied, or a model too big to travel in the link;
- a model too big for a link is said so, in the address bar (``?model=too-big``) and on
  the page, with its model file to download (:func:`link_note`).
"""
from __future__ import annotations

import streamlit as st

from . import share
from .exports import file_name
from .text import md
from .draft import export_model
from .guard import leave_guard

DEFAULT_PRESET = "article"
DRAFT, PENDING = "build_draft", "build_pending"  # Build's draft, and whether it differs from the model in use
TRAINING = "training"  # the Train page's last run: {"result", "spec", "applied", "label"}
EXPLORE_GRAPH = "explore_graph"  # a graph from training Explore shows instead of the workspace's: {"graph", "label"}
PLACE = "_workspace_place"  # the workspace's sample and step on Explore, kept while it shows such a graph
ss = st.session_state


def workspace(*, later: bool = False, training_graph: bool = False):
    """The current preset/model of this session, created once from the link
    (``?preset=`` or ``?model=``, see ui/share.py; a bad link warns and falls back
    to the default). The URL's model parameters are kept pointing at it.

    ``later=True``: the page changes the work itself (Build, Train) and calls
    :func:`settle` once it has, so the leave guard sees this run's edits.
    ``training_graph=True``: the page shows a graph from training when there is one
    (Explore, Export; :func:`graph_marker`)."""
    if "workspace" not in ss:
        too_big = share.too_big_link(st.query_params)
        spec, warning = share.spec_from_params(st.query_params, DEFAULT_PRESET)
        ss["workspace"] = spec
        if warning:
            share.warn_link(warning)  # it may quote the link
        marker = share.unshare_training_graph()  # a new session holds no graph from training
        if marker is not None:
            share.warn_link(share.graph_link_warning(marker, spec.name))
        if too_big:  # the sample and step were the lost model's; the import brings it back
            st.page_link("pages/build.py", label="Import the model file on the Build page",
                         icon=":material/upload_file:")
            share.share_model(spec, reset_view=True, params=link_params(spec))
    ws = ss["workspace"]
    _keep_link(ws)
    graph_marker(training_graph)
    for key in EXPLORE_CHOICES:  # back from a page without Explore's widgets
        if key not in ss and "_" + key in ss:
            ss[key] = ss["_" + key]
    if not later:
        settle(ws)
    return ws


def settle(ws, *, note: bool = True) -> None:
    """Once per run, after the page's own changes: the leave guard and, in the sidebar,
    the note on a model too big for a link (Build shows that note in its own panel)."""
    leave_guard(at_risk())
    if note:
        with st.sidebar:
            link_note(ws, compact=True)


# Streamlit forgets a widget's value once a page without it has run: Explore's choices
# are kept under "_"-prefixed keys too (remember_choices), so float, the neuron view or
# the dark theme survive a visit to Build or Train, and Export starts from them.
EXPLORE_CHOICES = ("arithmetic", "view", "theme", "rankdir")


def remember_choices() -> None:
    for key in EXPLORE_CHOICES + ("sample",):  # the sample: for "Back to the workspace model" (open_in_explore)
        if key in ss:
            ss["_" + key] = ss[key]


def link_params(ws) -> dict[str, str]:
    """The model's link parameters (ui/share.py: model_params), worked out once per model:
    they serialise the model (and load the preset it may be), too much for every rerun."""
    if ss.get("_linked") is not ws:
        ss["_link_params"] = share.model_params(ws)
        ss["_linked"] = ws
    return ss["_link_params"]


def _keep_link(ws) -> None:
    # Page switches may drop the query; putting it back costs one comparison per run.
    wanted = link_params(ws)
    if any(st.query_params.get(k) != wanted.get(k) for k in ("preset", "model")):
        share.share_model(ws, params=wanted)


# A graph from training on Explore -------------------------------------------------
# It is not the workspace model, and no link can carry it (a step of a run, its batch):
# while Explore (or Export) shows it, the address bar holds the workspace model and graph=training only
# (graph_marker; ui/share.py: share_training_graph), and Explore points to Export, whose files can. The workspace's
# place is kept aside, so that "Back to the workspace model" returns to it.

def graph_marker(shown_here: bool) -> None:
    """``graph=training`` in the address bar exactly while the page shows a graph from
    training: only Explore and Export can (``shown_here``), and only while the session
    holds one. Anywhere else the link reopens what the page shows, the workspace model,
    so the marker goes (a link opened with it was warned about by :func:`workspace`)."""
    if shown_here and EXPLORE_GRAPH in ss:
        share.share_training_graph()
    else:
        share.unshare_training_graph()  # nothing to do without the marker


def open_in_explore(entry: dict) -> None:
    """Show ``entry`` ({"graph", "label"}: Train's "Open in Explore", the film's Inspect) on
    Explore, from its first step (the workspace's step belongs to another timeline). Its
    "training" ({"epoch", "update", "after"}) names Export's files (ui/exports.py: training_stem)."""
    if EXPLORE_GRAPH not in ss:  # leaving the workspace model: remember where it was
        place = {"sample": ss.get("sample", ss.get("_sample")), "step": ss.get("step")}
        ss[PLACE] = {key: value for key, value in place.items() if value is not None}
    ss[EXPLORE_GRAPH] = entry
    ss["step"] = 0
    st.switch_page("pages/explore.py")


def back_to_workspace() -> None:
    """Explore shows the workspace model again, at the sample and step it had (the page
    checks them against the model); on the rerun that follows, :func:`graph_marker` drops
    the marker and the page writes the view back into the address bar (ui/share.py: share_view)."""
    ss.pop(EXPLORE_GRAPH, None)
    place = ss.pop(PLACE, {})
    ss["step"] = place.get("step", 0)
    if "sample" in place:
        ss["sample"] = place["sample"]


def too_big_for_link() -> bool:
    return ss.get("_link_params", {}).get("model") == share.TOO_BIG


def link_note(ws, *, compact: bool = False) -> None:
    """When the model in use cannot travel in a link: say so, with its length, and offer its file."""
    if not too_big_for_link():
        return
    held = ss.get("_link_length")
    if not held or held[0] is not ws:  # one model dump per model, not per rerun
        ss["_link_length"] = held = (ws, share.link_length(ws))
    text = (f"This model is too big for a link ({held[1]:,} characters, limit {share.MAX_LINK_CHARS:,}): "
            "download the model file to share it. The address bar says `model=too-big`; a reload "
            "cannot bring the model back, only its file can (Build → Start from → A model file).")
    if compact:
        st.caption(":material/link_off: " + text)
    else:
        st.warning(text, icon=":material/link_off:")
    if compact:  # the sidebar's note offers the file; Build's panel has its own button under it
        # made on click, with no rerun (see Build's Export JSON)
        st.download_button("Model file (JSON)", lambda: export_model(ws), file_name=file_name(ws.name or "model", ext="json"),
                           mime="application/json", icon=":material/file_download:", key="link_note_download",
                           on_click="ignore")


# what a reload or a replacement would lose ---------------------------------------

def unapplied_edits() -> bool:
    """Whether Build's draft differs from the model in use (Build records it every run)."""
    return bool(ss.get(PENDING)) and DRAFT in ss


def unapplied_training() -> bool:
    run = ss.get(TRAINING)
    return bool(run) and not run["applied"] and bool(run["result"].history.steps)


def at_risk() -> list[str]:
    """What only this session holds: a reload would lose it."""
    return [what for what, held in (("unapplied Build edits", unapplied_edits()),
                                    ("training results not applied", unapplied_training()),
                                    ("a model too big for a link", too_big_for_link())) if held]


def set_workspace(spec) -> None:
    """Make ``spec`` this session's model: back to step 0, and the link follows it.
    Build's draft is dropped: it starts again from the new model (callers that could
    lose edits go through replace_workspace).
    A model bearing a preset's name without being it is renamed "… (edited)"."""
    spec = share.unpreset_name(spec)
    ss["workspace"] = spec
    ss["step"] = 0
    for key in ("arithmetic", "_arithmetic", "_sample", DRAFT, PENDING, PLACE):  # the new model starts afresh
        ss.pop(key, None)
    share.share_model(spec, reset_view=True, params=link_params(spec))


def replace_workspace(spec, done: str | None, place: str, then=None, question: str | None = None) -> bool:
    """Make ``spec`` the model in use, unless Build's unapplied edits would be lost: then
    ask first (``ask_replace(place)`` shows the question where the user asked for the
    replacement) and return False. ``done`` is said there once replaced after asking;
    ``then()`` runs after the replacement either way."""
    if unapplied_edits():
        ss["_replace"] = {"spec": spec, "done": done, "place": place, "then": then,
                          "question": question or f"Load **{md(spec.name)}**?"}
        return False
    set_workspace(spec)
    if then:
        then()
    return True


def _confirm() -> None:
    ask = ss.pop("_replace", None)
    if ask:
        set_workspace(ask["spec"])
        if ask["then"]:
            ask["then"]()
        if ask["done"]:
            ss["_replace_said"] = (ask["place"], "success", ask["done"])


def _keep() -> None:
    ask = ss.pop("_replace", None)
    if ask:
        ss["_replace_said"] = (ask["place"], "info", f"Kept your edits: **{md(ask['spec'].name)}** was not loaded.")


def ask_replace(place: str) -> None:
    """The question replace_workspace left for ``place``, and what came of the last answer.
    Buttons with callbacks: the answer is acted on before the page runs again, so the
    page draws the replaced (or kept) work straight away. An unanswered question stays
    until answered, or until there are no edits left to lose."""
    said = ss.get("_replace_said")
    if said and said[0] == place:
        del ss["_replace_said"]
        (st.success if said[1] == "success" else st.info)(said[2])
    ask = ss.get("_replace")
    if ask and not unapplied_edits():  # discarded or applied meanwhile: nothing to ask any more
        del ss["_replace"]
        return
    if not ask or ask["place"] != place:
        return
    with st.container(border=True):
        st.warning(f"{ask['question']} It would replace the model in use, and your unapplied "
                   "Build edits would be lost. **Keep mine** leaves them as they are (Apply them, or export "
                   "them, first if you want both).", icon=":material/warning:")
        with st.container(horizontal=True):
            st.button("Replace", key=f"replace_confirm_{place}", type="primary", icon=":material/swap_horiz:",
                      on_click=_confirm)
            st.button("Keep mine", key=f"replace_keep_{place}", icon=":material/undo:", on_click=_keep)
