"""Browser tests: the real app in headless Chromium."""
from playwright.sync_api import expect


def test_graph_svg_is_drawn_with_its_edges(page, app_url):
    page.goto(app_url)
    svg = page.locator(".bp-stage svg")
    svg.wait_for()
    edges = svg.locator("g.edge")
    assert edges.count() >= 5  # x→L1, L1→L2, W2→L2, L2→L3, L3→Loss


def test_play_runs_forward_then_the_learning_flow_appears(page, app_url):
    page.goto(app_url)
    delta4 = page.locator(".bp-stage text", has_text="δ4 = -1")
    expect(delta4).to_have_attribute("fill", "none")  # nothing has flowed back yet
    page.locator(".bp-player button.bp-play").click()
    expect(page.locator(".bp-player")).to_have_attribute("data-step", "5", timeout=60_000)
    expect(delta4).not_to_have_attribute("fill", "none")
    # A marker travels along the active edge.
    assert page.locator(".bp-stage circle.bp-marker").count() == 1
    # When the player stops, the chain rule panel follows it to δ1.
    expect(page.locator(".bp-player")).to_have_attribute("data-step", "9", timeout=60_000)
    expect(page.get_by_text("δ1 through L1", exact=False).last).to_be_visible(timeout=60_000)


def test_positions_never_jump_between_frames(page, app_url):
    # In the SVG's own coordinates (getBBox): the page around the graph may still be
    # settling (fonts, the chain-rule panel), which moves its box on the screen.
    page.goto(app_url)
    box = "n => { const b = n.getBBox(); return [b.x, b.y, b.width, b.height]; }"
    node = page.locator(".bp-stage g.node").nth(2)
    node.wait_for()
    before = node.evaluate(box)
    page.locator('.bp-player button[data-act="last"]').click()
    expect(page.locator(".bp-player")).to_have_attribute("data-step", "9", timeout=60_000)
    after = page.locator(".bp-stage g.node").nth(2).evaluate(box)
    assert before == after


def test_clicking_an_edge_opens_its_values_and_gradient_check(page, app_url):
    page.goto(app_url)
    page.locator('.bp-player button[data-act="last"]').click()
    page.locator('.bp-stage g.edge[id="W2"] text').first.click()
    expect(page.get_by_text("Gradient check", exact=False)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("δw2 (backward)", exact=False)).to_be_visible()


def test_a_link_straight_to_a_page_keeps_the_apps_navigation(page, app_url):
    page.goto(app_url + "/build?preset=xor")
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav.get_by_text("Explore", exact=True)).to_be_visible(timeout=60_000)
    expect(nav.get_by_text("Train", exact=True)).to_be_visible()
    assert nav.get_by_text("app", exact=True).count() == 0  # not Streamlit's v1 pages list
    expect(page.get_by_text("In use: xor")).to_be_visible()
