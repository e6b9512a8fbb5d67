"""Generate a large, realistic order log for the scale benchmarks: ``python bench/generate_orders.py --rows 10000000``.

Writes ``bench/out/orders_<rows>.parquet`` (canonical columns, see ``retention_core/ingest/contract.py``) and, with ``--csv``,
the same rows as a German CSV export (``;``, ``1.234,56``, ``31.12.2024``) beside it. The same seed gives the same
rows. The customers behave like real ones, only more of them:

- First orders spread over 2019–2024 with about 20 % growth a year and a Christmas peak / summer dip.
- Each customer repeats as a Poisson process with a Gamma-distributed yearly rate (mean about 3 orders a year) and
  drops out after each order with a Beta-distributed probability (BG/NBD, Fader, Hardie & Lee 2005); about 40 %
  never come back after the first order.
- Order values are log-normal around a customer-specific mean; about 1 % of orders are returned (a second row with
  a negative amount three weeks later).

About 2.7 rows per customer on average (many one-time buyers, heavy repeaters up to ~100 orders), so 10 M rows
are roughly 3.7 M customers.

``--customers`` also writes the customers sheet of those orders, ``bench/out/customers_<rows>.parquet``: every
customer's acquisition channel (one of :data:`CHANNELS`; customers with more orders came more often by referral)
and region, 2 % of the customers not listed and 1 % more ids without an order, as a CRM export would have them (see
:func:`generate_customers`). Made from the orders file when it exists, with a generator of its own.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

START = np.datetime64("2019-01-01")
END = np.datetime64("2024-12-31")
DAYS = int((END - START).astype(int)) + 1
MONTH_SEASON = np.array([0.90, 0.90, 1.00, 1.00, 0.95, 0.85, 0.72, 0.75, 0.95, 1.05, 1.30, 1.65])
PRODUCTS = np.array(["espresso", "crema", "filter", "origin", "decaf", "subscription", "grinder", "voucher"])
MARGINS = np.array([0.46, 0.44, 0.50, 0.52, 0.45, 0.38, 0.22, 0.45])
ORDERS_PER_CUSTOMER = 2.6  # rows per customer after the data's end cuts the repeaters short
OUT = Path(__file__).parent / "out"
CHANNELS = np.array(["search", "social", "referral", "marketplace", "retail"])
REGIONS = np.array(["Nord", "Ost", "Süd", "West"])
# channel shares of customers with 1, 2-5 and 6+ order rows
CHANNEL_SHARES = ((0.35, 0.30, 0.10, 0.15, 0.10), (0.30, 0.20, 0.25, 0.15, 0.10), (0.20, 0.10, 0.40, 0.10, 0.20))


def _seasonal_days(rng: np.random.Generator, size: int, growth: float) -> np.ndarray:
    """``size`` day offsets from START, denser later (``growth`` a year) and in the season's busy months."""
    days = np.empty(0, dtype=np.int64)
    while days.size < size:
        draw = rng.integers(0, DAYS, size=2 * (size - days.size) + 16)
        dates = START + draw.astype("timedelta64[D]")
        months = dates.astype("datetime64[M]").astype(int) % 12
        weight = MONTH_SEASON[months] / MONTH_SEASON.max() * (1 + growth) ** (draw / 365.25 - DAYS / 365.25)
        days = np.concatenate([days, draw[rng.random(draw.size) < weight]])
    return days[:size]


def generate_orders(rows: int, seed: int = 20190101) -> pd.DataFrame:
    """Exactly ``rows`` order rows in the canonical columns, sorted by customer and date.

    Columns: ``customer_id`` (str), ``order_date`` (datetime64), ``amount`` (float, negative = return),
    ``product`` (str), ``quantity`` (float), ``gross_margin`` (fraction).
    """
    customers = max(1, int(rows / ORDERS_PER_CUSTOMER))
    while True:
        frame = _simulate(customers, rows, seed)
        if len(frame) >= rows:
            return frame
        customers = int(customers * rows / max(len(frame), 1) * 1.05) + 1


