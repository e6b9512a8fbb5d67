"""The same SQL files on embedded DuckDB and on Apache Spark (pyspark, local[2]) give the same tables.

Every aggregation query runs on the sample business and on the CDNOW log on both engines; the results must be
equal after sorting and dtype normalisation (floats to 1e-9 relative). Path sources (a Parquet folder, a CSV file)
must aggregate to the same tables as the frame they were written from. Without pyspark or Java the Spark tests
skip locally and fail on CI (``CI`` set), so CI never passes by silently skipping them.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from retention_core import coded_orders, engines, models, queries, segments
from retention_core.engines import duckdb_engine

from retention_core.dataset import Dataset, aggregate

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -r requirements-dev.txt)"
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))) and not shutil.which("java"):
        return "Java 17+ not found (JAVA_HOME or java on PATH; apt-get install openjdk-17-jre-headless)"
    return None


#: Spark settings for this module's queries, set on its session at run time: tables of at most 31,000 rows, a few
#: hundred queries. Whole-stage code generation compiles each query's stages to Java and adaptive execution plans
#: each stage again once the one before has run; on tables this small both cost more than they save (the module
#: took 22 % less time without them, measured in the same hour: docs/performance.md, "The test suite"). The
#: results do not depend on them: the same plans are evaluated by Spark's interpreted expressions instead.
TINY_DATA_SETTINGS = {"spark.sql.adaptive.enabled": "false",
                      "spark.sql.codegen.wholeStage": "false",
                      "spark.sql.codegen.factoryMode": "NO_CODEGEN"}


@pytest.fixture(scope="module")
def spark_engine():
    reason = _spark_missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the Spark engine tests, not skip them")
        pytest.skip(reason)
    spark = engines.local_spark("local[2]", shuffle_partitions=2, driver_memory="1g")
    for key, value in TINY_DATA_SETTINGS.items():
        spark.conf.set(key, value)
    yield engines.SparkEngine(spark)
    spark.stop()


@pytest.fixture(scope="module")
def sample_data(sample_dataset) -> Dataset:
    return sample_dataset


def normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted by its non-float columns, whole numbers as int64, times as naive datetime64[ns]."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            frame[column] = values.astype("datetime64[ns]")
        elif pd.api.types.is_integer_dtype(values):  # missing whole numbers (a lone summary's annual columns) as NaN
            frame[column] = values.astype("float64" if values.isna().any() else "int64")
        elif pd.api.types.is_float_dtype(values):
            frame[column] = values.astype("float64")
        else:
            frame[column] = values.astype("str")
    keys = [column for column in frame.columns if not pd.api.types.is_float_dtype(frame[column])]
    return frame.sort_values(keys or list(frame.columns)).reset_index(drop=True)


def assert_same_on_both(run, spark_engine) -> pd.DataFrame:
    """Run ``run(engine)`` on DuckDB and Spark and assert equal tables; return the DuckDB one."""
    on_duckdb = run(engines.DuckDBEngine())
    on_spark = run(spark_engine)
    assert list(on_spark.columns) == list(on_duckdb.columns)
    pd.testing.assert_frame_equal(normalised(on_spark), normalised(on_duckdb), rtol=1e-9, atol=1e-9)
    return on_duckdb


def totals_table(orders, engine) -> pd.DataFrame:
    """:func:`queries.transaction_totals` as a one-row frame."""
    return queries.transaction_totals(orders, engine).to_frame().T.infer_objects()


def with_coded_products(orders: pd.DataFrame) -> pd.DataFrame:
    """``orders`` with the products as the whole-number codes :func:`aggregate` gives them (counted as bits)."""
    if "product" not in orders.columns:
        return orders
    return orders.assign(product=coded_orders._product_codes(orders["product"]))


def window_flows(orders: pd.DataFrame, period: str, engine) -> pd.DataFrame:
    """The flows counted by ``customer_period_flows_window.sql`` (the file for logs beyond 63 periods)."""
    return queries.run_sql("customer_period_flows_window", {"period": period, "activity_periods": 1}, engine,
                           transactions=orders)


def summary_in_thirds(orders: pd.DataFrame, engine) -> pd.DataFrame:
    """:func:`queries.customer_summary` in three customer ranges (``run_arrow_each``: three parts, one connection)."""
    ids = np.sort(orders["customer_id"].unique())
    first, second = ids[len(ids) // 3], ids[2 * len(ids) // 3]
    ranges = [(None, first), (first, second), (second, None)]
    return queries.customer_summary(orders, engine, customer_ranges=ranges)


def with_order_ids(orders: pd.DataFrame) -> pd.DataFrame:
    """``orders`` with an order id: one per customer and day, a second one for every third row of that day (so
    some days hold two orders), none (missing) for every seventh row."""
    day = orders["order_date"].dt.strftime("%Y-%m-%d")
    ids = orders["customer_id"].astype("str") + ":" + day + ":" + (np.arange(len(orders)) % 3 == 0).astype(str)
    return orders.assign(order_id=pd.array(ids.where(np.arange(len(orders)) % 7 != 0), dtype="str"))


def with_channel(orders: pd.DataFrame) -> pd.DataFrame:
    """``orders`` with a synthetic channel per order: web, shop, phone by row, none (missing) every fourth row."""
    names = np.array(["web", "shop", "phone", None], dtype=object)[np.arange(len(orders)) % 4]
    return orders.assign(channel=pd.array(names, dtype="str"))


def last_order_day(orders: pd.DataFrame) -> dt.date:
    return orders.loc[orders["amount"] >= 0, "order_date"].max().date()


ORDER_QUERIES = {
    "period_activity_month": lambda orders, engine: queries.period_activity(orders, "month", 1, engine),
    "period_activity_quarter_12_months": lambda orders, engine: queries.period_activity(orders, "quarter", 4, engine),
    "period_activity_year": lambda orders, engine: queries.period_activity(orders, "year", 1, engine),
    "customer_period_flows_quarter": lambda orders, engine: queries.customer_period_flows(orders, "quarter", 2, engine),
    "customer_period_flows_window_quarter": lambda orders, engine: queries.run_sql(  # for logs beyond MASK_PERIODS
        "customer_period_flows_window", {"period": "quarter", "activity_periods": 2}, engine, transactions=orders),
    "cohort_retention_month": lambda orders, engine: queries.cohort_retention(orders, "month", engine),
    "cohort_retention_quarter": lambda orders, engine: queries.cohort_retention(orders, "quarter", engine),
    "revenue_bridge_month": lambda orders, engine: queries.revenue_bridge(orders, "month", engine),
    "revenue_bridge_quarter": lambda orders, engine: queries.revenue_bridge(orders, "quarter", engine),
    "revenue_bridge_year": lambda orders, engine: queries.revenue_bridge(orders, "year", engine),
    "revenue_bridge_from_window_flows_quarter": lambda orders, engine: queries.run_sql(
        "revenue_bridge", {"period": "quarter"}, engine, flows=window_flows(orders, "quarter", engine)),
    "revenue_by_tenure_year": lambda orders, engine: queries.revenue_by_tenure(orders, "year", engine),
    "revenue_by_tenure_month": lambda orders, engine: queries.revenue_by_tenure(orders, "month", engine),
    "customer_tenure_revenue_year": lambda orders, engine: queries.customer_tenure_revenue(orders, "year", engine),
    "customer_tenure_revenue_month": lambda orders, engine: queries.customer_tenure_revenue(
        orders, "month", engine, max_tenure=40),
    "customer_summary": lambda orders, engine: queries.customer_summary(orders, engine),
    "customer_summary_annual": lambda orders, engine: queries.customer_summary(
        orders, engine, basis_end=last_order_day(orders)),
    "customer_summary_annual_order_ids": lambda orders, engine: queries.customer_summary(
        with_order_ids(orders), engine, basis_end=last_order_day(orders)),
    "customer_summary_in_ranges": summary_in_thirds,
    "customer_summary_coded_products": lambda orders, engine: queries.customer_summary(
        with_coded_products(orders), engine),
    "rfm_summary_weeks": lambda orders, engine: models.rfm_summary(orders, time_unit="W", engine=engine),
    "transaction_totals": lambda orders, engine: totals_table(orders, engine),
    "segment_first_orders": lambda orders, engine: segments.first_orders(with_channel(orders), engine,
                                                                         attribute="channel"),
    "purchase_rhythm": lambda orders, engine: queries.run_sql(
        "purchase_rhythm", {"gap_from": 25, "gap_to": 35, "regular_share": 2 / 3}, engine,
        transactions=orders[["customer_id", "order_date", "amount"]]),
}


@pytest.mark.parametrize("query", ORDER_QUERIES)
def test_order_queries_agree_on_the_sample(query, sample_data, spark_engine):
    result = assert_same_on_both(lambda engine: ORDER_QUERIES[query](sample_data.transactions, engine), spark_engine)
    assert len(result) > 0


@pytest.mark.parametrize("query", ORDER_QUERIES)
def test_order_queries_agree_on_cdnow(query, cdnow, spark_engine):
    result = assert_same_on_both(lambda engine: ORDER_QUERIES[query](cdnow, engine), spark_engine)
    assert len(result) > 0


def test_calibration_holdout_split_agrees_on_cdnow(cdnow, spark_engine):
    # FHL 2005: 39 weeks of calibration from 1 Jan 1997, 39 weeks of holdout to 30 Jun 1998.
    split = assert_same_on_both(
        lambda engine: models.calibration_holdout_split(cdnow, "1997-09-30", "1998-06-30", "W", engine), spark_engine
    )
    assert len(split) == 2357


def test_sheet_queries_agree_on_the_sample(sample_data, spark_engine):
    orders, costs = sample_data.transactions, sample_data.retention_costs
    for period in queries.PERIODS:
        assert_same_on_both(lambda engine: queries.cost_by_period(costs, period, engine), spark_engine)
        assert_same_on_both(
            lambda engine: queries.retention_cost_per_active_customer(costs, orders, period, 1, engine), spark_engine
        )
        assert_same_on_both(
            lambda engine: queries.acquisition_by_period(sample_data.acquisition, orders, period, engine), spark_engine
        )
        assert_same_on_both(lambda engine: queries.nps_by_period(sample_data.nps, period, engine), spark_engine)
    year = (dt.date(2023, 12, 31), dt.date(2024, 12, 31))
    assert_same_on_both(lambda engine: queries.retention_spend_in_window(costs, *year, engine).to_frame().T
                        .infer_objects(), spark_engine)
    assert_same_on_both(lambda engine: queries.acquisition_in_window(sample_data.acquisition, *year, engine)
                        .to_frame().T.infer_objects(), spark_engine)


@pytest.mark.slow
def test_segment_spend_queries_agree_on_the_sample(sample_data, spark_engine):
    costs = sample_data.retention_costs.assign(segment=with_channel(sample_data.retention_costs)["channel"])
    acquisition = sample_data.acquisition.assign(segment=with_channel(sample_data.acquisition)["channel"])
    year = (dt.date(2023, 12, 31), dt.date(2024, 12, 31))
    spend = assert_same_on_both(lambda engine: segments.retention_spend_by_segment(costs, *year, engine),
                                spark_engine)
    acquired = assert_same_on_both(lambda engine: segments.acquisition_by_segment(acquisition, *year, engine),
                                   spark_engine)
    assert len(spend) == len(acquired) == 4  # web, shop, phone and the rows without a channel


@pytest.mark.slow
@pytest.mark.parametrize("dimension", segments.DIMENSIONS)
def test_segment_tables_agree_on_cdnow_with_a_channel(dimension, cdnow, spark_engine):
    customers = aggregate(Dataset(transactions=cdnow, key="cdnow", name="cdnow"), "quarter", 12)

    def table(engine):
        first = segments.first_orders(with_channel(cdnow), engine, attribute="channel")
        labels = segments.assign(dimension, customers.customers, first)
        bases = segments.segment_bases(customers.customers, labels, customers.basis)
        return segments.segment_figures(bases, gross_margin=0.3, annual_discount_rate=0.1).table

    result = assert_same_on_both(table, spark_engine)
    assert result["customers"].sum() == 2357


def customers_sheet_of(orders: pd.DataFrame) -> pd.DataFrame:
    """A customers sheet with a synthetic channel: by the customer id's hash, every ninth customer not listed and
    one id without an order."""
    ids = pd.Series(orders["customer_id"].unique())
    hashed = pd.util.hash_pandas_object(ids, index=False).to_numpy()
    channel = np.array(["web", "shop", "phone", "market"], dtype=object)[hashed % 4]
    listed = hashed % 9 != 0
    return pd.DataFrame({"customer_id": pd.array([*ids[listed], "no-order"], dtype="str"),
                         "channel": pd.array([*channel[listed], "web"], dtype="str")})


def segment_tables_on(dataset_with_sheets: Dataset, engine, predictive) -> dict[str, pd.DataFrame]:
    """Every segment table of ``dataset_with_sheets`` aggregated on ``engine`` (the fits given: not compared here),
    and the segment inputs aggregate() keeps, as frames to compare."""
    aggs = aggregate(dataset_with_sheets, "quarter", 12, engine=engine, predictive=predictive)
    tables = {"first_orders": aggs.first_orders.astype({"first_product": "str"}),
              "customer_attributes": aggs.customer_attributes.astype({"channel": "str"})}
    for name in ("retention_spend_by_segment", "acquisition_by_segment"):
        if getattr(aggs, name) is not None:
            tables[name] = getattr(aggs, name)
    for dimension in segments.available_dimensions_of(aggs):
        figures = segments.segment_figures(segments.dimension_bases(aggs, dimension), gross_margin=0.3,
                                           annual_discount_rate=0.1)
        tables[dimension] = pd.concat([figures.table, figures.whole], ignore_index=True)
    return tables


def assert_same_segment_tables(dataset_with_sheets: Dataset, spark_engine, predictive) -> dict[str, pd.DataFrame]:
    on_duckdb = segment_tables_on(dataset_with_sheets, engines.DuckDBEngine(), predictive)
    on_spark = segment_tables_on(dataset_with_sheets, spark_engine, predictive)
    assert list(on_spark) == list(on_duckdb)
    for name, table in on_duckdb.items():
        pd.testing.assert_frame_equal(normalised(on_spark[name]), normalised(table), rtol=1e-9, atol=1e-9, obj=name)
    return on_duckdb


def test_segment_tables_agree_on_the_sample_with_its_customers_sheet_and_segment_columns(
    sample_data, sample_quarterly, spark_engine
):
    with_columns = Dataset(
        transactions=sample_data.transactions, customers=sample_data.customers,
        retention_costs=sample_data.retention_costs.assign(
            segment=with_channel(sample_data.retention_costs)["channel"]),
        acquisition=sample_data.acquisition.assign(segment=with_channel(sample_data.acquisition)["channel"]),
        key="sample-columns")
    tables = assert_same_segment_tables(with_columns, spark_engine, sample_quarterly.predictive)
    assert "channel" in tables and tables["channel"]["customers"].iloc[-1] == 4000


def test_segment_tables_agree_on_cdnow_with_a_customers_sheet(cdnow, spark_engine):
    predictive = aggregate(Dataset(transactions=cdnow.head(50)), "quarter", 12).predictive  # not compared
    with_sheet = Dataset(transactions=cdnow, customers=customers_sheet_of(cdnow), key="cdnow-channel")
    tables = assert_same_segment_tables(with_sheet, spark_engine, predictive)
    channel = tables["channel"]
    assert channel["kind"].tolist() == ["segment"] * 4 + ["missing", "whole"]
    assert channel["customers"].iloc[:-1].sum() == channel["customers"].iloc[-1] == 2357


def test_segment_tables_agree_on_a_parquet_source_with_a_customers_sheet(cdnow, tmp_path, spark_engine):
    # a path source: the first orders are read by each engine itself (no coded frame)
    cdnow.to_parquet(tmp_path / "orders.parquet", index=False)
    source = engines.open_source(tmp_path / "orders.parquet")
    predictive = aggregate(Dataset(transactions=cdnow.head(50)), "quarter", 12).predictive
    from_path = assert_same_segment_tables(
        Dataset(transactions=source, customers=customers_sheet_of(cdnow), key="path"), spark_engine, predictive)
    from_frame = segment_tables_on(Dataset(transactions=cdnow, customers=customers_sheet_of(cdnow), key="frame"),
                                   engines.DuckDBEngine(), predictive)
    for name, table in from_frame.items():
        pd.testing.assert_frame_equal(normalised(from_path[name]), normalised(table), rtol=1e-9, atol=1e-9,
                                      obj=name)


def test_holdout_purchases_bind_dates_as_parameters(cdnow, spark_engine):
    params = {"calibration_end": dt.date(1997, 9, 30), "observation_end": dt.date(1998, 6, 30)}
    frame = cdnow[["customer_id", "order_date", "amount"]]
    assert_same_on_both(lambda engine: queries.run_sql("holdout_purchases", params, engine, transactions=frame),
                        spark_engine)


def test_the_test_session_runs_with_its_settings_for_tiny_tables(spark_engine):
    for key, value in TINY_DATA_SETTINGS.items():
        assert spark_engine.spark.conf.get(key) == value, key
    assert spark_engine.spark.conf.get("spark.sql.session.timeZone") == "UTC"  # local_spark's own settings kept
    assert spark_engine.spark.conf.get("spark.sql.shuffle.partitions") == "2"


def test_spark_text_is_transpiled_once_and_keeps_values_as_named_parameters():
    text = engines.spark_sql("period_activity")
    assert engines.spark_sql("period_activity") is text
    assert ":period" in text and ":activity_periods" in text
    assert "$period" not in text and "$activity_periods" not in text


# --- path sources --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def order_files(sample_data, tmp_path_factory) -> dict[str, object]:
    """The sample's orders as a Parquet folder of two files and as one CSV file with German column names."""
    orders = sample_data.transactions
    folder = tmp_path_factory.mktemp("orders_parquet")
    half = len(orders) // 2
    orders.iloc[:half].to_parquet(folder / "part-0.parquet", index=False)
    orders.iloc[half:].to_parquet(folder / "part-1.parquet", index=False)
    csv = tmp_path_factory.mktemp("orders_csv") / "orders.csv"
    german = orders.rename(columns={"customer_id": "Kundennummer", "order_date": "Bestelldatum"})
    german.assign(Bestelldatum=german["Bestelldatum"].dt.strftime("%Y-%m-%d %H:%M:%S")).to_csv(csv, index=False)
    return {"parquet": folder, "csv": csv, "orders": orders}


