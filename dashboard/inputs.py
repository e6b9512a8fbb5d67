"""The what-if inputs of the pages, bound to the scenario: sliders, number fields and choices.

Each widget shows the scenario's value for its key (the user's, a link's, a loaded one) or else the data's default
(:func:`plan`), writes a change back to the scenario (:mod:`dashboard.url_sync`, which mirrors it to the URL) and
returns the typed value: fractions as fractions although the widget shows percent, numbers read as the language
writes them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import keys, shown_data, url_sync
from dashboard.sidebar import Settings
from retention_core.dataset import Aggregates
from retention_views import text_keys, url_params, whatif
from retention_views.formats import format_money, format_number, format_percent, parse_number
from retention_views.page_results import Assumptions
from retention_views.texts import t
from retention_views.url_params import PARAMS, ParamSpec


def plan(s: Settings) -> whatif.Resolved:
    """The scenario completed with the shown data's defaults; values the data cannot take are dropped and named."""
    facts = shown_data.facts_for(s.period, s.activity_months)
    resolved = whatif.resolve(facts, whatif.what_if_values(url_sync.scenario()))
    if resolved.rejected:
        url_sync.reject(resolved.rejected)
        resolved = whatif.resolve(facts, whatif.what_if_values(url_sync.scenario()))
    url_sync.notice(s)
    return resolved


_NO_CHOICE = "none"
"""How a choice widget holds the option None (e.g. an unlimited horizon), and a slider a value that is not known
(annual retention with less than two years of orders, shown as "—"): Streamlit reads None as "nothing chosen" and
would show its placeholder instead of the option."""
NOT_SET = "—"
"""How a slider position or an empty field for an unknown value reads."""


def _to_widget(spec: ParamSpec, value: object) -> object:
    """A typed value as its widget holds it: fractions in percent, whole numbers as int, None as a text option."""
    if value is None:
        return _NO_CHOICE
    if spec.kind == "fraction":
        return round(float(value) * 100, max(_percent(spec), MEASURED_PERCENT_DECIMALS))
    if spec.kind == "integer":
        return int(value)
    if spec.kind == "number":
        return float(value)
    return value


def _from_widget(spec: ParamSpec, value: object) -> object:
    """What a widget holds as a typed value: percent back to a fraction at the step's precision."""
    if value == _NO_CHOICE and (spec.kind != "choice" or None in spec.options):
        return None
    if spec.kind == "fraction":
        return round(float(value) / 100, max(url_params.step_decimals(spec.step), MEASURED_PERCENT_DECIMALS + 2))
    return _to_widget(spec, value)


def marked(plan: whatif.Resolved, key: str, label: str, lang: str) -> str:
    """``label`` with the input's "gemessen / angenommen / Ihr Wert" marker (:func:`whatif.input_source`)."""
    source = whatif.input_source(plan, key, url_sync.scenario())
    if source is None:
        return label
    return t("input_marked", lang, label=label, source=t(text_keys.INPUT_SOURCE[source], lang))


Reruns = tuple[str, ...] | Callable[[], tuple[str, ...]]
"""The fragments a scenario widget's change reruns (:func:`_changed`): their keys, or a function asked at the
change (a block that only sometimes shows what the value moves: a list while it is open)."""


def _changed(key: str, default: object, reruns: Reruns = ()) -> None:
    """``on_change`` of every scenario widget: the user's value joins the scenario, or leaves it at the default.

    A widget inside a fragment reruns that fragment alone; ``reruns`` names the fragments (``@st.fragment(key=...)``)
    to rerun instead, when the value also feeds blocks outside the widget's own fragment; given as a function, it
    is asked now (none named: the widget's own fragment alone, one script run).
    """
    url_sync.remember(key, _from_widget(PARAMS[key], st.session_state[key]), default)
    if callable(reruns):
        reruns = reruns()
    if reruns:
        st.rerun(list(reruns))


def _shown(plan: whatif.Resolved, key: str) -> object:
    """The value a widget for ``key`` shows: the scenario's (the user's, a link's, a loaded one), else the default."""
    return plan.values[key] if key in url_sync.scenario() else plan.defaults[key]


