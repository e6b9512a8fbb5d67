"""The orders as DuckDB reads them on large data: customer ranges and the codes turned back into the ids (that
aggregate() gives the same tables over the codes is in test_dataset.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention_core import coded_orders


def test_customer_ranges_cover_every_code_once(monkeypatch):
    monkeypatch.setattr(coded_orders, "CUSTOMERS_PER_QUERY", 3)
    assert coded_orders._customer_ranges(3) == [(None, None)]
    assert coded_orders._customer_ranges(7) == [(0, 3), (3, 6), (6, 9)]


def test_decoding_the_summary_takes_the_ids_themselves_and_any_other_frame_a_copy_in_its_order():
    uniques = pd.Index(pd.array(["A", "B", "C"], dtype="str"))
    summary = coded_orders._decode(pd.DataFrame({"customer_id": np.array([0, 1, 2], dtype="int32")}), uniques)
    assert summary["customer_id"].tolist() == ["A", "B", "C"]
    assert summary["customer_id"].array._pa_array is uniques.array._pa_array  # no copy of 3.6 M ids
    shuffled = coded_orders._decode(pd.DataFrame({"customer_id": np.array([2, 0, 0], dtype="int32")}), uniques)
    assert shuffled["customer_id"].tolist() == ["C", "A", "A"]
    fewer = coded_orders._decode(pd.DataFrame({"customer_id": np.array([0, 1], dtype="int32")}), uniques)
    assert fewer["customer_id"].tolist() == ["A", "B"]
    assert str(summary["customer_id"].dtype) == str(shuffled["customer_id"].dtype) == "str"
