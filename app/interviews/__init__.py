"""The interviews service: ``POST /api/mock-interviews`` and friends."""

from app.interviews.app import create_app

__all__ = ["create_app"]