def _bind(plan: whatif.Resolved, key: str, labelled_choices: bool = False, reruns: Reruns = ()) -> dict:
    """Widget arguments that tie ``key`` to the scenario, after giving the widget its value for this run.

    The value is the scenario's (the user's, a link's or a loaded scenario's) or else the default, which may move
    with the data (the active customers of another period). A number widget gets it only when it holds something
    else, so a value set here never overwrites a widget the user is still moving. A choice widget whose option
    labels follow the language (``labelled_choices``) also gets it on the run that changed the language: Streamlit
    matches a choice by its label and would otherwise fall back to the first option. User changes arrive through
    ``on_change`` before the run, so the scenario already holds them; ``reruns`` as in :func:`_changed`.
    """
    value = _to_widget(plan.specs[key], _shown(plan, key))
    relabelled = labelled_choices and st.session_state.get(keys.LANG_CHANGED, False)
    # a key shown on two pages (the margin on "CLV & gap" and "Segments") is two widgets to Streamlit: the other
    # page's widget state does not carry over, so the value is set again on the first run of another page
    bound_on = st.session_state.setdefault(keys.BOUND_ON_PAGE, {})
    page = st.session_state.get(keys.PAGE)
    moved = bound_on.get(key) != page
    bound_on[key] = page
    if relabelled or moved or key not in st.session_state or st.session_state[key] != value:
        st.session_state[key] = value
    return {"key": key, "on_change": _changed, "args": (key, plan.defaults[key], reruns)}


MEASURED_PERCENT_DECIMALS = 2
"""Decimals of the percent a fraction widget holds at least: the slider steps by its spec, but a measured default
between the steps (annual retention 58.36 %) is kept as measured, so the numbers it gives are those a consultant
recomputes by hand from the upload."""


def _percent(spec: ParamSpec) -> int:
    """Decimals of the percent a fraction slider shows: step 0.005 -> 0.5 % -> 1 decimal."""
    return max(0, url_params.step_decimals(spec.step) - 2)


def _settle(plan: whatif.Resolved, key: str, raw: object) -> object:
    """The widget's value as a typed value; a value the user set stays in the scenario and the URL."""
    value = _from_widget(plan.specs[key], raw)
    if key in url_sync.scenario():
        url_sync.scenario()[key] = value
    url_sync.mirror(key)
    return value


def percent_slider(plan: whatif.Resolved, key: str, label: str, container=st, help: str | None = None, *,
                   lang: str, reruns: Reruns = ()) -> float:
    """A slider for the fraction ``key``, its values in percent as the language writes them (``12,5 %``).

    Range, step and default come from ``plan``. A key whose value may be unknown (a default of None) gets a first
    position "—" for it; the slider returns None there. ``reruns``: the fragments a change reruns
    (:func:`_changed`)."""
    shown_as = functools.partial(_percent_label, lang=lang, digits=_percent(plan.specs[key]))
    return _stepped_slider(plan, key, marked(plan, key, label, lang), container, help, shown_as, reruns)


def decimal_slider(plan: whatif.Resolved, key: str, label: str, container=st, help: str | None = None, *,
                   lang: str, reruns: Reruns = ()) -> float:
    """A slider for the number ``key`` with the decimals of its step, in the language's notation (``7,5``)."""
    shown_as = functools.partial(_number_label, lang=lang, digits=url_params.step_decimals(plan.specs[key].step))
    return _stepped_slider(plan, key, marked(plan, key, label, lang), container, help, shown_as, reruns)


# a page's sliders label a few hundred steps on every rerun; bounded, and labels are the same for every user
@functools.lru_cache(maxsize=4096)
def _percent_label(shown: float | str, lang: str, digits: int) -> str:
    if shown == _NO_CHOICE:
        return NOT_SET
    return format_percent(shown / 100, lang, digits if round(shown, digits) == shown else MEASURED_PERCENT_DECIMALS)


@functools.lru_cache(maxsize=4096)
def _number_label(shown: float | str, lang: str, digits: int) -> str:
    return NOT_SET if shown == _NO_CHOICE else format_number(shown, lang, digits)


def _stepped_slider(plan: whatif.Resolved, key: str, label: str, container, help: str | None,
                    format_shown: Callable[[float], str], reruns: Reruns = ()) -> object:
    """A select slider over the steps of ``key``'s spec, each value labelled by ``format_shown``.

    Streamlit's number slider labels its values printf-style, always with a decimal point; a select slider shows
    the labels given, so the numbers read as everywhere else on the page. Between the steps it also offers the
    default and the current value where those fall there (a retention rate measured in the data, a link's value).
    """
    spec = plan.specs[key]
    bound = _bind(plan, key, reruns=reruns)
    options = _steps(spec, st.session_state[key], _to_widget(spec, plan.defaults[key]))
    value = container.select_slider(label, options=options, format_func=format_shown, help=help, **bound)
    return _settle(plan, key, value)


