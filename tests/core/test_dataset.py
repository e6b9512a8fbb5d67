"""aggregate(): the same small tables however they are reached (reused parts, customer codes, a given fit), and a
progress report of every step it runs."""

from __future__ import annotations

import dataclasses
import re
from unittest.mock import ANY

import pandas as pd
import pytest

from retention_core import coded_orders, queries
from retention_core import dataset as dataset_module
from retention_core.dataset import AGGREGATE_STEPS, Aggregates, aggregate
from retention_core.ingest.prepare import TextCodes
from retention_views.texts import LANGUAGES, problem_text, t

FRAMES = ("activity", "cohorts", "tenure", "customers", "costs", "cost_items", "acquisition", "nps")


@pytest.fixture(scope="module")
def sample(sample_dataset):
    return sample_dataset  # conftest.py: loaded once per test run


@pytest.fixture(scope="module")
def quarterly(sample_quarterly) -> Aggregates:
    return sample_quarterly


def assert_same_aggregates(left: Aggregates, right: Aggregates) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), obj=name)
    assert (left.period, left.activity_months, left.gross_margin, left.sheets) == (
        right.period, right.activity_months, right.gross_margin, right.sheets)
    pd.testing.assert_frame_equal(left.predictive.summary, right.predictive.summary, obj="predictive.summary")
    # DuckDB sums in parallel, so spends may differ in the last bits and the fits by as little
    for fit in ("bg_nbd", "gamma_gamma"):
        left_fit, right_fit = getattr(left.predictive, fit), getattr(right.predictive, fit)
        parameters = [name for name in ("r", "alpha", "a", "b", "p", "q", "gamma") if hasattr(left_fit, name)]
        assert [getattr(left_fit, name) for name in parameters] == pytest.approx(
            [getattr(right_fit, name) for name in parameters], rel=1e-6)
    pd.testing.assert_frame_equal(left.predictive.holdout, right.predictive.holdout, obj="predictive.holdout")
    for field in dataclasses.fields(left.basis):  # the annual basis of customer value, sums of the customer table
        value, other = getattr(left.basis, field.name), getattr(right.basis, field.name)
        assert value == (pytest.approx(other, rel=1e-12) if isinstance(value, float) else other), field.name


@pytest.mark.slow
def test_progress_names_every_step_in_order_then_done(sample):
    calls = []
    aggregate(sample, "month", 3, progress=lambda step, done, total: calls.append((step, done, total)))
    steps = ["prepare", "activity", "cohorts", "costs", "acquisition", "nps", "tenure", "customers", "segments",
             "predictive"]
    assert calls == [(step, index, 10) for index, step in enumerate(steps)] + [("done", 10, 10)]
    assert tuple(steps) == AGGREGATE_STEPS


@pytest.mark.slow
def test_progress_leaves_out_reused_steps_and_missing_sheets(sample, quarterly):
    calls = []
    transactions_only = dataclasses.replace(sample, retention_costs=None, acquisition=None, nps=None, customers=None)
    aggregate(transactions_only, "year", 12, reuse=quarterly, progress=lambda *call: calls.append(call))
    assert calls == [("prepare", 0, 3), ("activity", 1, 3), ("cohorts", 2, 3), ("done", 3, 3)]


@pytest.mark.parametrize("step", AGGREGATE_STEPS + ("done",))
def test_every_progress_step_has_a_text_in_both_languages(step):
    assert all(t(f"aggregate_step_{step}", lang) for lang in LANGUAGES)


@pytest.mark.slow
def test_reusing_another_periods_aggregates_gives_the_same_result(sample, quarterly):
    monthly = aggregate(sample, "month", 6)
    reused = aggregate(sample, "month", 6, reuse=quarterly)
    assert_same_aggregates(reused, monthly)
    assert reused.predictive is quarterly.predictive  # fitted once per data set, not once per period


@pytest.mark.slow
def test_a_given_predictive_fit_is_used_as_it_is(sample, quarterly):
    again = aggregate(sample, "quarter", 12, predictive=quarterly.predictive)
    assert again.predictive is quarterly.predictive
    assert_same_aggregates(again, quarterly)


