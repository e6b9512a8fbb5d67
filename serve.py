"""Serve the dashboard with its start-up work: ``streamlit run serve.py`` (arguments after ``--`` as for ``app.py``).

The same app as ``streamlit run app.py`` (``app.py`` is its script, ``.streamlit/config.toml`` applies), served
through Streamlit's ``st.App`` so that the server computes the embedded sample and imports the pages in the
background as it starts (:mod:`dashboard.warm_up`), not during its first visitor's wait, and so that the page loads
its elements' scripts while it waits for the first run (:mod:`dashboard.script_preload`).
"""

import streamlit as st
from starlette.middleware import Middleware

from dashboard.script_preload import ScriptPreload
from dashboard.warm_up import lifespan

app = st.App("app.py", lifespan=lifespan, middleware=[Middleware(ScriptPreload)])
