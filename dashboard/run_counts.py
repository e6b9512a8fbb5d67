"""How often each block of the pages has run in this session: the check that fragments keep a slider's rerun small."""

from __future__ import annotations

import streamlit as st

from dashboard import keys


def count_run(block: str) -> None:
    """Count one run of the page block ``block`` in this session (``st.session_state[keys.BLOCK_RUNS]``).

    A slider inside a fragment reruns only its own block; the counts let the tests and benchmarks check that a
    slider does not rerun the blocks it cannot change (the frame, a page's prologue, the predictive section).
    """
    runs = st.session_state.setdefault(keys.BLOCK_RUNS, {})
    runs[block] = runs.get(block, 0) + 1
