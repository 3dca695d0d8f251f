"""Adding a layer is one engine file: every class in the registry is, with nothing else
edited, readable from a model file and written back, offered on the Build page, labelled
in both views, explained in LaTeX, checked against finite differences, and (float-only
ones) refused in exact arithmetic with a message. Softplus is the proof: it was added by
editing engine/layers/smooth.py only."""
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import record
from engine.explain import explain
from engine.gradcheck import gradcheck
from engine.layers import LAYER_TYPES, LAYERS, Elementwise
from engine.layers.smooth import Softplus
from engine.losses import LOSSES
from engine.render.layer_view import layer_view
from engine.render.neuron_view import neuron_view
from engine.spec_json import SpecError
from engine.spec import FORMAT, dump_spec, load_spec, spec_to_dict
from ui.draft import build_spec, draft_from_spec

ACTIVATIONS = [cls for cls in LAYERS if not cls.sized]
H = 1e-6


def entry(cls) -> dict:
    """The smallest file entry of a layer placed third, after input 3 and linear 3→3."""
    if cls.kind == "input":
        return {"type": "linear", "size": 3, "weights": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}
    if cls.kind == "linear":
        return {"type": "linear", "size": 2, "bias": [1, "-1/2"], "weights": [[1, 2, 3], [-1, 0, "1/3"]]}
    return {"type": cls.kind}


def document(cls, arithmetic="float", **keys) -> str:
    return json.dumps({
        "format": FORMAT, "arithmetic": arithmetic,
        "layers": [{"type": "input", "size": 3},
                   {"type": "linear", "size": 3, "weights": [[1, -2, 0], ["1/2", 1, 0], [0, 0, -1]]},
                   {**entry(cls), **keys}],
        "loss": "half_squared_error",
        "data": {"x": [[1, 2, 3], [-1, "1/2", 0]], "y": [[0] * (2 if cls.kind == "linear" else 3)] * 2}})


def test_the_registry_is_built_from_the_classes_and_names_each_once():
    assert LAYER_TYPES == {cls.kind: cls for cls in LAYERS}
    assert len(LAYER_TYPES) == len(LAYERS) and "softplus" in LAYER_TYPES


@pytest.mark.parametrize("cls", LAYERS, ids=lambda c: c.kind)
def test_every_layer_round_trips_through_a_model_file(cls):
    spec = load_spec(document(cls))
    layer = spec.model.layer(3)
    assert type(layer) is cls or cls.kind == "input"
    text = dump_spec(spec)
    again = load_spec(text)
    assert dump_spec(again) == text
    assert spec_to_dict(again)["layers"][2]["type"] == entry(cls)["type"]
    a, b = record(spec.model, *spec.data.batch("float")), record(again.model, *again.data.batch("float"))
    for k in range(1, 4):
        assert np.array_equal(a.o(k), b.o(k)) and np.array_equal(a.delta(k), b.delta(k))


@pytest.mark.parametrize("cls,name,value", [(cls, name, value) for cls in ACTIVATIONS
                                             for name, key in cls.keys.items()
                                             for value in (key.choices or ("1/3",)) if value != key.default],
                         ids=lambda v: getattr(v, "kind", str(v)))
def test_every_key_a_layer_declares_is_read_and_written_back(cls, name, value):
    spec = load_spec(document(cls, **{name: value}))
    assert getattr(spec.model.layer(3), name) == cls.keys[name].read(value, "here", "exact")
    assert load_spec(dump_spec(spec)).model.layer(3).to_entry() == spec.model.layer(3).to_entry()
    # and the Build page's draft keeps it through its option column
    assert build_spec(draft_from_spec(spec))[0].model.layer(3).to_entry() == spec.model.layer(3).to_entry()


@pytest.mark.parametrize("cls", LAYERS, ids=lambda c: c.kind)
def test_exactness_is_what_the_class_declares(cls):
    if cls.exact_ok:
        graph = record(*(lambda s: (s.model, *s.data.batch("exact")))(load_spec(document(cls, "exact"))))
        assert graph.o(3).dtype == object and graph.delta(1).dtype == object  # fractions all the way
    else:
        with pytest.raises(SpecError, match=f"layer 3: {cls.kind} needs exp or log, which have no exact value"):
            load_spec(document(cls, "exact"))


