"""The upload flow of the Data page: read once per file content, map columns, prepare, report, keep per session.

Everything a user uploads stays in ``st.session_state[state.UPLOADS]`` (one entry per sheet kind); nothing is
written to disk or to a global cache.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from dashboard import state, widgets
from dashboard.state import Settings
from retention_core.columns import CATEGORIES, SHEETS, Prepared, apply_categories, map_columns, prepare_sheet
from retention_core.columns import suggest_categories, suggest_mapping
from retention_core.dataset import Dataset, content_key
from retention_core.i18n import format_date_pattern, format_number, t
from retention_core.loading import LoadError, LoadResult, read_table

_PREVIEW_ROWS = 20
_PREVIEW_FORMATS = {"money": ("number", 2), "cost": ("number", 2), "fraction": ("percent", 1)}
"""How the preview writes the columns of these types (:func:`widgets.localized`): ``1.234,56`` on the German page,
as a German upload writes it, and margins in percent."""


@dataclass(frozen=True)
class Upload:
    """One uploaded sheet: its content key, file name, what the loader read, the mapping and the result."""

    key: str
    filename: str
    loaded: LoadResult
    mapping: dict | None = None
    categories: dict | None = None
    prepared: Prepared | None = None


def _uploads() -> dict[str, Upload]:
    return st.session_state.setdefault(state.UPLOADS, {})


def prepared(kind: str) -> Prepared | None:
    """The prepared frame of ``kind`` in this session, if the user has uploaded and mapped it."""
    entry = _uploads().get(kind)
    return None if entry is None else entry.prepared


def dataset() -> Dataset:
    """The session's prepared sheets as a :class:`Dataset`, keyed by their contents and mappings."""
    entries = {kind: entry for kind, entry in _uploads().items() if entry.prepared is not None}
    key = content_key(*(f"{kind}:{entry.key}:{entry.mapping}:{entry.categories}".encode()
                        for kind, entry in sorted(entries.items())))
    names = ", ".join(entry.filename for entry in entries.values())
    codes = entries["transactions"].prepared.codes if "transactions" in entries else {}
    frames = {kind: entry.prepared.frame for kind, entry in entries.items()}
    return Dataset(**frames, key=key, name=names, transaction_codes=codes)


def _read(kind: str, file, sheet, s: Settings) -> Upload | None:
    """Read the uploaded file once per content and sheet; a file-level problem is shown, not raised."""
    data = file.getvalue()
    key = content_key(data, str(sheet).encode())
    entry = _uploads().get(kind)
    if entry is not None and entry.key == key:
        return entry
    try:
        with st.spinner(t("status_reading", s.lang, filename=file.name)), state.in_turn(s.lang):
            loaded = read_table(data, file.name, sheet=sheet)
    except LoadError as error:
        _uploads().pop(kind, None)
        st.error(t(error.key, s.lang, **error.params), icon=":material/error:")
        return None
    entry = Upload(key=key, filename=file.name, loaded=loaded)
    _uploads()[kind] = entry
    return entry


def _dialect_caption(loaded: LoadResult, s: Settings) -> str:
    dialect = loaded.dialect
    if dialect.kind == "parquet":
        return t("data_dialect_parquet", s.lang, rows=format_number(loaded.rows_kept, s.lang))
    if dialect.kind == "xlsx":
        return t("data_dialect_xlsx", s.lang, sheet=dialect.sheet_name, rows=format_number(loaded.rows_kept, s.lang))
    separator = {";": ";", ",": ",", "\t": "Tab", "|": "|"}.get(dialect.separator, dialect.separator)
    return t("data_dialect_csv", s.lang, separator=separator, decimal=dialect.decimal_mark or "–",
             dates=format_date_pattern(dialect.date_format, s.lang), encoding=dialect.encoding,
             rows=format_number(loaded.rows_kept, s.lang))


