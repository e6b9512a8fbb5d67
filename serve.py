"""Serve the dashboard with its start-up work: ``streamlit run serve.py`` (arguments after ``--`` as for ``app.py``).

The same app as ``streamlit run app.py`` (``app.py`` is its script, ``.streamlit/config.toml`` applies), served
through Streamlit's ``st.App`` so that the server computes the embedded sample and imports the pages in the
background as it starts (:mod:`dashboard.warm_up`), not during its first visitor's wait.
"""

import streamlit as st

from dashboard.warm_up import lifespan

app = st.App("app.py", lifespan=lifespan)