@pytest.mark.parametrize("kind", list(LOSSES))
def test_exact_losses_are_what_the_class_declares(kind):
    doc = json.loads(document(LAYER_TYPES["relu"], "exact"))
    doc["loss"] = kind
    if LOSSES[kind].exact_ok:
        load_spec(json.dumps(doc))
    else:
        with pytest.raises(SpecError, match=f"loss: {kind} needs exp or log"):
            load_spec(json.dumps(doc))


@pytest.mark.parametrize("cls", LAYERS, ids=lambda c: c.kind)
def test_every_layer_is_explained_in_latex_and_labelled_in_both_views(cls):
    spec = load_spec(document(cls))
    graph = record(spec.model, *spec.data.batch("float"))
    layer = spec.model.layer(3)
    assert layer.describe().startswith(cls.kind if cls.kind != "input" else "linear")
    steps = [e.step for e in graph.timeline if e.k == 3 and e.phase in ("forward", "backward")]
    forward, backward = (explain(graph, s) for s in steps)
    assert forward.general.startswith("\\boxed{o^{3} = ") and backward.general.startswith("\\boxed{\\delta^{3} = ")
    assert "\\delta^{3} = " in backward.substituted and "{" in backward.substituted
    assert layer.describe() in layer_view(graph).source and layer.describe() in neuron_view(graph).source


@pytest.mark.parametrize("cls", ACTIVATIONS, ids=lambda c: c.kind)
def test_every_activation_matches_finite_differences_and_stays_finite(cls):
    rng = np.random.default_rng(7)
    layer = cls(4)
    x = rng.normal(size=(5, 4)) * 3
    x = np.where(np.abs(x) < 1e-3, 0.5, x)  # away from ReLU's kink
    y = layer.forward(x)
    delta_out = rng.normal(size=y.shape)
    delta_in = layer.backward(x, y, delta_out)
    for i in range(len(x)):
        for j in range(4):
            e = np.zeros(4)
            e[j] = H
            up, down = layer.forward((x[i] + e)[None]), layer.forward((x[i] - e)[None])
            assert delta_in[i, j] == pytest.approx(float(delta_out[i] @ (up - down)[0]) / (2 * H), rel=1e-6, abs=1e-8)
        assert np.allclose(layer.jacobian(x[i], y[i]).T @ delta_out[i], delta_in[i])
    extreme = np.array([[-1000.0, -30.0, 30.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = layer.forward(extreme)
        back = layer.backward(extreme, out, np.ones_like(extreme))
    assert np.isfinite(out).all() and np.isfinite(back).all()


def test_softplus_is_the_smooth_relu_and_passes_the_gradient_check():
    x = np.array([[-40.0, 0.0, 40.0]])
    y = Softplus(3).forward(x)
    assert y[0, 0] == pytest.approx(np.exp(-40.0)) and y[0, 1] == pytest.approx(np.log(2)) and y[0, 2] == 40.0
    assert Softplus(3).derivative(x, y)[0].tolist() == pytest.approx([np.exp(-40.0), 0.5, 1.0])
    assert Softplus.exact_ok is False and issubclass(Softplus, Elementwise)
    spec = load_spec(document(Softplus))
    check = gradcheck(record(spec.model, *spec.data.batch("float")))
    assert max(check.edges.values()) < 1e-6 and max(check.weights.values()) < 1e-6
    assert not check.kinks
    assert "\\ln(1 + e^{o^{2}})" in spec.model.layer(3).forward_formula(3)
    assert "\\sigma(o^{2})" in spec.model.layer(3).formula(3)


def test_the_build_page_offers_every_layer_and_applies_softplus():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"] = "xor"
    at.run()
    at.switch_page("pages/build.py").run()
    assert not at.exception
    columns = json.loads(at.data_editor[0].proto.columns)
    assert columns["type"]["type_config"]["options"] == list(LAYER_TYPES)
    for cls in LAYERS:  # the option column's help names every key a layer lets it edit
        for key in cls.keys.values():
            assert (key.help in columns["option"]["help"]) == key.option
    types = list(at.data_editor[0].value["type"])
    row = types.index("tanh")
    key = f"build_layers_{at.session_state['build_gen']}"
    at.session_state[key] = {"edited_rows": {row: {"type": "softplus"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="build_apply").click().run()
    assert not at.exception and not at.error
    model = at.session_state["workspace"].model
    assert model.layer(row + 1).kind == "softplus"
    at.switch_page("pages/explore.py").run()
    assert not at.exception
    assert "softplus" in json.loads(at.get("bidi_component")[0].proto.json)["frames"][0]  # the player's
