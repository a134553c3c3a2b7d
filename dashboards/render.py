"""Write the generated dashboards to a folder, or check a folder against them."""

from __future__ import annotations

import difflib
from pathlib import Path

from dashboards.catalog import render_all
from dashboards.errors import DriftError

GENERATED_DIR = Path(__file__).resolve().parent / "generated"


def write(out_dir: Path = GENERATED_DIR) -> list[Path]:
    """Write every dashboard's JSON into ``out_dir`` and return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_all().items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    return written


def differences(out_dir: Path = GENERATED_DIR) -> list[str]:
    """Return one short note per file in ``out_dir`` that differs from the generator."""
    expected = render_all()
    notes = []
    for name, text in expected.items():
        path = out_dir / name
        if not path.is_file():
            notes.append(f"{name} missing")
            continue
        try:
            committed = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            notes.append(f"{name} differs (not UTF-8 text)")
            continue
        if committed != text:
            notes.append(f"{name} differs ({_changed_lines(committed, text)} lines)")

    for path in sorted(out_dir.glob("*.json")):
        if path.name not in expected:
            notes.append(f"{path.name} not generated")

    return notes


def check(out_dir: Path = GENERATED_DIR) -> None:
    """Raise DriftError with a one-line summary if ``out_dir`` is not up to date."""
    notes = differences(out_dir)
    if notes:
        raise DriftError(
            f"{out_dir}: {'; '.join(notes)}; run `triage dashboards build` to update"
        )


def _changed_lines(old: str, new: str) -> int:
    """Return how many lines a unified diff from ``old`` to ``new`` adds or removes."""
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)

    return sum(
        1 for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )
