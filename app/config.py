"""Settings of one service process, read from ``TRIAGE_*`` environment variables."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DbFault = Literal["none", "integrity", "unavailable"]


class Settings(BaseSettings):
    """Everything a service reads at start-up, including the fault switches."""

    model_config = SettingsConfigDict(
        env_prefix="TRIAGE_", extra="ignore", populate_by_name=True, frozen=True
    )

    # The URL may carry a password, hence a secret: it never shows in a repr.
    database_url: SecretStr = Field(
        default=SecretStr("sqlite:///./triage.sqlite"),
        validation_alias=AliasChoices("TRIAGE_DATABASE_URL", "DATABASE_URL"),
    )
    video_rooms_url: str = "http://127.0.0.1:8002"
    min_lead_s: float = Field(default=60.0, ge=0, le=86_400 * 366)
    # A "now" sent by a browser is a little behind by the time it is checked;
    # within this many seconds it counts as too soon rather than in the past.
    past_tolerance_s: float = Field(default=5.0, ge=0, le=3600)
    clock_offset_s: float = Field(default=0.0, ge=-86_400 * 366, le=86_400 * 366)
    forward_auth: bool = True
    legacy_error_mapping: bool = False
    db_fault: DbFault = "none"
    hostless_users: Annotated[frozenset[str], NoDecode] = frozenset()
    demo_users: int = Field(default=0, ge=0, le=10_000)
    demo_password: SecretStr = SecretStr("demo")
    internal_connect_timeout_s: float = Field(default=2.0, gt=0)
    internal_read_timeout_s: float = Field(default=10.0, gt=0)
    session_ttl_s: float = Field(default=8 * 3600.0, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)

    @field_validator("hostless_users", mode="before")
    @classmethod
    def _split_names(cls, value: object) -> object:
        """Accept ``"a,b"`` from the environment as well as a list of names."""
        if isinstance(value, str):
            return frozenset(name.strip() for name in value.split(",") if name.strip())

        return value
