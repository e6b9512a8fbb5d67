"""The app started on an aggregates folder or an order file by path instead of the embedded sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest_support import APP, metric_value, rendered
from streamlit.testing.v1 import AppTest

from dashboard import source
from retention_core import store
from retention_core.dataset import aggregate


@pytest.fixture(scope="module")
def sample_data(sample_dataset):
    return sample_dataset


@pytest.fixture(scope="module")
def aggregates_folder(sample_data, tmp_path_factory) -> Path:
    """The sample's orders only, aggregated by year with a 6-month activity window, as the CLI would write them."""
    folder = tmp_path_factory.mktemp("aggregates")
    transactions_only = type(sample_data)(transactions=sample_data.transactions)
    store.write_aggregates(aggregate(transactions_only, "year", 6), folder, source="orders.parquet")
    return folder


def run_app(page: str | None = None, lang: str = "en") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["app_lang"] = lang
    app.run()
    if page:
        app.switch_page(page).run()
    return app


def sidebar_captions(app: AppTest) -> list[str]:
    return [rendered(caption.value) for caption in app.sidebar.caption]


def test_command_line_after_double_dash_names_the_source_and_wins_over_the_environment(tmp_path):
    environ = {"RETENTION_DATA": str(tmp_path / "orders.parquet")}
    chosen = source.configured(["--aggregates", str(tmp_path)], environ)
    assert chosen == source.Configured("aggregates", tmp_path.resolve())
    assert source.configured([], environ) == source.Configured("data", (tmp_path / "orders.parquet").resolve())
    assert source.configured(["-q", "tests"], {}) is None


@pytest.mark.slow
def test_overview_shows_an_aggregates_folder_with_its_period_fixed(aggregates_folder, monkeypatch):
    monkeypatch.setenv("RETENTION_AGGREGATES", str(aggregates_folder))
    app = run_app()
    assert not app.exception, app.exception
    assert f"Showing: {aggregates_folder.name}" in sidebar_captions(app)
    assert any("Period: Year, active = ordered within 6 months" in text for text in sidebar_captions(app))
    assert [box.key for box in app.sidebar.selectbox] == ["app_currency"]  # the folder holds one activity window
    stored = store.read_aggregates(aggregates_folder).activity.iloc[-1]
    assert metric_value(app, "Active customers") == f"{stored['customers_end']:,}"


@pytest.mark.slow
def test_clv_page_uses_the_model_fitted_when_the_folder_was_written(aggregates_folder, monkeypatch):
    monkeypatch.setenv("RETENTION_AGGREGATES", str(aggregates_folder))
    app = run_app("app_pages/clv.py")
    assert not app.exception, app.exception
    assert not [info.value for info in app.info if "predictive model is not shown" in info.value]


@pytest.mark.slow
def test_an_unreadable_folder_is_named_with_the_reason_instead_of_failing(tmp_path, monkeypatch):
    monkeypatch.setenv("RETENTION_AGGREGATES", str(tmp_path))
    app = run_app()
    assert not app.exception, app.exception
    assert any("cannot be opened" in error.value and "has no manifest.json" in error.value for error in app.error)


@pytest.mark.slow
def test_overview_aggregates_an_order_file_given_by_path(sample_data, tmp_path, monkeypatch):
    path = tmp_path / "orders.parquet"
    sample_data.transactions.to_parquet(path, index=False)
    monkeypatch.setenv("RETENTION_DATA", str(path))
    app = run_app()
    assert not app.exception, app.exception
    assert "Showing: orders.parquet" in sidebar_captions(app)
    expected = aggregate(type(sample_data)(transactions=sample_data.transactions), "quarter", 12).activity.iloc[-1]
    assert metric_value(app, "Active customers") == f"{expected['customers_end']:,}"


def test_a_customers_sheet_given_with_an_order_file_is_part_of_the_source(tmp_path):
    environ = {"RETENTION_DATA": str(tmp_path / "orders.parquet"), "RETENTION_CUSTOMERS": str(tmp_path / "k.csv")}
    chosen = source.configured([], environ)
    assert chosen == source.Configured("data", (tmp_path / "orders.parquet").resolve(), (tmp_path / "k.csv").resolve())
    assert chosen.key.endswith("+customers:" + str((tmp_path / "k.csv").resolve()))
    # an aggregates folder carries its customers sheet already
    assert source.configured(["--aggregates", str(tmp_path), "--customers", "k.csv"], {}).customers is None


@pytest.mark.slow
def test_an_order_file_with_a_customers_sheet_gives_the_channel_segments(sample_data, tmp_path):
    from retention_core import segments

    orders = tmp_path / "orders.parquet"
    sample_data.transactions.to_parquet(orders, index=False)
    customers = Path(__file__).resolve().parents[2] / "sample_data" / "kunden.csv"
    aggs = source.aggregates(source.Configured("data", orders, customers), "quarter", 12)
    assert aggs.customers_sheet.in_orders == 3923
    assert "channel" in segments.available_dimensions_of(aggs)
    with pytest.raises(source.SourceUnavailable, match="no column header was recognised as customer_id"):
        (tmp_path / "bad.csv").write_text("Name;Kanal\nMeier;Web\n", encoding="utf-8")
        source.aggregates(source.Configured("data", orders, tmp_path / "bad.csv"), "quarter", 12)
