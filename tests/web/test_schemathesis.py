"""Property-based run over the whole OpenAPI schema (bounded) with every schemathesis check:
no 5xx, responses match the schema, documented status codes, content types and headers only
(405 with ``Allow``), schema-valid requests accepted and invalid ones rejected; then a bounded
stateful run that follows the schema's links between operations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from minilateral.scenario import Scenario
from minilateral.store.accounts import create_user, issue_token
from minilateral.store.db import Database
from minilateral.store.repository import Principal, Repository
from minilateral.web import Settings, create_app

MAX_EXAMPLES = 20
STATEFUL_EXAMPLES = 30
# Operations whose bodies have constraints across fields that JSON Schema cannot state: a
# scenario's positions and saliences are keyed by its own issue names and lie on each issue's
# scale, a run's options depend on its model, an upload's bytes must parse as a scenario, and
# a year range must not run backwards. Schema-valid requests may be refused there (422 or 400,
# naming the field); every other check runs on them too.
CROSS_FIELD = {
    ("/api/scenarios", "post"),
    ("/api/scenarios/{scenario_id}", "patch"),
    ("/api/scenarios/import", "post"),
    ("/api/runs", "post"),
    ("/api/alignment/dyads", "get"),
    ("/api/alignment/cohesion", "get"),
}
# Deletions last, so the seeded objects are there for the other operations.
OPERATIONS = sorted(
    (
        (path, method)
        for path, ops in create_app(Settings()).openapi()["paths"].items()
        for method in ops
    ),
    key=lambda op: op[1] == "delete",
)


@pytest.fixture(scope="module")
def api(tmp_path_factory, scenario_factory) -> Iterator[tuple[Any, Any, Callable[[], None]]]:
    """The schema of an app on a seeded database, a bearer header for an analyst, and a
    function that puts the database back to its seeded state."""
    path = tmp_path_factory.mktemp("st") / "st.db"
    url = f"sqlite:///{path}"
    db = Database.connect(url)
    db.upgrade()
    with db.session() as s:
        user = create_user(s, "analyst@a.org", "long-password", org="A", role="analyst")
        create_user(s, "analyst@b.org", "long-password", org="B", role="analyst")
        secret = issue_token(s, user).secret
        repo = Repository(s, Principal.for_user(s, user))
        record = repo.create_scenario("seed", Scenario.model_validate(scenario_factory()))
        s.flush()
        repo.create_run(record.id, model="mean", options={})
        s.commit()
    seeded = path.with_name("seeded.db")
    with sqlite3.connect(path) as live, sqlite3.connect(seeded) as copy:
        live.backup(copy)

    def reset() -> None:
        with sqlite3.connect(seeded) as copy, sqlite3.connect(path) as live:
            copy.backup(live)

    app = create_app(Settings(db_url=url, load_library=False, login_attempts=10_000))
    # Alignment queries answer 409 (no data installed) here; tests/web/test_api.py fuzzes them
    # on the real data.
    patch = pytest.MonkeyPatch()
    patch.setenv("MINILATERAL_DATA_DIR", str(tmp_path_factory.mktemp("no-data")))

    def headers(path: str, method: str) -> dict[str, str]:
        token = secret
        if (path, method) == ("/api/auth/token", "delete"):  # revokes: use a throw-away token
            with db.session() as s:
                token = issue_token(s, s.get(type(user), user.id)).secret
                s.commit()
        return {"Authorization": f"Bearer {token}"}

    yield schemathesis.openapi.from_asgi("/openapi.json", app), headers, reset
    patch.undo()
    db.dispose()


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_operation_conforms(api, path: str, method: str, mode: GenerationMode) -> None:
    """Schema-valid requests (positive) and requests that break the schema (negative)."""
    schema, headers, _ = api
    operation = schema[path][method.upper()]

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case) -> None:
        excluded = [positive_data_acceptance] if (path, method) in CROSS_FIELD else []
        # a valid token as the caller's explicit credentials, so that schemathesis also probes
        # the operation without them and with invalid ones
        case.call_and_validate(headers=headers(path, method), excluded_checks=excluded)

    try:
        check()
    except Unsatisfiable:
        # no parameters and no body (e.g. /health): there is no way to break its schema
        assert mode is GenerationMode.NEGATIVE
        pytest.skip("the operation takes no input to break")


def test_stateful_links(api) -> None:
    """Bounded stateful run: schemathesis chains operations through the links it infers from
    the schema (an id returned by one operation fed to the next) and runs every check on each
    step, so ids created in a run (scenarios, runs, panels) are exercised, not only the seeded
    ones."""
    schema, headers, reset = api
    excluded = {op: [positive_data_acceptance] for op in CROSS_FIELD}

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # every scenario starts from the seeded database, so that replaying a scenario
            # (hypothesis does, to shrink) meets the same state
            reset()

        def get_call_kwargs(self, case) -> dict[str, Any]:
            method = case.method.lower()
            return {"headers": {**(case.headers or {}), **headers(case.path, method)}}

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
            case.validate_response(
                response,
                excluded_checks=excluded.get((case.path, case.method.lower()), []),
                transport_kwargs=kwargs or None,
            )

    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
