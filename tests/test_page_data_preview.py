"""The Data page's preview as a new user meets it: the scatter plot's classes in the
colours Train and the film give them (class 0 blue, class 1 orange, class 2 green...),
a regression on a continuous scale; after a bad file, one target selector, the kept file's."""
import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest

from test_page_data import BLOBS, open_data, upload

# three text classes over two features: cat, dog, emu (sorted: classes 0, 1, 2)
ANIMALS = b"a,b,kind\n" + b"".join(f"{i % 7},{i % 5},{['cat', 'dog', 'emu'][i % 3]}\n".encode() for i in range(30))
REGRESSION = b"a,b,price\n" + b"".join(f"{i % 7},{i % 5},{i * 0.37:.2f}\n".encode() for i in range(30))


def plotly(at, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if key in c.proto.id).proto.spec)


def point_colours(fig: dict) -> dict:
    """{trace name: marker colour} of the figure's points (Train's boundary: its scatter traces)."""
    return {t["name"]: t["marker"]["color"] for t in fig["data"] if t["type"] == "scatter"}


def film_classes() -> list[str]:
    """The film's class colours (ui/assets/film_math.js CLASSES), as #rrggbb."""
    js = (Path(__file__).parent.parent / "ui/assets/film_math.js").read_text()
    rgb = re.search(r"const CLASSES = \[(.*?)\];", js).group(1)
    return ["#%02x%02x%02x" % tuple(map(int, c)) for c in re.findall(r"\[(\d+), (\d+), (\d+)\]", rgb)]


def train_boundary(at) -> dict:
    at.button(key="data_use").click().run()
    assert not at.exception
    at.switch_page("pages/train.py").run()
    assert not at.exception
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if json.loads(c.proto.spec)["layout"]["title"]["text"] == "Decision boundary before training")


@pytest.mark.parametrize("raw,names", [
    (BLOBS, ["class 0", "class 1"]),  # binary: blue and orange, not two blues
    (ANIMALS, ["cat", "dog", "emu"]),  # classes: blue, orange, green
], ids=["binary", "classes"])
def test_the_scatter_plot_colours_each_class_as_train_and_the_film_do(raw, names):
    at = upload(open_data(), "points.csv", raw)
    assert not at.error and not at.get("vega_lite_chart")  # plotly, as Train's charts
    fig = plotly(at, "data_scatter")
    data = point_colours(fig)
    assert fig["layout"]["legend"]["title"]["text"] == ("label" if raw == BLOBS else "kind")
    assert list(data) == names
    assert list(data.values()) == film_classes()[:len(names)]  # class c in the film's colour c
    assert len(set(data.values())) == len(names)
    assert point_colours(train_boundary(at)) == data  # the same class, the same colour, on Train


def test_a_regression_target_is_a_continuous_scale():
    at = upload(open_data(), "prices.csv", REGRESSION)
    assert not at.error and any("regression" in c.value for c in at.caption)
    (trace,) = plotly(at, "data_scatter")["data"]
    colour = trace["marker"]["color"]  # plotly sends a numpy array as {"dtype", "bdata": base64}
    values = np.frombuffer(base64.b64decode(colour["bdata"]), dtype=colour["dtype"])
    assert values.tolist() == pytest.approx([i * 0.37 for i in range(30)])  # each point its value
    blue, orange = film_classes()[:2]
    scale = trace["marker"]["colorscale"]
    assert scale[0][1] == blue and scale[-1][1] == orange and len(scale) >= 3  # the film's regression scale
    assert trace["marker"]["colorbar"]["title"]["text"] == "price"


def test_a_bad_file_after_a_good_one_leaves_one_target_selector_the_refused_files():
    """One "Target column" box on the page: while the refused file can be read again with
    another target, its own (the kept file stays previewed, its target named)."""
    at = upload(open_data(), "blobs.csv", BLOBS)
    at = upload(at, "bad.csv", b"kind,a,y\ncat,2,0\ndog,4,1\n")  # text in a feature column
    assert [e.value for e in at.error] == ["bad.csv: row 2, column 1 ('kind'): 'cat' is not a number "
                                           "(use 0.5, -3 or 1/200)"]
    targets = [s for s in at.selectbox if "Target column" in s.label]
    assert [(s.label, s.value, s.options) for s in targets] == [("Target column of bad.csv", "y", ["kind", "a", "y"])]
    (info,) = [i.value for i in at.info if "last good file" in i.value]
    assert "blobs" in info and "(target **label**)" in info and "Choose another target for **bad\\.csv**" in info
    assert at.dataframe[0].value.columns[-1] == "target: label"  # the kept file, still shown
    targets[0].set_value("kind").run()  # the text column is the target: the file reads
    assert not at.exception and not at.error
    targets = [s for s in at.selectbox if "Target column" in s.label]
    assert [(s.label, s.value) for s in targets] == [("Target column", "kind")]
    assert at.dataframe[0].value.columns[-1] == "target: kind" and len(at.dataframe[0].value) == 2
