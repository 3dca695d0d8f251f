"""Hostile names: markup and DOT syntax in a model's name, feature and target names show
as text in DOT, SVG, the HTML player and the pages, and run nothing in a browser."""
from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest
from streamlit.testing.v1 import AppTest

from engine.record import record
from engine.render.export import export
from engine.render.layer_view import layer_view
from engine.render.neuron_view import neuron_view
from engine.render.svg import to_svg
from engine.spec import FORMAT, dump_spec, load_spec
from ui.text import md

SCRIPT = "<script>alert(1)</script>"
DOT = '"];x->y['
EVIL = [SCRIPT, DOT, "a\\Nb\\G", "&amp; &lt;", "two\nlines", "<img src=x onerror=alert(2)>", "}}]];{{"]


def hostile_spec(arithmetic: str = "float"):
    doc = {"format": FORMAT, "name": SCRIPT, "description": " · ".join(EVIL), "arithmetic": arithmetic,
           "layers": [{"type": "input", "size": 3}, {"type": "linear", "size": 2, "bias": True, "init": {"seed": 1}},
                      {"type": "relu"}],
           "loss": "half_squared_error",
           "data": {"x": [[1, 2, 3], [0, -1, 2]], "y": [[1, 0], [0, 1]],
                    "feature_names": [SCRIPT, DOT, "a\\Nb\\G"], "target_names": ["&amp; &lt;", "two\nlines"]}}
    return load_spec(json.dumps(doc))


@pytest.fixture(scope="module")
def graph():
    spec = hostile_spec()
    g = record(spec.model, *spec.data.sample(1, "float"))
    g.model.layers[1].name = "<img src=x onerror=alert(2)>\n" + DOT  # a layer name, where the view shows one
    return g


def svg_texts(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))


def test_the_model_file_keeps_the_names_as_given():
    spec = hostile_spec()
    again = load_spec(dump_spec(spec))
    assert again.name == SCRIPT and again.data.feature_names == (SCRIPT, DOT, "a\\Nb\\G")
    assert again.data.target_names == ("&amp; &lt;", "two\nlines")


@pytest.mark.parametrize("view", ["layer", "neuron"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_views_parse_and_show_hostile_names_as_text(graph, view, theme):
    names = graph_feature_names = (SCRIPT, DOT, "a\\Nb\\G")
    dot = (neuron_view(graph, feature_names=names, theme=theme) if view == "neuron"
           else layer_view(graph, theme=theme))
    svg = to_svg(dot)  # a RenderError here would mean the DOT was broken by a name
    root = ET.fromstring(svg)
    assert not [el for el in root.iter() if el.tag.split("}")[-1].lower() in ("script", "foreignobject")]
    assert not re.search(r"\son\w+\s*=", svg.replace("onerror=alert(2)&gt;", ""))  # no event handler attributes
    titles = {el.text for el in root.iter() if el.tag.endswith("title")}
    assert not {"x", "y"} & titles  # '"];x->y[' made no nodes
    if view == "neuron":
        texts = svg_texts(svg)
        for name in graph_feature_names:
            assert name in texts
        assert "<script>" not in svg and html.escape(SCRIPT, quote=False) in svg
        assert "onerror" in texts  # the layer's name is drawn, as text


@pytest.mark.parametrize("fmt", ["dot", "svg", "html"])
def test_exports_escape_hostile_names(graph, fmt):
    data = export(graph, fmt, view="neuron", feature_names=(SCRIPT, DOT, "a\\Nb\\G")).decode("utf-8")
    assert "<script>alert" not in data and "<img src" not in data
    if fmt == "html":
        assert data.count("<script") == 2  # the captions' JSON and the player's own code, nothing else
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in data


def test_the_html_player_with_a_hostile_title_escapes_it(graph):
    from engine.render.export import html_file
    data = html_file(graph, view="neuron", title=SCRIPT + DOT, feature_names=(SCRIPT,)).decode()
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;" in data
    assert data.count("<script") == 2


def test_the_exported_html_player_runs_no_script_in_chromium(graph, browser, tmp_path):
    from engine.render.export import html_file
    data = html_file(graph, view="neuron", title=SCRIPT, feature_names=(SCRIPT, DOT, "a\\Nb\\G"))
    path = tmp_path / "player.html"
    path.write_bytes(data)
    context = browser.new_context()
    page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        page.wait_for_selector(".frame svg")
        page.click("[data-act=last]")  # the last frame, every value drawn
        page.click("[data-act=play]")
        page.wait_for_timeout(600)
        page.set_content(data.decode())  # also as inline content
        page.wait_for_selector(".frame svg")
        page.wait_for_timeout(300)
        assert dialogs == [] and errors == []
        assert page.title() == SCRIPT  # the title is text, not markup
        assert SCRIPT in page.inner_text("body")
    finally:
        context.close()


def test_explore_page_shows_a_hostile_workspace_without_exception():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["workspace"] = hostile_spec()
    at.run()
    assert not at.exception
    assert any(md(SCRIPT) in c.value for c in at.caption)  # as text: ui/text.md escapes the Markdown
    for view in ("neuron", "layer"):
        at.radio(key="view").set_value(view).run()
        assert not at.exception
    at.selectbox(key="sample").set_value(0).run()
    assert not at.exception


@pytest.mark.parametrize("page", ["pages/build.py", "pages/train.py", "pages/export.py"])
def test_other_pages_show_a_hostile_workspace_without_exception(page):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["workspace"] = hostile_spec()
    at.run()
    at.switch_page(page).run()
    assert not at.exception


def test_names_with_line_breaks_draw_on_one_line(graph):
    # a model file may hold "two\nlines"; the label must stay one DOT line or lowering fails
    svg = to_svg(neuron_view(graph, feature_names=("two\nlines", "a\r\nb", "c\td")))
    texts = svg_texts(svg)
    assert "two lines" in texts and "a b" in texts


def test_the_cli_renders_a_hostile_model_file(tmp_path, capsys):
    from engine.cli import main
    path = tmp_path / "evil.json"
    path.write_text(dump_spec(hostile_spec()))
    for fmt in ("svg", "html", "dot"):
        out = tmp_path / f"evil.{fmt}"
        assert main(["render", "--model", str(path), "--view", "neuron", "--format", fmt, "-o", str(out)]) == 0
        assert "<script>alert" not in out.read_text()
    capsys.readouterr()


def test_a_hostile_model_link_runs_nothing_in_the_app(page, app_url):
    """The whole stack: a link carrying the hostile model, opened in Chromium and taken
    through every page; the names show as text and nothing runs."""
    from ui.share import encode_model
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{app_url}/?model={encode_model(hostile_spec())}")
    page.locator(".bp-stage svg g.edge").first.wait_for()
    page.get_by_text("neuron", exact=True).click()
    page.locator(".bp-stage svg text", has_text=SCRIPT).first.wait_for()  # the feature name, drawn as text
    for link in ("Build", "Train", "Export", "Explore"):
        page.get_by_role("link", name=link).first.click()
        page.get_by_role("heading", name=link).wait_for()
    page.wait_for_timeout(500)
    assert SCRIPT in page.inner_text("body")
    assert page.locator("script", has_text="alert(").count() == 0
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == [] and errors == []
