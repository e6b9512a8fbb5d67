"""What keeps the uploads from being used, and the *Use my data* section that says so.

A sheet cannot be used while its mapping leaves a required field empty, is not applied, or keeps no row
(:func:`blocking`); its tab says why in full with how to fix it (:func:`blocking_message`), the section beside the
button in short (:func:`blockers`), and the button stays disabled until none is left.
"""

from __future__ import annotations

import streamlit as st

from dashboard import errors, shown_data, widgets
from dashboard.sidebar import Settings
from dashboard.upload_hints import subscription_hint
from dashboard.upload_session import Upload, dataset, entries, shown_mapping, uploaded
from retention_core.ingest import SHEETS
from retention_views import text_keys
from retention_views.formats import format_number

_TOP_REASONS = 3


def blocking(kind: str, entry: Upload) -> list[tuple[str, dict]]:
    """Why the sheet ``kind`` cannot be put into use, as (text key, parameters) pairs: each required field its
    mapping leaves empty, a mapping not applied, or no row kept (with the rejected rows and their main reasons).
    Empty when it can be used."""
    if entry.prepared is None:
        mapping = shown_mapping(kind, entry)
        missing = [name for name in SHEETS[kind].required if name not in mapping]
        if not missing:
            return [("data_mapping_not_applied", {})]
        return [("data_field_missing", {"field": name}) for name in missing]
    found = [("data_field_missing", {"field": problem.params["column"]})
                for problem in entry.prepared.problems if problem.key == "data_missing_column"]
    found += [("data_no_purchases_kept", {"field": problem.params["column"]})
                 for problem in entry.prepared.problems if problem.key == "data_no_purchases"]
    if entry.prepared.frame.empty:
        problems = [problem for problem in (*entry.loaded.problems, *entry.prepared.problems)
                    if problem.severity == "warning" and problem.key in text_keys.REJECTED_REASON]
        reasons = sorted(problems, key=lambda problem: -int(problem.params.get("rows", 0)))[:_TOP_REASONS]
        found.append(("data_no_rows_kept", {"rejected": len(entry.rejected_rows()), "reasons": reasons}))
    return found


def blocking_message(kind: str, entry: Upload, key: str, params: dict, s: Settings) -> str:
    """One reason of :func:`blocking` in the user's language: fields by their label, the file's columns by the
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


#: The short form of each reason of :func:`blocking`, for the summary beside the button (all take {sheet} and
#: {field}); the tab of the sheet says it in full, with how to fix it.
_SHORT = {"data_field_missing": "error_sheet_field_missing", "data_mapping_not_applied": "error_sheet_not_applied",
          "data_no_rows_kept": "error_sheet_no_rows", "data_no_purchases_kept": "error_sheet_no_purchases"}


def blockers(s: Settings) -> list[str]:
    """Why the uploads cannot be put into use, one short reason per problem in the order of the tabs (empty when
    they can): ``Transaktionen ohne das Pflichtfeld „Bestelldatum“``."""
    return [s.t(_SHORT[key], sheet=s.t(text_keys.SHEET[kind]),
                field=s.t(text_keys.COLUMN[params.get("field", "amount")]))
            for kind, entry in sorted(entries().items(), key=lambda item: list(SHEETS).index(item[0]))
            for key, params in blocking(kind, entry)]


def use_uploads() -> None:
    """``on_click`` of *Use my data*: the uploads become the session's data, unless one of them cannot be used
    (the button is disabled then; this guards a click that raced a change)."""
    if uploaded("transactions") and not any(blocking(kind, entry) for kind, entry in entries().items()):
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