def _mapping_form(kind: str, entry: Upload, s: Settings) -> Upload:
    """Column (and, for costs, category) mapping, prefilled by suggestion; applying it prepares the sheet."""
    spec = SHEETS[kind]
    columns = list(entry.loaded.frame.columns)
    current = entry.mapping or suggest_mapping(columns, kind)
    with st.form(f"data_form_{kind}"):
        st.markdown(t("data_mapping_title", s.lang))
        form_columns = st.columns(3)
        chosen = {}
        for index, canonical in enumerate((*spec.required, *spec.optional)):
            options = [None, *columns]
            suggestion = current.get(canonical)
            label = t(f"column_{canonical}", s.lang) + ("" if canonical in spec.required else
                                                         " " + t("data_optional", s.lang))
            chosen[canonical] = form_columns[index % 3].selectbox(
                label, options, index=options.index(suggestion) if suggestion in options else 0,
                key=f"data_map_{kind}_{entry.key[:12]}_{canonical}", format_func=lambda name: "–" if name is None else str(name),
            )
        categories = None
        if kind == "retention_costs" and current.get("category") in columns:
            values = entry.loaded.frame[current["category"]].dropna().astype(str).unique()[:30]
            suggested = entry.categories or suggest_categories(values)
            st.markdown(t("data_categories_title", s.lang))
            category_columns = st.columns(3)
            categories = {
                value: category_columns[index % 3].selectbox(
                    value, CATEGORIES, index=CATEGORIES.index(suggested.get(value, "engagement")),
                    key=f"data_category_{entry.key[:12]}_{index}", format_func=lambda code: t(f"category_{code}", s.lang),
                )
                for index, value in enumerate(values)
            }
        applied = st.form_submit_button(t("data_apply", s.lang), type="primary")
    mapping = {canonical: column for canonical, column in chosen.items() if column is not None}
    if applied or (entry.prepared is None and all(name in mapping for name in spec.required)):
        loaded = entry.loaded.for_mapping(mapping)  # id columns as the file wrote them
        try:
            mapped = map_columns(loaded.frame, mapping)
        except ValueError as error:
            st.error(t("data_mapping_invalid", s.lang, reason=str(error)), icon=":material/error:")
            return entry
        if categories is not None and "category" in mapped.columns:
            mapped = apply_categories(mapped, categories)
        with st.spinner(t("status_preparing", s.lang)), state.in_turn(s.lang):
            entry = replace(entry, loaded=loaded, mapping=mapping, categories=categories,
                            prepared=prepare_sheet(mapped, kind))
        _uploads()[kind] = entry
    return entry


def _rejected_rows(entry: Upload) -> pd.DataFrame:
    """Rows set aside while reading and while preparing, under the canonical column names, with reasons."""
    to_canonical = {user: canonical for canonical, user in (entry.mapping or {}).items()}
    read_rejects = entry.loaded.rejected.rename(columns=to_canonical)
    return pd.concat([read_rejects, entry.prepared.rejected], ignore_index=True).astype("string")


def _report(kind: str, entry: Upload, s: Settings) -> None:
    """Kept and rejected counts, the problems in plain words, a preview and the rejected rows to download."""
    result = entry.prepared
    rejected = _rejected_rows(entry)
    counts = st.columns(2)
    widgets.metric("data_rows_kept", "count", len(result.frame), s, container=counts[0])
    widgets.metric("data_rows_rejected", "count", len(rejected), s, container=counts[1])
    show = {"error": st.error, "warning": st.warning, "info": st.info}
    user_names = entry.mapping or {}
    for problem in (*entry.loaded.problems, *result.problems):
        params = dict(problem.params)
        if "column" in params:  # name the column as the user's file does
            params["column"] = user_names.get(params["column"], params["column"])
        show[problem.severity](t(problem.key, s.lang, **params))
    preview = result.frame.head(_PREVIEW_ROWS)
    types = SHEETS[kind].types
    formats = {column: _PREVIEW_FORMATS[types[column]] for column in preview.columns
               if types.get(column) in _PREVIEW_FORMATS}
    st.dataframe(widgets.localized(preview, formats, s), hide_index=True,
                 column_config=widgets.column_labels(preview, s))
    if len(rejected):
        st.dataframe(rejected.head(_PREVIEW_ROWS), hide_index=True)
        widgets.csv_download(rejected, f"rejected_{kind}.csv", s, key=f"data_rejected_{kind}",
                             label_key="data_download_rejected")


def sheet_section(kind: str, s: Settings) -> None:
    """Upload, read, map and report one sheet kind."""
    st.caption(t(f"data_help_{kind}", s.lang))
    file = st.file_uploader(t("data_upload", s.lang), type=["csv", "txt", "tsv", "xlsx", "parquet"], key=f"data_file_{kind}")
    if file is None:
        return
    sheet_key = f"data_sheet_{kind}_{file.file_id}"
    entry = _read(kind, file, st.session_state.get(sheet_key), s)
    if entry is None:
        return
    if len(entry.loaded.dialect.sheet_names or ()) > 1:
        st.selectbox(t("data_sheet", s.lang), entry.loaded.dialect.sheet_names, key=sheet_key)
    st.caption(_dialect_caption(entry.loaded, s))
    entry = _mapping_form(kind, entry, s)
    if entry.prepared is not None:
        _report(kind, entry, s)
