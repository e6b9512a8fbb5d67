"""Streamlit-side helpers shared by ``app.py`` and the pages (state, sidebar, rendering). Imports streamlit."""