def test_without_fits_the_predictive_step_is_left_out_and_nothing_else(sample, quarterly, monkeypatch):
    monkeypatch.setattr(dataset_module, "fit_predictive_models",
                        lambda *args, **kwargs: pytest.fail("fitted the models"))
    calls = []
    unfitted = aggregate(sample, "quarter", 12, fit_models=False, progress=lambda *call: calls.append(call))
    assert unfitted.predictive is None
    assert [step for step, *_ in calls] == [*AGGREGATE_STEPS[:-1], "done"]
    assert_same_aggregates(dataclasses.replace(unfitted, predictive=quarterly.predictive), quarterly)


@pytest.mark.slow
def test_the_fits_made_later_are_the_ones_aggregate_makes(sample, quarterly):
    assert_same_aggregates(dataclasses.replace(aggregate(sample, "quarter", 12, fit_models=False),
                                               predictive=dataset_module.predictive_models(sample)), quarterly)


@pytest.mark.slow
def test_the_fits_made_later_over_coded_ids_carry_the_ids(sample, quarterly, monkeypatch):
    monkeypatch.setattr(coded_orders, "CODED_IDS_FROM_ROWS", 0)
    later = dataset_module.predictive_models(sample)
    pd.testing.assert_frame_equal(later.summary, quarterly.predictive.summary)
    assert later.bg_nbd.r == pytest.approx(quarterly.predictive.bg_nbd.r, rel=1e-6)


def test_given_fits_are_kept_when_fits_are_not_asked_for(sample, quarterly):
    again = aggregate(sample, "year", 12, reuse=quarterly, fit_models=False)
    assert again.predictive is quarterly.predictive


@pytest.mark.slow
def test_customer_codes_give_the_same_tables_as_the_ids(sample, quarterly, monkeypatch):
    monkeypatch.setattr(coded_orders, "CODED_IDS_FROM_ROWS", 0)
    coded, uniques = coded_orders._customer_codes(sample.transactions)
    assert uniques is not None and coded["customer_id"].dtype == "int32" and coded["product"].dtype == "int16"
    assert_same_aggregates(aggregate(sample, "quarter", 12), quarterly)


@pytest.mark.slow
def test_the_codes_prepare_sheet_found_are_taken_instead_of_coding_again(sample, quarterly, monkeypatch):
    monkeypatch.setattr(coded_orders, "CODED_IDS_FROM_ROWS", 0)
    known = sample.transaction_codes
    assert set(known) == {"customer_id", "product"}
    coded, uniques = coded_orders._customer_codes(sample.transactions, known=known)
    assert (coded["customer_id"].to_numpy() == known["customer_id"].codes).all()
    assert uniques is known["customer_id"].values
    monkeypatch.setattr(TextCodes, "of", lambda column: pytest.fail(f"{column.name} coded again"))
    product_codes = coded_orders._product_codes

    def products_from_known_codes(products, known=None):
        assert known is sample.transaction_codes["product"], "products coded again"
        return product_codes(products, known)

    monkeypatch.setattr(coded_orders, "_product_codes", products_from_known_codes)
    assert_same_aggregates(aggregate(sample, "quarter", 12), quarterly)


@pytest.mark.slow
def test_codes_of_another_frame_are_not_taken(sample, quarterly, monkeypatch):
    monkeypatch.setattr(coded_orders, "CODED_IDS_FROM_ROWS", 0)
    orders = sample.transactions
    shuffled = orders.sample(frac=1.0, random_state=7).reset_index(drop=True)  # same length, other rows
    stale = dataclasses.replace(sample, transactions=shuffled)  # still carries the codes of the sample's order
    assert not stale.transaction_codes["customer_id"].describes(shuffled["customer_id"])
    coded, uniques = coded_orders._customer_codes(shuffled, known=stale.transaction_codes)
    assert (uniques.take(coded["customer_id"].to_numpy()) == shuffled["customer_id"].to_numpy()).all()
    assert_same_aggregates(aggregate(stale, "quarter", 12), aggregate(dataclasses.replace(stale, transaction_codes={}),
                                                                      "quarter", 12))


