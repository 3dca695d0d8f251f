"""Browser tests: the real app in headless Chromium."""


def test_graph_svg_is_drawn_with_its_edges(page, app_url):
    page.goto(app_url)
    chart = page.locator('[data-testid="stGraphVizChart"] svg')
    chart.wait_for()
    edges = chart.locator("g.edge")
    edges.first.wait_for()
    assert edges.count() >= 5  # x→L1, L1→L2, W2→L2, L2→L3, L3→Loss
    assert "δ4 = -1" in chart.text_content()
