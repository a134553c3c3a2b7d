"""The reference service: the interview and video-room endpoints of the incident.

Two FastAPI applications, ``app.interviews`` and ``app.video_rooms``, each run in
its own process and share one database. ``app.launcher`` starts them as real
uvicorn processes; ``triage serve`` wraps it for the command line.
"""
