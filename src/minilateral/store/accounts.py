"""Users, organisations, memberships and tokens.

Passwords are hashed with argon2id (``argon2-cffi``'s defaults, RFC 9106). Tokens are 32 random
bytes (``secrets.token_urlsafe``); only their SHA-256 is stored, so a leaked database does not
leak usable tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from minilateral.errors import InviteError, NotFoundError, StoreError
from minilateral.store.orm import ApiToken, Invite, Membership, Organisation, Role, User, utcnow

__all__ = [
    "INVITE_TTL",
    "SESSION_TTL",
    "IssuedInvite",
    "accept_invite",
    "authenticate",
    "change_password",
    "create_invite",
    "create_user",
    "ensure_organisation",
    "find_invite",
    "hash_password",
    "issue_token",
    "resolve_token",
    "revoke_token",
    "verify_password",
]

SESSION_TTL = dt.timedelta(days=7)
INVITE_TTL = dt.timedelta(days=3)
_HASHER = PasswordHasher()
_MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def ensure_organisation(session: Session, name: str) -> Organisation:
    """The organisation called ``name``, created if missing."""
    name = name.strip()
    if not name:
        raise StoreError("an organisation needs a name", field="org")
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name)
        session.add(org)
        session.flush()
    return org


def create_user(session: Session, email: str, password: str, *, org: str, role: str) -> User:
    """Create a user, make them ``role`` in ``org`` (created if needed), and return them.

    An existing user is added to the organisation (or has their role there changed) and gets
    the new password.
    """
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise StoreError(f"'{email}' is not an e-mail address", field="email")
    if role not in {r.value for r in Role}:
        raise StoreError(
            f"unknown role '{role}' (roles: {', '.join(r.value for r in Role)})", field="role"
        )
    if len(password) < _MIN_PASSWORD:
        raise StoreError(
            f"the password is too short (at least {_MIN_PASSWORD} characters)", field="password"
        )
    organisation = ensure_organisation(session, org)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, password_hash=hash_password(password))
        session.add(user)
        session.flush()
    else:
        user.password_hash = hash_password(password)
    membership = session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.org_id == organisation.id
        )
    )
    if membership is None:
        session.add(Membership(user_id=user.id, org_id=organisation.id, role=role))
    else:
        membership.role = role
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or ``None``."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _HASHER.hash(password)  # same cost as a check, so timing does not reveal known e-mails
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: the secret (shown once) and its stored row."""

    secret: str
    row: ApiToken


def issue_token(
    session: Session,
    user: User,
    *,
    kind: str = "api",
    name: str = "",
    ttl: dt.timedelta | None = None,
) -> IssuedToken:
    """Create a bearer token (``kind="api"``) or a browser session (``kind="session"``)."""
    secret = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        kind=kind,
        name=name,
        token_hash=_digest(secret),
        csrf=secrets.token_urlsafe(24) if kind == "session" else None,
        expires_at=utcnow() + ttl if ttl is not None else None,
    )
    session.add(row)
    session.flush()
    return IssuedToken(secret, row)


def resolve_token(session: Session, secret: str, *, kind: str) -> ApiToken | None:
    """The live token row of ``kind`` for ``secret`` (expired or inactive users give ``None``).

    ``last_used_at`` is refreshed at most once a minute, to keep reads free of writes.
    """
    if not secret or len(secret) > 200:
        return None
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(secret), ApiToken.kind == kind)
    )
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        row.last_used_at = now
        session.commit()
    return row


def revoke_token(session: Session, secret: str) -> None:
    """Delete the token (or session) whose secret is ``secret``, if any."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if row is not None:
        session.delete(row)
        session.flush()


# -- invitations (issue 21) ----------------------------------------------------------------

_ROLE_RANK = {Role.VIEWER.value: 0, Role.ANALYST.value: 1, Role.OWNER.value: 2}


@dataclass(frozen=True)
class IssuedInvite:
    """A fresh invitation: the link's secret (shown once, to the inviting owner) and its row."""

    secret: str
    row: Invite


def _check_password(password: str) -> None:
    if len(password) < _MIN_PASSWORD:
        raise StoreError(
            f"the password is too short (at least {_MIN_PASSWORD} characters)", field="password"
        )


def _role_in(session: Session, user_id: int | None, org_id: int) -> str | None:
    if user_id is None:
        return None
    return session.scalar(
        select(Membership.role).where(Membership.user_id == user_id, Membership.org_id == org_id)
    )


