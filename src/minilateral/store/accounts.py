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
from sqlalchemy import select
from sqlalchemy.orm import Session

from minilateral.errors import StoreError
from minilateral.store.orm import ApiToken, Membership, Organisation, Role, User, utcnow

__all__ = [
    "SESSION_TTL",
    "authenticate",
    "create_user",
    "ensure_organisation",
    "hash_password",
    "issue_token",
    "resolve_token",
    "revoke_token",
    "verify_password",
]

SESSION_TTL = dt.timedelta(days=7)
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
