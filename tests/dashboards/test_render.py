"""Writing the generated dashboards and checking a folder against the generator."""

from __future__ import annotations

import pytest

import dashboards


def test_write_then_check_is_clean(tmp_path):
    """A freshly written folder passes the check."""
    dashboards.write(tmp_path)

    assert dashboards.differences(tmp_path) == []
    dashboards.check(tmp_path)


def test_committed_folder_matches_the_generator():
    """dashboards/generated holds exactly what the code generates."""
    assert dashboards.differences() == []


def test_edited_file_is_reported_with_its_changed_lines(tmp_path):
    """A hand edit shows up as that file differing, with a line count."""
    (path, *_) = dashboards.write(tmp_path)
    path.write_text(path.read_text().replace('"refresh": "30s"', '"refresh": "1m"'))

    assert dashboards.differences(tmp_path) == [f"{path.name} differs (2 lines)"]


def test_missing_file_is_reported(tmp_path):
    """A generated file absent from the folder is reported as missing."""
    (path, *_) = dashboards.write(tmp_path)
    path.unlink()

    assert dashboards.differences(tmp_path) == [f"{path.name} missing"]


def test_stray_json_is_reported(tmp_path):
    """A JSON file the generator does not produce is reported."""
    dashboards.write(tmp_path)
    (tmp_path / "old.json").write_text("{}\n")

    assert dashboards.differences(tmp_path) == ["old.json not generated"]


def test_check_raises_one_line_summary(tmp_path):
    """check() raises DriftError whose message is one line naming every problem."""
    with pytest.raises(dashboards.DriftError) as raised:
        dashboards.check(tmp_path)

    message = str(raised.value)
    assert "\n" not in message
    for name in dashboards.render_all():
        assert f"{name} missing" in message
