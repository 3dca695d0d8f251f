"""The exports read and change Graphviz's SVG as an XML tree, never with a regular
expression over the text: a label that looks like markup stays the label as typed."""
from __future__ import annotations

import ast
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from engine.record import record
from engine.render import svgdoc
from engine.render.export import export
from engine.spec import FORMAT, load_spec

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
# feature names that read like the attributes the exports change
LOOKALIKES = ('font-family="Helvetica,sans-Serif"', 'id="mine"', 'width="9pt" height="9pt"')


@pytest.fixture(scope="module")
def graph():
    doc = {"format": FORMAT, "name": "lookalikes", "arithmetic": "float",
           "layers": [{"type": "input", "size": 3}, {"type": "linear", "size": 2, "init": {"seed": 1}}],
           "loss": "half_squared_error",
           "data": {"x": [[1, 2, 3]], "y": [[1, 0]], "feature_names": list(LOOKALIKES)}}
    spec = load_spec(json.dumps(doc))
    return record(spec.model, *spec.data.sample(1, "float"))


def test_the_svg_export_changes_fonts_not_a_label_that_reads_like_one(graph):
    svg = export(graph, "svg", view="neuron", feature_names=LOOKALIKES).decode()
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for name in LOOKALIKES:
        assert name in texts  # drawn as typed
    fonts = {t.get("font-family") for t in root.iter(f"{SVG}text")}
    assert svgdoc.GRAPHVIZ_FONT not in fonts and svgdoc.PORTABLE_FONT in fonts


class _Frames(HTMLParser):
    """The HTML player's frames: each one's element ids and drawn texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.frames, self.open, self.in_text = [], False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("class") == "frame":
            self.frames.append({"ids": [], "texts": []})
            self.open = True
        elif self.open and "id" in attrs:
            self.frames[-1]["ids"].append(attrs["id"])
        self.in_text = self.open and tag == "text"

    def handle_data(self, data):
        if self.in_text:
            self.frames[-1]["texts"].append(data)

    def handle_endtag(self, tag):
        self.in_text = False
        self.open = self.open and tag != "div"  # a frame's SVG holds no <div>


def test_the_html_player_prefixes_ids_not_a_label_that_reads_like_one(graph):
    page = export(graph, "html", view="neuron", feature_names=LOOKALIKES).decode()
    parser = _Frames()
    parser.feed(page)
    assert len(parser.frames) == len(graph.timeline) + 1
    for n, frame in enumerate(parser.frames):
        assert frame["ids"] and all(i.startswith(f"f{n}-") for i in frame["ids"])  # unique per frame
        for name in LOOKALIKES:
            assert name in frame["texts"]  # not 'id="f3-mine"'
    assert '<?xml' not in page and "<!-- " not in page  # no XML prologue or comment inside HTML


def test_the_gif_frame_drops_only_the_hidden_labels():
    from engine.presets import load_preset
    from engine.render.frames import frame_svgs
    spec = load_preset("article")
    first = svgdoc.parse(frame_svgs(record(spec.model, *spec.data.sample(1, "exact")))[0])
    texts = list(first.iter(f"{SVG}text"))
    shown = [t.text for t in texts if t.get("fill") != "none"]
    assert len(shown) < len(texts)  # frame 0: values not reached yet are hidden
    svgdoc.drop_hidden_text(first)
    assert [t.text for t in first.iter(f"{SVG}text")] == shown


def test_numbers_reads_points_and_paths():
    assert svgdoc.numbers("M27,-36C27.5,-36 30,-40.25 31,-41") == [27, -36, 27.5, -36, 30, -40.25, 31, -41]
    assert svgdoc.numbers("0,-4 5,6 0,-4") == [0, -4, 5, 6, 0, -4]
    with pytest.raises(ValueError, match="no size in points"):
        svgdoc.size_pt(ET.fromstring('<svg xmlns="http://www.w3.org/2000/svg" width="100%"/>'))


# What a pattern that reads SVG or DOT markup contains.
MARKUP = ("<svg", "<text", "<g", "<?xml", "<!DOCTYPE", "<!--", "id=", "width=", "height=", "font-",
          "fill=", "viewBox", "points=", "<B>", "<TABLE", "<TD", "<FONT", "label=", "digraph", "->")
REGEX_CALLS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def markup_regexes(source: str) -> list[str]:
    """The regular expressions in ``source`` whose pattern holds SVG or DOT markup."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in REGEX_CALLS
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args):
            pattern = node.args[0]
            text = pattern.value if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str) else ""
            if isinstance(pattern, ast.JoinedStr):  # an f-string: its literal parts
                text = "".join(v.value for v in pattern.values if isinstance(v, ast.Constant))
            if any(m.lower() in text.lower() for m in MARKUP):
                found.append(text)
    return found


def test_the_markup_detector_finds_the_old_ways():
    old = '''import re
_HIDDEN_TEXT = re.compile(r'<text\\b[^>]*\\bfill="none"[^>]*>.*?</text>', re.S)
w = float(re.search(r'<svg[^>]*\\bwidth="([\\d.]+)pt"', svg).group(1))
_ID = re.compile(r'\\bid="([^"]*)"')
labels = re.findall(r"<B>(.*?)</B>", dot)
ok = re.fullmatch(r"w\\d+", col)
'''
    assert len(markup_regexes(old)) == 4  # not the last: a column name, not markup


def test_no_code_reads_svg_or_dot_with_a_regular_expression():
    files = [p for d in ("engine", "ui", "pages", "app_pages", "bench") for p in (ROOT / d).rglob("*.py")]
    files += [ROOT / "app.py"]
    assert len(files) > 30
    offenders = {str(p.relative_to(ROOT)): found for p in files
                 if (found := markup_regexes(p.read_text(encoding="utf-8")))}
    assert offenders == {}
    # the package that draws and exports pictures needs no regular expression at all
    render = [p for p in (ROOT / "engine" / "render").glob("*.py")
              if any(isinstance(n, (ast.Import, ast.ImportFrom)) and "re" in
                     ([a.name for a in n.names] if isinstance(n, ast.Import) else [n.module])
                     for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))))]
    assert render == []
