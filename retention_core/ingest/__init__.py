"""Ingestion: an upload's bytes read, its columns mapped to the data contract and its rows checked.

The flow is ``read_table`` (:mod:`~retention_core.ingest.read`: the guards, then the reader of the file's format)
-> ``suggest_mapping`` (:mod:`~retention_core.ingest.headers`) -> the user confirms -> ``map_columns``
(:mod:`~retention_core.ingest.mapping`) -> ``prepare_sheet`` (:mod:`~retention_core.ingest.prepare`). The data
contract (the sheets, their canonical columns, the message keys) is :mod:`~retention_core.ingest.contract`. In the
app every read and preparation runs in a capped worker process (:mod:`~retention_core.ingest.worker`, on
:mod:`~retention_core.ingest.sandbox`), imported by its path: it is process machinery, not part of this API.

Findings are :class:`Problem` and :class:`LoadError` objects: message keys with parameters, never text.
"""

from retention_core.ingest.contract import (
    ATTRIBUTE_SHEETS,
    CANONICAL_NAMES,
    CUSTOMER_ATTRIBUTES,
    CATEGORIES,
    EVENT_SHEETS,
    ID_COLUMNS,
    MESSAGE_PARAMS,
    SHEETS,
    LoadError,
    Problem,
    SheetSpec,
)
from retention_core.ingest.headers import looks_like, looks_like_id, suggest_mapping
from retention_core.ingest.mapping import SharedColumnError, apply_categories, map_columns, suggest_categories
from retention_core.ingest.prepare import (
    Prepared,
    TextCodes,
    prepare_sheet,
    unusable_sheet_problems,
    validate_transactions,
)
from retention_core.ingest.read import read_table
from retention_core.ingest.result import Dialect, LoadResult

__all__ = [
    "ATTRIBUTE_SHEETS", "CANONICAL_NAMES", "CATEGORIES", "CUSTOMER_ATTRIBUTES", "EVENT_SHEETS", "ID_COLUMNS",
    "MESSAGE_PARAMS", "SHEETS", "Dialect", "LoadError", "LoadResult",
    "Prepared", "Problem", "SharedColumnError", "SheetSpec", "TextCodes", "apply_categories", "looks_like",
    "looks_like_id", "map_columns", "prepare_sheet", "read_table", "suggest_categories", "suggest_mapping",
    "unusable_sheet_problems", "validate_transactions",
]
