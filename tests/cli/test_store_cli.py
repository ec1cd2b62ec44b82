"""``minilateral db``, ``users``, ``runs`` and ``forecast --save`` through the CLI."""

from __future__ import annotations

import json
import sqlite3

import pytest
import yaml
from typer.testing import CliRunner

from minilateral.cli import app
from minilateral.store.db import head_revision


@pytest.fixture
def env(tmp_path, monkeypatch, small_scenario):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("MINILATERAL_DB_URL", url)
    path = tmp_path / "talks.yaml"
    path.write_text(yaml.safe_dump(small_scenario), encoding="utf-8")
    return tmp_path, path


def _ok(args, **kw):
    result = CliRunner().invoke(app, args, **kw)
    assert result.exit_code == 0, result.output
    return result.output


def test_db_commands(env) -> None:
    tmp_path, _ = env
    assert "revision none" in _ok(["db", "current"])
    assert f"revision {head_revision()}" in _ok(["db", "upgrade"])
    assert "up to date" in _ok(["db", "current"])
    assert "yes" in _ok(["db", "history"])
    assert "backup written" in _ok(["db", "backup", str(tmp_path / "copy.db")])
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        assert conn.execute("select version_num from alembic_version").fetchone() == (
            head_revision(),
        )
    again = CliRunner().invoke(app, ["db", "backup", str(tmp_path / "copy.db")])
    assert again.exit_code == 1
    assert "exists already" in again.output
    assert "base" in _ok(["db", "downgrade", "base"])


def test_users_create_and_token(env) -> None:
    out = _ok(
        [
            "users",
            "create",
            "Admin@Example.org",
            "--org",
            "Think Tank",
            "--role",
            "owner",
            "--password-stdin",
        ],
        input="a long passphrase\n",
    )
    assert "admin@example.org is owner of 'Think Tank'" in out
    token = _ok(["users", "token", "admin@example.org"]).strip()
    assert len(token) > 30
    bad = CliRunner().invoke(
        app,
        ["users", "create", "x@example.org", "--org", "T", "--role", "boss", "--password-stdin"],
        input="a long passphrase\n",
    )
    assert bad.exit_code == 1
    assert "unknown role 'boss'" in bad.output
    missing = CliRunner().invoke(app, ["users", "token", "nobody@example.org"])
    assert missing.exit_code == 1


def test_forecast_save_and_runs(env, small_scenario) -> None:
    _, path = env
    assert "saved as run 1" in _ok(["forecast", str(path), "--model", "mean", "--save"])
    changed = dict(
        small_scenario,
        actors=[dict(small_scenario["actors"][0], capability=20), *small_scenario["actors"][1:]],
    )
    path.write_text(yaml.safe_dump(changed), encoding="utf-8")
    _ok(["forecast", str(path), "--model", "weighted-mean", "--save"])
    listing = _ok(["runs", "list"])
    assert "2 stored" in listing
    shown = json.loads(_ok(["runs", "show", "2", "--format", "json"]))
    assert (shown["source"], shown["scenario_version"]) == ("talks", 2)
    assert shown["model"] == "weighted-mean"
    assert shown["result"]["issues"] == ["ceasefire", "aid"]
    diff = json.loads(_ok(["runs", "diff", "1", "2", "--format", "json"]))
    assert diff["settings"]["model"] == ["mean", "weighted-mean"]
    assert "actor 'Alpha': capability 10 → 20" in diff["inputs"]
    first = json.loads(_ok(["runs", "show", "1", "--format", "json"]))["result"]["outcome"]
    assert [row["a"] for row in diff["outcomes"]] == first
    assert diff["outcomes"][0]["delta"] == pytest.approx(
        diff["outcomes"][0]["b"] - diff["outcomes"][0]["a"]
    )
    table = _ok(["runs", "diff", "1", "2"])
    assert "B − A" in table
    missing = CliRunner().invoke(app, ["runs", "show", "99"])
    assert missing.exit_code == 2  # an unknown run id is bad input
    assert "no run 99" in missing.output


def test_serve_migrates_and_starts_uvicorn(env, monkeypatch) -> None:
    import uvicorn
    from fastapi import FastAPI

    seen = {}
    monkeypatch.setattr(
        uvicorn, "run", lambda app, host, port, **kw: seen.update(app=app, port=port, **kw)
    )
    out = _ok(["serve", "--port", "8123"])
    assert "http://127.0.0.1:8123" in out
    assert isinstance(seen["app"], FastAPI)
    assert seen["port"] == 8123
    assert "up to date" in _ok(["db", "current"])


def test_sweep_save(env) -> None:
    tmp_path, path = env
    out = _ok(
        [
            "sweep",
            "run",
            str(path),
            "-n",
            "100",
            "--seed",
            "2",
            "-o",
            str(tmp_path / "sw"),
            "--save",
            "-q",
        ]
    )
    assert "saved as run 1" in out
    shown = json.loads(_ok(["runs", "show", "1", "--format", "json"]))
    assert shown["kind"] == "sweep"
    assert shown["seed"] == 2
    assert shown["result"]["draws"] == 100
    assert "ceasefire" in _ok(["runs", "show", "1"])
