"""Scoped access to stored scenarios and runs.

Every read and write goes through a :class:`Repository` bound to a :class:`Principal`, so the
visibility rules live here once, not in each endpoint:

- ``private`` objects are visible to members of the owning organisation;
- ``shared`` objects also to members of the organisations named in their shares;
- ``public`` objects to every signed-in user (the embedded library is public).

A run never reaches further than its scenario: besides its own visibility, a run is visible
only to those who may see its scenario: members of the scenario's organisation, members of the
organisations it is shared with (while it is ``shared``, even after deletion), and, while it is
public and not deleted, everyone. So revoking a share, making a scenario private or deleting it
withdraws its runs from everyone it is not (or no longer) shared with. A member of another
organisation (a share recipient) may run the scenario only privately, and the scenario's owners
may cancel and delete every run of it.

An object the principal may not see does not exist for them (:class:`NotFoundError`, shown as
404 by the web layer). Writing needs the ``owner`` or ``analyst`` role in the owning
organisation (:class:`PermissionDeniedError`, 403). The command line works as the local
:meth:`Principal.system`, which sees everything in the database it opened.

:func:`save_run` is the one call the CLI's ``forecast --save`` and ``sweep --save`` use to
record a finished run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from minilateral.errors import NotFoundError, PermissionDeniedError, StoreError
from minilateral.scenario import Scenario
from minilateral.store.db import Database
from minilateral.store.orm import (
    Membership,
    Organisation,
    Result,
    Role,
    Run,
    RunShare,
    RunStatus,
    ScenarioRecord,
    ScenarioShare,
    ScenarioVersion,
    User,
    Visibility,
    utcnow,
)

__all__ = [
    "LIBRARY_ORG",
    "Page",
    "Principal",
    "Repository",
    "load_library",
    "mark_interrupted",
    "save_run",
]

LIBRARY_ORG = "minilateral library"
_WRITERS = frozenset({Role.OWNER.value, Role.ANALYST.value})
T = TypeVar("T")


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user with their roles per organisation, or the local system."""

    user_id: int | None
    roles: Mapping[int, str] = field(default_factory=dict)
    system: bool = False

    @classmethod
    def system_principal(cls) -> Principal:
        """The local command line: sees and may change everything in its database."""
        return cls(None, {}, system=True)

    @classmethod
    def for_user(cls, session: Session, user: User) -> Principal:
        """The principal of ``user`` with their current memberships."""
        rows = session.execute(
            select(Membership.org_id, Membership.role).where(Membership.user_id == user.id)
        ).all()
        return cls(user.id, {org: role for org, role in rows})  # noqa: C416 (Row pairs)

    @property
    def org_ids(self) -> list[int]:
        """Organisations the principal belongs to."""
        return list(self.roles)

    def can_write(self, org_id: int | None) -> bool:
        """Whether the principal may change objects owned by ``org_id``."""
        if self.system:
            return True
        return org_id is not None and self.roles.get(org_id) in _WRITERS


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the total count."""

    items: list[T]
    total: int
    limit: int
    offset: int


def _visible(
    principal: Principal, model: type[ScenarioRecord] | type[Run], share: type[Any], key: Any
) -> ColumnElement[bool]:
    """The SQL condition under which ``principal`` sees a row of ``model``."""
    if principal.system:
        return true()
    orgs = principal.org_ids
    if principal.user_id is None:
        return false()
    shared = select(share.org_id).where(key == model.id, share.org_id.in_(orgs)).exists()
    return or_(
        model.visibility == Visibility.PUBLIC.value,
        model.org_id.in_(orgs) if orgs else false(),
        and_(model.visibility == Visibility.SHARED.value, shared),
    )


_RANK = {Visibility.PRIVATE.value: 0, Visibility.SHARED.value: 1, Visibility.PUBLIC.value: 2}


def _scenario_reach(principal: Principal) -> ColumnElement[bool]:
    """The SQL condition under which ``principal`` may see the scenario of a run."""
    if principal.system:
        return true()
    if principal.user_id is None:
        return false()
    orgs = principal.org_ids
    shared = (
        select(ScenarioShare.org_id)
        .where(ScenarioShare.scenario_id == ScenarioRecord.id, ScenarioShare.org_id.in_(orgs))
        .exists()
    )
    reach = (
        select(ScenarioRecord.id)
        .where(
            ScenarioRecord.id == Run.scenario_id,
            or_(
                ScenarioRecord.org_id.in_(orgs) if orgs else false(),
                and_(
                    ScenarioRecord.deleted_at.is_(None),
                    ScenarioRecord.visibility == Visibility.PUBLIC.value,
                ),
                and_(ScenarioRecord.visibility == Visibility.SHARED.value, shared),
            ),
        )
        .exists()
    )
    return or_(Run.scenario_id.is_(None), reach)


class Repository:
    """Scenarios and runs as seen by one principal."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    # -- organisations -------------------------------------------------------------------

    def writable_org(self, org_id: int | None = None) -> int:
        """The organisation a new object belongs to: ``org_id`` or the principal's first
        organisation where they may write."""
        if org_id is not None:
            if not self.principal.can_write(org_id):
                raise PermissionDeniedError(
                    "you cannot create objects in that organisation", field="org_id"
                )
            return org_id
        for org, role in sorted(self.principal.roles.items()):
            if role in _WRITERS:
                return org
        raise PermissionDeniedError(
            "your role is viewer in every organisation you belong to; analysts and owners "
            "create scenarios and runs"
        )

    def organisations(self) -> list[tuple[Organisation, str]]:
        """The principal's organisations and their role in each."""
        if not self.principal.roles:
            return []
        rows = self.session.scalars(
            select(Organisation).where(Organisation.id.in_(self.principal.org_ids))
        ).all()
        return [(org, self.principal.roles[org.id]) for org in sorted(rows, key=lambda o: o.id)]

    def _share_orgs(self, names: Sequence[str], owner: int | None = None) -> list[int]:
        ids = []
        for name in names:
            org = self.session.scalar(select(Organisation).where(Organisation.name == name))
            if org is None or org.id == owner:
                # The same answer for every name that cannot be used (no such organisation,
                # or the scenario's own), so that the names of organisations cannot be probed
                # one by one.
                raise StoreError(
                    f"cannot share with '{name[:200]}' (check the exact name)",
                    field="shared_with",
                )
            ids.append(org.id)
        return ids

    # -- scenarios -------------------------------------------------------------------------

    def _scenarios(self) -> Select[ScenarioRecord]:
        return select(ScenarioRecord).where(
            ScenarioRecord.deleted_at.is_(None),
            _visible(self.principal, ScenarioRecord, ScenarioShare, ScenarioShare.scenario_id),
        )

    def list_scenarios(
        self, *, limit: int = 50, offset: int = 0, search: str | None = None
    ) -> Page[ScenarioRecord]:
        """Visible scenarios, newest first."""
        query = self._scenarios()
        if search:
            query = query.where(ScenarioRecord.name.contains(search, autoescape=True))
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(
            query.options(
                selectinload(ScenarioRecord.versions),
                selectinload(ScenarioRecord.organisation),
                selectinload(ScenarioRecord.shares).selectinload(ScenarioShare.organisation),
            )
            .order_by(ScenarioRecord.updated_at.desc(), ScenarioRecord.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return Page(list(rows), total, limit, offset)

    def get_scenario(self, scenario_id: int) -> ScenarioRecord:
        """The visible scenario ``scenario_id``."""
        row = self.session.scalar(self._scenarios().where(ScenarioRecord.id == scenario_id))
        if row is None:
            raise NotFoundError(f"no scenario {scenario_id}", field="scenario_id")
        return row

    def get_version(self, scenario_id: int, number: int | None = None) -> ScenarioVersion:
        """Version ``number`` (default: the latest) of a visible scenario."""
        record = self.get_scenario(scenario_id)
        if not record.versions:
            raise NotFoundError(f"scenario {scenario_id} has no versions")
        if number is None:
            return record.versions[-1]
        for version in record.versions:
            if version.number == number:
                return version
        raise NotFoundError(f"scenario {scenario_id} has no version {number}", field="version")

    def create_scenario(
        self,
        name: str,
        scenario: Scenario,
        *,
        visibility: str = Visibility.PRIVATE.value,
        org_id: int | None = None,
        shared_with: Sequence[str] = (),
        comment: str = "",
    ) -> ScenarioRecord:
        """Store a new scenario with its first version."""
        owner = org_id if self.principal.system else self.writable_org(org_id)
        record = ScenarioRecord(
            org_id=owner, name=name, visibility=visibility, created_by=self.principal.user_id
        )
        self.session.add(record)
        self.session.flush()
        record.shares = [
            ScenarioShare(scenario_id=record.id, org_id=o)
            for o in self._share_orgs(shared_with, record.org_id)
        ]
        self._add_version(record, scenario, comment or "created")
        self.session.flush()
        return record

    def _add_version(self, record: ScenarioRecord, scenario: Scenario, comment: str) -> None:
        number = (record.versions[-1].number + 1) if record.versions else 1
        version = ScenarioVersion(
            scenario_id=record.id,
            number=number,
            title=scenario.title,
            content=scenario.model_dump(mode="json"),
            sha256=scenario.sha256(),
            comment=comment,
            created_by=self.principal.user_id,
        )
        self.session.add(version)
        record.versions.append(version)
        record.updated_at = utcnow()

    def _writable_scenario(self, scenario_id: int) -> ScenarioRecord:
        record = self.get_scenario(scenario_id)
        if not self.principal.can_write(record.org_id):
            raise PermissionDeniedError(f"you may read but not change scenario {scenario_id}")
        return record

    def update_scenario(
        self,
        scenario_id: int,
        *,
        name: str | None = None,
        visibility: str | None = None,
        scenario: Scenario | None = None,
        shared_with: Sequence[str] | None = None,
        comment: str = "",
    ) -> ScenarioRecord:
        """Change a scenario; new content becomes a new version (nothing is overwritten)."""
        record = self._writable_scenario(scenario_id)
        if name is not None:
            record.name = name
        if visibility is not None:
            record.visibility = visibility
        if shared_with is not None:
            record.shares = [
                ScenarioShare(scenario_id=record.id, org_id=o)
                for o in self._share_orgs(shared_with, record.org_id)
            ]
        if scenario is not None and scenario.sha256() != record.versions[-1].sha256:
            self._add_version(record, scenario, comment or "edited")
        record.updated_at = utcnow()
        self.session.flush()
        return record

    def copy_scenario(
        self, scenario_id: int, *, name: str | None = None, org_id: int | None = None
    ) -> ScenarioRecord:
        """Copy the latest version of a visible scenario (library, shared, or one's own) into
        the principal's organisation ``org_id`` (default: the first where they write).

        The copy is private and shared with nobody, whatever the original's visibility: it
        belongs to the copier's organisation alone, and changing it leaves the original as it
        is. Its first version records where it came from.
        """
        source = self.get_scenario(scenario_id)
        version = source.versions[-1]
        owner = self.writable_org(org_id)
        base = (name or "").replace("\x00", "").strip()[:200] or source.name
        taken = set(
            self.session.scalars(
                select(ScenarioRecord.name).where(
                    ScenarioRecord.org_id == owner, ScenarioRecord.deleted_at.is_(None)
                )
            ).all()
        )
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            suffix = " (copy)" if n == 2 else f" (copy {n - 1})"
            candidate = base[: 200 - len(suffix)] + suffix
        origin = source.organisation.name if source.organisation else "local"
        return self.create_scenario(
            candidate,
            Scenario.model_validate(version.content),
            visibility=Visibility.PRIVATE.value,
            org_id=owner,
            comment=f"copied from {source.name} version {version.number} ({origin})"[:2000],
        )

    def delete_scenario(self, scenario_id: int) -> None:
        """Hide a scenario; its versions stay for the runs that used them."""
        record = self._writable_scenario(scenario_id)
        record.deleted_at = utcnow()
        self.session.flush()

    # -- runs ------------------------------------------------------------------------------

    def _runs(self) -> Select[Run]:
        return select(Run).where(
            _visible(self.principal, Run, RunShare, RunShare.run_id),
            _scenario_reach(self.principal),
        )

    def list_runs(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        scenario_id: int | None = None,
        status: str | None = None,
        kind: str | None = None,
        model: str | None = None,
    ) -> Page[Run]:
        """Visible runs, newest first; optionally only one scenario, status, kind or model."""
        query = self._runs()
        if kind is not None:
            query = query.where(Run.kind == kind)
        if model is not None:
            query = query.where(Run.model == model)
        if scenario_id is not None:
            query = query.where(Run.scenario_id == scenario_id)
        if status is not None:
            query = query.where(Run.status == status)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(
            query.options(selectinload(Run.scenario_version))
            .order_by(Run.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return Page(list(rows), total, limit, offset)

    def get_run(self, run_id: int) -> Run:
        """The visible run ``run_id``."""
        row = self.session.scalar(self._runs().where(Run.id == run_id))
        if row is None:
            raise NotFoundError(f"no run {run_id}", field="run_id")
        return row

    def writable_run(self, run_id: int, *, scenario_owner: bool = False) -> Run:
        """The run ``run_id`` if the principal may change it (cancel, restart, delete).

        With ``scenario_owner`` the writers of the run's scenario may also change it (cancel
        or delete a run someone else made of their scenario).
        """
        try:
            run = self.get_run(run_id)
        except NotFoundError:
            # Another organisation's private run of the principal's own scenario: its
            # owners may stop or remove it without reading it.
            hidden = self.session.get(Run, run_id) if scenario_owner else None
            if (
                hidden is None
                or hidden.scenario is None
                or not self.principal.can_write(hidden.scenario.org_id)
            ):
                raise
            run = hidden
        if self.principal.can_write(run.org_id):
            return run
        owners = None if run.scenario is None else run.scenario.org_id
        if scenario_owner and owners is not None and self.principal.can_write(owners):
            return run
        raise PermissionDeniedError(f"you may read but not change run {run_id}")

    def create_run(
        self,
        scenario_id: int,
        *,
        model: str,
        options: dict[str, Any],
        seed: int | None = None,
        version: int | None = None,
        kind: str = "forecast",
        visibility: str = Visibility.PRIVATE.value,
        org_id: int | None = None,
    ) -> Run:
        """Queue a run of ``model`` on a visible scenario (latest version unless given)."""
        scenario_version = self.get_version(scenario_id, version)
        owner = self.writable_org(org_id)
        record = scenario_version.scenario
        if not self.principal.system and _RANK.get(visibility, 2) > 0:
            allowed = record.visibility if record.org_id == owner else Visibility.PRIVATE.value
            if record.visibility == Visibility.PUBLIC.value:
                allowed = Visibility.PUBLIC.value
            if _RANK.get(visibility, 2) > _RANK.get(allowed, 0):
                raise PermissionDeniedError(
                    f"a run cannot be more visible than its scenario allows ({allowed}): "
                    + (
                        "runs of a scenario shared with you stay private to your organisation"
                        if record.org_id != owner
                        else f"the scenario is {record.visibility}"
                    ),
                    field="visibility",
                )
        run = Run(
            org_id=owner,
            visibility=visibility,
            scenario_id=scenario_id,
            scenario_version_id=scenario_version.id,
            kind=kind,
            model=model,
            options=options,
            seed=seed,
            input_hash=scenario_version.sha256,
            source=scenario_version.scenario.name,
            status=RunStatus.QUEUED.value,
            created_by=self.principal.user_id,
        )
        self.session.add(run)
        self.session.flush()
        return run

    def cancel_run(self, run_id: int) -> Run:
        """Mark a queued run cancelled; a running one is asked to stop (see the job runner).

        The run's organisation and the owners of its scenario may cancel it.
        """
        run = self.writable_run(run_id, scenario_owner=True)
        if run.status in (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED):
            raise StoreError(f"run {run_id} has finished ({run.status}); nothing to cancel")
        if run.status in (RunStatus.QUEUED, RunStatus.INTERRUPTED):
            run.status = RunStatus.CANCELLED.value
            run.finished_at = utcnow()
        else:
            run.message = "cancellation requested"
        self.session.flush()
        return run

    def delete_run(self, run_id: int) -> None:
        """Delete a run that is not running, with its results (run or scenario owners)."""
        run = self.writable_run(run_id, scenario_owner=True)
        if run.status == RunStatus.RUNNING:
            raise StoreError(f"run {run_id} is running; cancel it first")
        self.session.delete(run)
        self.session.flush()

    def restart_run(self, run_id: int) -> Run:
        """Queue an interrupted, failed or cancelled run again with the same inputs."""
        run = self.writable_run(run_id)
        if run.status not in (RunStatus.INTERRUPTED, RunStatus.FAILED, RunStatus.CANCELLED):
            raise StoreError(
                f"run {run_id} is {run.status}; only interrupted, failed or cancelled runs restart"
            )
        if run.scenario_version_id is None:
            raise StoreError(f"run {run_id} has no stored scenario version to restart from")
        run.status = RunStatus.QUEUED.value
        run.progress = 0.0
        run.message = ""
        run.started_at = run.finished_at = None
        run.duration_s = None
        run.results.clear()
        self.session.flush()
        return run


def mark_interrupted(session: Session) -> int:
    """Mark runs left queued or running by a stopped server as interrupted; return how many."""
    rows = session.scalars(
        select(Run).where(Run.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]))
    ).all()
    for run in rows:
        run.status = RunStatus.INTERRUPTED.value
        run.message = "the server stopped before this run finished; restart it"
        run.finished_at = utcnow()
    session.commit()
    return len(rows)


def load_library(session: Session) -> int:
    """Store every embedded library scenario as a public example once; return how many were
    added. Later starts add only scenarios that are new in the library."""
    from minilateral.io import read_scenario
    from minilateral.library import list_scenarios

    org = session.scalar(select(Organisation).where(Organisation.name == LIBRARY_ORG))
    if org is None:
        org = Organisation(name=LIBRARY_ORG)
        session.add(org)
        session.flush()
    existing = set(
        session.scalars(select(ScenarioRecord.name).where(ScenarioRecord.org_id == org.id)).all()
    )
    repo = Repository(session, Principal.system_principal())
    added = 0
    for entry in list_scenarios():
        if entry.origin != "embedded" or entry.name in existing:
            continue
        repo.create_scenario(
            entry.name,
            read_scenario(entry.path),
            visibility=Visibility.PUBLIC.value,
            org_id=org.id,
            comment="embedded library",
        )
        added += 1
    session.commit()
    return added


def _local_scenario(repo: Repository, name: str, scenario: Scenario) -> ScenarioVersion:
    """The stored version of ``scenario`` under the local (organisation-less) ``name``."""
    record = repo.session.scalar(
        select(ScenarioRecord)
        .where(ScenarioRecord.org_id.is_(None), ScenarioRecord.name == name)
        .where(ScenarioRecord.deleted_at.is_(None))
    )
    if record is None:
        record = repo.create_scenario(name, scenario, comment="recorded by the command line")
    else:
        repo.update_scenario(record.id, scenario=scenario, comment="recorded by the command line")
    return record.versions[-1]


def save_run(
    scenario: Scenario,
    *,
    model: str,
    options: Mapping[str, Any],
    seed: int | None,
    results: Sequence[Mapping[str, Any]],
    provenance: Mapping[str, Any],
    kind: str = "forecast",
    source: str = "",
    started_at: dt.datetime | None = None,
    finished_at: dt.datetime | None = None,
    result_kind: str | None = None,
    db: Database | None = None,
) -> int:
    """Record a finished run from the command line and return its id.

    The scenario is stored (or gets a new version if its content changed) under the name
    ``source`` outside any organisation; the run is private and visible to the command line
    (``minilateral runs``) only. Migrations run first if the database is new.

    Parameters
    ----------
    scenario : Scenario
        The input exactly as the model saw it; its SHA-256 becomes the run's input hash.
    model : str
        Registered model name.
    options : mapping
        The model options as used (JSON-ready values).
    seed : int or None
        The seed of stochastic models or of a sweep's seed tree.
    results : sequence of mapping
        JSON payloads: ``Forecast.to_dict(i)`` per batch member for a forecast; for a sweep,
        e.g. one summary dict (quantiles per issue, path of the Parquet dataset).
    provenance : mapping
        The result's provenance record.
    kind : str, default="forecast"
        ``forecast`` or ``sweep``.
    source : str, default=""
        Where the input came from (file name or library name); names the stored scenario.
    started_at, finished_at : datetime, optional
        Timings; ``finished_at`` defaults to now.
    result_kind : str, optional
        Stored kind of each payload (default: ``kind``).
    db : Database, optional
        Target database (default: :func:`minilateral.store.db.database_url`).

    Examples
    --------
    The sweep command records a finished sweep with::

        run_id = save_run(scenario, model="bdm", options=opts, seed=seed, kind="sweep",
                          results=[summary], provenance=summary["provenance"], source=name)
    """
    database = db or Database.connect()
    owns = db is None
    try:
        database.ensure_schema()
        finished = finished_at or utcnow()
        with database.session() as session:
            repo = Repository(session, Principal.system_principal())
            version = _local_scenario(repo, source or scenario.title, scenario)
            run = Run(
                org_id=None,
                visibility=Visibility.PRIVATE.value,
                scenario_id=version.scenario_id,
                scenario_version_id=version.id,
                kind=kind,
                model=model,
                options=dict(options),
                seed=seed,
                input_hash=scenario.sha256(),
                source=source,
                status=RunStatus.DONE.value,
                progress=1.0,
                attempts=1,
                started_at=started_at,
                finished_at=finished,
                duration_s=(finished - started_at).total_seconds() if started_at else None,
                provenance=dict(provenance),
            )
            session.add(run)
            session.flush()
            for index, payload in enumerate(results):
                session.add(
                    Result(
                        run_id=run.id, index=index, kind=result_kind or kind, payload=dict(payload)
                    )
                )
            session.commit()
            return run.id
    finally:
        if owns:
            database.dispose()
