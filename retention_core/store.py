"""An aggregates folder: the small tables of :class:`~retention_core.dataset.Aggregates` as Parquet, plus a manifest.

Aggregating a warehouse-sized order history is the expensive step (``python -m retention_core.cli``, on DuckDB or
Spark); everything after it works on these tables. :func:`write_aggregates` stores one :class:`Aggregates` in a
folder and :func:`read_aggregates` reads it back unchanged, so the app can open the folder
(``streamlit run app.py -- --aggregates DIR``) without the raw rows.

Layout of the folder:

- ``manifest.json``: ``format`` (``"retention-aggregates"``), ``version`` (:data:`FORMAT_VERSION`), ``created``
  (UTC, ISO 8601), ``engine`` that aggregated, ``source`` (the input path), ``rows`` (transaction rows read),
  ``period``, ``activity_months``, ``gross_margin`` (fraction or null), ``has_products``, ``sheets``, ``tables``
  (table name -> file name), ``predictive`` (the BG/NBD and Gamma-Gamma parameters and check figures, or null) and
  ``basis`` (the annual basis of customer value, :class:`~retention_core.customer_value.AnnualBasis`, or null).
  Version 2 added ``basis`` and the customer table's annual columns; a version-1 folder has to be written again.
- ``<table>.parquet`` for every table of :data:`TABLES` the aggregates hold, and ``predictive_summary.parquet`` /
  ``predictive_holdout.parquet`` for the customer summary and holdout check behind the fits. What segments need:
  ``first_orders.parquet`` (each customer's first order: value, product), ``customer_attributes.parquet`` (the
  customers sheet's attributes of the customers with an order) and ``retention_spend_by_segment.parquet`` /
  ``acquisition_by_segment.parquet`` (the cost sheets' spend per segment value); the manifest's ``customers_sheet``
  says how the customers sheet met the orders (:class:`~retention_core.segments.CustomersSheetMatch`, or null).
- ``segments_<dimension>.parquet`` (``segments_rfm.parquet``, ``segments_channel.parquet``): the segment table of each
  dimension (:func:`retention_core.segments.segment_figures`, one row per segment and a last ``whole`` row) at the
  manifest's ``segment_assumptions`` (gross margin, annual discount rate, horizon), listed under
  ``segment_tables`` (dimension -> file). Written by the command line for reading elsewhere (a BI tool); the
  dashboard computes its segment tables from the tables above at the sliders' values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd

from retention_core import intervals, models, segments
from retention_core.customer_value import AnnualBasis
from retention_core.dataset import ACTIVITY_MONTHS, PERIODS_PER_YEAR, Aggregates
from retention_core.models import PredictiveModels, with_uncertainty
from retention_core.segment_inputs import SegmentInputs

FORMAT = "retention-aggregates"
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
TABLES = ("activity", "cohorts", "tenure", "customers", "costs", "cost_items", "acquisition", "nps", "revenue",
          "first_orders", "customer_attributes", "retention_spend_by_segment", "acquisition_by_segment")
_PREDICTIVE_TABLES = ("summary", "holdout")
_PREDICTIVE_FITS = {"bg_nbd": models.BgNbdFit, "gamma_gamma": models.GammaGammaFit}
_PREDICTIVE_DERIVED = ("uncertainty",)  # not stored: remade from the stored fits on reading (models.with_uncertainty)
_PREDICTIVE_TIMES = ("observation_end", "calibration_end")


class AggregatesError(ValueError):
    """A folder that is not a readable aggregates folder; the message says what is wrong in plain words."""


def segment_table_file(dimension: str) -> str:
    """The file of a dimension's segment table: ``segments_rfm.parquet``, ``segments_channel.parquet``."""
    return f"segments_{dimension}.parquet"


