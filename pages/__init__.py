"""The app's pages, one file each, and the navigation that runs them.

``app.py`` runs ``app()``; every page file calls ``in_app()`` before anything else.

Why the call: at its first session a Streamlit 1.67 server notes whether a ``pages/`` folder
sits next to ``app.py``, and until some session has run ``st.navigation`` it emulates the old
multipage mode (``_mpa_v1`` in ``streamlit/runtime/scriptrunner/script_runner.py``): it runs
the requested ``pages/*.py`` file alone, without ``app.py``. So the first request of a fresh
server, straight to ``/build``, would get no navigation and a narrow layout. ``in_app()``
notices that ``app()`` is not running and declares the app (page config and navigation) on
the spot; the page then renders inside it, once. Page URLs follow the file names, so the
page Streamlit picked is the page the navigation resolves. ``st.navigation`` leaves the
run under the main script's hash, which keys every widget; ``in_app()`` puts the page's
back, so the widgets of this first run are the widgets of every later run (Streamlit's
``ThreadState``, internal: the page tests would fail at once if it changed). Streamlit's
AppTest emulates the old mode at every run, so every page test crosses this path.
"""
from contextvars import ContextVar

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

from engine.render.svg import warm_up

# (file, title, icon); the first is the default page. Every pages/*.py file is listed (a test checks).
PAGES = (
    ("pages/explore.py", "Explore", ":material/account_tree:"),
    ("pages/build.py", "Build", ":material/construction:"),
    ("pages/data.py", "Data", ":material/table_view:"),
    ("pages/train.py", "Train", ":material/show_chart:"),
    ("pages/export.py", "Export", ":material/download:"),
)

# True while app() runs this script run's page; a context variable, because every session
# runs its script in its own thread.
_running = ContextVar("backprop_explorer_app_running", default=False)


def _navigation():
    """Declare the app for this run: page config and navigation; returns the page to run."""
    warm_up()  # a fresh server's Graphviz loads while this first run builds the page (once per process)
    st.set_page_config(page_title="Backprop Explorer", page_icon=":material/account_tree:", layout="wide")
    return st.navigation([st.Page(path, title=title, icon=icon, default=i == 0)
                          for i, (path, title, icon) in enumerate(PAGES)])


def app() -> None:
    """One run of the app: navigation, then the page the URL asks for."""
    token = _running.set(True)
    try:
        _navigation().run()
    finally:
        _running.reset(token)


def in_app() -> None:
    """Called first by every page: if Streamlit ran the page file alone, declare the app around it."""
    if not _running.get():
        page_hash = ThreadState.get().active_script_hash
        _navigation()
        ThreadState.update(active_script_hash=page_hash)
