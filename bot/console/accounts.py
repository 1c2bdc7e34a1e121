"""Advisors' accounts: argon2 password hashes, browser sessions, API bearer tokens
(stored as SHA-256 hashes, listed and revocable) and the limit on failed logins."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.console.models import ROLES, Account, ApiToken, LoginAttempt, WebSession
from bot.db import utc_now

_hasher = PasswordHasher()
# A hash to verify against when the account doesn't exist, so timing doesn't tell.
_DUMMY_HASH = _hasher.hash("niet-een-echt-wachtwoord")

MIN_PASSWORD_LENGTH = 12
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
SESSION_IDLE = timedelta(hours=8)
TOKEN_PREFIX = "ovd_"  # noqa: S105  (a marker that makes a leaked token recognisable, not a secret)


class AccountError(ValueError):
    """A mistake in an account command (message in Dutch, for the person at the keyboard)."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# --- accounts -----------------------------------------------------------------------------------


def add_account(session: Session, email: str, name: str, role: str, password: str) -> Account:
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError("geef een geldig e-mailadres")
    if role not in ROLES:
        raise AccountError("rol moet 'advisor' of 'admin' zijn")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben")
    if not name.strip():
        raise AccountError("geef een naam")
    if find_account(session, email) is not None:
        raise AccountError(f"er is al een account voor {email}")
    account = Account(email=email, name=name.strip(), role=role, password_hash=_hasher.hash(password))
    session.add(account)
    session.flush()
    return account


def find_account(session: Session, email: str) -> Account | None:
    return session.execute(
        select(Account).where(Account.email == normalise_email(email))
    ).scalar_one_or_none()


def set_password(session: Session, account: Account, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben")
    account.password_hash = _hasher.hash(password)
    # Every browser logged in with the old password is logged out.
    session.execute(delete(WebSession).where(WebSession.account_id == account.id))


def check_password(account: Account | None, password: str) -> bool:
    try:
        return _hasher.verify(account.password_hash if account else _DUMMY_HASH, password) and bool(
            account and account.active
        )
    except (VerificationError, InvalidHashError):
        return False


# --- failed logins ------------------------------------------------------------------------------


def login_blocked(session: Session, email: str, address: str, now: datetime | None = None) -> bool:
    """Too many failures lately for this account or from this address."""
    since = (now or utc_now()) - LOGIN_WINDOW
    by_account = session.execute(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.email == normalise_email(email), LoginAttempt.at >= since)
    ).scalar_one()
    by_address = session.execute(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.address == address, LoginAttempt.at >= since)
    ).scalar_one()
    return by_account >= MAX_FAILURES_PER_ACCOUNT or by_address >= MAX_FAILURES_PER_ADDRESS


def record_failure(session: Session, email: str, address: str, now: datetime | None = None) -> None:
    session.add(LoginAttempt(email=normalise_email(email)[:254], address=address[:64], at=now or utc_now()))
    # Old attempts are no longer needed for the limit.
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < (now or utc_now()) - 2 * LOGIN_WINDOW))


def authenticate(session: Session, email: str, password: str, address: str) -> tuple[Account | None, str]:
    """(account, "") on success; (None, reason) with reason "blocked" or "invalid"."""
    if login_blocked(session, email, address):
        return None, "blocked"
    account = find_account(session, email)
    if not check_password(account, password):
        record_failure(session, email, address)
        return None, "invalid"
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == normalise_email(email)))
    return account, ""


# --- browser sessions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    account_id: int
    email: str
    name: str
    role: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def start_session(session: Session, account: Account) -> str:
    """A new session for `account`; returns the cookie value."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(token_hash=digest(token), account_id=account.id, csrf_token=secrets.token_urlsafe(32))
    )
    return token


def session_login(session: Session, token: str | None, now: datetime | None = None) -> Login | None:
    if not token:
        return None
    now = now or utc_now()
    row = session.execute(
        select(WebSession, Account)
        .join(Account, Account.id == WebSession.account_id)
        .where(WebSession.token_hash == digest(token))
    ).first()
    if row is None:
        return None
    web_session, account = row
    if not account.active or web_session.last_seen_at < now - SESSION_IDLE:
        session.delete(web_session)
        return None
    web_session.last_seen_at = now
    return Login(account.id, account.email, account.name, account.role, web_session.csrf_token)


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))


# --- API tokens -----------------------------------------------------------------------------------


def issue_token(session: Session, account: Account) -> str:
    """A new bearer token; only its hash is kept, so it is shown once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(account_id=account.id, token_hash=digest(token), prefix=token[:12]))
    session.flush()
    return token


def token_login(session: Session, token: str | None) -> Login | None:
    if not token:
        return None
    row = session.execute(
        select(ApiToken, Account)
        .join(Account, Account.id == ApiToken.account_id)
        .where(ApiToken.token_hash == digest(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row[1].active:
        return None
    api_token, account = row
    api_token.last_used_at = utc_now()
    return Login(account.id, account.email, account.name, account.role, "")


def list_tokens(session: Session, email: str | None = None) -> list[tuple[ApiToken, Account]]:
    query = select(ApiToken, Account).join(Account, Account.id == ApiToken.account_id).order_by(ApiToken.id)
    if email:
        query = query.where(Account.email == normalise_email(email))
    return [(token, account) for token, account in session.execute(query).all()]


def revoke_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise AccountError(f"geen token met nummer {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utc_now()
    return token
