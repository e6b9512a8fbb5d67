"""Aggregates folders and the command line that writes them: round trip, end to end, and plain errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from apptest_support import ROOT

from retention_core import cli, store
from retention_core.dataset import Dataset, aggregate

TABLES = ("activity", "cohorts", "tenure", "customers", "costs", "cost_items", "acquisition", "nps")


@pytest.fixture(scope="module")
def sample_data(sample_dataset) -> Dataset:
    return sample_dataset


@pytest.fixture(scope="module")
def orders_parquet(sample_data, tmp_path_factory):
    path = tmp_path_factory.mktemp("orders") / "orders.parquet"
    sample_data.transactions.to_parquet(path, index=False)
    return path


@pytest.mark.slow
def test_an_aggregates_folder_reads_back_exactly_what_was_written(sample_data, tmp_path):
    written = aggregate(sample_data, "month", 6)
    store.write_aggregates(written, tmp_path, engine="duckdb", source="sample")
    read = store.read_aggregates(tmp_path)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(read, name), getattr(written, name))
    assert written.rows == len(sample_data.transactions)
    for name in ("period", "activity_months", "gross_margin", "has_products", "sheets", "rows"):
        assert getattr(read, name) == getattr(written, name)
    assert read.predictive.bg_nbd == written.predictive.bg_nbd
    assert read.predictive.gamma_gamma == written.predictive.gamma_gamma
    assert read.predictive.observation_end == written.predictive.observation_end
    assert read.predictive.holdout_predicted == written.predictive.holdout_predicted
    assert read.predictive.holdout_predicted_high == written.predictive.holdout_predicted_high
    # the predictive interval is not stored but remade from the stored fits, the same draws
    np.testing.assert_array_equal(read.predictive.uncertainty.replicate_purchase_value,
                                  written.predictive.uncertainty.replicate_purchase_value)
    pd.testing.assert_frame_equal(read.predictive.summary, written.predictive.summary)
    pd.testing.assert_frame_equal(read.predictive.holdout, written.predictive.holdout)


def test_a_folder_without_manifest_is_not_an_aggregates_folder(tmp_path):
    with pytest.raises(store.AggregatesError, match="is not an aggregates folder: it has no manifest.json"):
        store.read_aggregates(tmp_path)


def test_a_folder_of_another_format_version_says_which_version_it_has(sample_quarterly, tmp_path):
    store.write_aggregates(sample_quarterly, tmp_path)  # aggregate()'s defaults
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "version": 99}))
    with pytest.raises(store.AggregatesError, match="has format version 99; this app reads version 2"):
        store.read_aggregates(tmp_path)


def test_a_folder_whose_model_files_are_gone_degrades_to_the_simple_formulas(sample_quarterly, tmp_path):
    store.write_aggregates(sample_quarterly, tmp_path)  # aggregate()'s defaults
    (tmp_path / "predictive_summary.parquet").unlink()
    read = store.read_aggregates(tmp_path)
    assert read.predictive.reason == "not_stored"
    assert not read.predictive.usable


@pytest.mark.slow
def test_command_line_writes_the_aggregates_of_a_parquet_file(sample_data, orders_parquet, tmp_path, capsys):
    code = cli.main(["--input", str(orders_parquet), "--output", str(tmp_path), "--period", "year"])
    assert code == 0
    assert f"{len(sample_data.transactions):,} rows" in capsys.readouterr().out
    manifest = store.read_manifest(tmp_path)
    assert (manifest["engine"], manifest["period"], manifest["activity_months"]) == ("duckdb", "year", 12)
    assert manifest["rows"] == len(sample_data.transactions)
    from_frame = aggregate(Dataset(transactions=sample_data.transactions), "year", 12)
    read = store.read_aggregates(tmp_path)
    for name in ("activity", "cohorts", "tenure", "customers"):
        pd.testing.assert_frame_equal(getattr(read, name), getattr(from_frame, name), check_dtype=False)
    assert read.gross_margin == pytest.approx(from_frame.gross_margin, rel=1e-12)


@pytest.mark.slow
def test_command_line_maps_columns_stored_under_other_names(sample_data, tmp_path):
    path = tmp_path / "bestellungen.parquet"
    sample_data.transactions.rename(columns={"customer_id": "Kunde", "amount": "Betrag"}).to_parquet(path)
    code = cli.main(["--input", str(path), "--output", str(tmp_path / "aggs"),
                     "--column", "customer_id=Kunde", "--column", "amount=Betrag"])
    assert code == 0
    assert len(store.read_aggregates(tmp_path / "aggs").customers) == sample_data.transactions["customer_id"].nunique()


def test_command_line_names_a_missing_column_and_exits_2(sample_data, tmp_path, capsys):
    path = tmp_path / "bestellungen.parquet"
    sample_data.transactions.rename(columns={"amount": "Betrag"}).to_parquet(path)
    assert cli.main(["--input", str(path), "--output", str(tmp_path / "aggs")]) == 2
    error = capsys.readouterr().err
    assert "lacks the column(s) amount" in error and "--column order_date=Bestelldatum" in error
    assert not (tmp_path / "aggs").exists()


@pytest.mark.slow
def test_command_line_with_a_missing_input_exits_2_without_a_traceback(tmp_path):
    missing = tmp_path / "nowhere.parquet"
    done = subprocess.run(
        [sys.executable, "-m", "retention_core.cli", "--input", str(missing), "--output", str(tmp_path / "aggs")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {missing} does not exist"


def test_command_line_rejects_a_file_of_another_kind(tmp_path, capsys):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(b"PK\x03\x04")
    assert cli.main(["--input", str(path), "--output", str(tmp_path / "aggs")]) == 2
    assert "is not a .parquet, .csv or .duckdb file" in capsys.readouterr().err


@pytest.mark.slow
def test_a_folder_keeps_what_segments_need_and_gives_the_same_segment_tables(sample_quarterly, tmp_path):
    from retention_core import segments

    store.write_aggregates(sample_quarterly, tmp_path)
    read = store.read_aggregates(tmp_path)
    for name in ("first_orders", "customer_attributes"):
        pd.testing.assert_frame_equal(getattr(read, name), getattr(sample_quarterly, name), obj=name)
    assert read.customers_sheet == sample_quarterly.customers_sheet
    assert segments.available_dimensions_of(read) == segments.available_dimensions_of(sample_quarterly) == (
        "acquisition_year", "rfm", "first_order_value", "first_product", "channel")
    for dimension in segments.available_dimensions_of(read):
        tables = [segments.segment_figures(segments.dimension_bases(aggs, dimension), gross_margin=0.4,
                                           annual_discount_rate=0.1).table for aggs in (read, sample_quarterly)]
        pd.testing.assert_frame_equal(*tables, obj=dimension)


@pytest.mark.slow
def test_command_line_takes_the_customers_sheet_and_writes_a_segment_table_per_dimension(
    sample_data, orders_parquet, tmp_path, capsys
):
    customers = ROOT / "sample_data" / "kunden.csv"
    costs = tmp_path / "kosten.csv"  # the cost sheet with a segment column: Kanal
    costs.write_text("Monat;Kategorie;Betrag;Kanal\n01.03.2024;Personal;1000;Empfehlung\n"
                     "01.06.2024;Software;500;\n", encoding="utf-8")
    code = cli.main(["--input", str(orders_parquet), "--output", str(tmp_path / "aggs"), "--customers",
                     str(customers), "--costs", str(costs), "--gross-margin", "0.4", "--discount-rate", "0.1"])
    assert code == 0, capsys.readouterr().err
    manifest = store.read_manifest(tmp_path / "aggs")
    assert manifest["customers_sheet"]["in_orders"] == 3923 and manifest["customers_sheet"]["unlisted"] == 77
    assert manifest["segment_assumptions"] == {"gross_margin": 0.4, "annual_discount_rate": 0.1, "horizon_years": 5}
    tables = store.read_segment_tables(tmp_path / "aggs")
    assert set(tables) == {"acquisition_year", "rfm", "first_order_value", "first_product", "channel"}
    assert manifest["segment_tables"]["channel"] == "segments_channel.parquet"
    channel = tables["channel"]
    assert channel["segment"].tolist()[:4] == ["Empfehlung", "Google Ads", "Wochenmarkt", "Instagram"]
    assert channel["kind"].tolist()[-2:] == ["missing", "whole"]
    # segments add up to the whole: customers, and the cost sheet's spend (1,000 of Empfehlung's own + 500 allocated)
    rows, whole = channel[channel["kind"] != "whole"], channel[channel["kind"] == "whole"].iloc[0]
    assert rows["customers"].sum() == whole["customers"] == 4000
    assert rows["retention_spend"].sum() == pytest.approx(whole["retention_spend"]) == pytest.approx(1500.0)
    assert channel.loc[0, "retention_spend"] > 1000.0
    # the same figures as the dashboard gets from the aggregates
    read = store.read_aggregates(tmp_path / "aggs")
    from retention_core import segments
    figures = segments.segment_figures(segments.dimension_bases(read, "channel"), gross_margin=0.4,
                                       annual_discount_rate=0.1)
    pd.testing.assert_frame_equal(channel.iloc[:-1].reset_index(drop=True), figures.table)


def test_command_line_says_which_column_of_a_sheet_file_it_did_not_recognise(orders_parquet, tmp_path, capsys):
    customers = tmp_path / "kunden.csv"
    customers.write_text("Name;Kanal\nMeier;Web\n", encoding="utf-8")
    assert cli.main(["--input", str(orders_parquet), "--output", str(tmp_path / "aggs"),
                     "--customers", str(customers)]) == 2
    assert "no column header was recognised as customer_id" in capsys.readouterr().err


def test_command_line_segment_defaults_are_the_dashboards():
    from retention_views.page_results import assumptions

    assert cli.DEFAULT_GROSS_MARGIN == assumptions.DEFAULT_GROSS_MARGIN
    assert cli.DEFAULT_ANNUAL_DISCOUNT_RATE == assumptions.DEFAULT_ANNUAL_DISCOUNT_RATE