@pytest.mark.slow
def test_coded_products_count_the_same_distinct_products_with_missing_ones(sample, monkeypatch):
    products = sample.transactions["product"]
    gaps = sample.transactions.assign(product=products.where(products.index % 3 != 0))  # a third missing
    with_gaps = dataclasses.replace(sample, transactions=gaps)
    named = aggregate(with_gaps, "quarter", 12).customers
    monkeypatch.setattr(coded_orders, "CODED_IDS_FROM_ROWS", 0)
    coded = coded_orders._product_codes(gaps["product"])
    assert coded.dtype == "Int16" and coded.isna().sum() == gaps["product"].isna().sum() > 0
    assert coded.max() + 1 == gaps["product"].nunique()
    pd.testing.assert_frame_equal(aggregate(with_gaps, "quarter", 12).customers, named)
    assert named["distinct_products"].sum() < aggregate(sample, "quarter", 12).customers["distinct_products"].sum()


@pytest.mark.slow
def test_customers_summarised_range_by_range_give_the_same_tables(sample, quarterly, monkeypatch):
    monkeypatch.setattr(coded_orders, "CODED_IDS_FROM_ROWS", 0)
    monkeypatch.setattr(coded_orders, "CUSTOMERS_PER_QUERY", 7)
    ranges = []
    summary = queries.customer_summary

    def spy(*args, customer_ranges=((None, None),), **kwargs):
        ranges.extend(customer_ranges)
        return summary(*args, customer_ranges=customer_ranges, **kwargs)

    monkeypatch.setattr(queries, "customer_summary", spy)
    assert_same_aggregates(aggregate(sample, "quarter", 12), quarterly)
    customers = len(quarterly.customers)
    by_range = [(start, start + 7) for start in range(0, customers, 7)]
    assert ranges == [*by_range, (None, None)]  # the last: the holdout check's calibration summary, a sample


@pytest.mark.slow
def test_activity_and_cohorts_are_counted_from_one_pass_over_the_orders(sample, quarterly, monkeypatch):
    tables_read = []
    run_sql = queries.run_sql

    def spy(name, params=None, engine=None, **tables):
        tables_read.append((name, sorted(tables)))
        return run_sql(name, params, engine, **tables)

    monkeypatch.setattr(queries, "run_sql", spy)
    assert_same_aggregates(aggregate(sample, "quarter", 12), quarterly)
    flow_queries = ("customer_period_flows", "period_activity", "cohort_retention")
    assert [read for read in tables_read if read[0] in flow_queries] == [
        ("customer_period_flows", ["transactions"]), ("period_activity", ["flows"]), ("cohort_retention", ["flows"]),
    ]


def test_a_period_switch_leaves_the_products_uncoded(sample, quarterly, monkeypatch):
    # only the customer summary reads products, and a run reusing another period's customers does not run it
    monkeypatch.setattr(coded_orders, "CODED_IDS_FROM_ROWS", 0)
    monkeypatch.setattr(coded_orders, "_product_codes", lambda products: pytest.fail("products were coded"))
    switched = aggregate(sample, "month", 6, reuse=quarterly)
    assert switched.customers is quarterly.customers
    coded, _ = coded_orders._customer_codes(sample.transactions, products=False)
    assert coded["product"].dtype == sample.transactions["product"].dtype


