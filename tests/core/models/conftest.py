"""Fixtures of the models tests: CDNOW split into calibration and holdout, the embedded sample's transactions and
the BTYD models fitted to them, each made once per test run for all the modules here."""

from __future__ import annotations

import pandas as pd
import pytest

from retention_core import models
from retention_core.models import calibration_holdout_split


@pytest.fixture(scope="session")
def cdnow_split(cdnow: pd.DataFrame) -> pd.DataFrame:
    return calibration_holdout_split(cdnow, "1997-09-30", "1998-06-30", time_unit="W")


@pytest.fixture(scope="session")
def sample_transactions(sample_dataset) -> pd.DataFrame:
    return sample_dataset.transactions


@pytest.fixture(scope="session")
def sample_models(sample_transactions) -> models.PredictiveModels:
    return models.fit_predictive_models(sample_transactions)
