"""Log-in, password hashing and credential handling."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import auth, db
from app.video_rooms import create_app
from instrumentation.causes import Cause
from tests.app.support import serving


def test_password_hash_verifies_only_the_right_password() -> None:
    """scrypt hash: the password verifies, another does not."""
    stored = auth.hash_password("demo")

    assert auth.verify_password("demo", stored)
    assert not auth.verify_password("Demo", stored)
    assert not auth.verify_password("demo", "plain-text")


def test_credential_repr_hides_the_token() -> None:
    """A credential's repr names its kind, never its token."""
    credential = auth.Credential("bearer", "s3cret-token")

    assert "s3cret-token" not in repr(credential)
    assert credential.headers() == {"Authorization": "Bearer s3cret-token"}


def test_cookie_credential_forwards_as_a_cookie_header() -> None:
    """A cookie credential is passed on as the same cookie, nothing else."""
    assert auth.Credential("cookie", "t").headers() == {"Cookie": "session=t"}


@pytest.mark.anyio
async def test_login_sets_cookie_and_stores_only_a_hash(
    make_settings, spans, database_url
):
    """200 with token and expiry, an HttpOnly cookie, and a SHA-256 in the DB."""
    app = create_app(make_settings(database_url=database_url), telemetry=spans)
    async with serving(app) as client:
        response = await client.post(
            "/api/auth/login", json={"username": "demo-1", "password": "demo"}
        )
        with app.state.runtime.sessions() as s:
            stored = s.scalars(select(db.UserSession.token_hash)).all()

    token = response.json()["token"]
    assert response.status_code == 200
    assert response.json()["expiresAt"].endswith("Z")
    assert "httponly" in response.headers["set-cookie"].lower()
    assert stored == [auth.token_hash(token)]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "status", "cause"),
    [
        (
            {"username": "demo-1", "password": "wrong"},
            401,
            Cause.AUTH_INVALID_CREDENTIALS,
        ),
        (
            {"username": "nobody", "password": "demo"},
            401,
            Cause.AUTH_INVALID_CREDENTIALS,
        ),
        ({"username": "demo-1"}, 400, Cause.PAYLOAD_MISSING_FIELD),
        ({"username": "a\x00", "password": "demo"}, 400, Cause.PAYLOAD_INVALID_VALUE),
    ],
)
async def test_failed_logins_have_causes(make_settings, spans, body, status, cause):
    """Wrong password or user, missing field, unstorable text: each its cause."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        response = await client.post("/api/auth/login", json=body)

    assert (response.status_code, response.json()["cause"]) == (status, cause)
