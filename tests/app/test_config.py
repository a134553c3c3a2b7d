"""Service settings from the environment."""

from __future__ import annotations

import pytest

from app.config import Settings


def test_plain_database_url_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    """DATABASE_URL works when TRIAGE_DATABASE_URL is absent."""
    monkeypatch.delenv("TRIAGE_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:pw@db/x")

    assert Settings().database_url.get_secret_value() == "postgresql://u:pw@db/x"


def test_triage_database_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    """TRIAGE_DATABASE_URL takes precedence over DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:pw@db/x")
    monkeypatch.setenv("TRIAGE_DATABASE_URL", "sqlite:///y.sqlite")

    assert Settings().database_url.get_secret_value() == "sqlite:///y.sqlite"


def test_repr_hides_the_database_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """A database password never shows in the settings' repr."""
    monkeypatch.setenv("TRIAGE_DATABASE_URL", "postgresql://u:hunter2@db/x")

    assert "hunter2" not in repr(Settings())


def test_hostless_users_split_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    """A comma-separated list becomes a set of names."""
    monkeypatch.setenv("TRIAGE_HOSTLESS_USERS", "demo-3, demo-4,,")

    assert Settings().hostless_users == {"demo-3", "demo-4"}


def test_unknown_db_fault_is_refused() -> None:
    """Only none, integrity and unavailable are fault modes."""
    with pytest.raises(ValueError):
        Settings(db_fault="sometimes")
