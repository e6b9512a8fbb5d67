"""Aggregate an order history outside the browser: ``python -m retention_core.cli --input PATH --output DIR``.

Reads the orders from a Parquet or CSV file or folder (or a table of a DuckDB database file), runs the
aggregation of :func:`retention_core.dataset.aggregate` on DuckDB (default, embedded) or Apache Spark
(``--engine spark``, local mode unless ``--spark-master`` names a cluster), fits the BG/NBD and Gamma-Gamma models
on the customer summary, and writes the small tables to an aggregates folder (:mod:`retention_core.store`) that the
app opens with ``streamlit run app.py -- --aggregates DIR``.

The input must use the canonical column names ``customer_id, order_date, amount`` (optional ``product, quantity,
gross_margin``), or name its own with ``--column canonical=stored`` (repeatable). CSV input: comma-separated,
a header line, ISO dates (``2024-12-31`` or ``2024-12-31 14:05:00``), decimal point. A missing or unreadable input
ends with a one-line message and exit code 2.

The other sheets come as files as the Data page takes them (CSV in any common dialect, XLSX or Parquet; headers
German or English, recognised as there): ``--customers`` (customer id plus channel, region, customer type,
branch), ``--costs`` and ``--acquisition`` (each with an optional segment / channel column), ``--nps``. The folder
then also holds the segment table of every dimension (``segments_<dimension>.parquet``) at ``--gross-margin``
(default: the data's margin, else the dashboard's default) and ``--discount-rate``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import duckdb
import pandas as pd

from retention_core import config, engines, queries, segments, store
from retention_core.dataset import ACTIVITY_MONTHS, Aggregates, Dataset, aggregate
from retention_core.ingest import LoadError
from retention_core.ingest.upload_flow import read_sheet_file

ENGINES = ("duckdb", "spark")
EXIT_INPUT_ERROR = 2

#: The assumptions the segment tables are written at unless given: the dashboard's defaults (its Assumptions).
DEFAULT_GROSS_MARGIN = 0.30
DEFAULT_ANNUAL_DISCOUNT_RATE = 0.08
SEGMENT_HORIZON_YEARS = 5

#: The sheet files besides the orders: option -> Dataset field (and sheet kind).
SHEET_OPTIONS = {"customers": "customers", "costs": "retention_costs", "acquisition": "acquisition", "nps": "nps"}


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m retention_core.cli``."""
    parse = argparse.ArgumentParser(
        prog="python -m retention_core.cli",
        description="Aggregate an order history (Parquet / CSV file or folder, DuckDB table) into an aggregates "
                    "folder that the dashboard opens with: streamlit run app.py -- --aggregates DIR",
    )
    parse.add_argument("--input", required=True, help="orders: .parquet / .csv file or folder, or a .duckdb file")
    parse.add_argument("--output", required=True, help="aggregates folder to write (created if missing)")
    parse.add_argument("--engine", choices=ENGINES, default="duckdb", help="where the SQL runs (default: duckdb)")
    parse.add_argument("--period", choices=queries.PERIODS, default="quarter", help="analysis period")
    parse.add_argument("--activity-months", type=int, choices=ACTIVITY_MONTHS, default=12,
                       help="a customer without an order for longer counts as lost (default: 12)")
    parse.add_argument("--table", default="transactions", help="table of a DuckDB database file (default: "
                                                               "transactions)")
    parse.add_argument("--column", action="append", default=[], metavar="CANONICAL=STORED",
                       help="read canonical column CANONICAL from the input's column STORED, e.g. "
                            "order_date=Bestelldatum (repeatable)")
    parse.add_argument("--customers", metavar="PATH", help="customers sheet: customer id plus channel, region, "
                                                           "customer type, branch (CSV / XLSX / Parquet)")
    parse.add_argument("--costs", metavar="PATH", help="retention-cost sheet (optional segment column)")
    parse.add_argument("--acquisition", metavar="PATH", help="acquisition sheet (optional channel column)")
    parse.add_argument("--nps", metavar="PATH", help="NPS survey sheet")
    parse.add_argument("--gross-margin", type=float, default=None,
                       help="gross margin (fraction) of the segment tables; default: the data's, else "
                            f"{DEFAULT_GROSS_MARGIN}")
    parse.add_argument("--discount-rate", type=float, default=DEFAULT_ANNUAL_DISCOUNT_RATE,
                       help=f"annual discount rate (fraction) of the segment tables (default: "
                            f"{DEFAULT_ANNUAL_DISCOUNT_RATE})")
    parse.add_argument("--spark-master", default="local[2]", help="Spark master URL (default: local[2])")
    parse.add_argument("--spark-driver-memory", default="4g", help="Spark driver memory (default: 4g); in local "
                                                                   "mode the whole Spark heap")
    parse.add_argument("--spark-shuffle-partitions", type=int, default=4,
                       help="spark.sql.shuffle.partitions (default: 4, for one machine; raise it on a cluster)")
    return parse


