"""Diagnosis files load, validate and drive the matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.diagnosis import load
from analyzer.errors import DiagnosisError


def test_default_has_the_five_hypotheses() -> None:
    """The shipped default names H1..H5 with their cause prefixes."""
    rules = load()
    assert [h.id for h in rules.hypotheses] == ["H1", "H2", "H3", "H4", "H5"]
    assert rules.hypotheses[0].causes == ("schedule.",)
    assert (rules.min_count, rules.min_share, rules.max_unexplained) == (3, 0.05, 0.10)


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    """A typo in a hypothesis is reported, not ignored."""
    path = tmp_path / "d.toml"
    path.write_text('[[hypothesis]]\nid = "X"\ncause = ["a."]\n')
    with pytest.raises(DiagnosisError, match="unknown key 'cause'"):
        load(path)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    """A diagnosis path that does not exist is a DiagnosisError."""
    with pytest.raises(DiagnosisError, match="cannot read"):
        load(tmp_path / "nope.toml")


def test_a_number_for_an_id_is_named_as_such(tmp_path: Path) -> None:
    """``id = 5`` is reported as the wrong type, not as a missing id."""
    path = tmp_path / "d.toml"
    path.write_text("[[hypothesis]]\nid = 5\n")
    with pytest.raises(DiagnosisError, match="id 5 must be a string"):
        load(path)


def test_binary_file_is_an_error(tmp_path: Path) -> None:
    """A file that is not UTF-8 text is a DiagnosisError, not a decode crash."""
    path = tmp_path / "d.toml"
    path.write_bytes(b"\x7fELF\xff\xfe")
    with pytest.raises(DiagnosisError, match="not UTF-8"):
        load(path)


def test_condition_needs_one_operator(tmp_path: Path) -> None:
    """A condition with two operators is rejected."""
    path = tmp_path / "d.toml"
    path.write_text(
        '[[hypothesis]]\nid = "X"\n[[hypothesis.when]]\nattribute = "http.status"\n'
        "at_least = 500\nat_most = 599\n"
    )
    with pytest.raises(DiagnosisError, match="exactly one"):
        load(path)
