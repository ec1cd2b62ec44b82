"""A generated corpus of malformed inputs in every format (issue 17).

From one valid file per format the corpus derives clearly invalid variants — wrong types,
non-finite values, bombs, bad encodings, wrong field counts — and truncations. Through
``validate`` (and the import endpoint, in ``tests/web/test_hardening.py``) every clearly
invalid one must exit 2 (4xx) with a message naming the file, none may
be accepted and none may hang; a truncation may be valid (it can end on a line boundary) but
must never produce an internal error.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from minilateral.cli import app
from minilateral.io.ktab_xml import dump_ktab_xml
from minilateral.io.yaml_io import load_yaml
from tests.conftest import scenario_dict
from tests.io.test_hardening import XML_BOMB, YAML_BOMB

runner = CliRunner()

YAML_OK = yaml.safe_dump(scenario_dict(), sort_keys=False)
BDM_OK = "Actor,Capability,Position,Salience\nA,10,20,0.9\nB,6,80,0.7\nC,3,60,0.5\n"
KTAB_OK = "t,d,3,1\nActor,Desc,Power,Dim,Dim Sal\nA,,10,20,50\nB,,10,80,50\nC,,10,60,50\n"
DECIDE_OK = (
    "'#A'\t'a1'\t'Actor one'\t''\n'#A'\t'a2'\t'Actor two'\t''\n'#A'\t'a3'\t'Actor three'\t''\n"
    "'#P'\t'p'\t'Issue p'\t''\n"
    "'#D'\t'a1'\t'p'\t10\t0.5\t0.2\n'#D'\t'a2'\t'p'\t90\t1.0\t0.3\n'#D'\t'a3'\t'p'\t50\t0.2\t0.3\n"
)
XML_OK = dump_ktab_xml(load_yaml(YAML_OK))

GOOD = {
    "s.yaml": YAML_OK,
    "s.csv": BDM_OK,
    "k.csv": KTAB_OK,
    "d.csv": DECIDE_OK,
    "s.xml": XML_OK,
}
BAD_NUMBERS = ["true", "'x'", ".nan", ".inf", "-.inf", "1e400", "nan", "inf", "1,5", ""]


def _invalid() -> Iterator[tuple[str, str, bytes]]:
    """(id, file name, content) of clearly invalid inputs."""
    for k, bad in enumerate(BAD_NUMBERS):
        yaml_bad = YAML_OK.replace("capability: 10", f"capability: {bad}" if bad else "capability:")
        yield f"yaml-capability-{k}", "s.yaml", yaml_bad.encode()
        yield (
            f"yaml-salience-{k}",
            "s.yaml",
            YAML_OK.replace("ceasefire: 0.9", f"ceasefire: {bad}").encode(),
        )
        if bad not in ("true", "'x'"):
            yield f"bdm-{k}", "s.csv", BDM_OK.replace("B,6,80", f"B,{bad},80").encode()
            yield f"ktab-{k}", "k.csv", KTAB_OK.replace("B,,10,80", f"B,,{bad},80").encode()
            yield f"decide-{k}", "d.csv", DECIDE_OK.replace("90\t1.0", f"{bad}\t1.0").encode()
    # field counts
    yield "bdm-extra-field", "s.csv", BDM_OK.replace("B,6,80,0.7", "B,6,80,0.7,1").encode()
    yield "bdm-missing-field", "s.csv", BDM_OK.replace("B,6,80,0.7", "B,6,80").encode()
    yield "ktab-extra-field", "k.csv", KTAB_OK.replace("B,,10,80,50", "B,,10,80,50,7").encode()
    yield "ktab-missing-field", "k.csv", KTAB_OK.replace("B,,10,80,50", "B,,10,80").encode()
    yield "decide-extra-field", "d.csv", DECIDE_OK.replace("0.5\t0.2", "0.5\t0.2\t9").encode()
    # bombs and limits
    yield "yaml-alias-bomb", "s.yaml", YAML_BOMB.encode()
    yield "xml-entity-bomb", "s.xml", XML_BOMB.encode()
    yield "yaml-deep", "s.yaml", ("title: t\nissues: " + "[" * 3000 + "]" * 3000).encode()
    yield "csv-long-field", "s.csv", BDM_OK.replace("A,10", "A" + "x" * 140_000 + ",10").encode()
    yield "yaml-duplicate-key", "s.yaml", (YAML_OK + "title: again\n").encode()
    yield "yaml-bad-date", "s.yaml", ("date: 2025-02-30\n" + YAML_OK).encode()
    # encodings
    for name, text in GOOD.items():
        yield f"utf16-{name}", name, text.encode("utf-16")
        yield f"latin1-{name}", name, text.replace("A", "\xc4", 1).encode("latin-1")
        yield f"nul-{name}", name, text[:20].encode() + b"\x00" + text[20:].encode()


def _truncated() -> Iterator[tuple[str, str, bytes]]:
    for name, text in GOOD.items():
        data = text.encode()
        for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
            yield f"truncated-{name}-{fraction}", name, data[: int(len(data) * fraction)]


def _validate(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    start = time.perf_counter()
    result = runner.invoke(app, ["validate", str(path)])
    return path, result, time.perf_counter() - start


@pytest.mark.parametrize("name", GOOD)
def test_the_seeds_of_the_corpus_are_valid(tmp_path, name) -> None:
    _, result, _ = _validate(tmp_path, name, GOOD[name].encode())
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("case", "name", "data"), list(_invalid()), ids=lambda v: str(v)[:40])
def test_clearly_invalid_input_is_exit_2_naming_the_file(tmp_path, case, name, data) -> None:
    _, result, seconds = _validate(tmp_path, name, data)
    assert result.exit_code == 2, f"{case}: {result.output}"
    assert name in result.output
    assert "Traceback" not in result.output
    assert seconds < 5


@pytest.mark.parametrize(("case", "name", "data"), list(_truncated()), ids=lambda v: str(v)[:40])
def test_truncated_input_never_fails_internally(tmp_path, case, name, data) -> None:
    _, result, seconds = _validate(tmp_path, name, data)
    assert result.exit_code in (0, 2), f"{case}: {result.output}"
    if result.exit_code == 2:
        assert name in result.output
    assert seconds < 5