def create_invite(
    session: Session,
    inviter: User,
    org_id: int,
    email: str,
    role: str,
    *,
    ttl: dt.timedelta = INVITE_TTL,
) -> IssuedInvite:
    """Invite ``email`` to organisation ``org_id`` as ``role``, on behalf of ``inviter``.

    Only owners of the organisation invite, and never to a role above their own (so an
    invitation cannot escalate). The secret is 32 random bytes; only its SHA-256 is stored.
    """
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or email.startswith("@") or email.endswith("@"):
        raise InviteError(f"'{email[:320]}' is not an e-mail address", field="email")
    if role not in _ROLE_RANK:
        raise InviteError(
            f"unknown role '{role[:40]}' (roles: {', '.join(r.value for r in Role)})",
            field="role",
        )
    own = _role_in(session, inviter.id, org_id)
    if own != Role.OWNER.value:
        raise InviteError("only the organisation's owners invite members", field="org_id")
    if _ROLE_RANK[role] > _ROLE_RANK[own]:
        raise InviteError("an invitation cannot give a role above your own", field="role")
    secret = secrets.token_urlsafe(32)
    row = Invite(
        org_id=org_id,
        email=email,
        role=role,
        token_hash=_digest(secret),
        created_by=inviter.id,
        expires_at=utcnow() + ttl,
    )
    session.add(row)
    session.flush()
    return IssuedInvite(secret, row)


def find_invite(session: Session, secret: str) -> Invite:
    """The live invitation for ``secret``: unused, unexpired, and its inviter still an owner.

    Every unusable link gets the same message, which does not say why.
    """

    unusable = NotFoundError("this invitation link is not valid: it expired, was used or revoked")
    if not secret or len(secret) > 200:
        raise unusable
    row = session.scalar(select(Invite).where(Invite.token_hash == _digest(secret)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise unusable
    # An owner who has since lost the role (or left) no longer vouches for the link.
    if _role_in(session, row.created_by, row.org_id) != Role.OWNER.value:
        raise unusable
    return row


def accept_invite(
    session: Session, secret: str, *, password: str | None = None, user: User | None = None
) -> User:
    """Use an invitation once and return the member it made.

    A new e-mail address becomes an account with ``password`` (the invitee's own choice). An
    address that already has an account joins only when ``user`` (the signed-in person) is that
    account, and its password is left alone; an existing membership keeps the higher role.
    """
    row = find_invite(session, secret)
    existing = session.scalar(select(User).where(User.email == row.email))
    if existing is not None:
        if user is None or user.id != existing.id:
            raise InviteError(
                f"{row.email} already has an account: sign in as {row.email} to accept",
                field="email",
            )
        member = existing
    else:
        if user is not None:
            raise InviteError(
                f"this invitation is for {row.email}; sign out to accept it", field="email"
            )
        _check_password(password or "")
        member = User(email=row.email, password_hash=hash_password(password or ""))
        session.add(member)
        session.flush()
    # Single use, also under concurrent accepts: only one UPDATE finds it unused.
    now = utcnow()
    claimed = session.execute(
        update(Invite)
        .where(Invite.id == row.id, Invite.used_at.is_(None))
        .values(used_at=now, used_by=member.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise InviteError("this invitation link is not valid: it expired, was used or revoked")
    membership = session.scalar(
        select(Membership).where(Membership.user_id == member.id, Membership.org_id == row.org_id)
    )
    if membership is None:
        session.add(Membership(user_id=member.id, org_id=row.org_id, role=row.role))
    elif _ROLE_RANK.get(row.role, 0) > _ROLE_RANK.get(membership.role, 0):
        membership.role = row.role
    session.flush()
    session.expire(row)
    return member


def change_password(
    session: Session, user: User, current: str, new: str, *, keep: ApiToken | None = None
) -> int:
    """Set ``user``'s password to ``new`` after checking ``current``; return how many other
    sessions and tokens were revoked (all but ``keep``, the one making the change)."""
    if not verify_password(user.password_hash, current):
        raise StoreError("the current password is wrong", field="current_password")
    _check_password(new)
    if new == current:
        raise StoreError("the new password is the same as the current one", field="new_password")
    user.password_hash = hash_password(new)
    others = session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.id != (keep.id if keep is not None else -1)
        )
    ).all()
    for token in others:
        session.delete(token)
    session.flush()
    return len(others)
