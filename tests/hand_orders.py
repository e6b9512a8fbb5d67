"""Tiny order tables written out by hand, shared by the tests that work their figures out on paper."""

from __future__ import annotations

import pandas as pd


def orders(*rows: tuple) -> pd.DataFrame:
    """Transactions from (customer, date, amount[, order id]) rows."""
    frame = pd.DataFrame([row[:3] for row in rows], columns=["customer_id", "order_date", "amount"])
    frame = frame.assign(customer_id=frame["customer_id"].astype("str"),
                         order_date=pd.to_datetime(frame["order_date"]), amount=frame["amount"].astype(float))
    if any(len(row) > 3 for row in rows):
        frame["order_id"] = pd.array([row[3] if len(row) > 3 else None for row in rows], dtype="str")
    return frame


def three_years_orders() -> pd.DataFrame:
    """E = 2024-12-31: L = 2024, P = 2023 (calendar years here).

    A: 2022, 2023, 2024 (two lines on 2024-03-01, one purchase; a second day 2024-06-01)
    B: 2023 only (returns 5 in 2024)
    C: 2023 and 2024
    D: 2022 only
    E: first order 2024-05-05 (returns 3 on 2024-05-20)
    F: 2022, then back in 2024 (a reactivated buyer)
    P = 2023 buyers {A, B, C} = 3; of them in L: {A, C} = 2 -> r = 2 / 3.
    L = 2024 buyers {A, C, E, F} = 4; first order in L: {E} = 1.
    Net revenue in L: A 10 + 20 + 30 = 60, B -5, C 40, E 50 - 3 = 47, F 25 -> 167.
    Occasions in L: A 2 (03-01, 06-01), C 1, E 1, F 1 -> 5; repeat buyers in L (2+ occasions): {A} = 1.
    """
    return orders(
        ("A", "2022-02-01", 7.0), ("A", "2023-04-01", 8.0), ("A", "2024-03-01", 10.0), ("A", "2024-03-01", 20.0),
        ("A", "2024-06-01", 30.0),
        ("B", "2023-05-01", 15.0), ("B", "2024-02-01", -5.0),
        ("C", "2023-01-10", 12.0), ("C", "2024-12-31", 40.0),
        ("D", "2022-01-01", 9.0),
        ("E", "2024-05-05", 50.0), ("E", "2024-05-20", -3.0),
        ("F", "2022-03-03", 4.0), ("F", "2024-08-08", 25.0),
    )