def _renames(pairs: Sequence[str]) -> dict[str, str]:
    renames = {}
    for pair in pairs:
        canonical, separator, stored = pair.partition("=")
        if not separator or not canonical.strip() or not stored.strip():
            raise engines.SourceError(f"--column expects CANONICAL=STORED, got {pair!r}")
        renames[canonical.strip()] = stored.strip()
    return renames


def _engine(args: argparse.Namespace) -> engines.Engine:
    if args.engine == "duckdb":
        return engines.DuckDBEngine()
    try:
        spark = engines.local_spark(args.spark_master, args.spark_shuffle_partitions, args.spark_driver_memory)
        return engines.SparkEngine(spark)
    except ImportError as error:
        raise engines.SourceError(
            "the Spark engine needs pyspark (pip install -r requirements-dev.txt) and Java 17+"
        ) from error


class _TimedEngine:
    """``engine`` that adds up the seconds its queries take, to tell SQL time from model-fitting time."""

    def __init__(self, engine: engines.Engine) -> None:
        self.engine = engine
        self.name = engine.name
        self.seconds = 0.0

    def run(self, query, params, tables):
        return self._timed(self.engine.run, query, params, tables)

    def run_arrow(self, query, params, tables):
        return self._timed(self.engine.run_arrow, query, params, tables)

    def run_arrow_each(self, query, params_each, tables):
        return self._timed(self.engine.run_arrow_each, query, params_each, tables)

    def _timed(self, run, query, params, tables):
        started = time.perf_counter()
        try:
            return run(query, params, tables)
        finally:
            self.seconds += time.perf_counter() - started


def _spark_errors() -> tuple[type[BaseException], ...]:
    try:
        from pyspark.errors import PySparkException
    except ImportError:
        return ()
    return (PySparkException,)


def _sheets(args: argparse.Namespace) -> dict[str, object]:
    """The sheet files given besides the orders, read and prepared as the Data page does (Dataset fields)."""
    sheets = {}
    for option, field in SHEET_OPTIONS.items():
        path = getattr(args, option, None)
        if path:
            try:
                sheets[field] = read_sheet_file(path, field).frame
            except LoadError as error:
                raise engines.SourceError(f"--{option} {path} cannot be read: {error.key}") from error
            except ValueError as error:
                raise engines.SourceError(str(error)) from error
    return sheets


def segment_tables(aggs: Aggregates, gross_margin: float, annual_discount_rate: float) -> dict[str, object]:
    """The segment table of every dimension ``aggs`` offers (:func:`segments.available_dimensions_of`): the rows of
    :func:`segments.segment_figures` and the whole business's as a last row (kind "whole"). Empty without an
    annual basis."""
    if aggs.basis is None:
        return {}
    tables = {}
    for dimension in segments.available_dimensions_of(aggs):
        figures = segments.segment_figures(segments.dimension_bases(aggs, dimension), gross_margin=gross_margin,
                                           annual_discount_rate=annual_discount_rate,
                                           horizon_years=SEGMENT_HORIZON_YEARS)
        tables[dimension] = pd.concat([figures.table, figures.whole], ignore_index=True)
    return tables


def run(args: argparse.Namespace) -> dict:
    """Aggregate ``args.input`` into ``args.output``; returns the manifest written."""
    started = time.perf_counter()
    source = engines.open_source(args.input, args.table, _renames(args.column))
    sheets = _sheets(args)
    engine = _TimedEngine(_engine(args))
    try:
        dataset = Dataset(transactions=source, key=source.label, name=source.label, **sheets)
        aggs = aggregate(dataset, args.period, args.activity_months, engine=engine)
        aggs.segment_inputs.made()  # the first orders on this engine, before a Spark session stops
    finally:
        if isinstance(engine.engine, engines.SparkEngine):
            engine.engine.spark.stop()
    margin = args.gross_margin if args.gross_margin is not None else (
        round(aggs.gross_margin, 2) if aggs.gross_margin is not None else DEFAULT_GROSS_MARGIN)
    assumptions = {"gross_margin": margin, "annual_discount_rate": args.discount_rate,
                   "horizon_years": SEGMENT_HORIZON_YEARS}
    store.write_aggregates(aggs, args.output, engine=engine.name, source=source.label,
                           segment_tables=segment_tables(aggs, margin, args.discount_rate),
                           segment_assumptions=assumptions)
    manifest = store.read_manifest(args.output)
    seconds = time.perf_counter() - started
    print(f"{aggs.rows:,} rows from {source.label} aggregated on {engine.name} in {seconds:.1f} s "
          f"(SQL {engine.seconds:.1f} s, the rest model fits and I/O); {len(manifest['tables'])} tables written to "
          f"{args.output}")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0 done, 2 the input or the configuration cannot be used)."""
    args = parser().parse_args(argv)
    try:
        config.check()
        run(args)
    except (config.ConfigurationError, engines.SourceError, store.AggregatesError, duckdb.Error, engines.QueryTimeout,
            OSError,
            *_spark_errors()) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"error: {message}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())
