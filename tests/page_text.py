"""Every text an AppTest run shows: labels, messages, options, help, table headers and cells (for language tests)."""

from __future__ import annotations

import io
import json

import pandas as pd
import pyarrow as pa
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

_SKIPPED_FIELDS = frozenset({"id", "key", "form_id", "data", "spec", "figure", "config", "theme", "icon", "type",
                             "url", "default", "value", "set_value", "raw_value", "file_id", "styler_css", "uuid",
                             "widget_id", "placeholder_id", "selection_mode", "column_config", "columns"})


def _strings(proto: Message) -> list[str]:
    found = []
    for field, value in proto.ListFields():
        if field.name in _SKIPPED_FIELDS:
            continue
        repeated = getattr(field, "is_repeated", False) or type(value).__name__.startswith("Repeated")
        values = value if repeated or isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, Message):
                found += _strings(item)
            elif isinstance(item, str) and item.strip():
                found.append(item)
    return found


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def shown_texts(app: AppTest) -> list[str]:
    """The texts of every element of the last run, and each table's headers and cells as the user sees them."""
    texts = []
    for node in _nodes(app._tree):
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message) and node.type not in ("arrow_data_frame", "plotly_chart", "download_button"):
            texts += _strings(proto)
        if node.type == "download_button":
            texts.append(node.proto.label)
    for chart in app.get("plotly_chart"):
        texts += _figure_texts(json.loads(chart.proto.spec))
    for table in app.dataframe:
        frame = table.value
        labels = _column_labels(table)
        texts += [labels.get(str(column), str(column)) for column in frame.columns]
        texts += [str(cell) for cell in _display_cells(table, frame)]
    return texts


def _figure_texts(spec: dict) -> list[str]:
    """Titles, axis titles, legend names, annotations and hover templates of a Plotly figure's JSON."""
    found = []

    def walk(value, name=""):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, key)
        elif isinstance(value, list):
            for item in value:
                walk(item, name)
        elif isinstance(value, str) and name in ("text", "name", "hovertemplate", "title", "ticktext"):
            found.append(value)

    walk(spec.get("layout", {}))
    for trace in spec.get("data", []):
        walk({key: trace.get(key) for key in ("name", "hovertemplate", "text") if isinstance(trace.get(key), str)})
    return found


def _column_labels(table) -> dict[str, str]:
    config = json.loads(table.proto.columns or "{}")
    return {name: spec.get("label", name) for name, spec in config.items() if isinstance(spec, dict)}


def _display_cells(table, frame: pd.DataFrame) -> list[object]:
    """The cells as the table draws them: a Styler's display values where it wrote some, else the values."""
    arrow = table.proto.arrow_data
    display = arrow.styler if arrow.HasField("styler") else None
    if display is not None and display.display_values:
        shown = pa.ipc.open_stream(io.BytesIO(display.display_values)).read_all().to_pandas()
        return shown.to_numpy().ravel().tolist()
    return frame.to_numpy().ravel().tolist()
