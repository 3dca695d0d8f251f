"""Page tests: the app runs headless through Streamlit's AppTest."""
from streamlit.testing.v1 import AppTest


def run_app() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=30)
    return at.run()


def dot_of(at: AppTest) -> str:
    charts = at.get("graphviz_chart")
    assert charts, "the page draws no graph"
    return charts[0].proto.spec


def test_app_opens_on_the_articles_third_sample():
    at = run_app()
    assert not at.exception
    assert at.selectbox(key="sample").value == 3
    dot = dot_of(at)
    for label in ("o1 = (0, 2000, 3000)", "δ4 = -1", "δ3 = -1", "δ2 = (-1/200, 3/11600, -1/5800)",
                  "δw2 = (0, -2000, -3000)", "δ1 = "):
        assert label in dot


def test_stepping_reveals_the_learning_flow_one_event_at_a_time():
    at = run_app()
    assert 'COLOR="transparent">δ4 = -1' in dot_of(at)  # nothing has flowed back yet
    for _ in range(5):  # o1, o2, o3, loss, δ4
        at.button[2].click().run()
    assert at.slider(key="step").value == 5
    dot = dot_of(at)
    assert 'COLOR="transparent">δ4 = -1' not in dot and "δ4 = -1" in dot
    assert 'COLOR="transparent">δ3 = -1' in dot
    assert any("delta^{4}" in l.value for l in at.latex)


def test_float_arithmetic_shows_the_trap():
    at = run_app()
    at.radio(key="arithmetic").set_value("float").run()
    assert not at.exception
    dot = dot_of(at)
    assert "o2 = -1.11022e-16" in dot and "δ3 = 0" in dot
