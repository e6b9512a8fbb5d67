"""Scenarios side by side: the results a comparison lists (:func:`outcome_kpis`) and A vs B with the difference and
whether it is beyond the data's uncertainty (:func:`compare`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention_core import intervals
from retention_views.whatif.outcomes import Outcome


@dataclass(frozen=True)
class ScenarioKpi:
    """One result of a scenario: i18n label ``key``, ``kind`` (money, fraction, ratio), value (None: n/a) and its
    values over the bootstrap replicates (None for a figure not measured on the annual basis, or without
    replicates)."""

    key: str
    kind: str
    value: float | None
    lower_is_better: bool = False
    replicates: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def interval(self) -> intervals.Interval | None:
        """The 80 % interval of the value over the replicates, when it has one worth showing
        (:func:`intervals.informative`)."""
        if self.replicates is None:
            return None
        return intervals.informative(intervals.percentile_interval(self.replicates), self.value)


def outcome_kpis(outcome: Outcome) -> tuple[ScenarioKpi, ...]:
    """The results a scenario comparison lists, in page order: revenue retention of the Overview's period,
    retention cost, CLV and gap, profit uplift.

    Each label key is the one its page shows the same value under.
    """
    clv, profit, cost = outcome.clv, outcome.profit, outcome.cost.scenario
    result = None if profit is None else profit.result

    def of(source: object, name: str) -> float | None:
        return None if source is None else getattr(source, name)

    def clv_kpi(key: str, kind: str, name: str, lower_is_better: bool = False) -> ScenarioKpi:
        return ScenarioKpi(key, kind, of(clv, name), lower_is_better, outcome.clv_replicates.get(name))

    def profit_kpi(key: str, kind: str, name: str) -> ScenarioKpi:
        return ScenarioKpi(key, kind, of(result, name), replicates=outcome.profit_replicates.get(name))

    return (
        ScenarioKpi("kpi_net_revenue_retention", "fraction", of(outcome.revenue, "nrr")),
        ScenarioKpi("kpi_gross_revenue_retention", "fraction", of(outcome.revenue, "grr")),
        ScenarioKpi("label_total_retention_cost", "money", cost.total, True),
        ScenarioKpi("kpi_retention_cost_per_customer", "money", cost.per_customer, True),
        clv_kpi("clv_simple", "money", "simple_clv"),
        clv_kpi("clv_margin_multiple", "money", "margin_multiple_clv"),
        clv_kpi("clv_finite", "money", "finite_horizon_clv"),
        clv_kpi("label_lifetime_retention_cost", "money", "lifetime_retention_cost", True),
        clv_kpi("kpi_clv_gap", "money", "clv_gap"),
        clv_kpi("label_net_value", "money", "net_value"),
        clv_kpi("label_break_even", "money", "break_even_retention_spend"),
        clv_kpi("kpi_clv_to_cac", "ratio", "clv_to_cac"),
        profit_kpi("profit_value_before", "money", "value_before"),
        profit_kpi("profit_value_after", "money", "value_after"),
        profit_kpi("profit_value_change", "money", "value_change"),
        profit_kpi("profit_relative_change", "fraction", "relative_change"),
    )


def compare(a: Sequence[ScenarioKpi], b: Sequence[ScenarioKpi]) -> pd.DataFrame:
    """A and B side by side with the difference B − A and the relative difference (B − A) / |A|.

    Columns: ``key``, ``kind``, ``a``, ``b``, ``difference``, ``relative``, ``lower_is_better``,
    ``difference_interval`` and ``beyond_uncertainty``. A difference is None where either value is missing; the
    relative difference also where A is zero. Fractions differ in percentage points as a fraction (0.10 → 0.15 is
    0.05). ``difference_interval`` is the 80 % interval of B − A over the paired replicates (both scenarios are
    evaluated on the same resamples of the same customers; a scenario without replicates counts with its value),
    None when neither side varies; ``beyond_uncertainty`` is True when that interval excludes 0 (the difference is
    larger than the uncertainty of the data), False when it includes it, None without one.
    """
    rows = []
    for first, second in zip(a, b, strict=True):
        if first.key != second.key:
            raise ValueError(f"cannot compare {first.key!r} with {second.key!r}: the KPI lists differ")
        difference = relative = spread = beyond = None
        if first.value is not None and second.value is not None:
            difference = second.value - first.value
            relative = difference / abs(first.value) if first.value != 0 else None
            if first.replicates is not None or second.replicates is not None:
                paired = _replicates_or_value(second) - _replicates_or_value(first)
                spread = intervals.informative(intervals.percentile_interval(paired), 1.0)
                beyond = None if spread is None else not spread.contains(0.0)
        rows.append({"key": first.key, "kind": first.kind, "a": first.value, "b": second.value,
                     "difference": difference, "relative": relative, "lower_is_better": first.lower_is_better,
                     "difference_interval": spread, "beyond_uncertainty": beyond})
    columns = ["key", "kind", "a", "b", "difference", "relative", "lower_is_better", "difference_interval",
               "beyond_uncertainty"]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _replicates_or_value(kpi: ScenarioKpi) -> np.ndarray:
    return np.asarray(kpi.value, dtype=float) if kpi.replicates is None else np.asarray(kpi.replicates, dtype=float)
