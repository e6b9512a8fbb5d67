"""A scenario in the URL: each parameter's text becomes a typed value within its bounds, or is rejected by name."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from retention_views.url_params import (
    PARAMS,
    ParamError,
    check_value,
    format_value,
    narrowed,
    parse_query,
    parse_value,
    to_query,
)


def test_a_margin_in_the_link_is_a_fraction_not_a_percent():
    assert parse_value(PARAMS["clv_gross_margin"], "0.35") == 0.35


def test_fractions_are_rounded_to_the_precision_the_slider_shows():
    # The discount slider moves in 0.5 % steps: 0.08249 is shown as 8.2 %, i.e. 0.082.
    assert parse_value(PARAMS["clv_discount_rate"], "0.08249") == 0.082


@pytest.mark.parametrize(("key", "text", "message"), [
    ("clv_gross_margin", "35%", "is not a number"),
    ("clv_gross_margin", "1.5", "above the highest allowed value 1"),
    ("cost_change_team", "-0.6", "below the lowest allowed value -0.5"),
    ("clv_discount_rate", "nan", "not a finite number"),
    ("clv_cac", "inf", "not a finite number"),
    ("clv_cac", "1e300", "above the highest allowed value 1000000000"),
    ("clv_horizon", "2.5", "not a whole number"),
    ("clv_horizon", "21", "above the highest allowed value 20"),
    ("cost_typed_active", "0", "below the lowest allowed value 1"),
    ("app_lang", "fr", "'fr' is not one of de, en"),
    ("app_period", "QUARTER", "is not one of month, quarter, year"),
    ("app_activity_months", "7", "is not one of 3, 6, 12"),
    ("overview_period", "2024-13-01", "is not a date like 2024-07-01"),
    ("overview_period", "<script>", "is not a date"),
    ("profit_tenure", "1:10,1:20", "customer year 1 is given twice"),
    ("profit_tenure", "0:10", "customer year 0 is not between 1 and 50"),
    ("profit_tenure", "1=10", "is not a pair like 3:40"),
    ("profit_tenure", "2:abc", "'abc' is not a number"),
    ("loyalty_cli_recommend", "", "is empty"),
    ("loyalty_cli_recommend", "9" * 201, "longer than 200 characters"),
])
def test_invalid_text_is_rejected_naming_the_parameter_and_the_problem(key, text, message):
    with pytest.raises(ParamError, match=f"^{key}: .*{message}") as caught:
        parse_value(PARAMS[key], text)
    assert caught.value.key == key


def test_choices_are_read_from_their_text():
    assert parse_value(PARAMS["app_activity_months"], "6") == 6
    assert parse_value(PARAMS["profit_horizon"], "none") is None
    assert parse_value(PARAMS["profit_horizon"], "10") == 10
    assert parse_value(PARAMS["overview_period"], "2024-07-01") == pd.Timestamp("2024-07-01")


def test_edited_profits_are_year_profit_pairs():
    assert parse_value(PARAMS["profit_tenure"], "1:12.5,3:-4") == {1: 12.5, 3: -4.0}


def test_the_data_can_narrow_a_range_but_never_widen_it():
    uplift = narrowed(PARAMS["profit_uplift"], high=0.02)  # 97 % retention leaves 2 points to 99 %
    assert check_value(uplift, 0.02) == 0.02
    with pytest.raises(ParamError, match="above the highest allowed value 0.02"):
        check_value(uplift, 0.03)
    assert narrowed(PARAMS["profit_uplift"], high=0.5).high == 0.10


def test_a_period_must_be_one_of_the_data():
    spec = narrowed(PARAMS["overview_period"], options=(pd.Timestamp("2024-04-01"), pd.Timestamp("2024-07-01")))
    assert check_value(spec, pd.Timestamp("2024-07-01")) == pd.Timestamp("2024-07-01")
    with pytest.raises(ParamError, match="2024-10-01 is not a period of the data"):
        check_value(spec, pd.Timestamp("2024-10-01"))


def test_booleans_are_not_numbers():
    with pytest.raises(ParamError, match="True is not a number"):
        check_value(PARAMS["clv_cac"], True)


def test_a_tampered_link_keeps_the_valid_values_and_names_the_rest():
    parsed = parse_query({"clv_gross_margin": "0.4", "clv_horizon": "banana", "app_lang": "xx",
                          "profit_uplift": ["0.01", "0.03"], "utm_source": "newsletter", "embed": "true"})
    assert parsed.values == {"clv_gross_margin": 0.4, "profit_uplift": 0.03}  # a repeated key counts last
    assert parsed.rejected == ("clv_horizon", "app_lang")  # unknown keys are not part of a scenario


def test_the_clv_pages_annual_inputs_read_their_own_keys():
    # retention per year and retention cost per customer-year; 0 is a valid retention (customers never return)
    assert parse_value(PARAMS["clv_annual_retention"], "0") == 0.0
    assert parse_value(PARAMS["clv_annual_retention"], "0.584") == 0.584
    assert parse_value(PARAMS["clv_retention_cost_year"], "17.5") == 17.5
    with pytest.raises(ParamError, match="above the highest allowed value 0.99"):
        parse_value(PARAMS["clv_annual_retention"], "1")


def test_an_old_links_per_period_retention_and_cost_are_set_aside_by_name():
    # their meaning changed from per period to per year: a quarterly 0.72 must never pass for an annual 72 %
    parsed = parse_query({"clv_retention_rate": "0", "clv_retention_cost": "8.74", "clv_gross_margin": "0.4"})
    assert parsed.values == {"clv_gross_margin": 0.4}
    assert parsed.rejected == ("clv_retention_rate", "clv_retention_cost")


def test_every_value_written_to_the_url_reads_back_the_same():
    values = {"app_lang": "en", "app_activity_months": 6, "overview_period": pd.Timestamp("2024-07-01"),
              "cost_change_team": -0.25, "cost_typed_active": 700, "clv_discount_rate": 0.085,
              "clv_cac": 1234.56, "clv_annual_retention": 0.585, "profit_horizon": None, "profit_tenure": {3: 40.0, 1: 12.5},
              "loyalty_cli_try_new": 6.5}
    query = to_query(values)
    assert query["profit_tenure"] == "1:12.5,3:40"
    assert query["profit_horizon"] == "none"
    assert query["cost_typed_active"] == "700"
    assert parse_query(query).values == values
    assert format_value(PARAMS["clv_cac"], 100.0) == "100"


@pytest.mark.parametrize("key", ["cost_typed_active", "clv_horizon", "cohort_project_periods"])
@pytest.mark.parametrize("text", ["+-5", "-+5", "++5", "²", "１２", "٣", "1_0", "0x10"])
def test_whole_numbers_are_ascii_digits_with_one_sign_and_anything_else_is_refused(key, text):
    # +-5 crashed int() in the frame before (issue 24); fullwidth and other Unicode digits are not link text
    with pytest.raises(ParamError, match=f"^{key}: .* is not a whole number"):
        parse_value(PARAMS[key], text)
    assert parse_query({key: text}).rejected == (key,)


@pytest.mark.parametrize(("key", "text", "message"), [
    ("clv_gross_margin", "+-0.5", "is not a number"),
    ("clv_gross_margin", "٠.5", "is not a number"),
    ("clv_cac", "1_000", "is not a number"),
    ("clv_cac", "-Infinity", "not a finite number"),
    ("clv_cac", "1e5000", "not a finite number"),
    ("profit_tenure", "²:5", "is not a pair like 3:40"),
    ("overview_period", "2024-7-1", "is not a date like 2024-07-01"),
    ("overview_period", "２０２４-07-01", "is not a date like 2024-07-01"),
])
def test_numbers_and_dates_are_read_only_in_their_ascii_notation(key, text, message):
    with pytest.raises(ParamError, match=f"^{key}: .*{message}"):
        parse_value(PARAMS[key], text)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(sorted(PARAMS)), text=st.text(max_size=40) | st.from_regex(
    r"[+\-]{0,3}[0-9²٣.:,eE_ ]{0,12}", fullmatch=True))
@example(key="cost_typed_active", text="+-5")
@example(key="profit_tenure", text="1:2,²:3")
def test_any_text_for_any_parameter_is_a_value_or_a_param_error_never_another_exception(key, text):
    spec = PARAMS[key]
    try:
        value = parse_value(spec, text)
    except ParamError as error:
        assert error.key == key
        assert parse_query({key: text}).rejected == (key,)
        return
    assert check_value(spec, value) == value  # what is accepted is within the spec
    assert parse_value(spec, format_value(spec, value)) == value  # and reads back the same from the URL
    assert parse_query({key: text}).values == {key: value}


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(PARAMS)) | st.text(max_size=10),
                       st.text(max_size=30) | st.lists(st.text(max_size=10), max_size=3), max_size=12))
def test_parse_query_never_raises_and_splits_the_known_keys_into_accepted_and_rejected(params):
    parsed = parse_query(params)
    known = {key for key in params if key in PARAMS}
    assert set(parsed.values) | set(parsed.rejected) == known
    assert not set(parsed.values) & set(parsed.rejected)


# --- free text: a segment's name ------------------------------------------------------------------------------------


def test_a_segment_s_name_is_read_as_written_and_reads_back_the_same():
    spec = PARAMS["segments_segment"]
    for name in ("Kaffee-Abo", "Gutschein 25 €", " Filiale Süd ", "~other", "~~web", "<b>x</b> & *y* [z](q)"):
        assert parse_value(spec, name) == name
        assert parse_query(to_query({"segments_segment": name})).values == {"segments_segment": name}


@pytest.mark.parametrize(("text", "message"), [
    ("", "is empty"),
    ("   ", "is empty"),
    ("x" * 201, "longer than 200 characters"),
    ("Kaffee\nAbo", "holds a control character"),
    ("\x1b[31mred", "holds a control character"),
    ("nul\x00", "holds a control character"),
])
def test_free_text_is_refused_when_blank_too_long_or_with_control_characters(text, message):
    with pytest.raises(ParamError, match=f"^segments_segment: .*{message}"):
        parse_value(PARAMS["segments_segment"], text)
    assert parse_query({"segments_segment": text}).rejected == ("segments_segment",)


def test_free_text_is_text_and_never_a_number():
    with pytest.raises(ParamError, match="^segments_segment: 12 is not text"):
        check_value(PARAMS["segments_segment"], 12)
