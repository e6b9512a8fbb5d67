"""Segment assignment: which segment each customer belongs to, along one dimension, from what the data has.

Every function returns a *label table*: one row per customer, columns ``customer_id`` and ``segment``, the label an
ordered ``Categorical`` of strings whose categories are the dimension's natural order (years ascending, tiers low to
high, the RFM groups best first, products and attribute values by customers, most first). A customer the dimension
cannot place (no order, no product on the first order, an empty attribute) has a missing label; the figures
(:mod:`retention_core.segments.figures`) show them as one "missing" row, never drop them.

Labels are data values (a product name, a year) or the codes of :data:`FIRST_ORDER_TIERS` and :data:`RFM_GROUPS`;
the views translate the codes. Nothing here imports streamlit or UI text.

Dimensions:

- first product bought (:func:`by_first_product`) and an attribute of the orders, such as a channel per order
  (:func:`by_first_order_attribute`): the value of the customer's first order (:func:`first_orders`);
- an attribute of the customers sheet (:func:`by_customer_attribute`: channel, region, customer type, branch);
- NPS group (:func:`by_nps_group`) when the survey has customer ids;
- acquisition year, the first-order cohort (:func:`by_acquisition_year`);
- first-order value tier (:func:`by_first_order_value`): tertiles of the first order's value;
- RFM group (:func:`by_rfm`): recency, frequency and monetary quintile scores (:func:`rfm_scores`) and the named
  groups of the recency–frequency grid (:func:`rfm_group`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention_core import queries
from retention_core.engines import Engine, Table

#: The labels of :func:`by_first_order_value`, lowest tier first.
FIRST_ORDER_TIERS = ("low", "middle", "high")

#: The NPS groups of :func:`by_nps_group`, most loyal first.
NPS_GROUPS = ("promoter", "passive", "detractor")

#: The named RFM groups of :func:`rfm_group`, best first.
RFM_GROUPS = ("champions", "loyal_customers", "potential_loyalists", "new_customers", "promising",
              "need_attention", "about_to_sleep", "cannot_lose_them", "at_risk", "hibernating")

RFM_SCORES = 5
"""RFM scores run from 1 (worst) to 5 (best): quintiles."""

#: ``sql/segment_first_orders.sql``'s parameters for every customer at once (no customer range)
WHOLE_RANGE = {"customer_from": None, "customer_before": None}

# The recency–frequency grid: (recency scores, frequency scores) -> group. Every one of the 25 cells has exactly one.
_RFM_CELLS = (
    ((5,), (4, 5), "champions"),
    ((3, 4), (4, 5), "loyal_customers"),
    ((4, 5), (2, 3), "potential_loyalists"),
    ((5,), (1,), "new_customers"),
    ((4,), (1,), "promising"),
    ((3,), (3,), "need_attention"),
    ((3,), (1, 2), "about_to_sleep"),
    ((1, 2), (5,), "cannot_lose_them"),
    ((1, 2), (3, 4), "at_risk"),
    ((1, 2), (1, 2), "hibernating"),
)


def _rfm_grid() -> np.ndarray:
    """The grid as a 5 × 5 array: [R − 1, F − 1] -> the group's index in :data:`RFM_GROUPS`."""
    grid = np.full((RFM_SCORES, RFM_SCORES), -1)
    for recency, frequency, group in _RFM_CELLS:
        for r in recency:
            for f in frequency:
                grid[r - 1, f - 1] = RFM_GROUPS.index(group)
    return grid


_RFM_GRID = _rfm_grid()


def label_table(customer_ids: pd.Series, labels: pd.Series, categories: list | tuple) -> pd.DataFrame:
    """A label table: ``customer_id`` and ``segment``, the labels as an ordered Categorical of ``categories``.

    Labels outside ``categories`` become missing. The rows keep the order of ``customer_ids``, whose values are
    taken as they are (:func:`_ids`).
    """
    segment = pd.Categorical(labels.to_numpy(dtype=object), categories=list(categories), ordered=True)
    return _labelled(customer_ids, segment)


