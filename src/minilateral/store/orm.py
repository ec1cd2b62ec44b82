"""The stored history as SQLAlchemy 2 typed ORM classes.

Tables: organisations, users, memberships (user × organisation with a role), api_tokens
(bearer tokens for scripts and browser sessions, stored as SHA-256 hashes), scenarios with
their immutable versions and the organisations they are shared with, runs (model, options,
seed, input hash, status, timings, provenance) with their shares, and results (one JSON
payload per batch member or per summary).

Expert panels (issue 15): panels on a scenario version, their invited members (coders of any
organisation, known to each other only by pseudonym), Delphi rounds with the anonymised summary
frozen at close, and one coding per member and round.

Invitations (issue 21): a one-time link an organisation's owner gives to a new member, stored
only as the SHA-256 of its secret, with an expiry and the time it was used.

Every timestamp is timezone-aware UTC, also on SQLite, which stores it without the zone.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "ApiToken",
    "Base",
    "Invite",
    "Membership",
    "Organisation",
    "Panel",
    "PanelCoding",
    "PanelMember",
    "PanelRound",
    "Result",
    "Role",
    "Run",
    "RunShare",
    "RunStatus",
    "ScenarioRecord",
    "ScenarioShare",
    "ScenarioVersion",
    "User",
    "Visibility",
    "utcnow",
]


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and read back timezone-aware on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Role(StrEnum):
    """A member's role in an organisation: owners manage, analysts write, viewers read."""

    OWNER = "owner"
    ANALYST = "analyst"
    VIEWER = "viewer"


class Visibility(StrEnum):
    """Who may read an object: its organisation, also named organisations, or every user."""

    PRIVATE = "private"
    SHARED = "shared"
    PUBLIC = "public"


class RunStatus(StrEnum):
    """Life cycle of a run; ``interrupted`` marks a run lost to a server restart."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints stably."""

    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map = {dict[str, Any]: JSON, dt.datetime: UTCDateTime}  # noqa: RUF012


class Organisation(Base):
    """A team (think tank, ministry unit); owns scenarios and runs."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class User(Base):
    """A person who signs in; the password is kept only as an argon2 hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Language of the web pages the user chose (``en``, ``tr``, ``ar``); ``None``: the browser's.
    language: Mapped[str | None] = mapped_column(String(8), default=None)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class Membership(Base):
    """A user's role in one organisation."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()


class ApiToken(Base):
    """A bearer token (``kind="api"``) or a browser session (``kind="session"``).

    Only the SHA-256 of the token is stored; a session also carries its CSRF token.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="api")
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()


class ScenarioRecord(Base):
    """A named scenario; its content lives in immutable :class:`ScenarioVersion` rows.

    ``org_id`` is null for scenarios recorded by the command line outside any organisation.
    Deleting sets ``deleted_at``: runs keep pointing at the versions they used.
    """

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    visibility: Mapped[str] = mapped_column(String(20), default=Visibility.PRIVATE.value)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[dt.datetime | None]

    organisation: Mapped[Organisation | None] = relationship()
    versions: Mapped[list[ScenarioVersion]] = relationship(
        back_populates="scenario", order_by="ScenarioVersion.number"
    )
    shares: Mapped[list[ScenarioShare]] = relationship(cascade="all, delete-orphan")


class ScenarioShare(Base):
    """An organisation a ``shared`` scenario is shared with."""

    __tablename__ = "scenario_shares"

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )

    organisation: Mapped[Organisation] = relationship()


class ScenarioVersion(Base):
    """One immutable state of a scenario: the validated scenario as JSON and its SHA-256."""

    __tablename__ = "scenario_versions"
    __table_args__ = (UniqueConstraint("scenario_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    content: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    scenario: Mapped[ScenarioRecord] = relationship(back_populates="versions")


class Run(Base):
    """One forecast or sweep: inputs, status, timings and provenance."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    visibility: Mapped[str] = mapped_column(String(20), default=Visibility.PRIVATE.value)
    scenario_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenarios.id", ondelete="SET NULL"), index=True
    )
    scenario_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenario_versions.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(20), default="forecast")
    model: Mapped[str] = mapped_column(String(100))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    input_hash: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.QUEUED.value, index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    duration_s: Mapped[float | None] = mapped_column(Float)
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)

    scenario: Mapped[ScenarioRecord | None] = relationship()
    scenario_version: Mapped[ScenarioVersion | None] = relationship()
    results: Mapped[list[Result]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="Result.index"
    )
    shares: Mapped[list[RunShare]] = relationship(cascade="all, delete-orphan")


class RunShare(Base):
    """An organisation a ``shared`` run is shared with."""

    __tablename__ = "run_shares"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )


class Result(Base):
    """One JSON payload of a run: a forecast's ``to_dict`` per batch member, or a summary."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("run_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20), default="forecast")
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    run: Mapped[Run] = relationship(back_populates="results")


class Panel(Base):
    """An expert panel: several coders code one scenario version in Delphi rounds.

    ``status`` is ``open`` while rounds run and ``closed`` once the owner ends the panel;
    ``current_round`` is the number of the round that takes codings (or the last one).
    ``result_version_id`` is the scenario version the last aggregation produced.
    """

    __tablename__ = "panels"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    scenario_version_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_versions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    current_round: Mapped[int] = mapped_column(Integer, default=1)
    result_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenario_versions.id", ondelete="SET NULL")
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    scenario_version: Mapped[ScenarioVersion] = relationship(foreign_keys=[scenario_version_id])
    members: Mapped[list[PanelMember]] = relationship(
        back_populates="panel", cascade="all, delete-orphan", order_by="PanelMember.id"
    )
    rounds: Mapped[list[PanelRound]] = relationship(
        back_populates="panel", cascade="all, delete-orphan", order_by="PanelRound.number"
    )


class PanelMember(Base):
    """A user invited to code a panel, shown to others only by ``pseudonym``."""

    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("panel_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(50))
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    panel: Mapped[Panel] = relationship(back_populates="members")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PanelRound(Base):
    """One Delphi round; ``summary`` (anonymised medians, spreads, rationales) is set at close."""

    __tablename__ = "panel_rounds"
    __table_args__ = (UniqueConstraint("panel_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]
    summary: Mapped[dict[str, Any] | None]

    panel: Mapped[Panel] = relationship(back_populates="rounds")
    codings: Mapped[list[PanelCoding]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="PanelCoding.member_id"
    )


class PanelCoding(Base):
    """One member's coding in one round (:class:`minilateral.panels.codings.Coding` as JSON)."""

    __tablename__ = "panel_codings"
    __table_args__ = (UniqueConstraint("round_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("panel_rounds.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("panel_members.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[dict[str, Any]]
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    round: Mapped[PanelRound] = relationship(back_populates="codings")
    member: Mapped[PanelMember] = relationship()


class Invite(Base):
    """A one-time invitation to join an organisation with a role.

    Only the SHA-256 of the link's secret is stored; ``used_at`` is set when it is accepted,
    after which the link no longer works, as after ``expires_at``.
    """

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