def write_aggregates(
    aggs: Aggregates, directory: str | Path, *, engine: str = "duckdb", source: str = "",
    segment_tables: dict[str, pd.DataFrame] | None = None, segment_assumptions: dict[str, float] | None = None,
) -> Path:
    """Write ``aggs`` into ``directory`` (created if needed) and return the manifest's path.

    ``engine`` and ``source`` are recorded in the manifest for the reader's information. ``segment_tables``:
    dimension -> segment table (see the module), made at ``segment_assumptions``. Existing files of the same names
    are replaced; the manifest is written last, so a folder with a manifest is complete.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {}
    for name in TABLES:
        frame = getattr(aggs, name)
        if frame is not None:
            tables[name] = f"{name}.parquet"
            frame.to_parquet(folder / tables[name], index=False)
    written_segments = {}
    for dimension, table in (segment_tables or {}).items():
        written_segments[dimension] = segment_table_file(dimension)
        table.to_parquet(folder / written_segments[dimension], index=False)
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "engine": engine,
        "source": source,
        "rows": aggs.rows,
        "period": aggs.period,
        "activity_months": aggs.activity_months,
        "gross_margin": aggs.gross_margin,
        "has_products": aggs.has_products,
        "sheets": list(aggs.sheets),
        "tables": tables,
        "predictive": None if aggs.predictive is None else _predictive_manifest(aggs.predictive, folder),
        "basis": None if aggs.basis is None else aggs.basis.to_dict(),
        "customers_sheet": None if aggs.customers_sheet is None else aggs.customers_sheet.to_dict(),
        "segment_tables": written_segments,
        "segment_assumptions": segment_assumptions if written_segments else None,
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, allow_nan=True), encoding="utf-8")
    return path


def read_manifest(directory: str | Path) -> dict:
    """The manifest of an aggregates folder; :class:`AggregatesError` when there is none or it is not one."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise AggregatesError(f"{Path(directory)} is not an aggregates folder: it has no {MANIFEST}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AggregatesError(f"{path} cannot be read: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise AggregatesError(f"{path} is not a manifest of an aggregates folder")
    if manifest.get("version") != FORMAT_VERSION:
        raise AggregatesError(
            f"{path} has format version {manifest.get('version')!r}; this app reads version {FORMAT_VERSION}"
        )
    if manifest.get("period") not in PERIODS_PER_YEAR or manifest.get("activity_months") not in ACTIVITY_MONTHS:
        raise AggregatesError(f"{path} names an unknown period or activity window")
    return manifest


def read_aggregates(directory: str | Path) -> Aggregates:
    """The :class:`Aggregates` stored in ``directory`` by :func:`write_aggregates`.

    Raises :class:`AggregatesError` when the folder, its manifest or a required table is missing or unreadable.
    Predictive fits that cannot be read back leave ``predictive`` with ``reason="not_stored"``, so the app shows
    the simple formulas and says why instead of failing.
    """
    folder = Path(directory)
    manifest = read_manifest(folder)
    tables = manifest.get("tables", {})
    frames = {}
    for name in TABLES:
        if name in tables:
            frames[name] = _read_table(folder / tables[name])
        elif name in ("activity", "cohorts", "tenure", "customers"):
            raise AggregatesError(f"{folder} lacks the {name} table")
    basis = _read_basis(manifest.get("basis"))
    inputs = SegmentInputs(first_orders=frames.pop("first_orders", None),
                           customer_attributes=frames.pop("customer_attributes", None),
                           match=_read_match(manifest.get("customers_sheet")))
    return Aggregates(
        period=manifest["period"],
        activity_months=manifest["activity_months"],
        gross_margin=manifest.get("gross_margin"),
        has_products=bool(manifest.get("has_products", False)),
        sheets=tuple(manifest.get("sheets", ("transactions",))),
        predictive=_read_predictive(manifest.get("predictive"), folder),
        rows=manifest.get("rows"),
        basis=basis,
        basis_replicates=intervals.basis_replicates(frames["customers"], basis),
        segment_inputs=inputs,
        **frames,
    )


def read_segment_tables(directory: str | Path) -> dict[str, pd.DataFrame]:
    """The segment tables the command line wrote into ``directory`` (dimension -> table; empty when none)."""
    folder = Path(directory)
    return {dimension: _read_table(folder / name)
            for dimension, name in (read_manifest(folder).get("segment_tables") or {}).items()}


def _read_match(entry: dict | None) -> segments.CustomersSheetMatch | None:
    """How the customers sheet met the orders, as the manifest holds it; None without one or unreadable."""
    try:
        return None if not entry else segments.CustomersSheetMatch(**entry)
    except TypeError:
        return None


def _read_basis(entry: dict | None) -> AnnualBasis | None:
    """The annual basis a manifest holds; None when it holds none or one this app cannot read."""
    if not entry:
        return None
    try:
        return AnnualBasis.from_dict(entry)
    except (TypeError, ValueError):
        return None


def _read_table(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as error:
        raise AggregatesError(f"{path} cannot be read: {error}") from error


def _predictive_manifest(fitted: PredictiveModels, folder: Path) -> dict:
    entry: dict[str, object] = {}
    for item in dataclasses.fields(fitted):
        value = getattr(fitted, item.name)
        if item.name in _PREDICTIVE_DERIVED:
            continue
        if item.name in _PREDICTIVE_TABLES:
            if value is not None:
                value.to_parquet(folder / f"predictive_{item.name}.parquet", index=False)
            entry[item.name] = None if value is None else f"predictive_{item.name}.parquet"
        elif item.name in _PREDICTIVE_FITS:
            entry[item.name] = None if value is None else dataclasses.asdict(value)
        elif item.name in _PREDICTIVE_TIMES:
            entry[item.name] = None if value is None else pd.Timestamp(value).isoformat()
        elif isinstance(value, float) and not math.isfinite(value):
            entry[item.name] = None
        else:
            entry[item.name] = value
    return entry


def _read_predictive(entry: dict | None, folder: Path) -> PredictiveModels:
    if not entry:
        return PredictiveModels(summary=pd.DataFrame(), reason="not_stored", holdout_reason="not_stored")
    try:
        values: dict[str, object] = {}
        for item in dataclasses.fields(PredictiveModels):
            if item.name not in entry:
                continue
            value = entry[item.name]
            if item.name in _PREDICTIVE_TABLES and value is not None:
                value = pd.read_parquet(folder / value)
            elif item.name in _PREDICTIVE_FITS and value is not None:
                value = _PREDICTIVE_FITS[item.name](**value)
            elif item.name in _PREDICTIVE_TIMES and value is not None:
                value = pd.Timestamp(value)
            values[item.name] = value
        if values.get("summary") is None:
            values["summary"] = pd.DataFrame()
        values["summary"].attrs["time_unit"] = values.get("time_unit", "W")
        return with_uncertainty(PredictiveModels(**values))
    except (OSError, ValueError, TypeError):
        return PredictiveModels(summary=pd.DataFrame(), reason="not_stored", holdout_reason="not_stored")
