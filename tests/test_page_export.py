"""The Export page: a download for every format, and the bytes behind each of them."""
import re
import xml.etree.ElementTree as ET

import numpy as np
from streamlit.testing.v1 import AppTest

from engine.presets import load_preset
from engine.spec import load_spec
from engine.descent import record_step
from engine.train import train
from ui import exports as ex
from ui.explore_data import graph_key, record_sample

FRAME_LABELS = ["SVG", "PNG", "PDF", "DOT"]
CODE = ["numpy script", "PyTorch script"]  # ui/code_export.py, tested in test_page_code_export.py


def export_page(**state) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    return at.switch_page("pages/export.py").run()


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.get("download_button")]


def test_every_format_has_a_download_button():
    at = export_page()
    assert not at.exception and not at.error
    assert labels(at) == FRAME_LABELS * 2 + ["Model JSON"] + CODE  # this frame, final frame, model, code
    assert [b.label for b in at.button] == ["Prepare GIF", "Prepare HTML player"]
    assert at.selectbox(key="export_sample").value == 3  # the article's sample 3
    assert at.slider(key="export_step").value == 9  # the final frame: nothing picked in Explore
    assert at.get("bidi_component")  # the preview: the player, with one picture


def test_a_fifth_frame_format_gets_its_buttons_too(monkeypatch):
    """The button grid is built from the format list: a new format is not dropped."""
    monkeypatch.setattr(ex, "FRAME_FORMATS", (*ex.FRAME_FORMATS, "eps"))
    monkeypatch.setitem(ex.MIME, "eps", "application/postscript")
    real = ex.cached_frame
    monkeypatch.setattr(ex, "cached_frame", lambda key, graph, fmt, *a: b"%!PS" if fmt == "eps"
                        else real(key, graph, fmt, *a))
    at = export_page()
    assert not at.exception and not at.error
    assert labels(at) == (FRAME_LABELS + ["EPS"]) * 2 + ["Model JSON"] + CODE


def test_the_page_follows_explore_and_prepares_the_animations():
    at = export_page(step=4, sample=1)
    assert at.slider(key="export_step").value == 4
    assert at.selectbox(key="export_sample").value == 1
    assert "**This frame · step 4 of 9**" in [m.value for m in at.markdown]
    next(b for b in at.button if b.label == "Prepare GIF").click()
    at.run()
    assert not at.exception
    assert any(label.startswith("GIF · ") for label in labels(at))
    next(b for b in at.button if b.label == "Prepare HTML player").click()
    at.run()
    assert any(label.startswith("HTML player · ") for label in labels(at))
    assert not at.button  # both prepared: no Prepare left


def test_a_training_step_opened_in_explore_is_what_gets_exported():
    spec = load_preset("xor")
    result = train(spec.model, spec.data, lr=0.5, epochs=2, batch_size=2)
    graph = record_step(result, spec.model, spec.data, 3)
    at = export_page(workspace=spec, explore_graph={"graph": graph, "label": "training step 3"})
    assert not at.exception
    assert any("training step 3" in c.value for c in at.caption)
    assert at.number_input(key="export_row").value == 1  # a batch of 2: pick its row
    assert labels(at) == FRAME_LABELS * 2 + ["Model JSON"] + CODE


# the bytes ---------------------------------------------------------------------

def article_graph():
    return record_sample(load_preset("article"), 3)


def test_frame_files_have_their_formats_signatures():
    graph, opts = article_graph(), ex.Options()
    svg = ex.frame_file(graph, "svg", 4, opts)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and "δ4 = -1" in svg.decode()
    png = ex.frame_file(graph, "png", None, opts)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    big = ex.frame_file(graph, "png", None, ex.Options(scale=4.0))
    assert _png_width(big) > 1.8 * _png_width(png)  # the scale choice is honoured
    assert ex.frame_file(graph, "pdf", None, opts).startswith(b"%PDF-")
    dot = ex.frame_file(graph, "dot", None, ex.Options(theme="dark", view="neuron")).decode()
    assert dot.startswith("digraph") and "#0e1117" in dot.lower()


def _png_width(png: bytes) -> int:
    return int.from_bytes(png[16:20], "big")


def test_animations_hold_every_frame():
    graph = article_graph()
    gif = ex.animation_file(graph, "gif", ex.Options())
    assert gif[:6] == b"GIF89a"
    from PIL import Image
    import io
    assert Image.open(io.BytesIO(gif)).n_frames == len(graph.timeline) + 1
    html = ex.animation_file(graph, "html", ex.Options(theme="dark")).decode()
    assert html.startswith("<!DOCTYPE html>")
    assert len(re.findall(r'class="frame"', html)) == len(graph.timeline) + 1


def test_the_model_file_round_trips():
    spec = load_preset("moons")
    back = load_spec(ex.model_file(spec))
    assert back.name == "moons" and len(back.data) == len(spec.data)
    for key, w in spec.model.weights().items():
        np.testing.assert_array_equal(back.model.weights()[key], w)


def test_the_cache_key_changes_with_what_is_drawn():
    spec = load_preset("article")
    k3 = graph_key(record_sample(spec, 3))
    assert k3 == graph_key(record_sample(spec, 3))
    assert k3 != graph_key(record_sample(spec, 1))
    assert k3 != graph_key(record_sample(spec, 3, "float"))
    assert ex.file_name("my model/1", "layer", "step4", ext="png") == "my_model_1-layer-step4.png"


def test_the_neuron_view_export_names_the_features_as_explore_does():
    spec = load_preset("article")
    opts = ex.Options(view="neuron", feature_names=tuple(spec.data.feature_names))
    dot = ex.frame_file(article_graph(), "dot", None, opts).decode()
    assert "broccoli" in dot and "x<SUB>1</SUB>" not in dot  # it said x1, x2, x3
    html = ex.animation_file(article_graph(), "html", opts).decode()
    assert "broccoli" in html


def downloads(monkeypatch, **state) -> list[str]:
    """The file name each of the Export page's download buttons gives the browser, in
    order (read where Streamlit stores the file: the button's proto carries only a URL)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    names = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        file_id = real(self, path_or_data, mimetype, kind, filename)
        names[file_id] = filename
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    at = export_page(**state)
    assert not at.exception and not at.error
    return [names[b.proto.url.rsplit("/", 1)[-1].split(".")[0]] for b in at.get("download_button")]


def test_exported_files_are_named_after_what_they_show(monkeypatch):
    got = downloads(monkeypatch, view="neuron", step=6, arithmetic="float", sample=3)
    assert got[:4] == ["article-sample3-step6-float-neuron." + e for e in ("svg", "png", "pdf", "gv")]
    assert got[4:8] == ["article-sample3-final-float-neuron." + e for e in ("svg", "png", "pdf", "gv")]
    assert got[8] == "article.json"
    whole = downloads(monkeypatch, sample=0, step=2)
    assert whole[0] == "article-batch-step2-exact-layer.svg"


def test_picture_names_read_in_order_and_stay_safe():
    assert ex.picture_name("article (edited)", sample=3, step=6, arithmetic="float", view="neuron",
                           ext="svg") == "article_edited-sample3-step6-float-neuron.svg"
    assert ex.picture_name("moons", sample="batch", step="pass", arithmetic="float", view="layer",
                           ext="gif") == "moons-batch-pass-float-layer.gif"
    assert ex.picture_name("../x", sample=None, step="final", arithmetic="exact", view="layer",
                           ext="png") == "x-final-exact-layer.png"
