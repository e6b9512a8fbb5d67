"""retention_core.config: every configuration variable is checked at start-up, and a wrong one stops the app and
the command line with a message naming it, its value and what it accepts."""

from __future__ import annotations

import pytest
from apptest_support import APP, rendered
from streamlit.testing.v1 import AppTest

from dashboard import runtime
from retention_core import cli, config
from retention_core.config import ConfigurationError
from retention_core.ingest.sandbox import Limits


def test_the_defaults_and_an_empty_environment_are_valid():
    assert config.problems({}) == []
    config.check({"RETENTION_DUCKDB_THREADS": "4", "RETENTION_DUCKDB_MEMORY_LIMIT": "50%",
                  "RETENTION_QUERY_TIMEOUT_SECONDS": "30.5", "RETENTION_UPLOAD_MEMORY_LIMIT": "3.5GiB",
                  "RETENTION_UPLOAD_SECONDS": "90"})


@pytest.mark.parametrize(("name", "value", "message"), [
    ("RETENTION_DUCKDB_THREADS", "zwei", r"RETENTION_DUCKDB_THREADS='zwei' is invalid: expected a whole number"),
    ("RETENTION_DUCKDB_THREADS", "0", "from 1 to 1024"),
    ("RETENTION_DUCKDB_MEMORY_LIMIT", "2 Gigabyte", "expected a size such as 2GB, 1.5GiB or 512MB, or a share"),
    ("RETENTION_DUCKDB_MEMORY_LIMIT", "1KB", "at least 64MB"),
    ("RETENTION_QUERY_TIMEOUT_SECONDS", "-1", "a number of seconds above 0"),
    ("RETENTION_QUERY_TIMEOUT_SECONDS", "inf", "a number of seconds above 0"),
    ("RETENTION_UPLOAD_MEMORY_LIMIT", "50%", "a size such as 4GB"),
    ("RETENTION_UPLOAD_MEMORY_LIMIT", "500MB", "at least 1GiB"),
    ("RETENTION_UPLOAD_SECONDS", "0", "a number of seconds above 0"),
    ("RETENTION_UPLOAD_SECONDS", "eine Minute", "a number of seconds above 0"),
])
def test_a_wrong_variable_is_named_with_its_value_and_what_it_accepts(name, value, message):
    with pytest.raises(ConfigurationError, match=message):
        config.check({name: value})


def test_every_wrong_variable_is_named_at_once():
    found = config.problems({"RETENTION_DUCKDB_THREADS": "x", "RETENTION_UPLOAD_SECONDS": "-5"})
    assert [line.split("=")[0] for line in found] == ["RETENTION_DUCKDB_THREADS", "RETENTION_UPLOAD_SECONDS"]


@pytest.mark.parametrize(("text", "size"), [
    ("2GB", 2_000_000_000), ("1.5GiB", 1_610_612_736), ("512MB", 512_000_000), ("512", 512), ("64 MiB", 67_108_864),
    ("4gb", 4_000_000_000),
])
def test_sizes_are_read_as_duckdb_writes_them(text, size):
    assert config.size_bytes(text) == size


def test_the_worker_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RETENTION_UPLOAD_MEMORY_LIMIT", "3GiB")
    monkeypatch.setenv("RETENTION_UPLOAD_SECONDS", "12.5")
    limits = Limits.from_environment()
    assert (limits.memory_bytes, limits.seconds) == (3 * 1024**3, 12.5)
    assert limits.cpu_seconds >= 13


def test_the_command_line_stops_on_a_wrong_variable_with_exit_code_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("RETENTION_QUERY_TIMEOUT_SECONDS", "soon")
    code = cli.main(["--input", str(tmp_path / "missing.parquet"), "--output", str(tmp_path / "out")])
    assert code == cli.EXIT_INPUT_ERROR
    assert "RETENTION_QUERY_TIMEOUT_SECONDS='soon' is invalid" in capsys.readouterr().err


@pytest.fixture
def fresh_start_up():
    runtime.start_up.cache_clear()
    yield
    runtime.start_up.cache_clear()


def test_the_app_stops_on_a_wrong_variable_and_says_which(monkeypatch, fresh_start_up):
    monkeypatch.setenv("RETENTION_DUCKDB_MEMORY_LIMIT", "viel")
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["app_lang"] = "en"
    app.run()
    assert not app.exception
    assert [rendered(error.value) for error in app.error] == [
        "The server is misconfigured and takes no work until that is fixed: RETENTION_DUCKDB_MEMORY_LIMIT='viel' is "
        "invalid: expected a size such as 2GB, 1.5GiB or 512MB, or a share of the memory such as 50%"]
    assert not app.title and not app.metric  # no page ran
