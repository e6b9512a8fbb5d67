"""Cohort retention curves and their sBG projection (retention_core.models.cohorts), on two hand-made cohorts."""

from __future__ import annotations

import pandas as pd
import pytest

from retention_core import models
from retention_core.dataset import Aggregates
from retention_core.models import cohorts


def yearly_aggregates(last_order: str) -> Aggregates:
    """Two yearly cohorts: 2020 (1,000 customers, observed 2020-2024) and 2023 (200, observed 2023-2024)."""
    cohorts = pd.DataFrame({
        "cohort_start": pd.to_datetime(["2020-01-01"] * 5 + ["2023-01-01"] * 2),
        "periods_since": [0, 1, 2, 3, 4, 0, 1],
        "cohort_size": [1000] * 5 + [200] * 2,
        "active_customers": [1000, 600, 650, 400, 350, 200, 90],
    })
    cohorts["retention"] = cohorts["active_customers"] / cohorts["cohort_size"]
    empty = pd.DataFrame()
    return Aggregates(period="year", activity_months=12, activity=empty, cohorts=cohorts, tenure=empty,
                      customers=pd.DataFrame({"last_order": pd.to_datetime([last_order])}))


def test_cohort_curve_is_made_non_increasing_and_projected_from_its_last_point():
    curves = models.project_cohorts(yearly_aggregates("2024-12-31"), periods_ahead=2)
    cohort = curves[curves["cohort_start"] == pd.Timestamp("2020-01-01")]
    observed = cohort[cohort["kind"] == "observed"]
    # 60 %, 65 %, 40 %, 35 % buying -> running minimum 60 %, 60 %, 40 %, 35 %.
    assert list(observed["periods_since"]) == [0, 1, 2, 3, 4]
    assert list(observed["retention"]) == pytest.approx([1.0, 0.6, 0.6, 0.4, 0.35])
    fit = models.fit_shifted_beta_geometric([0.6, 0.6, 0.4, 0.35], 1000)
    projected = cohort[cohort["kind"] == "projected"]
    assert list(projected["periods_since"]) == [5, 6]
    expected = 0.35 * models.sbg_survival(fit, [5, 6]) / models.sbg_survival(fit, 4)
    assert list(projected["retention"]) == pytest.approx(list(expected))
    assert 0.35 > projected["retention"].iloc[0] > projected["retention"].iloc[1]


def test_short_cohorts_are_left_out_and_the_pooled_curve_is_the_only_kept_cohort():
    curves = models.project_cohorts(yearly_aggregates("2024-12-31"), periods_ahead=2)
    assert pd.Timestamp("2023-01-01") not in set(curves["cohort_start"])  # one observed period after the first
    pooled = curves[curves["cohort_start"].isna()]
    cohort = curves[curves["cohort_start"] == pd.Timestamp("2020-01-01")]
    assert list(pooled["retention"]) == pytest.approx(list(cohort["retention"]))


def test_a_period_that_ends_after_the_last_order_is_not_observed():
    curves = models.project_cohorts(yearly_aggregates("2024-06-30"), periods_ahead=1)
    cohort = curves[curves["cohort_start"] == pd.Timestamp("2020-01-01")]
    assert list(cohort["periods_since"]) == [0, 1, 2, 3, 4]
    assert list(cohort["kind"]) == ["observed"] * 4 + ["projected"]


def test_no_projection_asked_gives_only_observed_rows_and_a_negative_one_is_refused():
    curves = models.project_cohorts(yearly_aggregates("2024-12-31"), periods_ahead=0)
    assert set(curves["kind"]) == {"observed"}
    with pytest.raises(ValueError, match="periods_ahead must be a whole number >= 0"):
        models.project_cohorts(yearly_aggregates("2024-12-31"), periods_ahead=-1)


def test_cohort_fits_are_made_once_and_projected_to_any_length(monkeypatch):
    aggs = yearly_aggregates("2024-12-31")
    fits = models.fit_cohorts(aggs)
    assert [curve.cohort_start for curve in fits.curves][0] == pd.Timestamp("2020-01-01")
    assert pd.isna(fits.curves[-1].cohort_start) and len(fits.curves) == 2  # the 2020 cohort and the pooled curve
    monkeypatch.setattr(cohorts, "fit_shifted_beta_geometric", None)  # projecting must not fit again
    for ahead in (0, 1, 5):
        projected = fits.project(ahead)
        monkeypatch.undo()
        pd.testing.assert_frame_equal(projected, models.project_cohorts(aggs, ahead))
        monkeypatch.setattr(cohorts, "fit_shifted_beta_geometric", None)
        assert (projected["kind"] == "projected").sum() == 2 * ahead
    with pytest.raises(ValueError, match="periods_ahead must be a whole number >= 0"):
        fits.project(1.5)


def test_the_projection_chart_joins_each_projection_to_its_last_observed_point():
    from retention_views import charts

    curves = models.project_cohorts(yearly_aggregates("2024-12-31"), periods_ahead=2)
    figure = charts.cohort_projection_chart(curves, "year", "en")
    assert [trace.name for trace in figure.data] == ["2020", "2020", "Average · observed", "Average · projection (sBG)"]
    for solid, dashed in (figure.data[:2], figure.data[2:]):  # the 2020 cohort, then the pooled curve
        assert list(solid.x) == [0, 1, 2, 3, 4] and solid.line.dash is None
        assert list(dashed.x) == [4, 5, 6] and dashed.line.dash == "dash" and dashed.y[0] == solid.y[-1]
    assert list(figure.data[0].y) == pytest.approx([1.0, 0.6, 0.6, 0.4, 0.35])
    assert figure.data[2].showlegend and figure.data[2].line.width == 4 and not figure.data[0].showlegend


def test_a_cohort_whose_fit_does_not_converge_keeps_only_its_observed_rows(monkeypatch):
    failed = models.SbgFit(1.0, 1.0, converged=False)
    monkeypatch.setattr(cohorts, "fit_shifted_beta_geometric", lambda survival, size: failed)
    fits = models.fit_cohorts(yearly_aggregates("2024-12-31"))
    assert all(curve.fit is None for curve in fits.curves)
    assert set(fits.project(3)["kind"]) == {"observed"}
