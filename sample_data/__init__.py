"""The embedded sample business, loaded through the same path as a user's upload.

The files in ``sample_data/`` are German exports (``;``, decimal comma, ``31.12.2024``, cp1252) of a synthetic
online coffee roastery; see ``sample_data/README.md``. Reading them with :func:`read_table`,
:func:`suggest_mapping` and :func:`prepare_sheet` means the app's default view exercises the upload path.
"""

from __future__ import annotations

from pathlib import Path

from retention_core.dataset import Dataset, content_key
from retention_core.ingest import (
    apply_categories,
    map_columns,
    prepare_sheet,
    read_table,
    suggest_categories,
    suggest_mapping,
)

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
SAMPLE_FILES = {
    "transactions": "transaktionen.csv",
    "retention_costs": "kundenbindungskosten.csv",
    "acquisition": "akquisition.csv",
    "nps": "nps_umfrage.csv",
}
SAMPLE_NAME = "Kaffeerösterei Lindenberg (Beispiel)"


def prepare_upload(data: bytes, filename: str, kind: str):
    """Read, map by suggestion and prepare one sheet the way the Data page does with its defaults."""
    loaded = read_table(data, filename)
    mapping = suggest_mapping(list(loaded.frame.columns), kind)
    mapped = map_columns(loaded.for_mapping(mapping).frame, mapping)
    if kind == "retention_costs":
        mapped = apply_categories(mapped, suggest_categories(mapped["category"].dropna().unique()))
    return prepare_sheet(mapped, kind)


def load_sample() -> Dataset:
    """The sample business as a :class:`Dataset` with all four sheets."""
    contents = {kind: (SAMPLE_DIR / name).read_bytes() for kind, name in SAMPLE_FILES.items()}
    prepared = {kind: prepare_upload(data, SAMPLE_FILES[kind], kind) for kind, data in contents.items()}
    frames = {kind: sheet.frame for kind, sheet in prepared.items()}
    return Dataset(
        **frames, key="sample-" + content_key(*contents.values()), name=SAMPLE_NAME,
        transaction_codes=prepared["transactions"].codes,
    )
