"""Fixtures of the models tests: the embedded sample's transactions and the BTYD models fitted to them."""

from __future__ import annotations

import pandas as pd
import pytest

from retention_core import models
from sample_data import load_sample


@pytest.fixture(scope="module")
def sample_transactions() -> pd.DataFrame:
    return load_sample().transactions


@pytest.fixture(scope="module")
def sample_models(sample_transactions) -> models.PredictiveModels:
    return models.fit_predictive_models(sample_transactions)
