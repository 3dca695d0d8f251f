"""The Train page's charts (ui/train_charts.py): the article's 3-step run draws its
gradient, whole-number step ticks, a gradient legend that does not crush the plot, and
a diverged run's charts stay light (few ticks, few points, the lone points marked)."""
import json

from streamlit.testing.v1 import AppTest

from engine.mlp import mlp_spec
from engine.presets import load_preset
from engine.train import train
from ui import chart_style
from ui import train_charts as charts


def article_run():
    spec = load_preset("article")
    return train(spec.model, spec.data, lr="1/1000000", epochs=1, batch_size=1)


def test_the_articles_three_steps_draw_their_gradient_and_its_zeros():
    fig = charts.grad_norm_figure(article_run().history)
    line = next(t for t in fig.data if t.name == "‖δw2‖")
    assert list(line.x) == [1, 2, 3] and line.y[2] > 0  # a lone point: a line alone draws nothing
    assert line.marker.size[2] > 0
    zeros = next(t for t in fig.data if t.name == "‖δw2‖ = 0")
    assert list(zeros.x) == [1, 2] and all(0 < v < line.y[2] for v in zeros.y)  # ReLU closed: δw2 = 0
    assert fig.layout.yaxis.type == "log" and "drawn at its bottom" in fig.layout.annotations[0].text
    assert fig.layout.xaxis.dtick == 1  # steps 1, 2, 3, not 1, 1.5, 2, 2.5, 3


def test_a_run_with_no_positive_gradient_gets_a_linear_axis_showing_its_zeros():
    history = article_run().history
    history.steps = history.steps[:2]  # the article's first two steps: δw2 = 0 at both
    fig = charts.grad_norm_figure(history)
    assert fig.layout.yaxis.type == "linear" and list(fig.data[0].y) == [0.0, 0.0]


def test_many_gradient_lines_grow_the_figure_instead_of_crushing_the_plot():
    moons = load_preset("moons")
    deep = mlp_spec(moons.data, "binary", hidden=(8,) * 8, activation="relu")
    run = train(deep.model, deep.data, lr=0.05, epochs=2, batch_size=100)
    fig = charts.grad_norm_figure(run.history)
    lines = [t for t in fig.data if t.showlegend is not False]
    assert len(lines) == 18
    rows = -(-len(lines) // chart_style.LEGEND_PER_ROW)
    assert fig.layout.height == chart_style.CHART_HEIGHT + chart_style.LEGEND_ROW_PX * (rows - 1)
    colours = {t.name: t.line.color for t in lines}
    assert colours["‖δw2‖"] == colours["‖δb2‖"] != colours["‖δw4‖"]  # one colour per layer
    assert {t.line.dash for t in lines if t.name.startswith("‖δb")} == {"dot"}


def test_after_a_divergence_the_charts_stay_light_and_show_the_steps_kept():
    xor = load_preset("xor")
    run = train(xor.model, xor.data, lr=1e6, epochs=50, batch_size=1)
    assert run.stopped and len(run.history.steps) >= 1
    for fig in (charts.loss_figure(run.history), charts.grad_norm_figure(run.history), charts.weights_figure(run.history)):
        chart_style.mark_stop(fig, run.history.steps[-1].step)
        for axis in (fig.layout.xaxis, fig.layout.yaxis):
            assert (axis.tickvals is None or len(axis.tickvals) <= chart_style.MAX_TICKS) and axis.nticks <= chart_style.MAX_TICKS
        assert all(len(t.x) <= chart_style.MAX_POINTS for t in fig.data)
    grads = charts.grad_norm_figure(run.history)
    drawn = [t for t in grads.data if t.showlegend is not False]
    assert all(size > 0 for t in drawn for y, size in zip(t.y, t.marker.size) if y is not None)


def test_long_runs_mark_only_the_lone_points():
    values = [1.0] * 100
    values[50] = None
    values[52] = None  # 51 has no neighbour: a line cannot show it
    sizes = chart_style.marker_sizes(values)
    assert [i for i, s in enumerate(sizes) if s] == [51]


def test_train_page_article_run_draws_a_gradient_chart_with_points():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    at.switch_page("pages/train.py").run()
    at.number_input(key="train_epochs").set_value(1)
    at.number_input(key="train_batch").set_value(1)
    at.run()
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception
    figs = {json.loads(c.proto.spec)["layout"]["title"]["text"]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    grads = figs["Gradient norm per layer"]
    points = [y for t in grads["data"] for y in t["y"] if y is not None]
    assert len(points) >= 3  # step 3's norm and the two zeros


def test_the_boundary_says_probability_not_p():
    """On Train, P is the penalty (mean loss + P): the boundary's colour bar and 0.5 line
    say "probability" instead."""
    from ui import boundary_chart
    spec = load_preset("xor")
    x, y = spec.data.batch("float")
    bounds = boundary_chart.grid_bounds(x)
    xs, ys, z = boundary_chart.decision_grid(spec.model, bounds, 10)
    fig = boundary_chart.boundary_figure(xs, ys, z, x, y, n_classes=2)
    words = json.dumps(fig.to_plotly_json())
    assert "probability" in words and "P(class" not in words and "P = 0.5" not in words
