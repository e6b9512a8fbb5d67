"""The embedded sample business, loaded through the same path as a user's upload.

The files in ``sample_data/`` are German exports (``;``, decimal comma, ``31.12.2024``, cp1252) of a synthetic
online coffee roastery; see ``sample_data/README.md``. Reading them with :func:`read_and_prepare`
(read, suggested mapping, prepare) means the app's default view exercises the upload path.
"""

from __future__ import annotations

from pathlib import Path

from retention_core.dataset import Dataset, content_key
from retention_core.ingest.upload_flow import read_and_prepare

SAMPLE_DIR = Path(__file__).resolve().parent
SAMPLE_FILES = {
    "transactions": "transaktionen.csv",
    "retention_costs": "kundenbindungskosten.csv",
    "acquisition": "akquisition.csv",
    "nps": "nps_umfrage.csv",
    "customers": "kunden.csv",
}
SAMPLE_NAME = "Kaffeerösterei Lindenberg (Beispiel)"


def load_sample() -> Dataset:
    """The sample business as a :class:`Dataset` with all five sheets."""
    contents = {kind: (SAMPLE_DIR / name).read_bytes() for kind, name in SAMPLE_FILES.items()}
    # read, mapped by suggestion and prepared as the Data page does with its defaults (in this process: trusted files)
    prepared = {kind: read_and_prepare(data, SAMPLE_FILES[kind], kind).prepared for kind, data in contents.items()}
    frames = {kind: sheet.frame for kind, sheet in prepared.items()}
    return Dataset(
        **frames, key="sample-" + content_key(*contents.values()), name=SAMPLE_NAME,
        transaction_codes=prepared["transactions"].codes,
    )
