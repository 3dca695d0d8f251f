"""Browser test of Explore's "Sum over paths" panel: the path highlighted in the graph
(class ``bp-path``, set on the parsed SVG by engine/render/path_view.py) changes with
the next path or weight, the sum under it equals δw, and a click on a weight's edge in
the player picks that weight. The panel counts components from 1 and names the path's
neurons as the graph's labels do: W2[1,2] is the edge o¹₂ → o²₁ (the CLI's --index 0,1)."""
import json

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from engine.spec import load_spec
from random_models import model_doc
from ui.share import encode_model

PANEL = "Sum over paths"
MARKED = ".bp-paths-graph g.bp-path"


def highlighted(page) -> list[str]:
    """The marked elements' ids, in the path's order."""
    return page.locator(MARKED).evaluate_all(
        "els => els.sort((a, b) => a.dataset.pathOrder - b.dataset.pathOrder).map(e => e.id)")


def open_panel(page, url: str):
    page.goto(url)
    page.locator(".bp-stage svg").wait_for()
    page.get_by_text(PANEL).click()
    page.locator(MARKED).first.wait_for()
    settled(page)


def settled(page) -> None:
    """The script run over (a rerun that ends while a dropdown is open closes it), and the
    page laid out: the panel's player sizes its graph after the run, and the page may
    scroll with it, so a click aimed a moment before could land on another widget (seen
    once in CI: the Sample box took a click meant for Component)."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    last = None
    for _ in range(40):
        now = page.evaluate("""() => [window.scrollY, document.querySelector('[data-testid="stMain"]')?.scrollTop,
            ...[...document.querySelectorAll('[data-testid="stSelectbox"]')].map(e => e.getBoundingClientRect().top)]""")
        if now == last:
            return
        last = now
        page.wait_for_timeout(150)


def pick(page, label: str, option: str):
    for _ in range(6):  # a rerun still under way can close the list as it opens: open it again
        settled(page)
        box = page.get_by_label(label, exact=True)
        box.click()
        try:
            # the list that opened is this box's own (not another one a stray click opened)
            expect(box).to_have_attribute("aria-expanded", "true", timeout=5_000)
            page.get_by_role("option", name=option).click(timeout=10_000)
            return
        except (PlaywrightTimeout, AssertionError):
            page.keyboard.press("Escape")
    raise AssertionError(f"the option {option!r} of {label!r} never showed")


def test_article_sample_3_a_weights_path_is_highlighted_and_its_sum_is_dw(page, app_url):
    open_panel(page, f"{app_url}/?preset=article&sample=3&view=neuron")
    pick(page, "Component", "W2[1,2] (o¹₂ → o²₁)")
    expect(page.get_by_text("✓ equal to the backward pass's δw2[1,2] = -2000, exactly")).to_be_visible()
    expect(page.get_by_text("o¹₂ → o²₁ → o³₁ → loss").first).to_be_visible()  # the route, as the labels
    expect(page.locator(MARKED)).to_have_count(7)
    first = highlighted(page)
    assert first == ["paths-X2_2", "paths-L2_1_2", "paths-X3_1", "paths-L3_1_1", "paths-X4_1",
                     "paths-Loss_1", "paths-Loss"]
    # the article has one path per weight: the next one is the next component's
    pick(page, "Component", "W2[1,3] (o¹₃ → o²₁)")
    expect(page.get_by_text("✓ equal to the backward pass's δw2[1,3] = -3000, exactly")).to_be_visible()
    expect(page.locator(f'{MARKED}[id="paths-L2_1_3"]')).to_have_count(1)
    assert highlighted(page) != first and "paths-L2_1_2" not in highlighted(page)
    # the other elements are dimmed, not removed
    assert page.locator(".bp-paths-graph g.bp-dim").count() > 0


def test_next_path_moves_the_highlight_along_a_fan_out(page, app_url):
    code = encode_model(load_spec(json.dumps(model_doc(5, "exact"))))  # three paths per weight of W2
    open_panel(page, f"{app_url}/?model={code}&sample=2&view=neuron")
    expect(page.get_by_text("Path 1 of 3:")).to_be_visible()
    expect(page.get_by_text("✓ equal to the backward pass's δw2[")).to_be_visible()
    seen = [tuple(highlighted(page))]
    for n in (2, 3):
        page.get_by_role("button", name="Next path").click()
        expect(page.get_by_text(f"Path {n} of 3:")).to_be_visible()
        # the caption comes with the rerun; the graph's component may swap its SVG a
        # moment later (and it sits in a shadow root, which only locators see into):
        # poll until the marks are not any path seen so far
        for _ in range(120):
            if tuple(highlighted(page)) not in seen:
                break
            page.wait_for_timeout(500)
        seen.append(tuple(highlighted(page)))
    assert len(set(seen)) == 3  # every path lights up its own edges
    assert all(s[:3] == seen[0][:3] for s in seen)  # they all leave the same weight


def test_clicking_a_weights_edge_in_the_player_picks_it(page, app_url):
    page.goto(f"{app_url}/?preset=article&sample=3&view=neuron")
    page.locator('.bp-player button[data-act="last"]').click()
    page.locator('.bp-stage g.edge[id="L2_1_3"] text').first.click()
    expect(page.get_by_text("✓ equal to the backward pass's δw2[1,3] = -3000, exactly")).to_be_visible()
    expect(page.locator(f'{MARKED}[id="paths-L2_1_3"]')).to_have_count(1)
    # the inspector opens on the matrix the edge is part of, never on an unrelated element
    inspected = page.get_by_role("combobox", name="Edge or layer")
    expect(inspected).to_be_visible()  # the panel opened
    expect(inspected).to_have_value("W2 · weights: W2 forward, δw2 backward")
