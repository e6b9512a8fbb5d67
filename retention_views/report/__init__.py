"""Exports of one scenario: a table of inputs and results, charts as PNG, and a self-contained HTML report.

Everything is pure and never imports streamlit. Text a user typed (the scenario name) is escaped wherever it
lands: HTML-escaped in the report, formula-escaped in CSV and XLSX (:mod:`retention_views.exports`). The HTML report
inlines plotly.js, so it opens offline; the formulas it lists are read from the docstrings of
:mod:`retention_core.metrics` and :mod:`retention_core.revenue`, so report and code cannot disagree.

PNG rendering uses Kaleido 1.x, which drives a Chrome or Chromium binary; :func:`png_unavailable` says in plain
words when none is found, and :func:`figures_png` raises :class:`PngUnavailable` instead of failing obscurely.

One module per part; this file lists the names the rest of the app uses, so ``report.<name>`` reaches each one:

* :mod:`.scenario_table`: the scenario's inputs and results (and the segment table) as rows; the downloads' file
  name.
* :mod:`.document`: the HTML report, its sections and style.
* :mod:`.formulas`: the formulas the report cites, read from the docstrings, in the reader's language.
* :mod:`.png`: charts as PNG images and their ZIP.
"""

from retention_views.report.document import html_report
from retention_views.report.formulas import REPORT_FORMULAS, Formula, formula_of, reader_reference
from retention_views.report.png import (
    BROWSER_CANDIDATES,
    PNG_SCALE,
    PNG_TIMEOUT_S,
    PngUnavailable,
    browser_path,
    figure_png,
    figures_png,
    figures_zip,
    note_zip,
    png_unavailable,
)
from retention_views.report.scenario_table import file_stem, format_param, scenario_frame, segment_rows

__all__ = [
    "BROWSER_CANDIDATES", "PNG_SCALE", "PNG_TIMEOUT_S", "REPORT_FORMULAS", "Formula", "PngUnavailable",
    "browser_path", "figure_png", "figures_png", "figures_zip", "file_stem", "format_param", "formula_of",
    "html_report", "note_zip", "png_unavailable", "reader_reference", "scenario_frame", "segment_rows",
]