def _steps(spec: ParamSpec, *between: float | str) -> list[float | str]:
    """The widget values from ``spec.low`` to ``spec.high`` by ``spec.step`` and the widget values ``between``, in
    order; all at the widget's precision, so a value given that equals a step is one option. When one of
    ``between`` is the unknown value, its position "—" comes first."""
    numbers = sorted(_grid(spec).union(value for value in between if value != _NO_CHOICE))
    return [_NO_CHOICE, *numbers] if _NO_CHOICE in between else numbers


@functools.lru_cache(maxsize=len(PARAMS))
def _grid(spec: ParamSpec) -> frozenset[float]:
    """The widget values from ``spec.low`` to ``spec.high`` by ``spec.step``, worked out once per spec (a few
    hundred roundings a slider, on every rerun otherwise)."""
    count = round((spec.high - spec.low) / spec.step)
    return frozenset(_to_widget(spec, url_params.snap(spec, spec.low + index * spec.step))
                     for index in range(count + 1))


def slider(plan: whatif.Resolved, key: str, label: str, container=st, help: str | None = None, *,
           reruns: Reruns = ()) -> int:
    """A slider for the whole number ``key``; ``reruns``: the fragments a change reruns (:func:`_changed`)."""
    spec = plan.specs[key]
    if spec.kind != "integer":
        raise ValueError(f"slider is for whole numbers; {key} is a {spec.kind}, use percent_slider or decimal_slider")
    value = container.slider(label, int(spec.low), int(spec.high), step=int(spec.step or 1), help=help,
                             **_bind(plan, key, reruns=reruns))
    return _settle(plan, key, value)


def number_input(plan: whatif.Resolved, key: str, label: str, container=st, help: str | None = None, *,
                 lang: str, placeholder: str | None = None) -> float | int | None:
    """A text field for the money or count ``key``, read and written as the language writes numbers.

    Streamlit's number field reads only a decimal point: a German "2.500" (two thousand five hundred) becomes 2.5
    there. This field shows ``5.000,00`` / ``5,000.00`` (counts without decimals) and reads what is typed with
    :func:`formats.parse_number`. A text that is not a number, or not one in the spec's range, stays in the field with a
    message under it saying what is wrong and how to write it, and the last good value keeps counting. An emptied
    field goes back to the default. A value that is not known (a default of None: nothing measured, nothing typed)
    leaves the field empty with ``placeholder`` in it, and the field returns None.
    """
    value = _shown(plan, key)
    default = plan.defaults[key]
    _number_field(key, plan.specs[key], value, default, marked(plan, key, label, lang), container, help, lang,
                  lambda typed: url_sync.remember(key, typed, default), placeholder)
    url_sync.mirror(key)
    return value


def _number_field(key: str, spec: ParamSpec, value: float | None, default: float | None, label: str, container,
                  help: str | None, lang: str, keep: Callable[[float | None], None],
                  placeholder: str | None = None) -> None:
    """A text field (widget ``key``) showing ``value`` (empty for None); a good number typed into it (``default``
    for an empty field) is handed to ``keep``."""
    errors = st.session_state.setdefault(keys.NUMBER_ERRORS, {})
    # the field shows the value in this run's language; a refused text stays until it is fixed (also when another
    # page was shown meanwhile and Streamlit dropped the field's state)
    text = errors[key][1]["text"] if key in errors else _number_text(spec, value, lang)
    if st.session_state.get(key) != text:
        st.session_state[key] = text
    container.text_input(label, key=key, help=help, on_change=_number_typed, placeholder=placeholder,
                         args=(key, spec, value, default, lang, keep))
    if key in errors:
        message, params = errors[key]
        shown = {name: _number_text(spec, number, lang) or NOT_SET for name, number in params.items()
                 if name != "text"}
        container.error(t(message, lang, text=params["text"], **shown), icon=":material/error:")


def _number_text(spec: ParamSpec, value: float | None, lang: str) -> str:
    """The field's text for ``value``: the language's number format, empty for an unknown value."""
    if value is None:
        return ""
    return format_number(value, lang, 0 if spec.kind == "integer" else 2)


