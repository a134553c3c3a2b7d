"""``python -m app.video_rooms --host H --port P``: run the service under uvicorn."""

from app.runner import run

if __name__ == "__main__":
    run("app.video_rooms:create_app")
