"""KTAB CSV and XML readers and writers (``docs/scenario-format.md#ktab-csv-and-xml``)."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from minilateral.api import forecast, load_scenario
from minilateral.cli import app
from minilateral.errors import FormatError
from minilateral.io.ktab_csv import dump_ktab_csv, load_ktab_csv
from minilateral.io.ktab_xml import dump_ktab_xml, load_ktab_xml

D3_CSV = """DummyData_3Dim ,"Dummy scenario",3,2,
Actor,Description,Power,Pstn1,Sal1,Pstn2,Sal2,
A, first, 102.5, 75.79, 49.53,  6.37,  5.91,
B, second, 53.4, 82.72, 30.33, 73.50, 21.22,
C, third, 129.6, 82.45, 48.47, 90.89, 13.55,
"""


def _xml(actors: str, extra: str = "", params: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Scenario><name>t</name><desc>d</desc><prngSeed>0042</prngSeed>{params}
<Dimensions><dName>x</dName></Dimensions>
<Actors>{actors}</Actors>{extra}</Scenario>
"""


def _actor(name: str, cap: str = "10", pos: str = "50", sal: str = "40") -> str:
    return (
        f"<Actor><name>{name}</name><description/><capability>{cap}</capability>"
        f"<Position><dCoord>{pos}</dCoord></Position><Salience><dSal>{sal}</dSal></Salience>"
        "</Actor>"
    )


ABC = _actor("A") + _actor("B", pos="20") + _actor("C", pos="80")
PARAMS = (
    "<ModelParameters><VictoryProbModel>Linear</VictoryProbModel><PCEModel>Conditional"
    "</PCEModel><StateTransitions>Deterministic</StateTransitions><VotingRule>{vr}"
    "</VotingRule><BigRAdjust>No</BigRAdjust><BigRRange>Mid</BigRRange><ThirdPartyCommit>"
    "SemiCommit</ThirdPartyCommit><InterVecBrgn>S2P2</InterVecBrgn><BargnModel>"
    "InitOnlyInterp</BargnModel></ModelParameters>"
)


def test_every_shipped_input_loads_or_fails_clearly(shared):
    folders = [shared / "ktab_data" / "examples", shared / "ktab_data" / "derived_inputs"]
    loaded = 0
    for path in sorted(p for folder in folders for p in folder.iterdir()):
        if path.name == "smpExample.xml":
            with pytest.raises(
                FormatError,
                match=r"line 32: .*actor 'Alice': element <dCoord> "
                "is empty",
            ):
                load_scenario(path)
        elif path.suffix == ".xsd":
            with pytest.raises(FormatError, match="XML schema"):
                load_scenario(path)
        else:
            scenario = load_scenario(path)
            assert len(scenario.actors) >= 3
            loaded += 1
    assert loaded == 34


def test_csv_parsing_rules():
    s = load_ktab_csv(D3_CSV, "d.csv")
    assert s.title == "DummyData_3Dim"
    assert s.description == "Dummy scenario"
    assert s.issue_names == ["Pstn1", "Pstn2"]
    a = s.actors[0]
    assert (a.name, a.note, a.capability) == ("A", "first", 102.5)
    assert a.positions == {"Pstn1": 75.79, "Pstn2": 6.37}
    assert a.salience == {"Pstn1": 49.53 / 100, "Pstn2": 5.91 / 100}
    crlf = load_ktab_csv(D3_CSV.replace(",\n", "\r\n"), "d.csv")
    assert crlf == s


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "C, third, 129.6, 82.45, 48.47, 90.89, 13.55,",
            "C, third, 129.6, 82.45, 48.47,",
            r"line 5: row has 5 fields; D = 2 needs 7",
        ),
        ("53.4", "", r"line 4: field 'Power': empty value"),
        ("82.72", "100.5", r"line 4: field 'position 1': .*position 100.5"),
        ("21.22", "-1", r"line 4: field 'salience 2': .*salience -1"),
        ("30.33", "80", r"line 4: field 'salience': .*saliences sum to 101.22 > 100"),
        ("53.4", "0", r"line 4: field 'capability': .*capability 0 must be > 0"),
        ('"Dummy scenario",3,2', '"Dummy scenario",4,2', r"line 6: expected 4 actor lines"),
        ("B, second", "A, second", r"line 4: field 'name': actors\[1\]: duplicate actor 'A'"),
        ("B, second", "ABCDEFGHIJKLMNOPQRSTUVWXYZ, second", r"line 4: field 'name'"),
    ],
)
def test_csv_errors_name_line_and_field(old, new, message):
    with pytest.raises((FormatError, ValueError), match=message):
        load_ktab_csv(D3_CSV.replace(old, new, 1), "bad.csv")


