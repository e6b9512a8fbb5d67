"""The upload flow of the Data page: read once per file content, map columns, prepare, report, keep per session.

Reading and preparing run in a capped worker process (:mod:`retention_core.ingest.worker`): a file that crashes
the reader, needs too much memory or takes too long becomes a message on this page, and the server carries on.
Everything a user uploads stays in ``st.session_state[keys.UPLOADS]`` (one entry per sheet kind); nothing is
written to disk or to a global cache. Text from the file (its name, headers, cells, sheet names) is shown as
text: as inline code wherever Streamlit reads Markdown (:func:`widgets.message`, :func:`widgets.plain`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from dashboard import errors, keys, rejected_rows, shown_data, url_sync, widgets, work_queue
from dashboard.sidebar import Settings
from retention_core.dataset import Dataset, content_key
from retention_core.ingest import (
    CATEGORIES,
    SHEETS,
    LoadError,
    Prepared,
    SharedColumnError,
    looks_like,
    map_columns,
    suggest_mapping,
)
from retention_core.ingest import sandbox
from retention_core.ingest.upload_flow import DEFAULT_CATEGORY, Loaded, ReadSummary, default_categories
from retention_core.ingest.worker import load_upload
from retention_core.purchase_rhythm import PurchaseRhythm, purchase_rhythm
from retention_core.segments import CustomersSheetMatch, customer_attributes
from retention_views import text_keys
from retention_views.formats import format_date_pattern, format_number, format_percent
from retention_views.texts import translator

_PREVIEW_ROWS = 20
_PREVIEW_FORMATS = {"money": ("number", 2), "cost": ("number", 2), "fraction": ("percent", 1)}
"""How the preview writes the columns of these types (:func:`widgets.localized`): ``1.234,56`` on the German page,
as a German upload writes it, and margins in percent."""


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


def _uploads() -> dict[str, Upload]:
    return st.session_state.setdefault(keys.UPLOADS, {})


def uploaded(kind: str) -> bool:
    """Whether the user has uploaded a readable file of ``kind`` in this session (mapped or not)."""
    return kind in _uploads()


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


def _read(kind: str, file, data: bytes, sheet, s: Settings) -> Upload | None:
    """Read the uploaded file once per content and sheet, and prepare it when the suggested mapping gives every
    required field (one worker does both); a file-level problem is shown, not raised."""
    key = content_key(data, str(sheet).encode())
    entry = _uploads().get(kind)
    if entry is not None and entry.key == key:
        return entry
    try:
        with st.spinner(widgets.message("status_reading", s.lang, filename=file.name)), work_queue.in_turn(s.lang):
            loaded = load_upload(data, file.name, kind, sheet=sheet)
    except LoadError as error:
        _uploads().pop(kind, None)
        st.error(widgets.message(error.key, s.lang, **error.params), icon=":material/error:")
        return None
    entry = _entry(Upload(key=key, filename=file.name, loaded=loaded.read, category_values={},
                          suggested=loaded.mapping), loaded)
    _uploads()[kind] = entry
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


def _shown_mapping(kind: str, entry: Upload) -> dict:
    """The mapping the form shows: the one last applied, else the suggestion (worked out once per upload from the
    headers and the first rows, :func:`suggest_mapping`)."""
    if entry.mapping is not None:
        return entry.mapping
    if entry.suggested is None:
        frame = entry.loaded.sample
        entry = replace(entry, suggested=suggest_mapping(frame.columns, kind, sample=frame))
        _uploads()[kind] = entry
    return entry.suggested


def _mapping_form(kind: str, entry: Upload, data: bytes, s: Settings) -> Upload:
    """Column (and, for costs, category) mapping, prefilled by suggestion; applying another one reads the file
    again with it in the worker and prepares the sheet.

    A mapping that leaves a required field empty is kept (the form shows it) but does not prepare the sheet, so it
    cannot be put into use; :func:`_blocking` says which field is missing."""
    spec = SHEETS[kind]
    columns = list(entry.loaded.sample.columns)
    current = _shown_mapping(kind, entry)
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
        _uploads()[kind] = entry
        return entry
    unchanged = entry.prepared is not None and (mapping, categories) == (entry.mapping, entry.categories)
    if (applied or (entry.prepared is None and complete)) and not unchanged:
        try:
            map_columns(entry.loaded.sample, mapping)  # the headers tell whether one column serves two fields
        except SharedColumnError as error:  # the form offers only the file's columns: the one way it can fail
            st.error(s.t("data_mapping_shared_column", column=widgets.plain(error.column),
                         fields=_field_list(error.fields, s.lang)), icon=":material/error:")
            entry = replace(entry, mapping=mapping, categories=categories, prepared=None)
            _uploads()[kind] = entry
            return entry
        try:
            with st.spinner(s.t("status_preparing")), work_queue.in_turn(s.lang):
                loaded = load_upload(data, entry.filename, kind, sheet=entry.loaded.dialect.sheet_name,
                                     mapping=mapping, categories=categories)
        except LoadError as error:
            st.error(widgets.message(error.key, s.lang, **error.params), icon=":material/error:")
            return entry
        entry = replace(_entry(entry, loaded), mapping=mapping, categories=categories)
        _uploads()[kind] = entry
    return entry


def _field_list(fields: tuple[str, ...], lang: str) -> str:
    """Fields by their labels, quoted as the language quotes: „Kundennummer“ und „Betrag“."""
    tr = translator(lang)
    quoted = [tr("quoted", text=tr(text_keys.COLUMN[name])) for name in fields]
    return ", ".join(quoted[:-1]) + tr("and") + quoted[-1]


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
        if problem.key in ("data_no_rows", "data_no_purchases"):
            continue  # _blocking says it, with the reasons and the way to fix it
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


# --- what keeps the uploads from being used -------------------------------------------------------------------------

_TOP_REASONS = 3


def _blocking(kind: str, entry: Upload) -> list[tuple[str, dict]]:
    """Why the sheet ``kind`` cannot be put into use, as (text key, parameters) pairs: each required field its
    mapping leaves empty, a mapping not applied, or no row kept (with the rejected rows and their main reasons).
    Empty when it can be used."""
    if entry.prepared is None:
        mapping = _shown_mapping(kind, entry)
        missing = [name for name in SHEETS[kind].required if name not in mapping]
        if not missing:
            return [("data_mapping_not_applied", {})]
        return [("data_field_missing", {"field": name}) for name in missing]
    blocking = [("data_field_missing", {"field": problem.params["column"]})
                for problem in entry.prepared.problems if problem.key == "data_missing_column"]
    blocking += [("data_no_purchases_kept", {"field": problem.params["column"]})
                 for problem in entry.prepared.problems if problem.key == "data_no_purchases"]
    if entry.prepared.frame.empty:
        problems = [problem for problem in (*entry.loaded.problems, *entry.prepared.problems)
                    if problem.severity == "warning" and problem.key in text_keys.REJECTED_REASON]
        reasons = sorted(problems, key=lambda problem: -int(problem.params.get("rows", 0)))[:_TOP_REASONS]
        blocking.append(("data_no_rows_kept", {"rejected": len(_rejected_rows(entry)), "reasons": reasons}))
    return blocking


def _blocking_message(kind: str, entry: Upload, key: str, params: dict, s: Settings) -> str:
    """One reason of :func:`_blocking` in the user's language: fields by their label, the file's columns by the
    file's names, and how to fix it."""
    sheet = s.t(text_keys.SHEET[kind])
    apply = s.t("data_apply")
    if key == "data_field_missing":
        field_name = params["field"]
        text = s.t(key, sheet=sheet, field=s.t(text_keys.COLUMN[field_name]), apply=apply,
                   hint=s.t(text_keys.COLUMN_HINT[field_name]))
    elif key == "data_no_purchases_kept":
        field_name = params["field"]
        text = s.t(key, sheet=sheet, field=s.t(text_keys.COLUMN[field_name]), apply=apply,
                   column=widgets.plain((entry.mapping or {}).get(field_name, field_name)))
    elif key == "data_no_rows_kept":
        user_names = entry.mapping or {}
        items = []
        for problem in params["reasons"]:
            reason = s.t(text_keys.REJECTED_REASON[problem.key])
            rows = format_number(problem.params.get("rows"), s.lang)
            column = problem.params.get("column")
            items.append(s.t("data_reason_in_column", reason=reason, rows=rows,
                             column=widgets.plain(user_names.get(column, column))) if column is not None
                         else s.t("data_reason", reason=reason, rows=rows))
        text = s.t(key, sheet=sheet, rejected=format_number(params["rejected"], s.lang),
                   reasons="; ".join(items) or "–", apply=apply)
    else:
        text = s.t(key, sheet=sheet, apply=apply)
    if kind != "transactions":
        text += " " + s.t("data_optional_remove", sheet=sheet)
    return text


#: The short form of each reason of :func:`_blocking`, for the summary beside the button (all take {sheet} and
#: {field}); the tab of the sheet says it in full, with how to fix it.
_SHORT = {"data_field_missing": "error_sheet_field_missing", "data_mapping_not_applied": "error_sheet_not_applied",
          "data_no_rows_kept": "error_sheet_no_rows", "data_no_purchases_kept": "error_sheet_no_purchases"}


def blockers(s: Settings) -> list[str]:
    """Why the uploads cannot be put into use, one short reason per problem in the order of the tabs (empty when
    they can): ``Transaktionen ohne das Pflichtfeld „Bestelldatum“``."""
    return [s.t(_SHORT[key], sheet=s.t(text_keys.SHEET[kind]),
                field=s.t(text_keys.COLUMN[params.get("field", "amount")]))
            for kind, entry in sorted(_uploads().items(), key=lambda item: list(SHEETS).index(item[0]))
            for key, params in _blocking(kind, entry)]


def use_uploads() -> None:
    """``on_click`` of *Use my data*: the uploads become the session's data, unless one of them cannot be used
    (the button is disabled then; this guards a click that raced a change)."""
    if uploaded("transactions") and not any(_blocking(kind, entry) for kind, entry in _uploads().items()):
        shown_data.use_uploaded(dataset())


def use_section(s: Settings) -> None:
    """The *Use my data* button, disabled with the reasons while an uploaded sheet cannot be used; before the
    transactions are uploaded, a note that the sample is shown until then."""
    if not uploaded("transactions"):
        st.info(s.t("data_transactions_required"), icon=":material/info:")
        return
    reasons = blockers(s)
    if reasons:
        st.warning(s.t("data_use_blocked", reasons="; ".join(reasons)), icon=":material/block:")
    else:
        subscription_hint(s)
    st.button(s.t("data_use"), type="primary", key="data_use", icon=":material/check:", disabled=bool(reasons),
              help=s.t("data_use_disabled_help") if reasons else None,
              on_click=errors.guarded(use_uploads))


def _file_changed(kind: str) -> None:
    """``on_change`` of a sheet's file uploader: a file the user removed (×) leaves the uploads. (The uploader is also
    empty when the user comes back from another page; that keeps the sheet, since no change is reported.)"""
    if st.session_state.get(f"data_file_{kind}") is None:
        _uploads().pop(kind, None)


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
    for key, params in _blocking(kind, entry):
        show = st.error if key in ("data_no_rows_kept", "data_no_purchases_kept") else st.warning
        show(_blocking_message(kind, entry, key, params, s), icon=":material/block:")
    if entry.prepared is not None:
        _report(kind, entry, s)
    if kind == "customers" and entry.prepared is not None:
        customers_match_note(s)


# --- how the customers sheet meets the orders ------------------------------------------------------------------


def customers_match_note(s: Settings) -> None:
    """Under the customers sheet, once the transactions are prepared too: how many of its customers have no order
    (counted, not used) and how many customers of the orders it does not list (their segment is "missing")."""
    match = _customers_match()
    if match is None:
        return
    st.info(s.t("data_customers_match", listed=format_number(match.listed, s.lang),
                in_orders=format_number(match.in_orders, s.lang),
                not_in_orders=format_number(match.not_in_orders, s.lang),
                unlisted=format_number(match.unlisted, s.lang)), icon=":material/group:")


def _customers_match() -> CustomersSheetMatch | None:
    """:func:`customer_attributes`' match of the prepared customers sheet and transactions (None without both)."""
    customers, orders = _uploads().get("customers"), _uploads().get("transactions")
    if customers is None or orders is None or customers.prepared is None or orders.prepared is None:
        return None
    ids = orders.prepared.codes.get("customer_id")
    return _match(customers.key, str(customers.mapping), orders.key, str(orders.mapping), customers.prepared.frame,
                  orders.prepared.frame["customer_id"] if ids is None else ids.values)


@st.cache_resource(scope="session", max_entries=1, show_spinner=False)  # one pair of uploads at a time
def _match(customers_key: str, customers_mapping: str, orders_key: str, orders_mapping: str, _customers: pd.DataFrame,
           _ids) -> CustomersSheetMatch:
    """How the customers sheet ``customers_key`` meets the customers of the orders ``orders_key`` (their distinct
    ids, the codes' values when prepared), kept for this session by Streamlit."""
    return customer_attributes(_customers, pd.Series(pd.unique(pd.Series(_ids))))[1]


# --- subscription hint ------------------------------------------------------------------------------------------


def subscription_hint(s: Settings) -> None:
    """When most repeat customers of the uploaded transactions buy at regular monthly intervals, suggest the
    monthly period and the contractual view (sBG) and say why; a button switches the period to months."""
    rhythm = _rhythm()
    if rhythm is None or not rhythm.looks_like_subscriptions:
        return
    with st.container(border=True, key="data_subscription_hint"):
        st.markdown(s.t("data_subscription_hint", share=format_percent(rhythm.share, s.lang, 0)))
        if s.period != "month":
            st.button(s.t("data_subscription_use_month"), key="data_use_month", icon=":material/calendar_month:",
                      on_click=_use_month)


def _rhythm() -> PurchaseRhythm | None:
    """The purchase rhythm of the prepared transactions, worked out once per upload and mapping (None without)."""
    entry = _uploads().get("transactions")
    if entry is None or entry.prepared is None:
        return None
    codes = entry.prepared.codes.get("customer_id")
    return _purchase_rhythm(entry.key, str(entry.mapping), entry.prepared.frame, None if codes is None else codes.codes)


@st.cache_resource(scope="session", max_entries=1, show_spinner=False)  # one upload of transactions at a time
def _purchase_rhythm(upload_key: str, mapping: str, _frame: pd.DataFrame, _codes) -> PurchaseRhythm:
    """:func:`purchase_rhythm` of the prepared transactions ``_frame`` (the upload ``upload_key`` under ``mapping``),
    kept for this session by Streamlit."""
    return purchase_rhythm(_frame, _codes)


def _use_month() -> None:
    """The hint's button: the sidebar's period becomes "month" (and the link says so)."""
    st.session_state[keys.PERIOD] = "month"
    url_sync.setting_changed(keys.PERIOD)
