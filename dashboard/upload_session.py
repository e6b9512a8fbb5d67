"""The session's uploads: one :class:`Upload` per sheet kind in ``st.session_state[keys.UPLOADS]``, and what the
other parts of the upload flow ask of them (uploaded, prepared, the :class:`Dataset` they make).

Everything a user uploads stays here, in the session; nothing is written to disk or to a global cache.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from dashboard import keys
from retention_core.dataset import Dataset, content_key
from retention_core.ingest import Prepared, suggest_mapping
from retention_core.ingest.upload_flow import ReadSummary


@dataclass(frozen=True)
class Upload:
    """One uploaded sheet: its content key, file name, what the page shows of the read (no rows: those stay in the
    worker, :mod:`retention_core.ingest.upload_flow`), the first distinct values of a cost sheet's columns, the
    mapping and the result."""

    key: str
    filename: str
    loaded: ReadSummary
    category_values: dict
    mapping: dict | None = None
    categories: dict | None = None
    prepared: Prepared | None = None
    suggested: dict | None = None

    def rejected_rows(self) -> pd.DataFrame:
        """Rows set aside while reading and while preparing, under the canonical column names, with reasons."""
        to_canonical = {user: canonical for canonical, user in (self.mapping or {}).items()}
        read_rejects = self.loaded.rejected.rename(columns=to_canonical)
        return pd.concat([read_rejects, self.prepared.rejected], ignore_index=True).astype("string")


def entries() -> dict[str, Upload]:
    """The session's uploads by sheet kind (the dict in the session state itself: changes to it are kept)."""
    return st.session_state.setdefault(keys.UPLOADS, {})


def uploaded(kind: str) -> bool:
    """Whether the user has uploaded a readable file of ``kind`` in this session (mapped or not)."""
    return kind in entries()


def prepared(kind: str) -> Prepared | None:
    """The prepared frame of ``kind`` in this session, if the user has uploaded and mapped it."""
    entry = entries().get(kind)
    return None if entry is None else entry.prepared


def dataset() -> Dataset:
    """The session's prepared sheets as a :class:`Dataset`, keyed by their contents and mappings."""
    ready = {kind: entry for kind, entry in entries().items() if entry.prepared is not None}
    key = content_key(*(f"{kind}:{entry.key}:{entry.mapping}:{entry.categories}".encode()
                        for kind, entry in sorted(ready.items())))
    names = ", ".join(entry.filename for entry in ready.values())
    codes = ready["transactions"].prepared.codes if "transactions" in ready else {}
    frames = {kind: entry.prepared.frame for kind, entry in ready.items()}
    return Dataset(**frames, key=key, name=names, transaction_codes=codes)


def shown_mapping(kind: str, entry: Upload) -> dict:
    """The mapping the form shows: the one last applied, else the suggestion (worked out once per upload from the
    headers and the first rows, :func:`suggest_mapping`)."""
    if entry.mapping is not None:
        return entry.mapping
    if entry.suggested is None:
        frame = entry.loaded.sample
        entry = replace(entry, suggested=suggest_mapping(frame.columns, kind, sample=frame))
        entries()[kind] = entry
    return entry.suggested