def _aggregates_equal(left, right) -> None:
    for name in ("activity", "cohorts", "tenure", "customers", "revenue"):
        pd.testing.assert_frame_equal(normalised(getattr(left, name)), normalised(getattr(right, name)),
                                      rtol=1e-9, atol=1e-9)
    assert left.gross_margin == pytest.approx(right.gross_margin, rel=1e-12)
    assert left.has_products == right.has_products
    assert left.predictive.bg_nbd.r == pytest.approx(right.predictive.bg_nbd.r, rel=1e-6)
    for field in ("previous_year_buyers", "retained_buyers", "buyers", "first_time_buyers", "occasions", "as_of"):
        assert getattr(left.basis, field) == getattr(right.basis, field), field
    assert left.basis.revenue == pytest.approx(right.basis.revenue, rel=1e-12)


def test_parquet_folder_and_csv_aggregate_like_the_frame_on_both_engines(order_files, spark_engine):
    from_frame = aggregate(Dataset(transactions=order_files["orders"]), "quarter", 12)
    parquet = engines.open_source(order_files["parquet"])
    csv = engines.open_source(order_files["csv"], rename={"customer_id": "Kundennummer",
                                                          "order_date": "Bestelldatum"})
    for engine in (engines.DuckDBEngine(), spark_engine):
        for source in (parquet, csv):
            _aggregates_equal(aggregate(Dataset(transactions=source), "quarter", 12, engine=engine), from_frame)


