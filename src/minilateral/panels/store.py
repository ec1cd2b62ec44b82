"""Panels in the database: create, invite, submit, close rounds, report, aggregate.

Every call goes through a :class:`PanelRepository` bound to a
:class:`~minilateral.store.repository.Principal`, which applies the panel's visibility rules:

- **managers** (owners and analysts of the panel's organisation, and the local command line)
  invite coders, close rounds, read every coding, the reliability report and aggregate;
  viewers of that organisation may read the panel and its report;
- **coders** (invited users of any organisation) see the panel's name, its scenario version,
  the rounds' state, their own codings and, once a round has closed, its anonymised summary —
  nothing else of the inviting organisation (not its other scenarios, runs, members, nor the
  other coders' identities or codings);
- anybody else gets :class:`~minilateral.errors.NotFoundError`.

Delphi rounds: round 1 opens with the panel. Closing a round freezes its anonymised summary
(:func:`~minilateral.panels.codings.round_summary`) and opens the next round, unless the panel
is ended (``final=True``). A coder may submit or replace their coding while the round is open;
a coding is validated in full before anything is written, so a rejected submission leaves the
stored one untouched. The codings of a round are each member's latest submission up to that
round (a coder who does not revise keeps their earlier answer).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from minilateral.errors import NotFoundError, PermissionDeniedError, StoreError
from minilateral.panels.analysis import brief_data, reliability_report
from minilateral.panels.codings import (
    AGGREGATES,
    Coding,
    PanelData,
    aggregate,
    round_summary,
    validate_coding,
)
from minilateral.scenario import Scenario
from minilateral.store.orm import (
    Panel,
    PanelCoding,
    PanelMember,
    PanelRound,
    ScenarioVersion,
    User,
    utcnow,
)
from minilateral.store.repository import Principal, Repository

__all__ = ["PanelAccess", "PanelRepository", "pseudonym"]


def pseudonym(index: int) -> str:
    """``Coder A`` … ``Coder Z``, ``Coder AA`` …: the label of the ``index``-th member (0-based)."""
    letters = string.ascii_uppercase
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = letters[rest] + name
    return f"Coder {name}"


@dataclass(frozen=True)
class PanelAccess:
    """A panel and how the principal relates to it."""

    panel: Panel
    manager: bool  # may change it (invite, close, aggregate)
    reader: bool  # member of the owning organisation: may read all codings and the report
    member: PanelMember | None  # the principal's own membership, if invited

    @property
    def role(self) -> str:
        """``manager``, ``reader`` or ``coder``."""
        return "manager" if self.manager else "reader" if self.reader else "coder"


class PanelRepository:
    """Panels as seen by one principal."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.scenarios = Repository(session, principal)

    # -- access ------------------------------------------------------------------------------

    def _access(self, panel: Panel) -> PanelAccess | None:
        p = self.principal
        member = next((m for m in panel.members if m.user_id == p.user_id), None)
        if p.system:
            return PanelAccess(panel, True, True, member)
        reader = panel.org_id in p.roles
        manager = p.can_write(panel.org_id)
        if not reader and member is None:
            return None
        return PanelAccess(panel, manager, reader, member)

    def get(self, panel_id: int) -> PanelAccess:
        """The panel ``panel_id`` if the principal manages, reads or codes it."""
        panel = self.session.get(Panel, panel_id)
        access = None if panel is None else self._access(panel)
        if access is None:
            raise NotFoundError(f"no panel {panel_id}", field="panel_id")
        return access

    def _manage(self, panel_id: int) -> PanelAccess:
        access = self.get(panel_id)
        if not access.manager:
            raise PermissionDeniedError(f"only the panel's owners may change panel {panel_id}")
        return access

    def _read_all(self, panel_id: int) -> PanelAccess:
        access = self.get(panel_id)
        if not (access.manager or access.reader):
            raise PermissionDeniedError(
                "coders see their own coding and the anonymised round summaries only"
            )
        return access

    def list_panels(self) -> list[PanelAccess]:
        """Panels the principal manages, reads or codes, newest first."""
        query = select(Panel).options(selectinload(Panel.members), selectinload(Panel.rounds))
        p = self.principal
        if not p.system:
            if p.user_id is None:
                return []
            mine = select(PanelMember.panel_id).where(PanelMember.user_id == p.user_id)
            query = query.where(or_(Panel.org_id.in_(p.org_ids), Panel.id.in_(mine)))
        rows = self.session.scalars(query.order_by(Panel.id.desc())).all()
        return [a for a in (self._access(r) for r in rows) if a is not None]

    # -- life cycle --------------------------------------------------------------------------

    def create(
        self,
        scenario_id: int,
        name: str,
        *,
        version: int | None = None,
        org_id: int | None = None,
    ) -> Panel:
        """A new panel on version ``version`` (default: latest) of a visible scenario, with
        round 1 open. It belongs to ``org_id`` (default: the scenario's organisation when the
        principal may write there, else their first writable organisation)."""
        name = name.strip()
        if not name:
            raise StoreError("a panel needs a name", field="name", exit_code=2)
        sv = self.scenarios.get_version(scenario_id, version)
        owner = org_id
        if self.principal.system:
            owner = owner if owner is not None else sv.scenario.org_id
            if owner is None:
                raise StoreError(
                    "the scenario belongs to no organisation; pass the organisation that owns "
                    "the panel",
                    field="org",
                    exit_code=2,
                )
        elif owner is None and self.principal.can_write(sv.scenario.org_id):
            owner = sv.scenario.org_id
        else:
            owner = self.scenarios.writable_org(owner)
        panel = Panel(
            org_id=owner,
            scenario_version_id=sv.id,
            name=name[:200],
            created_by=self.principal.user_id,
        )
        self.session.add(panel)
        self.session.flush()
        self.session.add(PanelRound(panel_id=panel.id, number=1))
        self.session.flush()
        self.session.refresh(panel)
        return panel

    def invite(self, panel_id: int, email: str) -> PanelMember:
        """Invite the existing user with this e-mail address (of any organisation)."""
        panel = self._manage(panel_id).panel
        if panel.status != "open":
            raise StoreError(f"panel {panel_id} has ended; it takes no new coders", exit_code=2)
        user = self.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise NotFoundError(
                f"no user with the e-mail address '{email}'; create the account first",
                field="email",
            )
        if any(m.user_id == user.id for m in panel.members):
            raise StoreError(
                f"'{email}' is already invited to this panel", field="email", exit_code=2
            )
        member = PanelMember(
            panel_id=panel.id,
            user_id=user.id,
            pseudonym=pseudonym(len(panel.members)),
            invited_by=self.principal.user_id,
        )
        self.session.add(member)
        panel.members.append(member)
        self.session.flush()
        return member

    def scenario(self, panel_id: int) -> Scenario:
        """The scenario version the panel codes (visible to every coder)."""
        version = self.get(panel_id).panel.scenario_version
        return Scenario.model_validate(version.content)

    def _round(self, panel: Panel, number: int | None = None) -> PanelRound:
        number = panel.current_round if number is None else number
        for r in panel.rounds:
            if r.number == number:
                return r
        raise NotFoundError(f"panel {panel.id} has no round {number}", field="round")

    def submit(
        self,
        panel_id: int,
        coding: Coding | dict[str, Any],
        *,
        as_user: str | None = None,
        source: str | None = None,
        number: int | None = None,
    ) -> PanelCoding:
        """Store (or replace) the principal's coding in the open round.

        ``as_user`` (an e-mail address) lets the local command line submit on behalf of a
        coder. ``number`` names the round the coding is meant for (a form remembers the round
        it was opened in): a coding for a round that has closed since is refused, not moved to
        the next round. The coding is validated against the panel's scenario before anything is
        written.

        Raises
        ------
        NotFoundError
            No such panel, or the principal was not invited to it.
        StoreError
            The round is closed or the panel has ended.
        FormatError
            The coding does not fit the scenario (scale, missing cell, unknown actor ...).
        """
        access = self.get(panel_id) if not self.principal.system else self._manage(panel_id)
        panel = access.panel
        member = access.member
        if as_user is not None:
            if not self.principal.system:
                raise PermissionDeniedError("only the local command line may submit for others")
            member = next(
                (m for m in panel.members if m.user.email == as_user.strip().lower()), None
            )
            if member is None:
                raise NotFoundError(
                    f"'{as_user}' is not invited to panel {panel_id}; invite them first",
                    field="as",
                )
        if member is None:
            raise PermissionDeniedError(
                f"you are not invited to code panel {panel_id}; ask its owner for an invitation"
            )
        if panel.status != "open":
            raise StoreError(f"panel {panel_id} has ended; it takes no more codings", exit_code=2)
        if number is not None and number != panel.current_round:
            self._round(panel, number)  # no such round: NotFoundError
            raise StoreError(
                f"round {number} of panel {panel_id} is closed; it takes no more codings "
                f"(round {panel.current_round} is open: read the summary and code again)",
                exit_code=2,
            )
        current = self._round(panel)
        if current.closed_at is not None:
            raise StoreError(
                f"round {current.number} of panel {panel_id} is closed; it takes no more codings",
                exit_code=2,
            )
        checked = validate_coding(self.scenario(panel_id), coding, source=source)
        content = checked.model_dump(mode="json")
        row = next((c for c in current.codings if c.member_id == member.id), None)
        if row is None:
            row = PanelCoding(round_id=current.id, member_id=member.id, content=content)
            self.session.add(row)
            current.codings.append(row)
        else:
            row.content = content
            row.updated_at = utcnow()
        self.session.flush()
        return row

    def own_codings(self, panel_id: int) -> dict[int, Coding]:
        """The principal's codings by round number."""
        access = self.get(panel_id)
        if access.member is None:
            return {}
        out = {}
        for r in access.panel.rounds:
            for c in r.codings:
                if c.member_id == access.member.id:
                    out[r.number] = Coding.model_validate(c.content)
        return out

    def latest_codings(
        self, panel: Panel, number: int | None = None
    ) -> list[tuple[PanelMember, Coding, int]]:
        """Each member's latest coding up to round ``number`` (default: the current round):
        ``(member, coding, round it was submitted in)``, in invitation order."""
        number = panel.current_round if number is None else number
        self._round(panel, number)
        latest: dict[int, tuple[Coding, int]] = {}
        for r in panel.rounds:
            if r.number > number:
                continue
            for c in r.codings:
                latest[c.member_id] = (Coding.model_validate(c.content), r.number)
        return [(m, *latest[m.id]) for m in panel.members if m.id in latest]

    def close_round(self, panel_id: int, *, final: bool = False) -> PanelRound:
        """Close the open round: freeze its anonymised summary and open the next round
        (or end the panel with ``final=True``). Returns the closed round."""
        panel = self._manage(panel_id).panel
        if panel.status != "open":
            raise StoreError(f"panel {panel_id} has ended", exit_code=2)
        current = self._round(panel)
        entries = self.latest_codings(panel, current.number)
        if not entries:
            raise StoreError(
                f"round {current.number} of panel {panel_id} has no codings yet; nothing to close",
                exit_code=2,
            )
        current.summary = self._summary(panel, entries)
        current.closed_at = utcnow()
        if final:
            panel.status = "closed"
        else:
            panel.current_round = current.number + 1
            nxt = PanelRound(panel_id=panel.id, number=current.number + 1)
            self.session.add(nxt)
            panel.rounds.append(nxt)
        self.session.flush()
        return current

    def _summary(
        self, panel: Panel, entries: list[tuple[PanelMember, Coding, int]]
    ) -> dict[str, Any]:
        scenario = Scenario.model_validate(panel.scenario_version.content)
        data = PanelData.from_codings(scenario, [(m.pseudonym, c) for m, c, _ in entries])
        rationales: dict[tuple[str, str], list[str]] = {}
        ranges: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for _, coding, _ in entries:
            for cell in coding.cells:
                rationales.setdefault((cell.actor, cell.issue), []).append(cell.rationale)
                if cell.low is not None and cell.high is not None:
                    ranges.setdefault((cell.actor, cell.issue), []).append((cell.low, cell.high))
            for a in coding.actors:
                rationales.setdefault((a.actor, ""), []).append(a.rationale)
        return round_summary(data, rationales, ranges)

    def summary(self, panel_id: int, number: int) -> dict[str, Any]:
        """The anonymised summary of closed round ``number`` (coders and owners alike)."""
        access = self.get(panel_id)
        r = self._round(access.panel, number)
        if r.closed_at is None or r.summary is None:
            raise StoreError(
                f"round {number} is still open; its summary is shown once it closes", exit_code=2
            )
        return r.summary

    # -- analysis ----------------------------------------------------------------------------

    def data(
        self, panel_id: int, number: int | None = None, *, names: bool = False
    ) -> tuple[Scenario, PanelData, list[tuple[PanelMember, Coding, int]]]:
        """The panel's scenario and the coders' latest codings up to round ``number`` as arrays.

        Coders are labelled by pseudonym, or by e-mail address with ``names=True`` (owners and
        readers only)."""
        panel = self._read_all(panel_id).panel
        entries = self.latest_codings(panel, number)
        scenario = Scenario.model_validate(panel.scenario_version.content)
        labels = [(m.user.email if names else m.pseudonym) for m, _, _ in entries]
        data = PanelData.from_codings(
            scenario, list(zip(labels, [c for _, c, _ in entries], strict=True))
        )
        return scenario, data, entries

    def report(
        self,
        panel_id: int,
        number: int | None = None,
        *,
        level: str = "interval",
        names: bool = False,
    ) -> dict[str, Any]:
        """The reliability report of the coders' latest codings up to round ``number``."""
        _, data, entries = self.data(panel_id, number, names=names)
        out = reliability_report(data, level)
        panel = self.get(panel_id).panel
        out["panel"] = {"id": panel.id, "name": panel.name, "round": number or panel.current_round}
        out["coder_rounds"] = {(m.user.email if names else m.pseudonym): r for m, _, r in entries}
        return out

    def brief(
        self, panel_id: int, *, level: str = "interval", names: bool = False
    ) -> dict[str, Any]:
        """The data of a brief's panel section: who coded, alpha, where coders disagree
        (:func:`minilateral.panels.analysis.brief_data`), plus the panel, round and codings'
        rounds."""
        _, data, entries = self.data(panel_id, names=names)
        panel = self.get(panel_id).panel
        out = brief_data(data, level)
        out["panel"] = {"id": panel.id, "name": panel.name, "round": panel.current_round}
        out["coder_rounds"] = dict(zip(data.coders, [r for _, _, r in entries], strict=True))
        return out

    def aggregate(
        self,
        panel_id: int,
        *,
        method: str = "median",
        trim: float = 0.2,
        number: int | None = None,
        names: bool = False,
    ) -> ScenarioVersion:
        """Aggregate the coders' latest codings into a new scenario version.

        The version is added to the panel's scenario when the principal may change it, else
        to a new private scenario of the panel's organisation. Its ``uncertainty:`` block is
        fitted to the coders' spread, and its comment records the panel, round, method and
        coders (pseudonyms unless ``names``)."""
        if method not in AGGREGATES:
            raise StoreError(
                f"unknown aggregate '{method}' (choose from {', '.join(AGGREGATES)})",
                field="method",
                exit_code=2,
            )
        access = self._manage(panel_id)
        panel = access.panel
        scenario, data, entries = self.data(panel_id, number, names=names)
        merged = aggregate(scenario, data, method=method, trim=trim)
        round_no = number or panel.current_round
        comment = (
            f"panel {panel.id} '{panel.name}', round {round_no}, {method} of "
            f"{len(entries)} coders ({', '.join(data.coders)})"
        )[:2000]
        record = panel.scenario_version.scenario
        if self.principal.can_write(record.org_id):
            record = self.scenarios.update_scenario(record.id, scenario=merged, comment=comment)
        else:
            record = self.scenarios.create_scenario(
                f"{record.name} (panel {panel.id})"[:200],
                merged,
                org_id=panel.org_id,
                comment=comment,
            )
        version = record.versions[-1]
        panel.result_version_id = version.id
        self.session.flush()
        return version

    # -- presentation ------------------------------------------------------------------------

    def view(self, panel_id: int) -> dict[str, Any]:
        """The panel as JSON for the principal: coders get no organisation, member or coding
        of others; managers and readers also get the members and who has submitted."""
        access = self.get(panel_id)
        panel = access.panel
        out: dict[str, Any] = {
            "id": panel.id,
            "name": panel.name,
            "status": panel.status,
            "current_round": panel.current_round,
            "role": access.role,
            "scenario_title": panel.scenario_version.title,
            "rounds": [
                {
                    "number": r.number,
                    "open": r.closed_at is None,
                    "closed_at": r.closed_at.isoformat() if r.closed_at else None,
                    "submitted": len(r.codings),
                }
                for r in panel.rounds
            ],
            "coders": len(panel.members),
        }
        if access.member is not None:
            out["you"] = access.member.pseudonym
            out["your_rounds"] = sorted(self.own_codings(panel_id))
        if access.manager or access.reader:
            out["scenario_id"] = panel.scenario_version.scenario_id
            out["scenario_version"] = panel.scenario_version.number
            out["result_version_id"] = panel.result_version_id
            out["members"] = [
                {
                    "pseudonym": m.pseudonym,
                    "email": m.user.email,
                    "rounds": [
                        r.number
                        for r in panel.rounds
                        if any(c.member_id == m.id for c in r.codings)
                    ],
                }
                for m in panel.members
            ]
        return out
