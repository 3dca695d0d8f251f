"""Links that reproduce a view: the model and the place in it live in the URL's query.

Query parameters (the names are part of the app's interface; keep them stable):

``preset=<name>``
    One of engine.presets.PRESETS (``article``, ``xor``, ...), unmodified.
``model=<base64url>``
    A small custom model: its model file as compact JSON (engine.spec), base64url
    without padding. Written only when it fits in MAX_LINK_CHARS. ``preset`` and
    ``model`` exclude each other.
``model=too-big``
    The model in use is too big for a link (TOO_BIG). The address bar says so instead
    of silently naming no model (a reload would then have opened the article as if it
    were the user's model); opening such a link warns that the model could not travel
    and points to the Build page's import (the model file is the way to share it).
``sample=<i>``
    The sample shown on Explore, counted from 1, or ``batch`` for the whole batch.
``step=<t>``
    The step of the timeline shown on Explore (0 = nothing has flowed yet).
``arithmetic=exact|float``
    The arithmetic Explore computes in (so a link can show the float trap). Another
    value, or ``exact`` for a model that has no exact arithmetic (tanh, sigmoid, a layer
    too wide), warns and shows the model's own arithmetic (float for the latter).
``view=layer|neuron``
    The view Explore draws (a link to a neuron's arithmetic opens on the neurons).
``diff=on``
    Explore's "Float versus exact" comparison is switched on (the CLI's ``diff``). Written
    while it is on, dropped when it is off. Any other value warns and leaves it off; for a
    model the comparison cannot run (ui/float_view.py: comparable) one sentence says why
    it is not shown, and the normal view is.

``graph=training``
    Explore or Export shows a graph from training (a step of a run, the film's frame: no
    link can carry it). The URL then holds the workspace model and this marker, none of
    the view parameters above (:func:`share_training_graph`): a link copied meanwhile says
    what it cannot reopen, instead of passing the workspace's view off as what was shown.
    Opening it, on any page, warns once (:func:`graph_link_warning`) and shows the
    workspace model; every other page, and these two back on the workspace model, drop
    the marker (ui/state.py: workspace, the one place that decides).

Reading is defensive (a link may come from anyone): a bad value gives a warning
message and the default, never an exception. No Streamlit import here except in
the functions that read or write ``st.query_params``.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import json

from engine.spec_json import SpecError
from engine.numbers import parse_whole
from engine.presets import PRESETS, load_preset
from engine.spec import Spec, load_spec, spec_to_dict

MAX_LINK_CHARS = 2048  # the encoded model; URLs past a few kB get cut by some servers and chats
TOO_BIG = "too-big"  # never a model code: those are base64 of '{"…', so they start with "eyJ"


def encode_model(spec: Spec) -> str | None:
    """The ``model`` parameter of a spec, or None when it would pass MAX_LINK_CHARS."""
    numbers = spec.data.x.size + spec.data.y.size + sum(p.size for p in spec.model.weights().values())
    if numbers > MAX_LINK_CHARS // 2:  # each number takes at least two characters: skip the dump
        return None
    text = json.dumps(spec_to_dict(spec), separators=(",", ":"), ensure_ascii=False)
    code = base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")
    return code if len(code) <= MAX_LINK_CHARS else None


def link_length(spec: Spec) -> int:
    """The length the ``model`` parameter of a spec has, or would have past MAX_LINK_CHARS."""
    text = json.dumps(spec_to_dict(spec), separators=(",", ":"), ensure_ascii=False)
    return -(-len(text.encode("utf-8")) * 4 // 3)  # base64 without padding: ⌈4n/3⌉


def decode_model(code: str) -> Spec:
    """The spec of a ``model`` parameter; SpecError if it is not a usable model."""
    if not isinstance(code, str) or len(code) > 4 * MAX_LINK_CHARS:
        raise SpecError("the model in the link is too long")
    try:
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
    except (binascii.Error, ValueError):
        raise SpecError("the model in the link is not base64url text") from None
    return load_spec(raw)


def preset_name(spec: Spec) -> str | None:
    """The preset a spec is, unmodified, or None."""
    if spec.name not in PRESETS:
        return None
    try:
        return spec.name if spec_to_dict(load_preset(spec.name)) == spec_to_dict(spec) else None
    except ValueError:
        return None


def unpreset_name(spec: Spec) -> Spec:
    """``spec``, renamed "article (edited)" if it bears a preset's name but is not that
    preset: the name would claim the preset (in the title, the exported file names)
    while the link carries another model."""
    if spec.name in PRESETS and preset_name(spec) is None:
        return dataclasses.replace(spec, name=f"{spec.name} (edited)")
    return spec


def model_params(spec: Spec) -> dict[str, str]:
    """``{"preset": name}``, ``{"model": code}``, or ``{"model": TOO_BIG}`` for a model too big for a link."""
    name = preset_name(spec)
    if name:
        return {"preset": name}
    return {"model": encode_model(spec) or TOO_BIG}


def too_big_link(params) -> bool:
    """Whether a link names a model that was too big to travel in it."""
    return params.get("model") == TOO_BIG


def spec_from_params(params, default: str) -> tuple[Spec, str | None]:
    """The spec a link asks for, and a warning when it asked for something unusable (then the default)."""
    model, preset = params.get("model"), params.get("preset")
    if model == TOO_BIG:
        return load_preset(default), (
            f"This link was made from a model too big to travel in a link (more than {MAX_LINK_CHARS:,} "
            f"characters), so it cannot reopen it: showing the {default} preset. Import the model file "
            "on the Build page to get it back.")
    if model:
        try:
            return decode_model(model), None
        except SpecError as e:
            return load_preset(default), f"The model in the link could not be read ({e}); showing the {default} preset."
    if preset:
        if preset in PRESETS:
            return load_preset(preset), None
        return load_preset(default), (f"There is no preset {str(preset)[:40]!r} (known presets: "
                                      f"{', '.join(PRESETS)}); showing the {default} preset.")
    return load_preset(default), None


def read_index(params, key: str, least: int, most: int) -> int | None:
    """An integer parameter within [least, most], or None if absent or unusable."""
    value = params.get(key)
    try:  # engine.numbers' whole numbers: ASCII digits ("١" passed isdigit()), bounded before int()
        n = parse_whole(value)
    except ValueError:
        return None
    return n if least <= n <= most else None


# st.query_params -------------------------------------------------------------

def shared_sample(n_samples: int) -> int | None:
    """The ``sample`` in the URL if it names one of the workspace's samples (1-based)."""
    import streamlit as st
    return read_index(st.query_params, "sample", 1, n_samples)