def _simulate(customers: int, rows: int, seed: int) -> pd.DataFrame:
    """At most ``rows`` rows of ``customers`` simulated customers (see the module docstring)."""
    rng = np.random.default_rng(seed)
    first = _seasonal_days(rng, customers, growth=0.20)
    rate = rng.gamma(shape=1.2, scale=3.0 / 1.2, size=customers) / 365.25  # orders per day while alive
    dropout = rng.beta(1.0, 4.0, size=customers)
    dropout[rng.random(customers) < 0.40] = 1.0  # one-time buyers
    # repeat orders: geometric number before dropout, capped by the data's end through the Poisson gaps
    repeats = np.minimum(rng.geometric(np.clip(dropout, 1e-3, 1.0)) - 1, 200)
    owner = np.repeat(np.arange(customers), repeats)
    gaps = rng.exponential(1.0, size=owner.size) / rate[owner]
    starts = np.repeat(np.cumsum(repeats) - repeats, repeats)
    cumulative = np.cumsum(gaps)
    offset = cumulative - np.concatenate([[0.0], cumulative])[starts]
    repeat_days = first[owner] + offset.astype(np.int64)
    keep = repeat_days < DAYS
    customer = np.concatenate([np.arange(customers), owner[keep]])
    day = np.concatenate([first, repeat_days[keep]])

    mean_value = rng.lognormal(np.log(32.0), 0.45, size=customers)
    amount = np.round(rng.lognormal(np.log(mean_value[customer]), 0.35), 2)
    product = rng.integers(0, PRODUCTS.size, size=customer.size)
    quantity = rng.integers(1, 4, size=customer.size).astype(float)
    returned = (rng.random(customer.size) < 0.01) & (day + 21 < DAYS)
    customer = np.concatenate([customer, customer[returned]])
    day = np.concatenate([day, day[returned] + 21])
    amount = np.concatenate([amount, -amount[returned]])
    product = np.concatenate([product, product[returned]])
    quantity = np.concatenate([quantity, -quantity[returned]])

    order = np.lexsort((day, customer))[:rows]
    frame = pd.DataFrame({
        "customer_id": pd.array(np.char.add("K", customer[order].astype(str)), dtype="str"),
        "order_date": (START + day[order].astype("timedelta64[D]")).astype("datetime64[us]"),
        "amount": amount[order],
        "product": pd.array(PRODUCTS[product[order]], dtype="str"),
        "quantity": quantity[order],
        "gross_margin": MARGINS[product[order]],
    })
    return frame


def generate_customers(orders: pd.DataFrame, seed: int = 20190126) -> pd.DataFrame:
    """The customers sheet of ``orders``: ``customer_id``, ``channel`` (by how many rows the customer has, see
    :data:`CHANNEL_SHARES`), ``region``; 2 % of the customers left out and 1 % more ids that have no order."""
    rng = np.random.default_rng(seed)
    ids, rows = np.unique(orders["customer_id"].to_numpy(dtype=object), return_counts=True)
    group = np.where(rows >= 6, 2, np.where(rows >= 2, 1, 0))
    shares = np.array(CHANNEL_SHARES)[group].cumsum(axis=1)
    channel = CHANNELS[(rng.random(ids.size)[:, None] > shares).sum(axis=1).clip(max=CHANNELS.size - 1)]
    region = REGIONS[rng.integers(0, REGIONS.size, size=ids.size)]
    listed = rng.random(ids.size) >= 0.02
    extra = max(1, ids.size // 100)
    return pd.DataFrame({
        "customer_id": pd.array(np.concatenate([ids[listed], [f"X{n}" for n in range(extra)]]), dtype="str"),
        "channel": pd.array(np.concatenate([channel[listed], CHANNELS[rng.integers(0, CHANNELS.size, extra)]]),
                            dtype="str"),
        "region": pd.array(np.concatenate([region[listed], REGIONS[rng.integers(0, REGIONS.size, extra)]]),
                           dtype="str"),
    })


def write_german_csv(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as a German spreadsheet export: ``;`` separated, decimal comma, ``31.12.2024`` dates, cp1252."""
    german = frame.rename(columns={"customer_id": "Kundennummer", "order_date": "Bestelldatum", "amount": "Betrag",
                                   "product": "Produkt", "quantity": "Menge", "gross_margin": "Marge"})
    german.to_csv(path, sep=";", decimal=",", date_format="%d.%m.%Y", index=False, encoding="cp1252")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20190101)
    parser.add_argument("--out", type=Path, default=None, help="Parquet file to write (default bench/out/...)")
    parser.add_argument("--csv", action="store_true", help="also write a German CSV beside the Parquet file")
    parser.add_argument("--customers", action="store_true",
                        help="also write the customers sheet (channel, region) as customers_<rows>.parquet; from "
                             "the orders file when it exists")
    args = parser.parse_args()
    out = args.out or OUT / f"orders_{args.rows}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    if args.customers and out.exists() and not args.csv:
        frame = pd.read_parquet(out, columns=["customer_id"])
    else:
        frame = generate_orders(args.rows, args.seed)
        frame.to_parquet(out, index=False)
        print(f"{len(frame):,} rows, {frame['customer_id'].nunique():,} customers -> {out} "
              f"({time.perf_counter() - began:.1f} s)")
    if args.customers:
        customers = generate_customers(frame)
        target = out.with_name(out.name.replace("orders_", "customers_", 1))
        customers.to_parquet(target, index=False)
        print(f"customers sheet: {len(customers):,} rows -> {target}")
    if args.csv:
        write_german_csv(frame, out.with_suffix(".csv"))
        print(f"German CSV -> {out.with_suffix('.csv')}")


if __name__ == "__main__":
    main()
