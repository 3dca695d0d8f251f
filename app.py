"""Backprop Explorer: the entry point, `streamlit run app.py`. The pages and their navigation
are in ``pages/`` (``pages/__init__.py``: ``app``)."""
from pages import app

app()
