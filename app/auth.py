"""Log-in, opaque session tokens and the current user, shared by both services.

A token is 32 random bytes; the database keeps only its SHA-256 and expiry.
Requests present it as the ``session`` cookie or ``Authorization: Bearer``.
Passwords are hashed with scrypt from the standard library.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app import payloads
from app import telemetry_hooks as hooks
from app.db import User, UserSession
from app.errors import Rejection
from app.payloads import CleanStr
from app.runtime import runtime_of
from instrumentation import names
from instrumentation.causes import Cause

COOKIE_NAME = "session"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str, salt: bytes | None = None) -> str:
    """A self-describing scrypt hash: ``scrypt$<salt hex>$<hash hex>``."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)

    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by ``hash_password``."""
    scheme, _, rest = stored.partition("$")
    salt_hex, _, digest_hex = rest.partition("$")
    if scheme != "scrypt" or not salt_hex or not digest_hex:
        return False
    candidate = hash_password(password, bytes.fromhex(salt_hex))

    return hmac.compare_digest(candidate, stored)


def token_hash(token: str) -> str:
    """The SHA-256 of a session token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Credential:
    """The credential a request carried; the token never shows in a repr."""

    kind: Literal["cookie", "bearer"]
    token: str = field(repr=False)

    def headers(self) -> dict[str, str]:
        """The same credential as headers, for forwarding on the internal call."""
        if self.kind == "bearer":
            return {"Authorization": f"Bearer {self.token}"}

        return {"Cookie": f"{COOKIE_NAME}={self.token}"}


@dataclass(frozen=True)
class CurrentUser:
    """The user behind a request's session, with the credential that proved it."""

    id: int
    username: str
    credential: Credential


def credential_of(request: Request) -> Credential | None:
    """The bearer token if present, else the ``session`` cookie, else None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return Credential("bearer", token.strip())
    cookie = request.cookies.get(COOKIE_NAME, "")
    if cookie:
        return Credential("cookie", cookie)

    return None


def find_session_user(db: Session, token: str, now: datetime) -> User:
    """The user of a live session, or an ``auth.*`` rejection."""
    row = db.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        raise Rejection(Cause.AUTH_INVALID_SESSION, 401, "The session is unknown.")
    session, user = row
    if session.expires_at <= now:
        raise Rejection(Cause.AUTH_EXPIRED_SESSION, 401, "The session has expired.")

    return user


def _lookup(sessions: sessionmaker, token: str, now: datetime) -> User:
    with sessions() as db:
        return find_session_user(db, token, now)


async def current_user(request: Request) -> CurrentUser:
    """Authenticate a request; every failure is an ``auth.*`` rejection (401)."""
    runtime = runtime_of(request)
    credential = credential_of(request)
    hooks.annotate_span(
        {names.ATTR_CREDENTIAL_KIND: credential.kind if credential else "none"}
    )
    if credential is None:
        detail = "No session cookie or bearer token was sent."
        raise Rejection(Cause.AUTH_MISSING_CREDENTIALS, 401, detail)

    now = runtime.clock.now()
    user = await run_in_threadpool(_lookup, runtime.sessions, credential.token, now)

    return CurrentUser(user.id, user.username, credential)


CurrentUserDep = Annotated[CurrentUser, Depends(current_user)]


class LoginRequest(BaseModel):
    """Body of ``POST /api/auth/login``."""

    model_config = ConfigDict(strict=True)

    username: CleanStr = Field(min_length=1, max_length=100)
    password: CleanStr = Field(min_length=1, max_length=1000)


class LoginResponse(BaseModel):
    """A new session: the token (also set as a cookie) and its expiry."""

    token: str
    expires_at: datetime = Field(serialization_alias="expiresAt")


def open_session(
    sessions: sessionmaker, login: LoginRequest, now: datetime, ttl: timedelta
) -> tuple[User, str, datetime]:
    """Check the password and store a new session; returns user, token, expiry."""
    with sessions() as db, db.begin():
        user = db.scalar(select(User).where(User.username == login.username))
        if user is None or not verify_password(login.password, user.password_hash):
            detail = "The user name or password is wrong."
            raise Rejection(Cause.AUTH_INVALID_CREDENTIALS, 401, detail)
        token = secrets.token_urlsafe(32)
        expires_at = now + ttl
        db.add(
            UserSession(
                token_hash=token_hash(token), user_id=user.id, expires_at=expires_at
            )
        )

    return user, token, expires_at


router = APIRouter(tags=["auth"])


@router.post("/api/auth/login", response_model=LoginResponse)
async def login(request: Request, response: Response) -> LoginResponse:
    """Log in with ``{"username", "password"}``; sets the ``session`` cookie too."""
    runtime = runtime_of(request)
    body = await payloads.read_model(
        request, LoginRequest, runtime.settings.max_body_bytes
    )
    ttl = timedelta(seconds=runtime.settings.session_ttl_s)

    user, token, expires_at = await run_in_threadpool(
        open_session, runtime.sessions, body, runtime.clock.now(), ttl
    )
    hooks.get_logger().info("auth.login", user_id=user.id)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
    )

    return LoginResponse(token=token, expires_at=expires_at)


def ensure_users(sessions: sessionmaker, usernames: list[str], password: str) -> int:
    """Create the named users that do not exist yet; returns how many were added.

    One hash serves every demo user (they share a password anyway), so start-up
    stays fast for many users. A concurrent start of the other service may add
    the same users; the loser of that race simply finds them present.
    """
    shared_hash = hash_password(password)
    added = 0
    for username in usernames:
        try:
            with sessions() as db, db.begin():
                if db.scalar(select(User.id).where(User.username == username)):
                    continue
                db.add(User(username=username, password_hash=shared_hash))
            added += 1
        except IntegrityError:
            continue

    return added
