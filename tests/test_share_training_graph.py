"""graph=training in the address bar (ui/state.py: graph_marker): there exactly while Explore or
Export shows a graph from training, dropped everywhere else, and a link opened with it warned
about once, on whichever page it opens."""
import pytest
from streamlit.testing.v1 import AppTest

from engine.descent import record_step
from engine.presets import load_preset
from engine.train import train

WARNING = ("This link was copied while a page showed a graph from training (on Explore or Export), which "
           "a link cannot carry (export it instead); showing the workspace model, xor.")


def _training_entry(spec):
    result = train(spec.model, spec.data, lr=0.5, epochs=2, batch_size=2)
    return {"graph": record_step(result, spec.model, spec.data, 3), "label": "training step 3"}


def _on(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception
    return at


def test_export_of_a_graph_from_training_carries_the_marker_and_says_a_link_cannot():
    spec = load_preset("xor")
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"] = "xor"
    at.run()
    at.session_state["explore_graph"] = _training_entry(spec)  # what Train's "Open in Explore" leaves
    at = _on(at, "pages/export.py")
    assert dict(at.query_params) == {"preset": "xor", "graph": "training"}  # not export?preset=xor alone
    [caption] = [c.value for c in at.caption if "training step 3" in c.value]
    assert "a link cannot carry it" in caption and "its files can" in caption and "**xor**" in caption
    assert not at.warning  # the session's own graph: nothing to warn about

    for page in ("pages/train.py", "pages/build.py", "pages/data.py"):  # they show the workspace model
        at = _on(at, page)
        assert "graph" not in at.query_params and at.query_params["preset"] == "xor", page
        assert not at.warning, page
    at = _on(at, "pages/explore.py")
    assert dict(at.query_params) == {"preset": "xor", "graph": "training"}
    next(b for b in at.button if b.label == "Back to the workspace model").click().run()
    assert "graph" not in at.query_params
    at = _on(at, "pages/export.py")  # the workspace model again: its link is the whole truth
    assert "graph" not in at.query_params and at.query_params["preset"] == "xor"
    assert not any("from training" in c.value for c in at.caption)


@pytest.mark.parametrize("page", ["pages/train.py", "pages/build.py", "pages/data.py", "pages/export.py",
                                  "pages/explore.py"])
def test_a_link_with_the_marker_warns_once_on_any_page_and_the_marker_goes(page):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params.update({"preset": "xor", "graph": "training"})
    at.switch_page(page).run()  # a fresh session: the link opened straight on this page
    assert not at.exception
    assert [w.value for w in at.warning] == [WARNING]
    assert "graph" not in at.query_params and at.query_params["preset"] == "xor"
    assert at.session_state["workspace"].name == "xor" and "explore_graph" not in at.session_state
    at.run()
    assert not at.warning and "graph" not in at.query_params  # said once


def test_an_unknown_marker_on_another_page_warns_in_the_same_words_as_explore():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params.update({"preset": "xor", "graph": "film"})
    at.switch_page("pages/train.py").run()
    assert not at.exception and "graph" not in at.query_params
    assert [w.value for w in at.warning] == [
        "The link asks for graph 'film', but only graph=training is known (a step from training, which a "
        "link cannot carry); showing the workspace model, xor."]
