"""The upload flow of the Data page: read once per file content, map columns, prepare, report, keep per session.

Reading and preparing run in a capped worker process (:mod:`retention_core.ingest.worker`): a file that crashes
the reader, needs too much memory or takes too long becomes a message on this page, and the server carries on.
Everything a user uploads stays in the session (:mod:`dashboard.upload_session`); nothing is written to disk or to a
global cache. Text from the file (its name, headers, cells, sheet names) is shown as text: as inline code wherever
Streamlit reads Markdown (:func:`widgets.message`, :func:`widgets.plain`). What keeps a sheet from being used is
:mod:`dashboard.upload_blockers`; the notes under a sheet are :mod:`dashboard.upload_hints`.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import rejected_rows, widgets, work_queue
from dashboard.sidebar import Settings
from dashboard.upload_blockers import blocking, blocking_message
from dashboard.upload_hints import customers_match_note
from dashboard.upload_session import Upload, entries, shown_mapping
from retention_core.dataset import content_key
from retention_core.ingest import (
    CATEGORIES,
    SHEETS,
    LoadError,
    SharedColumnError,
    looks_like,
    map_columns,
)
from retention_core.ingest import sandbox
from retention_core.ingest.upload_flow import DEFAULT_CATEGORY, Loaded, ReadSummary, default_categories
from retention_core.ingest.worker import load_upload
from retention_views import text_keys
from retention_views.formats import format_date_pattern, format_number
from retention_views.texts import translator

_PREVIEW_ROWS = 20
_PREVIEW_FORMATS = {"money": ("number", 2), "cost": ("number", 2), "fraction": ("percent", 1)}
"""How the preview writes the columns of these types (:func:`widgets.localized`): ``1.234,56`` on the German page,
as a German upload writes it, and margins in percent."""


def _read(kind: str, file, data: bytes, sheet, s: Settings) -> Upload | None:
    """Read the uploaded file once per content and sheet, and prepare it when the suggested mapping gives every
    required field (one worker does both); a file-level problem is shown, not raised."""
    key = content_key(data, str(sheet).encode())
    entry = entries().get(kind)
    if entry is not None and entry.key == key:
        return entry
    try:
        with st.spinner(widgets.message("status_reading", s.lang, filename=file.name)), work_queue.in_turn(s.lang):
            loaded = load_upload(data, file.name, kind, sheet=sheet)
    except LoadError as error:
        entries().pop(kind, None)
        st.error(widgets.message(error.key, s.lang, **error.params), icon=":material/error:")
        return None
    entry = _entry(Upload(key=key, filename=file.name, loaded=loaded.read, category_values={},
                          suggested=loaded.mapping), loaded)
    entries()[kind] = entry
    return entry


def _entry(entry: Upload, loaded: Loaded) -> Upload:
    """``entry`` with what one read in the worker gave: the mapping and categories it prepared with (none when the
    mapping left a field empty), the cost categories offered and the prepared sheet."""
    prepared = loaded.prepared is not None
    return replace(entry, loaded=loaded.read, category_values=loaded.category_values, prepared=loaded.prepared,
                   mapping=loaded.mapping if prepared else entry.mapping,
                   categories=loaded.categories if prepared else entry.categories)


def _dialect_caption(loaded: ReadSummary, s: Settings) -> str:
    dialect = loaded.dialect
    if dialect.kind == "parquet":
        return s.t("data_dialect_parquet", rows=format_number(loaded.rows_kept, s.lang))
    if dialect.kind == "xlsx":
        return widgets.message("data_dialect_xlsx", s.lang, sheet=dialect.sheet_name,
                               rows=format_number(loaded.rows_kept, s.lang))
    separator = {";": ";", ",": ",", "\t": "Tab", "|": "|"}.get(dialect.separator, dialect.separator)
    return widgets.message("data_dialect_csv", s.lang, separator=separator, decimal=dialect.decimal_mark or "–",
                           dates=format_date_pattern(dialect.date_format, s.lang), encoding=dialect.encoding,
                           rows=format_number(loaded.rows_kept, s.lang))



def _mapping_form(kind: str, entry: Upload, data: bytes, s: Settings) -> Upload:
    """Column (and, for costs, category) mapping, prefilled by suggestion; applying another one reads the file
    again with it in the worker and prepares the sheet.

    A mapping that leaves a required field empty is kept (the form shows it) but does not prepare the sheet, so it
    cannot be put into use; :func:`~dashboard.upload_blockers.blocking` says which field is missing."""
    spec = SHEETS[kind]
    columns = list(entry.loaded.sample.columns)
    current = shown_mapping(kind, entry)
    with st.form(f"data_form_{kind}"):
        st.markdown(s.t("data_mapping_title"))
        form_columns = st.columns(3)
        chosen = {}
        for index, canonical in enumerate((*spec.required, *spec.optional)):
            options = [None, *columns]
            suggestion = current.get(canonical)
            label = s.t(text_keys.COLUMN[canonical]) + ("" if canonical in spec.required else
                                                         " " + s.t("data_optional"))
            chosen[canonical] = form_columns[index % 3].selectbox(
                label, options, index=options.index(suggestion) if suggestion in options else 0,
                key=f"data_map_{kind}_{entry.key[:12]}_{canonical}", format_func=lambda name: "–" if name is None else str(name),
            )
        categories = None
        if kind == "retention_costs" and current.get("category") in columns:
            values = entry.category_values.get(current["category"], ())
            suggested = entry.categories or default_categories(values)
            st.markdown(s.t("data_categories_title"))
            category_columns = st.columns(3)
            categories = {
                value: category_columns[index % 3].selectbox(
                    widgets.plain(value), CATEGORIES, index=CATEGORIES.index(suggested.get(value, DEFAULT_CATEGORY)),
                    key=f"data_category_{entry.key[:12]}_{index}",
                    format_func=lambda code: s.t(text_keys.CATEGORY[code]),
                )
                for index, value in enumerate(values)
            }
        applied = st.form_submit_button(s.t("data_apply"), type="primary")
    mapping = {canonical: column for canonical, column in chosen.items() if column is not None}
    complete = all(name in mapping for name in spec.required)
    if applied and not complete:  # kept as chosen, not prepared: nothing half-mapped can be put into use
        entry = replace(entry, mapping=mapping, categories=categories, prepared=None)
        entries()[kind] = entry
        return entry
    unchanged = entry.prepared is not None and (mapping, categories) == (entry.mapping, entry.categories)
    if (applied or (entry.prepared is None and complete)) and not unchanged:
        try:
            map_columns(entry.loaded.sample, mapping)  # the headers tell whether one column serves two fields
        except SharedColumnError as error:  # the form offers only the file's columns: the one way it can fail
            st.error(s.t("data_mapping_shared_column", column=widgets.plain(error.column),
                         fields=_field_list(error.fields, s.lang)), icon=":material/error:")
            entry = replace(entry, mapping=mapping, categories=categories, prepared=None)
            entries()[kind] = entry
            return entry
        try:
            with st.spinner(s.t("status_preparing")), work_queue.in_turn(s.lang):
                loaded = load_upload(data, entry.filename, kind, sheet=entry.loaded.dialect.sheet_name,
                                     mapping=mapping, categories=categories)
        except LoadError as error:
            st.error(widgets.message(error.key, s.lang, **error.params), icon=":material/error:")
            return entry
        entry = replace(_entry(entry, loaded), mapping=mapping, categories=categories)
        entries()[kind] = entry
    return entry


def _field_list(fields: tuple[str, ...], lang: str) -> str:
    """Fields by their labels, quoted as the language quotes: „Kundennummer“ und „Betrag“."""
    tr = translator(lang)
    quoted = [tr("quoted", text=tr(text_keys.COLUMN[name])) for name in fields]
    return ", ".join(quoted[:-1]) + tr("and") + quoted[-1]


def _report(kind: str, entry: Upload, s: Settings) -> None:
    """Kept and rejected counts, the problems in plain words, a preview and the rejected rows to download."""
    result = entry.prepared
    rejected = entry.rejected_rows()
    counts = st.columns(2)
    widgets.metric("data_rows_kept", "count", len(result.frame), s, container=counts[0])
    widgets.metric("data_rows_rejected", "count", len(rejected), s, container=counts[1])
    show = {"error": st.error, "warning": st.warning, "info": st.info}
    user_names = entry.mapping or {}
    for problem in (*entry.loaded.problems, *result.problems):
        if problem.key in ("data_no_rows", "data_no_purchases"):
            continue  # blocking says it, with the reasons and the way to fix it
        params = dict(problem.params)
        if problem.key == "data_missing_column":  # a field left empty: named by its label
            params["column"] = s.t(text_keys.COLUMN[params["column"]])
        elif "column" in params:  # name the column as the user's file does
            params["column"] = user_names.get(params["column"], params["column"])
        show[problem.severity](widgets.message(problem.key, s.lang, **params))
    if result.frame.empty:  # no preview of nothing; the rejected rows are what to look at
        rejected_rows.show(kind, rejected, s, entry.mapping, _PREVIEW_ROWS)
        return
    preview = result.frame.head(_PREVIEW_ROWS)
    if "category" in preview.columns:  # the cost categories by their names, not their codes
        preview = preview.assign(category=preview["category"].map(lambda code: s.t(text_keys.CATEGORY[code])))
    types = SHEETS[kind].types
    formats = {column: _PREVIEW_FORMATS[types[column]] for column in preview.columns
               if types.get(column) in _PREVIEW_FORMATS}
    st.dataframe(widgets.localized(preview, formats, s), hide_index=True,
                 column_config=widgets.column_labels(preview, s))
    rejected_rows.show(kind, rejected, s, entry.mapping, _PREVIEW_ROWS)


def _file_changed(kind: str) -> None:
    """``on_change`` of a sheet's file uploader: a file the user removed (×) leaves the uploads. (The uploader is also
    empty when the user comes back from another page; that keeps the sheet, since no change is reported.)"""
    if st.session_state.get(f"data_file_{kind}") is None:
        entries().pop(kind, None)


def sheet_section(kind: str, s: Settings) -> None:
    """Upload, read, map and report one sheet kind."""
    sandbox.warm_up()  # the worker's fork server imports its libraries while the user picks a file
    # Streamlit 1.67 writes its uploader's own texts ("Upload", "50MB per file") in English only, with no parameter
    # to change them (streamlit/streamlit#13500); the caption says the limit in the user's language.
    st.caption(s.t(text_keys.SHEET_HELP[kind]) + " " + s.t("data_upload_limit", limit_mb=format_number(
        st.get_option("server.maxUploadSize"), s.lang)))
    file = st.file_uploader(s.t("data_upload"), type=["csv", "txt", "tsv", "xlsx", "parquet"], key=f"data_file_{kind}",
                            on_change=_file_changed, args=(kind,))
    if file is None:
        return
    sheet_key = f"data_sheet_{kind}_{file.file_id}"
    data = file.getvalue()
    entry = _read(kind, file, data, st.session_state.get(sheet_key), s)
    if entry is None:
        return
    if len(entry.loaded.dialect.sheet_names or ()) > 1:
        st.selectbox(s.t("data_sheet"), entry.loaded.dialect.sheet_names, key=sheet_key)
    st.caption(_dialect_caption(entry.loaded, s))
    other = looks_like(entry.loaded.sample, kind) if entry.prepared is None else None
    if other is not None:  # a sheet of another kind on this uploader: say what it looks like and where it goes
        st.warning(s.t("data_looks_like", sheet=s.t(text_keys.SHEET[kind]), other=s.t(text_keys.SHEET[other]),
                       help=s.t(text_keys.SHEET_HELP[other])), icon=":material/swap_horiz:")
    entry = _mapping_form(kind, entry, data, s)
    for key, params in blocking(kind, entry):
        show = st.error if key in ("data_no_rows_kept", "data_no_purchases_kept") else st.warning
        show(blocking_message(kind, entry, key, params, s), icon=":material/block:")
    if entry.prepared is not None:
        _report(kind, entry, s)
    if kind == "customers" and entry.prepared is not None:
        customers_match_note(s)

