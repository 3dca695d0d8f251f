"""Backprop Explorer: the entry point. Navigation and per-session defaults, nothing else."""
import streamlit as st

st.set_page_config(page_title="Backprop Explorer", page_icon="🔁", layout="wide")

pages = [
    st.Page("pages/explore.py", title="Explore", icon="🔍", default=True),
    st.Page("pages/build.py", title="Build", icon=":material/construction:"),
    st.Page("pages/train.py", title="Train", icon=":material/show_chart:"),
    st.Page("pages/export.py", title="Export", icon=":material/download:"),
]
st.navigation(pages).run()
