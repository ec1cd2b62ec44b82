"""The store on SQLite and PostgreSQL: migrations, versions, visibility scoping, runs."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select, text

from minilateral.errors import NotFoundError, PermissionDeniedError, StoreError
from minilateral.scenario import Scenario
from minilateral.store.accounts import (
    authenticate,
    create_user,
    ensure_organisation,
    issue_token,
    resolve_token,
)
from minilateral.store.db import (
    Database,
    backup,
    current_revision,
    downgrade,
    head_revision,
    history,
    table_names,
)
from minilateral.store.orm import Run, RunStatus, ScenarioVersion
from minilateral.store.repository import (
    Principal,
    Repository,
    mark_interrupted,
    save_run,
)

TABLES = {
    "organisations",
    "users",
    "memberships",
    "api_tokens",
    "scenarios",
    "scenario_versions",
    "scenario_shares",
    "runs",
    "run_shares",
    "results",
}


def test_migrations_up_and_down(empty_db: Database) -> None:
    assert current_revision(empty_db) is None
    empty_db.upgrade()
    assert current_revision(empty_db) == head_revision()
    assert set(table_names(empty_db)) >= TABLES
    assert all(m.applied for m in history(empty_db))
    downgrade(empty_db, "base")
    assert current_revision(empty_db) is None
    assert not TABLES & set(table_names(empty_db))
    empty_db.ensure_schema()
    assert current_revision(empty_db) == head_revision()


def test_sqlite_uses_wal(tmp_path) -> None:
    db = Database.connect(f"sqlite:///{tmp_path / 'w.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_default_url_is_in_data_dir(monkeypatch, tmp_path) -> None:
    from minilateral.store.db import database_url

    monkeypatch.delenv("MINILATERAL_DB_URL", raising=False)
    monkeypatch.setenv("MINILATERAL_DATA_DIR", str(tmp_path))
    assert database_url() == f"sqlite:///{tmp_path / 'minilateral.db'}"
    monkeypatch.setenv("MINILATERAL_DB_URL", "postgresql+psycopg://u@h/d")
    assert database_url() == "postgresql+psycopg://u@h/d"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def _users(db: Database) -> dict[str, Principal]:
    with db.session() as s:
        people = {
            "a_owner": create_user(s, "owner@a.org", "password-a", org="A", role="owner"),
            "a_viewer": create_user(s, "viewer@a.org", "password-v", org="A", role="viewer"),
            "b_analyst": create_user(s, "analyst@b.org", "password-b", org="B", role="analyst"),
            "c_analyst": create_user(s, "analyst@c.org", "password-c", org="C", role="analyst"),
        }
        s.commit()
        return {k: Principal.for_user(s, u) for k, u in people.items()}


def test_passwords_are_argon2_and_tokens_hashed(db: Database) -> None:
    with db.session() as s:
        user = create_user(s, "Owner@A.org", "correct horse", org="A", role="owner")
        assert user.email == "owner@a.org"
        assert user.password_hash.startswith("$argon2id$")
        assert authenticate(s, "owner@a.org", "correct horse") is user
        assert authenticate(s, "owner@a.org", "wrong") is None
        assert authenticate(s, "nobody@a.org", "correct horse") is None
        issued = issue_token(s, user, kind="api")
        assert issued.secret not in issued.row.token_hash
        assert resolve_token(s, issued.secret, kind="api").user_id == user.id
        assert resolve_token(s, issued.secret, kind="session") is None
        assert resolve_token(s, issued.secret + "x", kind="api") is None
        with pytest.raises(StoreError, match="role"):
            create_user(s, "x@a.org", "long enough", org="A", role="admin")
        with pytest.raises(StoreError, match="too short"):
            create_user(s, "x@a.org", "short", org="A", role="viewer")


def test_edit_creates_versions(db: Database, small_scenario: dict) -> None:
    p = _users(db)
    with db.session() as s:
        repo = Repository(s, p["a_owner"])
        record = repo.create_scenario("talks", Scenario.model_validate(small_scenario))
        first = record.versions[0].sha256
        changed = dict(small_scenario, title="Ceasefire talks, revised")
        repo.update_scenario(record.id, scenario=Scenario.model_validate(changed))
        repo.update_scenario(record.id, scenario=Scenario.model_validate(changed))  # unchanged
        s.commit()
        versions = s.scalars(
            select(ScenarioVersion).where(ScenarioVersion.scenario_id == record.id)
        ).all()
        assert [v.number for v in versions] == [1, 2]
        assert versions[0].sha256 == first
        assert versions[0].content["title"] == "Ceasefire talks"
        assert repo.get_version(record.id).title == "Ceasefire talks, revised"
        assert repo.get_version(record.id, 1).title == "Ceasefire talks"


def test_visibility_is_scoped_in_the_repository(db: Database, small_scenario: dict) -> None:
    p = _users(db)
    scenario = Scenario.model_validate(small_scenario)
    with db.session() as s:
        a = Repository(s, p["a_owner"])
        private = a.create_scenario("private", scenario).id
        shared = a.create_scenario("shared", scenario, visibility="shared", shared_with=["B"]).id
        public = a.create_scenario("public", scenario, visibility="public").id
        s.commit()
        seen = {
            who: {r.id for r in Repository(s, p[who]).list_scenarios().items}
            for who in ("a_owner", "a_viewer", "b_analyst", "c_analyst")
        }
        assert seen["a_owner"] == seen["a_viewer"] == {private, shared, public}
        assert seen["b_analyst"] == {shared, public}
        assert seen["c_analyst"] == {public}
        c = Repository(s, p["c_analyst"])
        for hidden in (private, shared):
            with pytest.raises(NotFoundError):
                c.get_scenario(hidden)
            with pytest.raises(NotFoundError):
                c.update_scenario(hidden, name="x")
            with pytest.raises(NotFoundError):
                c.delete_scenario(hidden)
            with pytest.raises(NotFoundError):
                c.create_run(hidden, model="mean", options={})
        with pytest.raises(PermissionDeniedError):  # visible but not theirs
            c.update_scenario(public, name="mine now")
        with pytest.raises(PermissionDeniedError):  # viewers read only
            Repository(s, p["a_viewer"]).update_scenario(private, name="x")
        with pytest.raises(PermissionDeniedError):
            Repository(s, p["a_viewer"]).create_scenario("v", scenario)
        run = c.create_run(public, model="mean", options={})  # runs on public input are theirs
        assert run.org_id != a.get_scenario(public).org_id
        s.commit()
        with pytest.raises(NotFoundError):
            a.get_run(run.id)
        a.delete_scenario(private)
        s.commit()
        assert private not in {r.id for r in a.list_scenarios().items}


def test_interrupted_runs_restart(db: Database, small_scenario: dict) -> None:
    p = _users(db)
    with db.session() as s:
        repo = Repository(s, p["b_analyst"])
        record = repo.create_scenario("t", Scenario.model_validate(small_scenario))
        queued = repo.create_run(record.id, model="mean", options={})
        running = repo.create_run(record.id, model="median", options={})
        running.status = RunStatus.RUNNING.value
        s.commit()
        assert mark_interrupted(s) == 2
        assert repo.get_run(queued.id).status == "interrupted"
        fresh = repo.create_run(record.id, model="mean", options={})
        with pytest.raises(StoreError, match="only interrupted"):
            repo.restart_run(fresh.id)
        assert repo.cancel_run(queued.id).status == "cancelled"
        with pytest.raises(StoreError, match="nothing to cancel"):
            repo.cancel_run(queued.id)
        restarted = repo.restart_run(running.id)
        assert restarted.status == "queued"
        assert restarted.started_at is None


def test_save_run_records_cli_runs(db: Database, small_scenario: dict) -> None:
    from minilateral.api import forecast

    scenario = Scenario.model_validate(small_scenario)
    result = forecast(scenario, "weighted-mean")
    payload = result.to_dict()
    ids = [
        save_run(
            scenario,
            model="weighted-mean",
            options=payload["options"],
            seed=None,
            results=[payload],
            provenance=payload["provenance"],
            source="talks",
            db=db,
        )
        for _ in range(2)
    ]
    changed = Scenario.model_validate(dict(small_scenario, title="other"))
    ids.append(
        save_run(
            changed,
            model="weighted-mean",
            options={},
            seed=7,
            results=[payload],
            provenance={},
            source="talks",
            kind="sweep",
            db=db,
        )
    )
    with db.session() as s:
        runs = [s.get(Run, i) for i in ids]
        assert [r.status for r in runs] == ["done"] * 3
        assert runs[0].input_hash == scenario.sha256()
        assert runs[0].results[0].payload["outcome"] == payload["outcome"]
        assert runs[0].scenario_version_id == runs[1].scenario_version_id
        assert runs[2].scenario_version.number == 2
        assert runs[2].kind == "sweep"
        assert runs[2].seed == 7
        # local runs belong to no organisation: no signed-in user sees them
        p = _users(db)
        assert Repository(s, p["a_owner"]).list_runs().total == 0
        assert Repository(s, Principal.system_principal()).list_runs().total == 3


def test_sqlite_backup_is_a_consistent_copy(tmp_path, small_scenario: dict) -> None:
    db = Database.connect(f"sqlite:///{tmp_path / 'live.db'}")
    db.upgrade()
    save_run(
        Scenario.model_validate(small_scenario),
        model="mean",
        options={},
        seed=None,
        results=[{"outcome": [1]}],
        provenance={},
        source="x",
        db=db,
    )
    target = backup(db, tmp_path / "copy.db")
    with sqlite3.connect(target) as conn:
        assert conn.execute("select count(*) from runs").fetchone() == (1,)
    with pytest.raises(StoreError, match="exists"):
        backup(db, target)
    db.dispose()


def test_organisation_names_are_unique(db: Database) -> None:
    with db.session() as s:
        assert ensure_organisation(s, "A").id == ensure_organisation(s, " A ").id
        with pytest.raises(StoreError):
            ensure_organisation(s, "  ")