def test_path_source_lacking_a_canonical_column_names_the_data_contract(order_files, tmp_path):
    path = tmp_path / "orders.parquet"
    order_files["orders"].rename(columns={"amount": "Betrag"}).to_parquet(path)
    contract = r"lacks the column\(s\) amount; a path source must use the canonical names customer_id, order_date"
    with pytest.raises(engines.SourceError, match=contract):
        engines.open_source(path)


def test_a_path_source_connection_reads_its_folder_and_nothing_else(order_files):
    connection = duckdb_engine._path_connection(readable=(order_files["parquet"],))
    try:
        rows = connection.read_parquet(str(order_files["parquet"] / "*.parquet")).fetchall()
        assert len(rows) == len(order_files["orders"])
        with pytest.raises(duckdb.PermissionException):
            connection.read_csv(str(order_files["csv"]))
    finally:
        connection.close()


def test_duckdb_database_table_aggregates_like_the_frame_and_spark_says_how_to_read_it(
    order_files, tmp_path, spark_engine
):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as database:
        orders = order_files["orders"]  # noqa: F841 -- read by name below
        database.execute("CREATE TABLE orders AS SELECT * FROM orders")
    source = engines.open_source(path, table="orders")
    from_frame = aggregate(Dataset(transactions=order_files["orders"]), "quarter", 12)
    _aggregates_equal(aggregate(Dataset(transactions=source), "quarter", 12), from_frame)
    with pytest.raises(engines.SourceError, match="export the table to Parquet"):
        queries.customer_summary(source, spark_engine)
