"""``minilateral panel``: reliability of plain tables, and a panel run from the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from minilateral.cli import app
from tests.conftest import scenario_dict
from tests.panels.helpers import coding, with_cell
from tests.panels.test_reliability import KRIPPENDORFF_C, SHROUT_FLEISS

runner = CliRunner()


def _csv(path: Path, rows: list[list[float]], coders: list[str] | None = None) -> Path:
    coders = coders or [f"coder {i + 1}" for i in range(len(rows))]
    lines = ["coder," + ",".join(f"u{j + 1}" for j in range(len(rows[0])))]
    for name, row in zip(coders, rows, strict=True):
        lines.append(name + "," + ",".join("" if v != v else f"{v:g}" for v in row))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_json(tmp_path: Path, level: str, expected: float) -> None:
    table = _csv(tmp_path / "c.csv", KRIPPENDORFF_C, ["A", "B", "C", "D"])
    r = runner.invoke(app, ["panel", "alpha", str(table), "--level", level, "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"alpha", "level", "coders", "units"}
    assert round(out["alpha"], 3) == expected
    assert (out["level"], out["coders"], out["units"]) == (level, 4, 12)


def test_alpha_table_default_interval(tmp_path: Path) -> None:
    table = _csv(tmp_path / "c.csv", KRIPPENDORFF_C)
    r = runner.invoke(app, ["panel", "alpha", str(table)])
    assert r.exit_code == 0
    assert "alpha (interval): 0.849" in r.stdout


def test_icc_json(tmp_path: Path) -> None:
    # the CSV has coders in rows: transpose Shrout & Fleiss's targets x judges table
    judges = [list(col) for col in zip(*SHROUT_FLEISS, strict=True)]
    table = _csv(tmp_path / "sf.csv", judges)
    r = runner.invoke(app, ["panel", "icc", str(table), "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert {k: round(v, 2) for k, v in out.items()} == {
        "ICC1": 0.17,
        "ICC2": 0.29,
        "ICC3": 0.71,
        "ICC1k": 0.44,
        "ICC2k": 0.62,
        "ICC3k": 0.91,
    }


def test_icc_needs_complete_table(tmp_path: Path) -> None:
    table = _csv(tmp_path / "c.csv", KRIPPENDORFF_C, ["A", "B", "C", "D"])
    r = runner.invoke(app, ["panel", "icc", str(table), "--format", "json"])
    assert r.exit_code == 2
    assert "every coder to score every unit; missing: u10 by A" in r.stderr
    assert r.stdout == ""


def test_bad_table_names_line_and_unit(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("coder,u1,u2\nA,1,2\nB,1,two\n")
    r = runner.invoke(app, ["panel", "alpha", str(path)])
    assert r.exit_code == 2
    assert "'two' is not a number" in r.stderr
    assert "line 3" in r.stderr or ":3" in r.stderr
    assert "u2" in r.stderr


def test_unknown_level(tmp_path: Path) -> None:
    table = _csv(tmp_path / "c.csv", KRIPPENDORFF_C)
    r = runner.invoke(app, ["panel", "alpha", str(table), "--level", "cardinal"])
    assert r.exit_code == 2
    assert "unknown level 'cardinal'" in r.stderr


def _coding_csv(path: Path, doc: dict) -> Path:
    caps = {a["actor"]: a["capability"] for a in doc["actors"]}
    lines = ["actor,issue,position,salience,capability,rationale"]
    for c in doc["cells"]:
        lines.append(
            f"{c['actor']},{c['issue']},{c['position']},{c['salience']},{caps[c['actor']]},"
            f"{c.get('rationale', '')}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def test_panel_from_the_terminal(tmp_path: Path) -> None:
    db = ["--db-url", f"sqlite:///{tmp_path / 'cli.db'}"]
    scen = tmp_path / "talks.yaml"
    scen.write_text(yaml.safe_dump(scenario_dict()))
    from minilateral.store.accounts import create_user
    from minilateral.store.db import Database

    database = Database.connect(db[1])
    database.ensure_schema()
    with database.session() as s:
        create_user(s, "a@one.example", "password1", org="One", role="owner")
        create_user(s, "b@two.example", "password1", org="Two", role="analyst")
        s.commit()
    database.dispose()

    def ok(*args: str) -> str:
        r = runner.invoke(app, ["panel", *args, *db])
        assert r.exit_code == 0, r.output
        return r.stdout

    assert "panel 1 created" in ok("create", str(scen), "--name", "Talks", "--org", "One")
    assert "b@two.example invited as Coder B" in ok("invite", "1", "a@one.example", "b@two.example")
    ok("submit", "1", str(_coding_csv(tmp_path / "a.csv", coding(-10))), "--as", "a@one.example")
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(coding(10, aid=2)))
    ok("submit", "1", str(tmp_path / "b.yaml"), "--as", "b@two.example")

    bad = _coding_csv(tmp_path / "bad.csv", with_cell(coding(0), "Beta", "aid", position=11))
    r = runner.invoke(app, ["panel", "submit", "1", str(bad), "--as", "b@two.example", *db])
    assert r.exit_code == 2
    assert "position 11 is outside the issue's scale 0 to 10" in r.stderr
    r = runner.invoke(app, ["panel", "submit", "1", str(bad), "--as", "c@three.example", *db])
    assert r.exit_code == 2
    assert "not invited" in r.stderr

    report = json.loads(ok("report", "1", "--format", "json"))
    assert report["coders"] == 2
    assert report["coder_rounds"] == {"Coder A": 1, "Coder B": 1}  # the bad file changed nothing
    assert "round 1 of panel 1 closed; round 2 is open" in ok("close", "1")
    assert "version 2" in ok("aggregate", "1", "--out", str(tmp_path / "merged.yaml"))
    merged = yaml.safe_load((tmp_path / "merged.yaml").read_text())
    assert merged["actors"][0]["positions"]["ceasefire"] == 20  # median of 10 and 30
    out = json.loads(
        ok("sweep", "1", "--out", str(tmp_path / "sw"), "--draws", "100", "--format", "json")
    )
    assert len(out["issues"]) == 2
    assert "Talks" in ok("list")