def _number_typed(key: str, spec: ParamSpec, kept: float, default: float, lang: str,
                  keep: Callable[[float], None]) -> None:
    """``on_change`` of a number field: a number in range is kept, anything else stays with its reason."""
    errors = st.session_state.setdefault(keys.NUMBER_ERRORS, {})
    text = st.session_state[key]
    if not text.strip():
        errors.pop(key, None)
        keep(default)
        return
    try:
        number = parse_number(text, lang)
    except ValueError:
        example = 2500 if spec.kind == "integer" else 2500.5
        errors[key] = ("number_unreadable", {"text": text, "example": example, "kept": kept})
        return
    if spec.kind == "integer" and number != int(number):
        errors[key] = ("number_not_whole", {"text": text, "example": round(number), "kept": kept})
        return
    try:
        value = url_params.check_value(spec, int(number) if spec.kind == "integer" else number)
    except url_params.ParamError:
        errors[key] = ("number_out_of_range", {"text": text, "low": spec.low, "high": spec.high, "kept": kept})
        return
    errors.pop(key, None)
    keep(value)


def choice(plan: whatif.Resolved, key: str, label: str, widget: str, container=st, *,
           reruns: Reruns = (), **options):
    """A choice widget (``"selectbox"``, ``"segmented_control"`` or ``"select_slider"``) for ``key``; ``reruns``:
    the fragments a change reruns (:func:`_changed`)."""
    spec = plan.specs[key]
    choices = [_to_widget(spec, option) for option in spec.options]
    if "format_func" in options:  # the page formats typed values, not the widget's stand-ins
        format_value = options.pop("format_func")
        options["format_func"] = lambda shown: format_value(_from_widget(spec, shown))
    bound = _bind(plan, key, labelled_choices=True, reruns=reruns)
    if widget == "selectbox":
        value = container.selectbox(label, choices, **bound, **options)
    elif widget == "segmented_control":
        value = container.segmented_control(label, choices, required=True, **bound, **options)
    else:
        value = container.select_slider(label, options=choices, **bound, **options)
    return _settle(plan, key, value)


def profits_fields(plan: whatif.Resolved, aggs: Aggregates, gross_margin: float, container=st, *, lang: str,
                   currency: str) -> pd.DataFrame:
    """One number field per customer year for the profit, its revenue in the label; returns the profit table.

    A profit starts as revenue × ``gross_margin``; only the profits a user overwrote go into the scenario and the
    URL (``profit_tenure``). The fields read numbers as :func:`number_input` does. Each field's marker: "Ihr Wert"
    for a profit the user overwrote, else the gross margin's (the revenue is measured; the margin decides whether
    the profit is measured or assumed).
    """
    table = whatif.profits_table(aggs, gross_margin, plan.values["profit_tenure"])
    defaults = whatif.profits_table(aggs, gross_margin, {})["profit"]
    year_spec = replace(PARAMS["profit_tenure"], kind="number")  # one year's profit: money within the table's bounds
    for row, default in zip(table.itertuples(index=False), defaults, strict=True):
        year = int(row.tenure)
        label = t("profit_year_field", lang, year=year,
                  revenue=format_money(row.revenue_per_customer, lang, currency))
        label = _profit_marked(plan, year, label, lang)
        _number_field(f"profit_tenure_{year}", year_spec, row.profit, default, label, container, None, lang,
                      functools.partial(_profit_typed, year, aggs, gross_margin))
    url_sync.mirror("profit_tenure")
    return table


def _profit_marked(plan: whatif.Resolved, year: int, label: str, lang: str) -> str:
    """A customer year's profit field label with its marker: "Ihr Wert" when overwritten, else the gross margin's."""
    if year in plan.values["profit_tenure"]:
        return t("input_marked", lang, label=label, source=t(text_keys.INPUT_SOURCE["yours"], lang))
    return marked(plan, "clv_gross_margin", label, lang)


def _profit_typed(year: int, aggs: Aggregates, gross_margin: float, profit: float) -> None:
    """A profit typed for customer ``year``: the scenario keeps the profits that differ from revenue × margin."""
    typed = {**url_sync.scenario().get("profit_tenure", {}), year: profit}
    table = whatif.profits_table(aggs, gross_margin, typed)
    url_sync.remember("profit_tenure", whatif.edited_profits(table, aggs, gross_margin), {})


def assumptions(plan: whatif.Resolved) -> Assumptions:
    """Gross margin and discount rate of the scenario (the CLV page's sliders), for the other pages."""
    return Assumptions(gross_margin=plan.values["clv_gross_margin"],
                       annual_discount_rate=plan.values["clv_discount_rate"])