def shared_step(total: int) -> int | None:
    """The ``step`` in the URL if it is within the timeline (0..total)."""
    import streamlit as st
    return read_index(st.query_params, "step", 0, total)


def shared_arithmetic() -> str | None:
    """The ``arithmetic`` in the URL as written (``exact`` and ``float`` are the good
    values; the page checks the model can use it), or None if absent."""
    import streamlit as st
    return st.query_params.get("arithmetic") if "arithmetic" in st.query_params else None


VIEWS = ("layer", "neuron")


def warn_link(text: str) -> None:
    """Say, in one sentence on the page, that a link asked for what cannot be shown and what
    is shown instead; the sentence may quote the link, so it is written as typed
    (ui/text.message). Every page's link warnings come here: one look, one icon."""
    import streamlit as st
    from .text import message
    st.warning(message(text), icon=":material/link_off:")


def shared_view() -> str | None:
    """The ``view`` in the URL (``layer`` or ``neuron``), or None."""
    import streamlit as st
    value = st.query_params.get("view")
    return value if value in VIEWS else None


def shared_diff() -> str | None:
    """The URL's ``diff`` as written (``on`` asks for Explore's float-versus-exact
    comparison; anything else is a bad value the page warns about), or None if absent."""
    import streamlit as st
    return st.query_params.get("diff") if "diff" in st.query_params else None


def _put(key: str, value: str | None) -> None:
    """Set the URL's ``key`` to ``value``, or remove it (None), writing only a change: each
    write is a round trip to the browser.

    A change is judged against two things: the address the browser sent with this run
    (``st.query_params``), and what this session last wrote. The first alone goes stale:
    a run started by a request sent before the browser applied the previous run's write
    sees the older address, finds its value already there and writes nothing, and the
    browser then shows the previous run's value for good (seen: the player at step 4, the
    address bar at step=5, after an arrow key met a view change)."""
    import streamlit as st
    sent = st.session_state.setdefault("_url_sent", {})
    if value is None:
        if key in st.query_params:
            del st.query_params[key]
        elif sent.get(key) is not None:  # on its way to the browser: send the address without it
            st.query_params[key] = ""
            del st.query_params[key]
    elif st.query_params.get(key) != value or sent.get(key, value) != value:
        st.query_params[key] = value
    sent[key] = value


def share_diff(on: bool) -> None:
    """``diff=on`` while the comparison is shown, no ``diff`` at all otherwise."""
    _put("diff", "on" if on else None)


def share_view(sample: int | str | None = None, step: int | None = None,
               arithmetic: str | None = None, view: str | None = None) -> None:
    """Write the place in the view into the URL (only what changed, to spare round trips);
    ``sample`` is 1-based, or "batch" for the whole batch."""
    for key, value in (("sample", sample), ("step", step), ("arithmetic", arithmetic), ("view", view)):
        if value is not None:
            _put(key, str(value))


VIEW_PARAMS = ("sample", "step", "arithmetic", "view", "diff")  # the place in a model's view
TRAINING_GRAPH = "training"  # the ``graph`` parameter while Explore shows a graph from training


def share_training_graph() -> None:
    """The URL while Explore or Export shows a graph from training (ui/state.py: open_in_explore):
    the workspace model (kept by ui/state.py) and ``graph=training``, no place in a view."""
    for key in VIEW_PARAMS:
        _put(key, None)
    _put("graph", TRAINING_GRAPH)


def graph_link_warning(marker, name: str) -> str:
    """The one sentence for a link that carries ``graph=<marker>`` (said once, when it opens)."""
    if marker == TRAINING_GRAPH:
        return ("This link was copied while a page showed a graph from training (on Explore or Export), which "
                f"a link cannot carry (export it instead); showing the workspace model, {name}.")
    return (f"The link asks for graph {str(marker)[:20]!r}, but only graph=training is known (a step from "
            f"training, which a link cannot carry); showing the workspace model, {name}.")


def unshare_training_graph() -> str | None:
    """Drop the ``graph`` marker (back on the workspace model, or a link that carried it);
    its value as written, or None if the URL had none."""
    import streamlit as st
    if "graph" not in st.query_params:
        return None
    value = st.query_params.get("graph")
    del st.query_params["graph"]
    return value


def share_model(spec: Spec, *, reset_view: bool = False, params: dict[str, str] | None = None) -> None:
    """Point the URL at this model (``preset`` or ``model``); ``reset_view``: drop what belonged
    to the model before (sample, step, arithmetic, the comparison).
    ``params``: the spec's :func:`model_params` if known (ui/state.py keeps them once per model)."""
    wanted = params or model_params(spec)
    for key in ("preset", "model"):
        _put(key, wanted.get(key))
    if reset_view:
        for key in ("sample", "step", "arithmetic", "diff"):
            _put(key, None)
