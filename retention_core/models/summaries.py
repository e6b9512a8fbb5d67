"""Customer summaries for the BTYD models, computed by SQL from a transaction log, and whether they suit them.

A customer summary has one row per customer (Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way:
An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284, cited below as FHL 2005):
``frequency`` x = repeat purchase days (distinct purchase days - 1), ``recency`` t_x = time from the first to the
last purchase day, ``T`` = time from the first purchase day to the end of observation, ``monetary`` = mean spend of
the repeat purchase days. Times are in one time unit: "D" (days), "W" (weeks = days / 7) or "M" (months = days /
30.4375, the mean Gregorian month). :func:`rfm_summary` makes one (``sql/customer_summary.sql``),
:func:`calibration_holdout_split` adds the holdout window's purchases (``sql/holdout_purchases.sql``), and
:func:`assess_btyd_data` says when a summary is too small or too short for the models.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from retention_core import queries
from retention_core.engines import Engine, Table, TableSource

__all__ = [
    "BTYD_COLUMNS",
    "DAYS_PER_YEAR",
    "MIN_CUSTOMERS",
    "MIN_HISTORY_DAYS",
    "MIN_REPEAT_CUSTOMERS",
    "TIME_UNIT_DAYS",
    "assess_btyd_data",
    "btyd_summary",
    "calibration_holdout_split",
    "days_per_unit",
    "rfm_summary",
]

TIME_UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 30.4375}
"""Days per time unit of a customer summary; a month is the mean Gregorian month, 365.25 / 12 days."""

DAYS_PER_YEAR = 365.25

MIN_CUSTOMERS = 200
"""Fewer customers than this and BTYD estimates are too noisy to show (see :func:`assess_btyd_data`)."""

MIN_REPEAT_CUSTOMERS = 50
"""Fewer customers with a repeat purchase than this and the dropout and spend parameters are not identified."""

MIN_HISTORY_DAYS = 56
"""An observation window shorter than eight weeks cannot separate slow buyers from lost ones."""


def days_per_unit(time_unit: str) -> float:
    """Days per ``time_unit`` ("D", "W" or "M"); ``ValueError`` for another unit."""
    if time_unit not in TIME_UNIT_DAYS:
        raise ValueError(f"time_unit must be one of {', '.join(TIME_UNIT_DAYS)}, got {time_unit!r}")
    return TIME_UNIT_DAYS[time_unit]


def _as_date(value: object, name: str) -> dt.date:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a date, got {value!r}") from error
    if pd.isna(stamp):
        raise ValueError(f"{name} must be a date, got {value!r}")
    return stamp.date()


def _transactions_for_sql(transactions: Table) -> Table:
    if isinstance(transactions, TableSource):
        return transactions  # its engine casts the canonical columns to their types
    missing = [column for column in ("customer_id", "order_date", "amount") if column not in transactions.columns]
    if missing:
        raise ValueError(f"transactions lack the column(s) {', '.join(missing)}")
    if not pd.api.types.is_datetime64_any_dtype(transactions["order_date"]):
        raise ValueError("transactions.order_date must be datetime64; parse dates before summarising")
    if not pd.api.types.is_numeric_dtype(transactions["amount"]):
        raise ValueError("transactions.amount must be numeric")
    return transactions[["customer_id", "order_date", "amount"]]


def rfm_summary(
    transactions: Table, observation_end: object = None, time_unit: str = "W",
    engine: Engine | None = None,
) -> pd.DataFrame:
    """One row per customer: ``customer_id, frequency, recency, T, monetary`` in the BTYD convention (FHL 2005).

    ``frequency`` x = number of repeat purchase days (distinct purchase days - 1); ``recency`` t_x = time from the
    first to the last purchase day; ``T`` = time from the first purchase day to ``observation_end`` (default: the
    last order date in the data); ``monetary`` = mean net spend of the repeat purchase days, the first day's spend
    excluded, 0 for customers without a repeat. Times are in ``time_unit``: "D" days, "W" weeks (days / 7),
    "M" months (days / 30.4375). Several orders on one date are one purchase; returns on that date are netted.
    Dates with only returns are not purchases. Orders after ``observation_end`` are ignored. Computed by
    ``engine`` as part of :func:`queries.customer_summary` (``sql/customer_summary.sql``, default embedded DuckDB)
    and taken from it by :func:`btyd_summary`; the time unit is recorded in ``result.attrs["time_unit"]``.
    """
    unit_days = days_per_unit(time_unit)
    frame = _transactions_for_sql(transactions)
    end = None if observation_end is None else _as_date(observation_end, "observation_end")
    return btyd_summary(queries.customer_summary(frame, engine, observation_end=end, unit_days=unit_days), time_unit)


BTYD_COLUMNS = ("customer_id", "frequency", "recency", "T", "monetary")


def btyd_summary(customer_table: pd.DataFrame, time_unit: str) -> pd.DataFrame:
    """The BTYD columns of a :func:`queries.customer_summary` made with ``unit_days`` of ``time_unit``.

    Keeps the customers with a purchase day (``frequency`` not missing), in their order, as :func:`rfm_summary`
    returns them; ``frequency`` is a whole number and the time unit is recorded in ``result.attrs["time_unit"]``.
    """
    days_per_unit(time_unit)
    buyers = customer_table["frequency"].notna()
    columns = list(BTYD_COLUMNS)
    summary = customer_table.loc[buyers, columns] if not buyers.all() else customer_table[columns]
    summary = summary.astype({"frequency": "int64"}).reset_index(drop=True)
    summary.attrs["time_unit"] = time_unit
    return summary


def calibration_holdout_split(
    transactions: Table, calibration_end: object, observation_end: object, time_unit: str = "W",
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Calibration summary plus each customer's actual repeat purchases in the holdout window (FHL 2005, Sec. 4).

    Rows: customers whose first purchase day is on or before ``calibration_end``, with ``frequency, recency, T,
    monetary`` as in :func:`rfm_summary` at ``calibration_end``. Added columns: ``holdout_frequency`` = purchase
    days in (calibration_end, observation_end], ``holdout_monetary`` = their mean net spend (0 without one), and
    ``holdout_duration`` = length of the window in ``time_unit``, the ``t`` to pass to
    :func:`bg_nbd_conditional_expected_purchases` for the forecast of ``holdout_frequency``.
    """
    unit_days = days_per_unit(time_unit)
    calibration_day = _as_date(calibration_end, "calibration_end")
    observation_day = _as_date(observation_end, "observation_end")
    if observation_day <= calibration_day:
        raise ValueError(
            f"observation_end ({observation_day}) must be after calibration_end ({calibration_day})"
        )
    summary = rfm_summary(transactions, observation_end=calibration_day, time_unit=time_unit, engine=engine)
    holdout = queries.run_sql(
        "holdout_purchases",
        {"calibration_end": calibration_day, "observation_end": observation_day},
        engine,
        transactions=_transactions_for_sql(transactions),
    )
    result = summary.merge(holdout, on="customer_id", how="left")
    result["holdout_frequency"] = result["holdout_frequency"].fillna(0).astype("int64")
    result["holdout_monetary"] = result["holdout_monetary"].fillna(0.0).astype("float64")
    result["holdout_duration"] = (observation_day - calibration_day).days / unit_days
    result.attrs["time_unit"] = time_unit
    return result


def assess_btyd_data(summary: pd.DataFrame, time_unit: str | None = None) -> str | None:
    """Why a customer summary is unsuitable for BTYD models, as a plain key, or None when it is suitable.

    Keys, checked in this order: "too_few_customers" (fewer than :data:`MIN_CUSTOMERS` customers),
    "too_few_repeaters" (fewer than :data:`MIN_REPEAT_CUSTOMERS` customers with a repeat purchase),
    "short_history" (the longest ``T`` is shorter than :data:`MIN_HISTORY_DAYS` days). ``time_unit`` defaults to
    ``summary.attrs["time_unit"]`` and then to "W". The UI falls back to closed-form formulas for any key.
    """
    missing = [column for column in ("frequency", "T") if column not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks the column(s) {', '.join(missing)}")
    unit_days = days_per_unit(time_unit or summary.attrs.get("time_unit", "W"))
    if len(summary) < MIN_CUSTOMERS:
        return "too_few_customers"
    if int((summary["frequency"] > 0).sum()) < MIN_REPEAT_CUSTOMERS:
        return "too_few_repeaters"
    if float(summary["T"].max()) * unit_days < MIN_HISTORY_DAYS:
        return "short_history"
    return None
