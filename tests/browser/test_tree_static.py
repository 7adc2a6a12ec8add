"""The Tree's front-end on the static harness, bridged to a real Python Tree on generated files."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from h5lens.nodes.hdf5 import open_hdf5
from h5lens.widgets.tree import Tree


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "sample.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["data"] = np.arange(540 * 64, dtype="uint16").reshape(540, 64)
        entry["title"] = "a <b>bold</b> title"
        entry.attrs["note"] = "<script>window.__pwned = 1</script>"
        f["entry/instrument/detector/count_time"] = 0.1
        big = f.create_group("big")
        for i in range(450):
            big[f"m{i:04d}"] = i
        f["broken"] = h5py.ExternalLink("missing.h5", "/nowhere")
        f["dangling"] = h5py.SoftLink("/no/such/path")
        f["alias"] = h5py.SoftLink("/entry")
        f.create_group("<img src=x onerror=window.__pwned=2>")
    tree = Tree(open_hdf5(path), page_size=200)
    yield tree
    tree.close()
    tree.root.close()


def until(page, predicate, timeout_ms=5000):
    """Let the page run (and its calls into Python be served) until ``predicate()`` holds."""
    for _ in range(timeout_ms // 10):
        if predicate():
            return True
        page.wait_for_timeout(10)
    return predicate()


def rows(page):
    return page.eval_on_selector_all("li.h5l-item[data-path]", "els => els.map(e => e.dataset.path)")


def test_first_page_renders_with_labels_badges_and_broken_links(harness, sample):
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    assert rows(page)[:2] == ["/", "/<img src=x onerror=window.__pwned=2>"]
    assert set(rows(page)) == {"/", "/entry", "/big", "/broken", "/dangling", "/alias",
                               "/<img src=x onerror=window.__pwned=2>"}
    entry = page.locator('li[data-path="/entry"] > .h5l-row')
    assert entry.locator(".h5l-badge").inner_text() == "NXentry"
    assert "3 members" in entry.inner_text()
    assert page.locator('li[data-path="/big"] > .h5l-row .h5l-label').inner_text() == "450 members"
    for path in ("/broken", "/dangling"):
        link = page.locator(f'li[data-path="{path}"] > .h5l-row .h5l-link')
        assert "broken" in link.inner_text() and "h5l-broken" in link.get_attribute("class")
    assert page.locator('li[data-path="/alias"]').get_attribute("aria-expanded") == "false"
    # a member name full of markup is text, never parsed
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img").count() == 0
    # every control has an accessible name
    unnamed = page.evaluate("""() => [...document.querySelectorAll('button, input')]
        .filter(e => !e.getAttribute('aria-label')).map(e => e.outerHTML)""")
    assert unnamed == []
    assert page.get_by_role("tree").get_attribute("aria-label").endswith("sample.h5")


def test_expand_pages_and_load_more(harness, sample, monkeypatch):
    from h5lens import tree_rows

    monkeypatch.setattr(tree_rows, "LABEL_COUNT_LIMIT", 100)  # rows count no further: /big is not counted
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    big_label = page.locator('li[data-path="/big"] > .h5l-row .h5l-label')
    assert big_label.inner_text() == "more than 100 members"
    # every text the "Load more" button shows, in order (the count arrives after the page)
    page.evaluate("""() => { window.__moreTexts = [];
        new MutationObserver(() => { const b = document.querySelector('li[data-path="/big"] .h5l-more button');
          const t = b?.textContent; if (t && t !== window.__moreTexts.at(-1)) window.__moreTexts.push(t); })
        .observe(document.body, { subtree: true, childList: true, characterData: true }); }""")
    page.click('li[data-path="/big"] > .h5l-row .h5l-twisty')
    page.wait_for_selector('li[data-path="/big/m0199"]')
    assert page.locator('li[data-path="/big"] li[data-path]').count() == 200
    more = page.get_by_role("button", name="Load more members of /big")
    assert until(page, lambda: page.locator('li[data-path="/big"]').get_attribute("data-total") == "450")
    assert page.evaluate("window.__moreTexts") == ["Load more (200 shown of ≥ 201, counting…)",
                                                   "Load more (200 of 450 shown)"]
    assert harness.bridge.calls.count("count") == 1
    assert big_label.inner_text() == "450 members"  # the count's label replaces the bound
    assert "200 of 450" in more.inner_text()
    more.click()
    page.wait_for_selector('li[data-path="/big/m0399"]')
    page.get_by_role("button", name="Load more members of /big").click()
    page.wait_for_selector('li[data-path="/big/m0449"]')
    assert page.locator('li[data-path="/big"] li[data-path]').count() == 450
    assert page.get_by_role("button", name="Load more members of /big").count() == 0
    calls = [c for c in harness.bridge.calls if c == "children"]
    assert len(calls) == 4  # root + three pages: nothing fetched twice
    # a soft link to a group expands into the target's members, under the link's path
    page.click('li[data-path="/alias"] > .h5l-row .h5l-twisty')
    page.wait_for_selector('li[data-path="/alias/data"]')
    label = page.locator('li[data-path="/alias/data"] > .h5l-row .h5l-label').inner_text()
    assert label == "540 × 64 uint16"


def test_click_selects_and_python_sees_it(harness, sample):
    seen = []
    sample.observe(lambda ch: seen.append(ch["new"]), names="selected")
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    page.click('li[data-path="/entry"] > .h5l-row .h5l-twisty')
    page.click('li[data-path="/entry/data"] > .h5l-row .h5l-name')
    page.wait_for_function("document.querySelector('li[data-path=\"/entry/data\"]').ariaSelected === 'true'")
    assert until(page, lambda: seen == ["/entry/data"]), seen
    assert sample.node.shape == (540, 64)


def test_python_selection_reveals_node_deep_and_beyond_first_page(harness, sample):
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    harness.set(selected="/entry/instrument/detector/count_time")
    page.wait_for_selector('li[data-path="/entry/instrument/detector/count_time"][aria-selected=true]')
    assert page.locator('li[data-path="/entry/instrument"]').get_attribute("aria-expanded") == "true"
    harness.set(selected="/big/m0420")  # beyond the first page of 200
    sel = page.wait_for_selector('li[data-path="/big/m0420"][aria-selected=true]')
    assert sel.is_visible()
    assert page.locator('li[aria-selected=true]').count() == 1


def test_keyboard_navigation(harness, sample):
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    page.focus('li[data-path="/"]')
    focused = lambda: page.evaluate("document.activeElement.dataset.path")  # noqa: E731
    for _ in range(3):  # HDF5 lists names in order: "<img…", "alias", "big"
        page.keyboard.press("ArrowDown")
    assert focused() == "/big"
    page.keyboard.press("ArrowRight")  # expand
    page.wait_for_selector('li[data-path="/big/m0000"]')
    page.keyboard.press("ArrowRight")  # into the first child
    assert focused() == "/big/m0000"
    page.keyboard.press("Enter")
    page.wait_for_function("harness.model.get('selected') === '/big/m0000'")
    page.keyboard.press("ArrowLeft")  # leaf: to its parent
    assert focused() == "/big"
    page.keyboard.press("ArrowLeft")  # collapse
    assert page.locator('li[data-path="/big"]').get_attribute("aria-expanded") == "false"
    page.keyboard.press("End")
    assert focused() == rows(page)[-1] and not focused().startswith("/big/")
    page.keyboard.press("Home")
    assert focused() == "/"
    page.keyboard.press("ArrowUp")
    assert focused() == "/"


def test_filter_loaded_then_search_deeper(harness, sample):
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    page.get_by_label("Filter by name").fill("DETECT")
    assert page.locator("li.h5l-item[data-path]:visible").count() == 1  # only the root: nothing loaded matches
    assert "0 loaded matches" in page.locator(".h5l-status").inner_text()
    page.get_by_role("button", name="Search the whole file").click()
    hit = page.wait_for_selector('.h5l-hit[data-path="/entry/instrument/detector"]')
    assert page.locator(".h5l-results").get_attribute("data-state") == "done"
    assert "whole file searched" in page.locator(".h5l-status").inner_text()
    hit.click()
    page.wait_for_selector('li[data-path="/entry/instrument/detector"][aria-selected=true]')
    assert sample.selected == "/entry/instrument/detector"
    # the filter now hides the loaded rows that do not match, keeping ancestors of matches
    visible = page.eval_on_selector_all("li.h5l-item[data-path]",
                                        "els => els.filter(e => e.offsetParent).map(e => e.dataset.path)")
    assert visible == ["/", "/entry", "/entry/instrument", "/entry/instrument/detector"]
    assert page.locator('li[data-path="/entry/instrument/detector"] mark').inner_text() == "detect"
    page.get_by_label("Filter by name").fill("")
    assert page.locator('li[data-path="/big"]').is_visible()


def test_search_shows_searching_state_and_resumes_within_budget(harness, sample):
    sample.search_budget_s = 0.0005  # a tiny budget: the walk must resume in several steps
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    page.evaluate("""() => { window.__states = [];
        const r = document.querySelector('.h5l-results');
        new MutationObserver(() => window.__states.push(r.dataset.state))
            .observe(r, {attributes: true, attributeFilter: ['data-state']}); }""")
    page.get_by_label("Filter by name").fill("m04")
    page.get_by_role("button", name="Search the whole file").click()
    steps = 0
    for _ in range(4000):
        state = page.locator(".h5l-results").get_attribute("data-state")
        if state == "done":
            break
        if state == "partial":
            steps += 1
            page.get_by_role("button", name="Continue searching").click()
        page.wait_for_timeout(2)
    assert state == "done" and steps >= 2
    states = page.evaluate("window.__states")
    assert states[0] == "searching" and "partial" in states
    assert page.locator(".h5l-hit").count() == 50  # m0400 … m0449, each once


def test_errors_are_shown_inside_the_widget(harness, sample):
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    sample.root._h5.file.close()  # the file vanishes under the widget
    page.click('li[data-path="/big"] > .h5l-row .h5l-twisty')
    alert = page.wait_for_selector("[role=alert]:not([hidden])")
    assert alert.inner_text().startswith("/big: ")
    assert page.locator('li[data-path="/big"] .h5l-row-error').count() == 1
    assert page.locator(".h5l-tree").is_visible()


def test_copy_path(harness, sample):
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    page.hover('li[data-path="/entry"] > .h5l-row')
    page.get_by_role("button", name="Copy path /entry", exact=True).click()
    page.wait_for_function("document.querySelector('.h5l-status').textContent.startsWith('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == "/entry"
    page.focus('li[data-path="/big"]')  # from the keyboard: "c" copies the focused row's path
    page.keyboard.press("c")
    page.wait_for_function("document.querySelector('.h5l-status').textContent === 'Copied /big'")
    assert page.evaluate("navigator.clipboard.readText()") == "/big"


def test_cleanup_removes_listeners_and_cancels_calls(harness, sample):
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    before = page.evaluate("harness.model._listenerCount()")
    assert before > 0
    page.evaluate("harness.addView('/static/tree.js')")
    page.wait_for_function("document.querySelectorAll('.h5l-tree[data-ready=true]').length === 2")
    assert page.evaluate("harness.model._listenerCount()") == 2 * before
    page.evaluate("harness.destroy(0); harness.destroy(1)")
    assert page.evaluate("harness.model._listenerCount()") == 0
    assert page.locator(".h5l-tree").count() == 0
    # every call the front-end made carried an AbortSignal
    assert page.evaluate("harness.model.invoked.every(c => c.hasSignal)")


def test_dark_theme_is_readable(harness, sample):
    harness.mount(sample, theme="dark")
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    fg, bg = page.evaluate("""() => { const r = document.querySelector('li[data-path="/entry"] .h5l-name');
        const t = document.querySelector('.h5l-tree');
        return [getComputedStyle(r).color, getComputedStyle(t).backgroundColor]; }""")
    assert fg.startswith("rgba(255, 255, 255") and bg == "rgb(17, 17, 17)"


def test_explorer_inspector_and_view_follow_the_selection(harness, sample):
    from h5lens.widgets.explorer import Explorer

    ex = Explorer(sample.root)
    harness.mount(ex)
    page = harness.page
    page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
    assert page.locator(".h5l-inspector").inner_text().endswith("Select a node in the tree.")
    page.click('li[data-path="/entry"] > .h5l-row .h5l-name')
    page.wait_for_selector('.h5l-inspector[data-path="/entry"]')
    note = page.locator('tr[data-attr="note"] .h5l-attr-value')
    assert note.inner_text() == "<script>window.__pwned = 1</script>"
    assert page.locator(".h5l-attrs script").count() == 0 and page.evaluate("window.__pwned") is None
    assert "Group: 3 members, nothing to plot." in page.locator(".h5l-view").inner_text()
    harness.set(selected="/entry/title")
    value = page.wait_for_selector('.h5l-view pre[aria-label="value"]')
    assert value.inner_text() == "a <b>bold</b> title"
    assert page.locator(".h5l-view pre b").count() == 0
    # a broken link: the inspector says so and the view area shows why, the widget stays usable
    harness.set(selected="/broken")
    page.wait_for_selector('.h5l-inspector[data-path="/broken"]')
    assert "(broken)" in page.locator('tr[data-field="link"]').inner_text()
    assert "missing.h5" in page.wait_for_selector(".h5l-view [role=alert]").inner_text()
    harness.set(selected="/entry/data")
    page.wait_for_function("document.querySelector('.h5l-view .h5l-viewer')?.dataset.selection === ':,:'")
    assert "540 × 64" in page.locator(".h5l-view .h5l-v-title").inner_text()
    assert page.evaluate("harness.model._listenerCount()") > 0
    page.evaluate("harness.destroy(0)")
    assert page.evaluate("harness.model._listenerCount()") == 0


def test_initial_selection_is_revealed(harness, sample):
    sample.selected = "/big/m0300"
    harness.mount(sample)
    page = harness.page
    row = page.wait_for_selector('li[data-path="/big/m0300"][aria-selected=true]')
    assert row.is_visible()
    assert page.locator('li[data-path="/big"]').get_attribute("aria-expanded") == "true"


def test_unchecked_link_turns_broken_when_expanded(harness, sample):
    sample.link_budget_s = 0.0
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    badge = page.locator('li[data-path="/broken"] > .h5l-row .h5l-link')
    assert "h5l-unchecked" in badge.get_attribute("class") and "(broken)" not in badge.inner_text()
    page.click('li[data-path="/broken"] > .h5l-row .h5l-twisty')
    page.wait_for_selector('li[data-path="/broken"][data-broken=true]')
    assert "(broken)" in badge.inner_text()
    assert "missing.h5" in page.locator("[role=alert]").inner_text()


def test_undecodable_names_can_be_expanded_and_selected(harness, tmp_path):
    path = tmp_path / "latin1.h5"
    with h5py.File(path, "w") as f:
        f.create_group(b"caf\xe9").create_dataset("x", data=7)
    tree = Tree(open_hdf5(path))
    harness.mount(tree)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    page.click('li[data-path="/caf\\\\xe9"] > .h5l-row .h5l-twisty')
    page.click('li[data-path="/caf\\\\xe9/x"] > .h5l-row .h5l-name')
    assert until(page, lambda: tree.selected == "/caf\\xe9/x")
    assert tree.node[()] == 7
    tree.root.close()


def test_filter_asks_the_kernel_for_members_not_loaded(harness, sample):
    sample.page_size = 20
    sample.filter_budget_s = 0.0  # each call scans at most 1024 names: /big (450) in one
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-tree[data-ready=true]")
    page.click('li[data-path="/big"] > .h5l-row .h5l-twisty')
    page.wait_for_selector('li[data-path="/big/m0019"]')
    assert not page.locator('li[data-path="/big/m0400"]').count()  # page 1 only: m0000 … m0019
    page.get_by_label("Filter by name").fill("m041")
    assert until(page, lambda: page.locator('li[data-path="/big/m0419"]').count() == 1)
    visible = page.eval_on_selector_all("li.h5l-item[data-path]",
                                        "els => els.filter(e => e.offsetParent).map(e => e.dataset.path)")
    assert visible == ["/", "/big"] + [f"/big/m04{i:02d}" for i in range(10, 20)]
    assert page.locator(".h5l-find").count() == 0  # the scan reached the end of /big
    page.get_by_label("Filter by name").fill("m04")  # 50 matches, 20 a call: resumed on request
    more = page.get_by_role("button", name="Find more matches in /big")
    more.wait_for()
    assert "names scanned" in more.inner_text()
    more.click()
    assert until(page, lambda: page.locator('li[data-path="/big/m0439"]').count() == 1)
    page.get_by_label("Filter by name").fill("")
    assert page.locator(".h5l-find").count() == 0 and page.locator('li[data-path="/big/m0005"]').is_visible()
