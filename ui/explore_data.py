"""Pure, cached work behind the Explore page: record, frames, gradient check.

The caches (ui/byte_cache.py) are shared by every session and bounded by bytes, so
each function is keyed by the content of what it computes (a hash of the model file),
never by a session's objects, and returns fresh copies.
"""
from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from engine.graph import Graph
from engine.gradcheck import gradcheck
from engine.model import Dataset
from engine.record import record
from engine.render import player_parts, style
from engine.render.frames import captions, frame_svgs
from engine.spec import Spec, dump_spec
from ui.byte_cache import MB, ByteCache

BATCH = 0  # the sample selector's value for "the whole batch"
# A preset's frames weigh 0.1-3 MB (the neuron view of spiral: 2.8 MB), a big model's more.
FRAMES = ByteCache("Explore's frames", 64 * MB)
CHECKS = ByteCache("gradient checks", 8 * MB)  # 1-170 KB each for the presets


def _remembered(kind: str, obj, compute) -> str:
    """``compute(obj)``, computed once per object per session. Specs and graphs are
    immutable, so the hash of the object in hand stays true; writing out a big model
    file to hash it again on every rerun cost half a second."""
    memo = st.session_state.setdefault("_hash_memo", {})
    held, value = memo.get(kind, (None, None))
    if held is not obj:
        value = compute(obj)
        memo[kind] = (obj, value)  # holding obj keeps its id from being reused
    return value


def fingerprint(spec: Spec) -> str:
    """The content hash of a spec (its model file)."""
    return _remembered("spec", spec, lambda s: hashlib.sha256(dump_spec(s).encode()).hexdigest()[:20])


def record_sample(spec: Spec, sample: int, arithmetic: str | None = None) -> Graph:
    """The recorded graph of sample ``sample`` (1-based, as the article counts), or of
    the whole dataset for ``sample == 0`` (``BATCH``, Explore's "whole batch")."""
    model = spec.model if arithmetic in (None, spec.arithmetic) else spec.model.cast(arithmetic)
    x, y = spec.data.batch(model.arithmetic) if sample == BATCH else spec.data.sample(sample, model.arithmetic)
    return record(model, x, y)


def graph_key(graph: Graph) -> str:
    """A fingerprint of everything a recorded graph is made of: its model and its batch."""
    return _remembered("graph", graph, _graph_hash)


def _graph_hash(graph: Graph) -> str:
    try:
        text = dump_spec(graph.model, Dataset(x=graph.x, y=graph.y))
    except (TypeError, ValueError):  # a model the file format cannot write: hash its numbers
        text = repr(([(l.kind, l.size_in, l.size_out) for l in graph.model.layers], graph.model.loss.kind,
                     graph.x.tolist(), graph.y.tolist(),
                     {k: w.tolist() for k, w in graph.model.weights().items()}, repr(graph.model.penalty)))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def frames(key: str, _graph, view: str, row: int, theme: str, rankdir: str,
           feature_names: tuple = ()) -> dict:
    """Every frame's SVG with its title, the edge its marker runs along and its explanation."""
    def draw():
        with st.spinner("Drawing the frames…"):
            return _frames(_graph, view, row, theme, rankdir, feature_names)
    return FRAMES.get_or_compute(("frames", key, view, row, theme, rankdir, tuple(feature_names)), draw)


def _frames(graph, view, row, theme, rankdir, feature_names) -> dict:
    t = style.theme(theme)
    titles = captions(graph)  # the same titles as the GIF and the HTML player
    # No legend in the picture: the page writes it above, so the graph gets the width.
    svgs = frame_svgs(graph, view=view, sample=row, theme=theme, rankdir=rankdir,
                      feature_names=feature_names, legend=False)
    # every step's marker and explanation too: the player shows them as it plays
    return {"frames": svgs, "titles": titles, **player_parts.steps_data(graph, t, row)}


def check(key: str, _graph):
    """The finite-difference check of a recorded graph (float64)."""
    return CHECKS.get_or_compute(("check", key), lambda: gradcheck(_graph))


def vector_table(values, names=None):
    """Rows of one vector for st.dataframe: component, value (as written), float."""
    flat = np.ravel(values)
    names = list(names or [])
    return [{"component": names[i] if i < len(names) else f"{i + 1}",
             "value": str(v), "float": float(v)} for i, v in enumerate(flat)]
