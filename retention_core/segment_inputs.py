"""What segments need beyond the customer summary: :class:`SegmentInputs`, made on first use and then kept.

Apart from :mod:`retention_core.dataset` because it is not part of the aggregation:
:func:`~retention_core.dataset.aggregate` only makes the object (``Aggregates.segment_inputs``), and each part is made
when first asked for (a page, the command line, a background thread), or given ready-made by an aggregates folder
(:mod:`retention_core.store`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import pandas as pd

from retention_core import coded_orders, segments
from retention_core.coded_orders import _customer_codes, _first_orders
from retention_core.engines import DuckDBEngine, Engine, Table
from retention_core.freed_memory import _give_back_working_memory
from retention_core.ingest.prepare import TextCodes

MATCH_MEMORY_LIMIT = "256MB"
"""DuckDB's memory limit when it matches a large customers sheet to the orders' customers
(``sql/segment_customer_match.sql``, one thread): its grouping and join of millions of text ids then stay near it
(spilling to disk beyond), instead of growing by some 600 MB at 3.6 M ids; a match that needs more runs again under
the environment's limit (:class:`~retention_core.engines.DuckDBEngine`)."""


class SegmentInputs:
    """What segments need beyond the customer summary: each customer's first order and the customers sheet's
    attributes, made on first use and then kept.

    The first orders take a pass over the orders about as long as the customer summary's (seconds at 10 M rows), so
    :func:`~retention_core.dataset.aggregate` leaves them to whoever asks first (the Segments page, the command
    line), within its budget; a period switch keeps the same object. ``first_orders``: :func:`segments.first_orders`
    without its ``first_order`` column (the customer summary has it), ``first_product`` a Categorical;
    ``customer_attributes`` and ``match``: :func:`segments.customer_attributes` of the customers sheet (None without
    one). Made from ``transactions`` (with their ``codes``, :attr:`~retention_core.dataset.Dataset.transaction_codes`)
    on ``engine``, or given (an aggregates folder). Sessions may share one (the sample's): a lock makes each part
    once.
    """

    def __init__(
        self, transactions: Table | None = None, customers_sheet: pd.DataFrame | None = None, *,
        customer_ids: pd.Series | None = None, codes: Mapping[str, TextCodes] | None = None,
        engine: Engine | None = None, first_orders: pd.DataFrame | None = None,
        customer_attributes: pd.DataFrame | None = None, match: segments.CustomersSheetMatch | None = None,
    ) -> None:
        self._transactions, self._sheet, self._ids, self._codes = transactions, customers_sheet, customer_ids, codes
        self._engine = engine
        self._first, self._attributes, self._match = first_orders, customer_attributes, match
        self._lock = threading.Lock()

    @property
    def first_orders(self) -> pd.DataFrame | None:
        with self._lock:
            if self._first is None and self._transactions is not None:
                transactions, uniques = _customer_codes(self._transactions, known=self._codes)
                if uniques is not None:  # large data: what the aggregation left pooled, before this step's peak
                    _give_back_working_memory()
                engine = self._engine if self._engine is not None or uniques is None else DuckDBEngine(
                    fresh_database=True)  # large data: its memory goes back to the system after the query
                self._first = _first_orders(self._transactions, transactions, uniques, self._codes or {}, engine)
                self._transactions = None  # made: the orders are not needed any more
                del transactions
                if uniques is not None:  # large data: the query's and the coding's memory, before the bases
                    _give_back_working_memory()
            return self._first

    @property
    def has_first_orders(self) -> bool:
        """Whether the first orders are known or can be made (without making them)."""
        return self._first is not None or self._transactions is not None

    @property
    def attribute_names(self) -> tuple[str, ...]:
        """The customers sheet's attribute columns that hold a value (without matching the sheet to the orders)."""
        if self._attributes is not None:
            return tuple(name for name in self._attributes.columns if name != "customer_id")
        if self._sheet is None:
            return ()
        return tuple(name for name in self._sheet.columns if name != "customer_id" and self._sheet[name].notna().any())

    @property
    def customer_attributes(self) -> pd.DataFrame | None:
        self._attributes_and_match()
        return self._attributes

    @property
    def match(self) -> segments.CustomersSheetMatch | None:
        self._attributes_and_match()
        return self._match

    def _attributes_and_match(self) -> None:
        with self._lock:
            if self._attributes is None and self._sheet is not None:
                # the threshold read from its module at each call: one setting for the codes and this match
                large = self._engine is None and len(self._ids) >= coded_orders.CODED_IDS_FROM_ROWS
                # large: a database of its own with one thread and a low memory limit (DuckDB's hash tables of
                # millions of ids are the first use's highest point), its memory given back after the query
                engine = DuckDBEngine(fresh_database=True, threads=1, memory_limit=MATCH_MEMORY_LIMIT) if large \
                    else self._engine
                self._attributes, self._match = segments.customer_attributes(self._sheet, self._ids, engine)
                self._sheet = self._ids = None
                if large:
                    _give_back_working_memory()

    def __getstate__(self) -> dict[str, object]:
        """Pickled (a cache that copies its values) with every part made: no lock, no orders, no engine."""
        self.made()
        return {"first_orders": self._first, "customer_attributes": self._attributes, "match": self._match}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(**state)

    def made(self) -> SegmentInputs:
        """This object with every part made (before its engine goes away, e.g. a Spark session stopped)."""
        _ = self.first_orders, self.customer_attributes
        return self
