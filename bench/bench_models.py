"""Time the BTYD pipeline on one million customers: rfm_summary (DuckDB) + fit_bg_nbd + fit_gamma_gamma.

The CDNOW sample (2,357 customers; ``$CDNOW_SAMPLE``, else ../shared/data/CDNOW_sample.txt, as for the tests) is
replicated to 1,000,000 customers with new ids. Each copy of a customer has all her dates shifted by the same random
number of days (-14..14, seeded), so purchase patterns stay realistic, and every amount is multiplied by a random
factor in [0.9, 1.1] (seeded), so mean spends are nearly all distinct (no free speed-up from identical rows in the
Gamma-Gamma fit). The summary is taken at the end of CDNOW's calibration period (1997-09-30, in weeks), so the
fitted parameters should be close to the published ones (r 0.243, alpha 4.414, a 0.793, b 2.426).
Prints wall time per step and the peak resident set size of the process. Targets: < 20 s and < 2 GB.

    python bench/bench_models.py [n_customers]
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retention_core.models import fit_bg_nbd, fit_gamma_gamma, predictive_clv, rfm_summary  # noqa: E402

CDNOW_BESIDE = Path(__file__).resolve().parents[2] / "shared" / "data" / "CDNOW_sample.txt"
CDNOW = Path(os.environ.get("CDNOW_SAMPLE") or CDNOW_BESIDE)


def replicated_cdnow(n_customers: int, seed: int = 1) -> pd.DataFrame:
    """CDNOW transactions copied until there are ``n_customers`` customers, dates jittered per customer copy."""
    raw = pd.read_csv(
        CDNOW, sep=r"\s+", header=None, names=["customer_id", "sample_id", "date", "cds", "amount"],
        dtype={"date": "str"},
    )
    base_customer = raw["sample_id"].to_numpy() - 1  # 0..2356
    n_base = int(base_customer.max()) + 1
    copies = -(-n_customers // n_base)
    copy = np.repeat(np.arange(copies), len(raw))
    customer = np.tile(base_customer, copies) + copy * n_base
    keep = customer < n_customers
    customer = customer[keep]
    rng = np.random.default_rng(seed)
    shift_days = rng.integers(-14, 15, n_customers)
    dates = pd.to_datetime(raw["date"], format="%Y%m%d").to_numpy()
    order_date = np.tile(dates, copies)[keep] + shift_days[customer].astype("timedelta64[D]")
    amounts = np.tile(raw["amount"].to_numpy(dtype="float64"), copies)[keep]
    return pd.DataFrame(
        {
            "customer_id": pd.Series(customer).map("C{:07d}".format).astype("str"),
            "order_date": order_date,
            "amount": amounts * rng.uniform(0.9, 1.1, amounts.size),
        }
    )


def main() -> None:
    if not CDNOW.exists():
        sys.exit(f"CDNOW sample not found at {CDNOW}: put CDNOW_sample.txt there or set CDNOW_SAMPLE=/path/to/it")
    n_customers = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    started = time.perf_counter()
    transactions = replicated_cdnow(n_customers)
    built = time.perf_counter() - started
    print(f"data: {len(transactions):,} rows, {n_customers:,} customers, built in {built:.1f} s")

    timings = {}
    clock = time.perf_counter()
    summary = rfm_summary(transactions, observation_end="1997-09-30", time_unit="W")
    timings["rfm_summary"] = time.perf_counter() - clock
    clock = time.perf_counter()
    bg = fit_bg_nbd(summary["frequency"], summary["recency"], summary["T"])
    timings["fit_bg_nbd"] = time.perf_counter() - clock
    clock = time.perf_counter()
    gg = fit_gamma_gamma(summary["frequency"], summary["monetary"])
    timings["fit_gamma_gamma"] = time.perf_counter() - clock
    clock = time.perf_counter()
    clv = predictive_clv(bg, gg, summary, horizon=12, discount_rate=0.1, margin=0.3)
    extra = time.perf_counter() - clock

    for step, seconds in timings.items():
        print(f"{step:>16}: {seconds:6.2f} s")
    print(f"{'pipeline total':>16}: {sum(timings.values()):6.2f} s  (target < 20 s)")
    print(f"{'predictive_clv':>16}: {extra:6.2f} s  (12 months, not part of the target)")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(f"{'peak RSS':>16}: {peak_mib:6.0f} MiB  (target < 2048 MiB)")
    print(f"BG/NBD: r={bg.r:.3f} alpha={bg.alpha:.3f} a={bg.a:.3f} b={bg.b:.3f} converged={bg.converged}")
    print(f"Gamma-Gamma: p={gg.p:.2f} q={gg.q:.2f} gamma={gg.gamma:.2f} converged={gg.converged}")
    print(f"summary rows: {len(summary):,}; mean 12-month CLV: {clv['clv'].mean():.2f}")


if __name__ == "__main__":
    main()
