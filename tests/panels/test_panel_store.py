"""End to end in the store: three coders in two organisations, two Delphi rounds, aggregation,
a sweep with panel uncertainty, and the visibility of the inviting organisation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from minilateral.errors import FormatError, NotFoundError, PermissionDeniedError, StoreError
from minilateral.montecarlo.engine import sweep
from minilateral.panels import sweep_plan
from minilateral.panels.store import PanelRepository, pseudonym
from minilateral.scenario import Scenario
from minilateral.store.accounts import create_user
from minilateral.store.db import Database
from minilateral.store.orm import PanelCoding
from minilateral.store.repository import Principal, Repository
from tests.conftest import scenario_dict
from tests.panels.helpers import coding, with_cell


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database.connect(f"sqlite:///{tmp_path / 'panels.db'}")
    database.ensure_schema()
    yield database
    database.dispose()


def _repo(session, email: str) -> PanelRepository:
    from sqlalchemy import select

    from minilateral.store.orm import User

    user = session.scalar(select(User).where(User.email == email))
    return PanelRepository(session, Principal.for_user(session, user))


def _width(result) -> float:
    df = result.to_pandas()
    cols = [c for c in df if c.startswith("outcome:")]
    return float((df[cols].quantile(0.95) - df[cols].quantile(0.05)).sum())


def test_pseudonyms() -> None:
    assert [pseudonym(i) for i in (0, 1, 25, 26, 27)] == [
        "Coder A",
        "Coder B",
        "Coder Z",
        "Coder AA",
        "Coder AB",
    ]


def test_three_coders_two_organisations(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        create_user(s, "lead@gisr.example", "password1", org="GISR", role="owner")
        create_user(s, "second@gisr.example", "password1", org="GISR", role="analyst")
        create_user(s, "guest@orsam.example", "password1", org="ORSAM", role="analyst")
        create_user(s, "outsider@else.example", "password1", org="Elsewhere", role="analyst")
        s.commit()
        lead = _repo(s, "lead@gisr.example")
        record = lead.scenarios.create_scenario(
            "ceasefire talks", Scenario.model_validate(scenario_dict())
        )
        secret = lead.scenarios.create_scenario(
            "internal only", Scenario.model_validate(scenario_dict("Internal"))
        )
        panel = lead.create(record.id, "Ceasefire dialogue")
        for email in ("lead@gisr.example", "second@gisr.example", "guest@orsam.example"):
            lead.invite(panel.id, email)
        s.commit()
        pid, sid, secret_id = panel.id, record.id, secret.id

    # round 1: the coders disagree on the ceasefire line
    with db.session() as s:
        _repo(s, "lead@gisr.example").submit(pid, coding(-15, rationale="hard line"))
        _repo(s, "second@gisr.example").submit(
            pid, with_cell(coding(0), "Alpha", "ceasefire", low=10, high=40)
        )
        guest = _repo(s, "guest@orsam.example")
        guest.submit(pid, coding(15, aid=1, rationale="talks are moving"))
        s.commit()

    # bad input is refused and loses nothing
    with db.session() as s:
        guest = _repo(s, "guest@orsam.example")
        with pytest.raises(FormatError, match="outside the issue's scale") as err:
            guest.submit(pid, with_cell(coding(0), "Alpha", "ceasefire", position=140))
        assert err.value.field == "position"
        assert err.value.row == "Alpha / ceasefire"
        missing = coding(0)
        missing["cells"] = missing["cells"][1:]
        with pytest.raises(FormatError, match="1 cell not coded: Alpha / ceasefire"):
            guest.submit(pid, missing)
        with pytest.raises(FormatError, match=r"salience 1\.5 is outside 0 to 1"):
            guest.submit(pid, with_cell(coding(0), "Beta", "aid", salience=1.5))
        s.commit()  # nothing half-written to commit
        outsider = _repo(s, "outsider@else.example")
        with pytest.raises(NotFoundError, match=f"no panel {pid}"):
            outsider.submit(pid, coding(0))
        with pytest.raises(NotFoundError):
            outsider.scenario(pid)
    with db.session() as s:
        stored = s.query(PanelCoding).all()
        assert len(stored) == 3
        mine = _repo(s, "guest@orsam.example").own_codings(pid)
        assert mine[1].cell("Alpha", "ceasefire").position == 35  # 20 + 15, kept

    # the guest sees the panel and nothing else of GISR
    with db.session() as s:
        guest = _repo(s, "guest@orsam.example")
        view = guest.view(pid)
        assert view["role"] == "coder"
        assert view["you"] == "Coder C"
        text = json.dumps(view)
        assert "gisr" not in text.lower()
        assert "members" not in view
        assert "scenario_id" not in view
        assert guest.scenario(pid).title == "Ceasefire talks"
        with pytest.raises(PermissionDeniedError):
            guest.report(pid)
        with pytest.raises(PermissionDeniedError):
            guest.data(pid)
        with pytest.raises(PermissionDeniedError):
            guest.close_round(pid)
        with pytest.raises(StoreError, match="still open"):
            guest.summary(pid, 1)
        scoped = Repository(s, guest.principal)
        assert scoped.list_scenarios().total == 0
        for hidden in (sid, secret_id):
            with pytest.raises(NotFoundError):
                scoped.get_scenario(hidden)

        lead = _repo(s, "lead@gisr.example")
        report1 = lead.report(pid)
        assert report1["coders"] == 3
        assert report1["alpha"] < 1
        assert report1["disputed_cells"][0]["issue"] == "ceasefire"
        closed = lead.close_round(pid)
        s.commit()
        assert closed.number == 1
        assert lead.get(pid).panel.current_round == 2

    # after the close: anonymised median, spread and rationales
    with db.session() as s:
        guest = _repo(s, "guest@orsam.example")
        summary = guest.summary(pid, 1)
        assert summary["coders"] == 3
        alpha_cf = next(
            c for c in summary["cells"] if c["actor"] == "Alpha" and c["issue"] == "ceasefire"
        )
        assert alpha_cf["position"]["median"] == 20
        assert alpha_cf["position"]["min"] == 5
        assert alpha_cf["rationales"] == ["hard line", "talks are moving"]
        assert alpha_cf["plausible"] == {"n": 1, "low": 10, "high": 40}
        assert summary["cells"][1]["plausible"] is None
        dumped = json.dumps(summary)
        assert "@" not in dumped
        assert "Coder" not in dumped
        # a coding meant for the closed round 1 is refused, and changes nothing
        with pytest.raises(StoreError, match=r"round 1 of panel \d+ is closed; it takes no more"):
            guest.submit(pid, coding(30), number=1)
        # round 2: the guest revises towards the median; the others keep their answers
        guest.submit(pid, coding(3, rationale="moved after round 1"), number=2)
        s.commit()

    with db.session() as s:
        lead = _repo(s, "lead@gisr.example")
        _, data1, _ = lead.data(pid, 1)
        _, data2, entries2 = lead.data(pid, 2)
        assert [r for _, _, r in entries2] == [1, 1, 2]
        assert data2.positions[2, 0, 0] == 23
        assert data1.positions[2, 0, 0] == 35
        version = lead.aggregate(pid)
        s.commit()
        merged = Scenario.model_validate(version.content)
        assert merged.actors[0].positions["ceasefire"] == 20  # median of 5, 20, 23
        assert "panel" in version.comment
        assert "Coder A, Coder B, Coder C" in version.comment
        assert merged.uncertainty is not None
        cf = merged.uncertainty.cells["Alpha"]["ceasefire"].positions
        assert cf.dist == "truncnormal"
        assert cf.sd == pytest.approx(np.std([0.05, 0.20, 0.23], ddof=1), abs=1e-6)
        # the lead sweeps with the panel's codings: round 1's wider disagreement gives wider
        # forecast intervals than round 2's
        widths = []
        for number, data in ((1, data1), (2, data2)):
            result = sweep(
                merged,
                "compromise",
                draws=400,
                seed=7,
                out=tmp_path / f"sweep{number}",
                input_plan=sweep_plan(merged, data, label=f"panel {pid} round {number}"),
            )
            assert result.manifest["input_plan"] == f"panel {pid} round {number}"
            widths.append(_width(result))
        assert widths[0] > widths[1] > 0

        # ending the panel: a late coding is refused, nothing is lost
        lead.close_round(pid, final=True)
        s.commit()
    with db.session() as s:
        guest = _repo(s, "guest@orsam.example")
        with pytest.raises(StoreError, match="has ended"):
            guest.submit(pid, coding(0))
        assert guest.own_codings(pid)[2].cell("Alpha", "ceasefire").position == 23
        assert guest.summary(pid, 2)["coders"] == 3


def test_migration_matches_the_tables_and_downgrades(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from minilateral.store.db import current_revision, downgrade, head_revision
    from minilateral.store.orm import Base

    database = Database.connect(f"sqlite:///{tmp_path / 'm.db'}")
    database.ensure_schema()
    assert current_revision(database) == head_revision() == "0004_issue14"
    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    downgrade(database, "0001")
    assert "panels" not in inspect(database.engine).get_table_names()
    database.upgrade("head")
    assert {"panels", "panel_members", "panel_rounds", "panel_codings"} <= set(
        inspect(database.engine).get_table_names()
    )
    database.dispose()