def test_a_data_set_without_a_required_column_or_without_rows_is_refused_with_a_value_error():
    from retention_core.dataset import Dataset, dataset_problems

    def refused(dataset: Dataset, reported: str, text: str) -> None:
        """aggregate raises naming the problem's key and params; the page shows the problem as ``text``."""
        with pytest.raises(ValueError, match=reported):
            aggregate(dataset, "quarter", 12)
        assert [(kind, problem_text(problem, "en")) for kind, problem in dataset_problems(dataset)
                if re.search(text, problem_text(problem, "en"))] == [("transactions", ANY)]

    orders = pd.DataFrame({"customer_id": ["A", "B"], "amount": [10.0, 20.0]})
    missing = r"transactions: data_missing_column \{'column': 'order_date'\}"
    refused(Dataset(transactions=orders, key="no-date"), missing, 'The required column "order_date" is missing')
    empty = pd.DataFrame({"customer_id": pd.Series([], dtype="str"), "order_date": pd.Series([], dtype="datetime64[us]"),
                          "amount": pd.Series([], dtype="float64")})
    refused(Dataset(transactions=empty, key="empty"), r"transactions: data_no_rows \{'rows': 0\}",
            r"No usable rows left \(of 0\)")
    returns = empty.reindex([0, 1]).assign(customer_id=["A", "B"], order_date=pd.Timestamp("2024-01-05"),
                                           amount=[-10.0, -2.0])
    refused(Dataset(transactions=returns, key="returns"), r"transactions: data_no_purchases \{'column': 'amount'\}",
            "Not a single row has a positive amount in “amount”")
    spend_only = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01"])})
    found = dataset_problems(Dataset(transactions=orders.assign(order_date=pd.Timestamp("2024-01-01")),
                                     acquisition=spend_only))
    assert [(kind, item.key, item.params["column"]) for kind, item in found] == [
        ("acquisition", "data_missing_column", "acquisition_spend")]


@pytest.mark.slow
def test_the_samples_whole_business_figures_are_the_same_without_its_customers_sheet(sample, quarterly):
    assert quarterly.customers_sheet.in_orders == 3923 and quarterly.customers_sheet.not_in_orders == 0
    without = aggregate(dataclasses.replace(sample, customers=None), "quarter", 12)
    assert_same_aggregates(without, dataclasses.replace(quarterly, sheets=without.sheets))
    assert quarterly.sheets == (*without.sheets, "customers")
    pd.testing.assert_frame_equal(without.revenue, quarterly.revenue, obj="revenue")


def test_the_first_orders_are_the_same_over_coded_ids_and_made_once(sample, quarterly, monkeypatch):
    monkeypatch.setattr(coded_orders, "CODED_IDS_FROM_ROWS", 0)
    coded = aggregate(sample, "quarter", 12, predictive=quarterly.predictive)
    assert coded.segment_inputs is not quarterly.segment_inputs
    first, reference = coded.first_orders, quarterly.first_orders
    assert coded.first_orders is first  # made on first use, then kept
    pd.testing.assert_frame_equal(first.astype({"first_product": "str"}),
                                  reference.astype({"first_product": "str"}))
    assert list(first.columns) == ["customer_id", "first_order_value", "first_product", "first_segment"]
    switched = aggregate(sample, "month", 6, reuse=coded)
    assert switched.segment_inputs is coded.segment_inputs  # a period switch keeps them


def test_the_first_orders_of_coded_ids_taken_in_customer_ranges_are_those_of_one_query(sample, quarterly,
                                                                                       monkeypatch):
    monkeypatch.setattr(coded_orders, "CODED_IDS_FROM_ROWS", 0)
    monkeypatch.setattr(coded_orders, "CUSTOMERS_PER_QUERY", 700)  # the sample's 4,000 customers: six ranges
    ranges = aggregate(sample, "quarter", 12, predictive=quarterly.predictive)
    assert len(coded_orders._customer_ranges(len(ranges.customers))) == 6
    pd.testing.assert_frame_equal(ranges.first_orders.astype({"first_product": "str"}),
                                  quarterly.first_orders.astype({"first_product": "str"}))


def test_customers_sheet_rows_in_are_kept_plus_rejected():
    from retention_core.ingest import map_columns, prepare_sheet

    upload = pd.DataFrame({"Kundennummer": ["K1", None, "K2", "K2", ""], "Kanal": ["Web", "Web", None, "Laden", "x"]},
                          index=pd.Index([2, 3, 4, 5, 6], name="row_number"))
    prepared = prepare_sheet(map_columns(upload, {"customer_id": "Kundennummer", "channel": "Kanal"}), "customers")
    assert len(prepared.frame) + len(prepared.rejected) == len(upload)
    assert prepared.rejected["row_number"].tolist() == [3, 6]  # no customer id: set aside with the reason
    assert prepared.rejected["reason"].str.contains("customer_id").all()