def _ids(customer_ids: pd.Series) -> object:
    """The values of ``customer_ids`` for a label table's ``customer_id``, not copied: the customer summary's ids
    (text held by Arrow) shared rather than turned into one Python string per customer (at 3.6 M customers
    260 MB, about five times the ids' own size)."""
    return customer_ids.array


def _labelled(customer_ids: pd.Series, segment: pd.Categorical) -> pd.DataFrame:
    """The label table of ``segment`` (one label per customer of ``customer_ids``, in its order)."""
    return pd.DataFrame({"customer_id": _ids(customer_ids), "segment": segment})


def _by_customers(customer_ids: pd.Series, labels: pd.Series) -> pd.DataFrame:
    """A label table of text ``labels`` whose categories are ordered by customers, most first (ties by label).

    Categorical ``labels`` (a first product) are recoded by their codes, without a string per customer."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        codes = labels.cat.codes.to_numpy()
        counts = np.bincount(codes[codes >= 0], minlength=len(labels.cat.categories))
        counted = sorted(zip(labels.cat.categories, counts), key=lambda item: (-item[1], item[0]))
        order = [label for label, _ in counted]  # unused categories too, last, as value_counts() gives them
        return _labelled(customer_ids, labels.cat.set_categories(order, ordered=True).array)
    counts = labels.dropna().value_counts()
    order = sorted(counts.index, key=lambda label: (-counts[label], label))
    return label_table(customer_ids, labels, order)


def _from_scores(customer_ids: pd.Series, scores: pd.Series, names: tuple[str, ...]) -> pd.DataFrame:
    """A label table naming the scores 1 … len(names) by ``names`` (a missing score: a missing label)."""
    codes = scores.fillna(0).to_numpy(dtype="int64") - 1
    segment = pd.Categorical.from_codes(codes, categories=list(names), ordered=True)
    return _labelled(customer_ids, segment)


# --- from the first order ------------------------------------------------------------------------------------


def first_orders(
    transactions: Table, engine: Engine | None = None, *, attribute: str | None = None
) -> pd.DataFrame:
    """What each customer's first order looked like (``sql/segment_first_orders.sql``), one row per customer.

    The first order is every order row (amount ≥ 0) dated on the customer's first order day. Columns:
    ``customer_id``, ``first_order`` (the day), ``first_order_value`` (the amounts of that day's order rows,
    returns not subtracted), ``first_product`` (missing without a product column), ``first_segment`` (the
    ``attribute`` column's value; missing without one). Where the day's rows differ, the value of the largest row
    is taken, ties to the smallest value. ``attribute``: the name of a column of ``transactions`` that holds an
    attribute per order (a channel, a branch); it is renamed before SQL sees it, so its name never reaches SQL.
    A path source has no attribute column (its ``first_segment`` is missing).
    """
    if not isinstance(transactions, pd.DataFrame):
        table = transactions.with_null_columns({"product": "str", "segment": "str"})
        return queries.run_sql("segment_first_orders", WHOLE_RANGE, engine, transactions=table)
    if attribute is not None and attribute not in transactions.columns:
        raise ValueError(f"the transactions have no column {attribute!r} to take segments from")
    empty = pd.Series(None, index=transactions.index, dtype="str")
    table = pd.DataFrame({
        "customer_id": transactions["customer_id"],
        "order_date": transactions["order_date"],
        "amount": transactions["amount"],
        "product": _text(transactions["product"]) if "product" in transactions.columns else empty,
        "segment": empty if attribute is None else _text(transactions[attribute]),
    })
    return queries.run_sql("segment_first_orders", WHOLE_RANGE, engine, transactions=table)


def _text(values: pd.Series) -> pd.Series:
    """``values`` as text, a missing value missing (a number column of attributes becomes its text)."""
    return values.astype("str").where(values.notna(), None).astype("str")


def _categories(values: pd.Series) -> pd.Categorical:
    """``values`` as a Categorical of their text (:func:`_text`): its categories the distinct values in sorted order.
    A Categorical of text (a prepared customers sheet's attribute) is taken as it is, without a string per row."""
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.dtype == "str":
        values = values.array.remove_unused_categories()
        return values.reorder_categories(sorted(values.categories)) if not values.categories.is_monotonic_increasing \
            else values
    return pd.Categorical(_text(values))


def by_first_product(first: pd.DataFrame) -> pd.DataFrame:
    """Segment = the product of the customer's first order (``first``: :func:`first_orders`)."""
    return _by_customers(first["customer_id"], first["first_product"])


def by_first_order_attribute(first: pd.DataFrame) -> pd.DataFrame:
    """Segment = the attribute value of the customer's first order, e.g. the channel they came through
    (``first``: :func:`first_orders` with ``attribute``)."""
    return _by_customers(first["customer_id"], first["first_segment"])


def by_first_order_value(first: pd.DataFrame) -> pd.DataFrame:
    """Segment = the tertile of the customer's first-order value: ``"low"``, ``"middle"``, ``"high"``.

    Tertiles by rank (:func:`quantile_scores` with three scores): each tier holds about a third of the customers;
    customers with the same first-order value share a tier (the lower one a tie straddles).
    """
    tiers = quantile_scores(first["first_order_value"], len(FIRST_ORDER_TIERS))
    return _from_scores(first["customer_id"], tiers, FIRST_ORDER_TIERS)


def by_customer_attribute(customers_sheet: pd.DataFrame, attribute: str, *, one_row_per_customer: bool = False
                          ) -> pd.DataFrame:
    """Segment = the value of ``attribute`` (one of ``retention_core.ingest.CUSTOMER_ATTRIBUTES``, e.g.
    ``"channel"``) for the customer in the customers sheet (prepared: ``customer_id`` plus attribute columns).

    A customer listed twice counts with their first row (the sheet describes each customer once); a customer the
    sheet does not list, or lists without a value, has a missing label (the figures' "missing" row). With
    ``one_row_per_customer`` (the table of :func:`customer_attributes`: one row per customer, Categorical
    attributes) a Categorical attribute is taken as it is, without looking for repeated ids.
    """
    if attribute not in customers_sheet.columns:
        raise ValueError(f"the customers sheet has no column {attribute!r} to take segments from")
    values = customers_sheet[attribute]
    if one_row_per_customer and isinstance(values.dtype, pd.CategoricalDtype):
        values = values.cat.rename_categories([str(label) for label in values.cat.categories])  # labels are text
        counts = values.value_counts(sort=False)
        counts = counts[counts > 0]
        order = sorted(counts.index, key=lambda label: (-counts[label], label))
        segment = values.cat.set_categories(order, ordered=True).array
        return _labelled(customers_sheet["customer_id"], segment)
    listed = customers_sheet.drop_duplicates("customer_id", keep="first")
    return _by_customers(listed["customer_id"], _text(listed[attribute]))


def by_nps_group(nps: pd.DataFrame, as_of: object = None) -> pd.DataFrame:
    """Segment = the NPS group of the customer's latest survey answer: promoter, passive or detractor.

    Definition: promoters answer 9–10, passives 7–8, detractors 0–6 (Reichheld 2003; as ``sql/nps_by_period.sql``
    counts them). ``nps``: the prepared survey sheet (``response_date``, ``score``, ``customer_id``); answers
    without a customer id or score are left out, and with ``as_of`` so are answers after it. A customer who
    answered more than once counts with the latest answer; two answers on that day, with the lower score. Only
    customers who answered get a label (the figures' "missing" row holds everyone else).
    Reference: Reichheld, F. F. (2003), "The One Number You Need to Grow", HBR 81(12).
    """
    if "customer_id" not in nps.columns:
        raise ValueError("the survey has no customer_id column: NPS groups need the customers' ids")
    answers = nps[nps["customer_id"].notna() & nps["score"].notna()]
    if as_of is not None:
        answers = answers[answers["response_date"] <= pd.Timestamp(as_of)]
    latest = answers.sort_values(["customer_id", "response_date", "score"], ascending=[True, False, True],
                                 kind="stable").drop_duplicates("customer_id", keep="first")
    score = latest["score"].to_numpy(dtype="float64")
    codes = np.where(score >= 9, 0, np.where(score >= 7, 1, 2))
    segment = pd.Categorical.from_codes(codes, categories=list(NPS_GROUPS), ordered=True)
    return _labelled(latest["customer_id"], segment)


# --- from the customer summary -------------------------------------------------------------------------------


def by_acquisition_year(customer_table: pd.DataFrame) -> pd.DataFrame:
    """Segment = the calendar year of the customer's first order (their cohort), as text (``"2023"``).

    ``customer_table``: the customer summary (:attr:`retention_core.dataset.Aggregates.customers`). Years
    ascending.
    """
    years = customer_table["first_order"].dt.year.to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(years)
    distinct = np.unique(years[known])  # ascending
    codes = np.where(known, np.searchsorted(distinct, years), -1)
    segment = pd.Categorical.from_codes(codes, categories=[str(int(year)) for year in distinct], ordered=True)
    return _labelled(customer_table["customer_id"], segment)


def quantile_scores(values: pd.Series, scores: int) -> pd.Series:
    """Scores 1 … ``scores`` by rank: the lowest ``1/scores`` of the values score 1, the highest ``scores``.

    Definition: with the n known values ranked ascending and ties given their lowest rank ρ (1 … n), the score is
    the quantile group that rank falls in, so tied values always share a score.
    Formula: score = ⌊scores · (ρ − 1) / n⌋ + 1.   Units: a whole number 1 … ``scores`` (missing for a missing value).
    Reference: quantile scoring as in Hughes, A. M. (1994), "Strategic Database Marketing", ch. on RFM; ties
    shared as in the ``rfm`` R package's scoring (rsquaredacademy).
    """
    if not isinstance(scores, int) or scores < 1:
        raise ValueError(f"scores must be a whole number of at least 1, got {scores!r}")
    values = pd.Series(values, dtype="float64").reset_index(drop=True)
    known = values.notna().to_numpy()
    n = int(known.sum())
    score = values.rank(method="min", ascending=True).to_numpy(copy=True)  # ρ, NaN unknown; then in place:
    score -= 1
    score *= scores
    score /= max(n, 1)
    np.floor(score, out=score)
    score += 1
    return pd.Series(pd.arrays.IntegerArray(np.where(known, score, 0).astype("int64"), ~known))


def rfm_scores(customer_table: pd.DataFrame, as_of: object = None) -> pd.DataFrame:
    """Recency, frequency and monetary quintile scores 1–5 of every customer with an order (5 best).

    Definitions, read off the customer summary (:attr:`retention_core.dataset.Aggregates.customers`):
    recency = days from the last order to ``as_of`` (default: the data's last order date; fewer days score higher),
    frequency = purchase occasions (``occasions``), monetary = net revenue (``revenue``, returns subtracted).
    Each score is :func:`quantile_scores` with five scores over the customers with an order (recency scored on
    minus the days). Returns ``customer_id``, ``recency_days``, ``frequency``, ``monetary``, ``recency_score``,
    ``frequency_score``, ``monetary_score``; the scores are missing for a customer without an order.
    Reference: Hughes (1994), RFM quintiles; Fader, Hardie & Lee (2005), "RFM and CLV", J. Marketing Research 42(4).
    """
    recency, frequency = _recency_days(customer_table, as_of), _of_ordered(customer_table, "occasions")
    monetary = _of_ordered(customer_table, "revenue")
    return pd.DataFrame({
        "customer_id": _ids(customer_table["customer_id"]),
        "recency_days": recency,
        "frequency": frequency,
        "monetary": monetary,
        "recency_score": quantile_scores(-recency, RFM_SCORES),
        "frequency_score": quantile_scores(frequency, RFM_SCORES),
        "monetary_score": quantile_scores(monetary, RFM_SCORES),
    })


def _recency_days(customer_table: pd.DataFrame, as_of: object) -> pd.Series:
    """The recency of :func:`rfm_scores`: days from each customer's last order to ``as_of`` (default: the data's
    last order date), NaN without an order."""
    last = customer_table["last_order"]
    end = pd.Timestamp(last.max() if as_of is None else as_of).normalize()
    return ((end - last).dt.days).where(last.notna()).astype("float64").reset_index(drop=True)


def _of_ordered(customer_table: pd.DataFrame, column: str) -> pd.Series:
    """``column`` of the customer summary as float64, NaN for a customer without an order (frequency and monetary
    of :func:`rfm_scores`)."""
    ordered = customer_table["last_order"].notna().to_numpy()
    return customer_table[column].astype("float64").where(ordered).reset_index(drop=True)


def rfm_group(recency_score: int, frequency_score: int) -> str:
    """The named RFM group of a recency and a frequency score (1–5 each), from the recency–frequency grid.

    Definition (R = recency score, F = frequency score; the monetary score is reported, not used by the grid):
    champions R 5, F 4–5; loyal_customers R 3–4, F 4–5; potential_loyalists R 4–5, F 2–3; new_customers R 5, F 1;
    promising R 4, F 1; need_attention R 3, F 3; about_to_sleep R 3, F 1–2; cannot_lose_them R 1–2, F 5;
    at_risk R 1–2, F 3–4; hibernating R 1–2, F 1–2. Every one of the 25 cells has exactly one group.
    Reference: the RFM segment grid of Putler, "RFM Analysis for Successful Customer Segmentation"
    (putler.com/rfm-analysis), the named groups also used by the ``rfm`` R package (rsquaredacademy).
    """
    for name, value in (("recency_score", recency_score), ("frequency_score", frequency_score)):
        if value not in range(1, RFM_SCORES + 1):
            raise ValueError(f"{name} must be a whole number 1 … {RFM_SCORES}, got {value!r}")
    return RFM_GROUPS[_RFM_GRID[recency_score - 1, frequency_score - 1]]


def by_rfm(customer_table: pd.DataFrame, as_of: object = None) -> pd.DataFrame:
    """Segment = the named RFM group (:func:`rfm_group` of :func:`rfm_scores`); missing without an order.

    Scored on the whole history (the customer summary up to the data's end), the groups say who is valuable and
    who is slipping *now*: the list of whom to call. Their annual retention is no forecast, though: a high recency
    score means an order in the last 12 months, so champions retain by construction. To compare the groups'
    retention and value, score them a year earlier (:func:`by_rfm_a_year_ago`)."""
    # the recency and frequency scores of rfm_scores, one at a time (the grid does not read the monetary score)
    recency_score = quantile_scores(-_recency_days(customer_table, as_of), RFM_SCORES)
    scored = recency_score.notna().to_numpy()
    r = recency_score.fillna(1).to_numpy(dtype="int64")
    del recency_score
    f = quantile_scores(_of_ordered(customer_table, "occasions"), RFM_SCORES).fillna(1).to_numpy(dtype="int64")
    codes = np.where(scored, _RFM_GRID[r - 1, f - 1], -1)
    segment = pd.Categorical.from_codes(codes, categories=list(RFM_GROUPS), ordered=True)
    return _labelled(customer_table["customer_id"], segment)


def by_rfm_a_year_ago(
    transactions: Table, year_start: object, engine: Engine | None = None
) -> pd.DataFrame:
    """Segment = the named RFM group as scored at the start of the last 12 months (E − 12 months).

    The scores read only the orders up to ``year_start`` (:attr:`AnnualBasis.year_start
    <retention_core.customer_value.AnnualBasis.year_start>`; a customer summary with that observation end, one
    pass over the orders), so the retention and value the segment figures then measure in the last 12 months
    are what each group did *after* it was scored: an honest comparison of the groups. Customers whose first order
    came later have a missing label (they were not customers yet).
    """
    end = pd.Timestamp(year_start).date()
    summary = queries.customer_summary(transactions, engine, observation_end=end)
    summary = summary[summary["last_order"].notna()]  # only customers with an order up to then are scored
    return by_rfm(summary, as_of=end)


# --- from the customers sheet ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomersSheetMatch:
    """How the customers sheet's ids meet the orders' customers.

    ``rows``: the sheet's rows (as prepared: kept rows); ``listed``: distinct customer ids in it; ``repeated_rows``:
    rows of an id listed before (only each id's first row counts); ``in_orders``: listed ids that are customers of
    the orders; ``not_in_orders``: listed ids without a row in the orders (counted, reported, not used);
    ``unlisted``: customers of the orders the sheet does not list (their segment is "missing").
    ``rows == listed + repeated_rows`` and ``listed == in_orders + not_in_orders``.
    """

    rows: int
    listed: int
    repeated_rows: int
    in_orders: int
    not_in_orders: int
    unlisted: int

    def to_dict(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in self.__dataclass_fields__}


def _positions(rows: pd.Series | pd.DataFrame) -> str:
    """The smallest whole-number type that numbers ``rows`` (int32 up to 2³¹ rows: half the memory of int64)."""
    return "int32" if len(rows) < 2**31 else "int64"


def customer_attributes(
    customers_sheet: pd.DataFrame, customer_ids: pd.Series, engine: Engine | None = None
) -> tuple[pd.DataFrame, CustomersSheetMatch]:
    """The customers sheet's attributes for each customer of the orders, and how its ids meet the orders.

    ``customers_sheet``: the prepared sheet (``customer_id`` plus attribute columns of
    ``retention_core.ingest.CUSTOMER_ATTRIBUTES``); ``customer_ids``: the customers of the orders, each once (the
    customer summary's ``customer_id``). The ids are matched by ``sql/segment_customer_match.sql`` on ``engine``.
    Returns one row per customer of ``customer_ids``, in its order: ``customer_id`` and each attribute column that
    holds a value, as a Categorical (small: one code per customer), the value of the customer's first row in the
    sheet, missing for a customer the sheet does not list; and the :class:`CustomersSheetMatch`.
    """
    attributes = [name for name in customers_sheet.columns if name != "customer_id"
                  and customers_sheet[name].notna().any()]
    matched = queries.run_sql(
        "segment_customer_match", None, engine,
        sheet=pd.DataFrame({"customer_id": customers_sheet["customer_id"].array,
                            "row_index": np.arange(len(customers_sheet), dtype=_positions(customers_sheet))}),
        customers=pd.DataFrame({"customer_id": customer_ids.array,
                                "position": np.arange(len(customer_ids), dtype=_positions(customer_ids))}),
    )
    position = matched["position"].to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(position)
    row_of = np.full(len(customer_ids), -1, dtype="int64")  # the sheet row of each customer, −1 unlisted
    row_of[position[known].astype("int64")] = matched["row_index"].to_numpy(dtype="int64")[known]
    columns = {}
    for name in attributes:
        values = _categories(customers_sheet[name])
        codes = np.where(row_of >= 0, values.codes[np.maximum(row_of, 0)], -1)
        columns[name] = pd.Categorical.from_codes(codes, dtype=values.dtype)
    table = pd.DataFrame({"customer_id": customer_ids.array, **columns})
    listed = len(matched)
    match = CustomersSheetMatch(
        rows=len(customers_sheet), listed=listed, repeated_rows=len(customers_sheet) - listed,
        in_orders=int(known.sum()), not_in_orders=int((~known).sum()), unlisted=len(customer_ids) - int(known.sum()),
    )
    return table, match
