"""``python -m app.interviews --host H --port P``: run the service under uvicorn."""

from app.runner import run

if __name__ == "__main__":
    run("app.interviews:create_app")
