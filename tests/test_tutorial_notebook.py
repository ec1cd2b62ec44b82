"""The tutorial notebook (docs/tutorial.ipynb) runs top to bottom and shows its tables."""

from __future__ import annotations

import os
from pathlib import Path

import nbclient
import nbformat

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "tutorial.ipynb"


def _html(cell) -> str:
    return "".join(
        out.get("data", {}).get("text/html", "")
        for out in cell.get("outputs", [])
        if out.get("output_type") in ("execute_result", "display_data")
    )


def test_tutorial_notebook_runs_and_shows_frames(data_root: Path) -> None:
    """Every cell runs (the alignment cells on the installed reference data, via the kernel's
    MINILATERAL_DATA_DIR) and the coalition search and alignment results display as tables."""
    assert os.environ["MINILATERAL_DATA_DIR"] == str(data_root)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    cells = {c.source.splitlines()[0]: c for c in nb.cells if c.cell_type == "code"}
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source

    search = _html(cells["search = ml.coalitions(scenario, sizes=(1, 2), draws=100, seed=0)"])
    assert "Mediating coalitions" in search
    assert "<svg" in search
    assert "no mediator" in search
    frame = _html(cells["coalitions = search.to_frame()"])
    # pandas' DataFrame HTML, with the columns the tutorial selects
    assert 'class="dataframe"' in frame
    for column in ("coalition", "probability", "ci_low", "ci_high"):
        assert f"<th>{column}</th>" in frame
    cohesion = _html(
        cells['cohesion = ml.align.cohesion(["EGY", "QAT", "TUR", "SAU"], "2015-2019")']
    )
    assert 'class="dataframe"' in cohesion
    assert "<th>mean_agree_half</th>" in cohesion
    for year in range(2015, 2020):  # one row per year
        assert f"<td>{year}</td>" in cohesion
    dyads = _html(cells['dyads = ml.align.dyads(["EGY", "QAT", "TUR"], "2018-2019")'])
    assert "Dyads: 6 rows" in dyads
    assert "<svg" in dyads


def test_the_docs_page_mirrors_the_notebook() -> None:
    """docs/tutorial.md (the site's page) shows every line of code the notebook runs."""
    page = (NOTEBOOK.parent / "tutorial.md").read_text(encoding="utf-8")
    shown = {line.split("  #")[0].strip() for line in page.splitlines()}
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                assert not line.strip() or line.strip() in shown, line
