"""Streamlit helpers shared by the pages: per-session state and common widgets."""
