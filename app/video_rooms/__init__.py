"""The video-rooms service: ``POST /api/video-conferences`` and friends."""

from app.video_rooms.app import create_app

__all__ = ["create_app"]
