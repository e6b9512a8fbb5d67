"""The embedded sample business, loaded through the same path as a user's upload.

The files in ``sample_data/`` are German exports (``;``, decimal comma, ``31.12.2024``, cp1252) of a synthetic
online coffee roastery, and each sheet again as a Parquet file with the same headers and typed columns; see
``sample_data/README.md``. The app reads the Parquet files with :func:`read_and_prepare` (read, suggested mapping,
prepare), so its default view exercises the upload path, without guessing the CSV dialect and the columns' types at
every server start (a second of CPU); the sheets are the same as read from the CSV exports
(``tests/core/test_sample_data.py`` checks that), but for the row numbers, which count a CSV file's lines.
"""

from __future__ import annotations

from pathlib import Path

from retention_core.dataset import Dataset, content_key
from retention_core.ingest.upload_flow import read_and_prepare

SAMPLE_DIR = Path(__file__).resolve().parent
#: the German exports, as a user would upload them
SAMPLE_EXPORTS = {
    "transactions": "transaktionen.csv",
    "retention_costs": "kundenbindungskosten.csv",
    "acquisition": "akquisition.csv",
    "nps": "nps_umfrage.csv",
    "customers": "kunden.csv",
}
#: the same sheets as Parquet files (``generate.py`` writes both), which the app reads
SAMPLE_FILES = {kind: Path(name).with_suffix(".parquet").name for kind, name in SAMPLE_EXPORTS.items()}
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