def test_xml_options_aliases_and_accommodation():
    pairs = (
        "<IdealAdjustment><iaPair><adjustingIdeal>B</adjustingIdeal><referencePos>A"
        "</referencePos><adjust>0.25</adjust></iaPair><iaPair><adjustingIdeal>B"
        "</adjustingIdeal><referencePos>B</referencePos><adjust>0.7</adjust></iaPair>"
        "</IdealAdjustment>"
    )
    s = load_ktab_xml(_xml(ABC, pairs, PARAMS.format(vr="Proportional")), "x.xml")
    opts = s.model_options["smp"]
    assert opts["VotingRule"] == "Prop"
    assert opts["BigRAdjust"] == "None"
    assert opts["seed"] == 42
    assert opts["accommodation"] == [["B", "A", 0.25], ["B", "B", 0.7]]
    again = load_ktab_xml(dump_ktab_xml(s), "y.xml")
    assert again.model_options == s.model_options
    assert again.actors == s.actors


@pytest.mark.parametrize(
    ("actors", "extra", "params", "message"),
    [
        (ABC, "", PARAMS.format(vr="prop"), r"field 'VotingRule': 'prop' is not a value"),
        (ABC, "", PARAMS.replace("<BigRRange>Mid</BigRRange>", ""), r"missing: BigRRange"),
        (
            _actor("A") + _actor("B", cap="") + _actor("C"),
            "",
            "",
            r"actor 'B': element <capability> is empty",
        ),
        (_actor("A") + _actor("B", sal="120") + _actor("C"), "", "", r"salience 120"),
        (
            ABC,
            "<IdealAdjustment><iaPair><adjustingIdeal>B</adjustingIdeal><referencePos>A"
            "</referencePos><adjust>1.5</adjust></iaPair></IdealAdjustment>",
            "",
            r"field 'adjust': adjust 1.5 .* outside \[0, 1\]",
        ),
        (
            ABC,
            "<IdealAdjustment><iaPair><adjustingIdeal>B</adjustingIdeal><referencePos>A"
            "</referencePos><adjust>0.5</adjust></iaPair></IdealAdjustment>",
            "",
            r"row of 'B' sums to 1.5 > 1",
        ),
        (
            ABC,
            "<IdealAdjustment><iaPair><adjustingIdeal>Z</adjustingIdeal><referencePos>A"
            "</referencePos><adjust>0.5</adjust></iaPair></IdealAdjustment>",
            "",
            r"unknown actor 'Z'",
        ),
        (_actor("A") + _actor("B"), "", "", r"2 actor\(s\): KTAB needs at least 3"),
    ],
)
def test_xml_errors_name_line_and_field(actors, extra, params, message):
    with pytest.raises(FormatError, match=r"bad\.xml: line \d+") as info:
        load_ktab_xml(_xml(actors, extra, params), "bad.xml")
    assert info.match(message)


def test_csv_round_trip_keeps_the_run(shared):
    source = load_scenario(shared / "ktab_data/examples/dummyData_6Dim.csv")
    back = load_ktab_csv(dump_ktab_csv(source), "back.csv")
    assert back.actors == source.actors
    assert back.issue_names == source.issue_names
    a, b = forecast(source, "smp"), forecast(back, "smp")
    np.testing.assert_array_equal(a.trajectory, b.trajectory)


def test_export_cli_writes_ktab_formats(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "title: Test, with comma\nissues:\n  - {name: war, lo: -5, hi: 5}\n"
        "  - {name: aid, lo: 0, hi: 1}\nactors:\n"
        "  - {name: A very long actor name beyond limits, code: AVL, capability: 10, "
        "positions: {war: -5, aid: 1}, salience: {war: 1.0, aid: 0.5}}\n"
        "  - {name: B, capability: 20, positions: {war: 5, aid: 0}, salience: {war: 0.4, "
        "aid: 0.4}}\n"
        "  - {name: C, capability: 5, positions: {war: 1}, salience: {war: 0.7}}\n"
    )
    runner = CliRunner()
    for suffix in (".csv", ".xml"):
        out = tmp_path / f"s{suffix}"
        result = runner.invoke(app, ["scenarios", "export", str(path), str(out)])
        assert result.exit_code == 0, result.output
        back = load_scenario(out)
        assert [a.name for a in back.actors] == ["AVL", "B", "C"]
        assert back.actors[0].positions == {"war": 0.0, "aid": 100.0}
        assert back.actors[0].salience == pytest.approx({"war": 1 / 1.5, "aid": 0.5 / 1.5})
        original = forecast(load_scenario(path), "smp")
        exported = forecast(back, "smp")
        assert exported.rounds[0] == original.rounds[0]
        np.testing.assert_allclose(
            100 * (original.outcome - [-5, 0]) / [10, 1], exported.outcome, atol=1e-9
        )
    bad = runner.invoke(app, ["scenarios", "export", str(path), str(tmp_path / "s.json")])
    assert bad.exit_code == 2
    assert "supported: .yaml, .xml (KTAB), .csv (KTAB)" in bad.output


def test_sweeps_use_the_options_stored_in_the_file(shared, tmp_path):
    """A sweep of a KTAB XML file runs with the file's options, overridable like forecast."""
    import minilateral as ml

    s = load_scenario(shared / "ktab_data/derived_inputs/d3_vr_Binary.xml")
    result = ml.sweep(s, "smp", draws=2, seed=1, out=tmp_path / "sweep")
    assert result.manifest["options"]["VotingRule"] == "Binary"
