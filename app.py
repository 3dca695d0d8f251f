"""Backprop Explorer: the entry point. Navigation and per-session defaults, nothing else.

The pages live in ``app_pages/``, not ``pages/``: Streamlit still treats a folder named
``pages`` as a v1 multipage app, and a link straight to ``/build`` then ran that page
without this script (no navigation, no wide layout)."""
import streamlit as st

from engine.render.svg import warm_up

warm_up()  # a fresh server's Graphviz loads while this first run builds the page (once per process)
st.set_page_config(page_title="Backprop Explorer", page_icon=":material/account_tree:", layout="wide")

pages = [
    st.Page("app_pages/explore.py", title="Explore", icon=":material/account_tree:", default=True),
    st.Page("app_pages/build.py", title="Build", icon=":material/construction:"),
    st.Page("app_pages/data.py", title="Data", icon=":material/table_view:"),
    st.Page("app_pages/train.py", title="Train", icon=":material/show_chart:"),
    st.Page("app_pages/export.py", title="Export", icon=":material/download:"),
]
st.navigation(pages).run()
