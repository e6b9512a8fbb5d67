"""Slider rerun time per page on the sample data, measured through AppTest, and the one-off aggregation cost.

Run: python bench/bench_sliders.py [--repeats 15]
Prints one line per page: median and worst rerun time after moving its slider (target: < 0.2 s), and how long
the first load (read + prepare + aggregate of the sample) took. Sliders must never re-read or re-aggregate data:
the rerun times staying flat while the load is much larger is the evidence.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from retention_core.dataset import aggregate  # noqa: E402
from sample_data import load_sample  # noqa: E402

# page, widget kind, key, values to alternate between
SLIDERS = (
    ("app_pages/overview.py", "select_slider", "overview_period", (pd.Timestamp("2024-07-01"), pd.Timestamp("2024-10-01"))),
    ("app_pages/retention_cost.py", "select_slider", "cost_change_team", (10.0, 20.0)),
    ("app_pages/clv.py", "select_slider", "clv_gross_margin", (40.0, 45.0)),
    ("app_pages/profit.py", "select_slider", "profit_uplift", (3.0, 5.0)),
    ("app_pages/cohorts.py", "slider", "cohort_periods_since", (1, 2)),
    ("app_pages/loyalty.py", "select_slider", "loyalty_cli_recommend", (7.0, 8.0)),
    ("app_pages/segments.py", "select_slider", "clv_gross_margin", (40.0, 45.0)),
)


def time_page(page: str, kind: str, key: str, values, repeats: int) -> list[float]:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page(page).run()
    return time_reruns(app, page, kind, key, values, repeats)


def time_reruns(app: AppTest, page: str, kind: str, key: str, values, repeats: int) -> list[float]:
    """Seconds of each of ``repeats`` reruns of ``app`` after setting widget ``key`` to ``values`` in turn (from the
    first again after the last)."""
    timings = []
    for index in range(repeats):
        start = time.perf_counter()
        getattr(app, kind)(key=key).set_value(values[index % len(values)]).run()
        timings.append(time.perf_counter() - start)
        if app.exception:
            raise RuntimeError(f"{page}: {app.exception[0].message}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    start = time.perf_counter()
    dataset = load_sample()
    loaded = time.perf_counter()
    aggregate(dataset, "quarter", 12)
    aggregated = time.perf_counter()
    print(f"sample: {len(dataset.transactions):,} transactions")
    print(f"load + prepare: {loaded - start:.2f} s   aggregate (quarter): {aggregated - loaded:.2f} s")
    print(f"{'page':<28}{'median rerun':>14}{'worst':>10}")
    for page, kind, key, values in SLIDERS:
        timings = time_page(page, kind, key, values, args.repeats)
        print(f"{page:<28}{statistics.median(timings):>12.3f} s{max(timings):>8.3f} s")


if __name__ == "__main__":
    main()
