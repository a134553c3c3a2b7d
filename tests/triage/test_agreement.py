"""The demo's ground-truth check passes only on an exact attribution."""

from __future__ import annotations

from triage.agreement import compare


def _report(groups: dict[str, int], verdicts: dict[str, str]) -> dict:
    return {
        "groups": [{"cause": c, "count": n} for c, n in groups.items()],
        "hypotheses": [{"id": h, "verdict": v} for h, v in verdicts.items()],
    }


VERDICTS = {
    "H1": "confirmed",
    "H2": "ruled_out",
    "H3": "ruled_out",
    "H4": "not_observed",
    "H5": "ruled_out",
}


def test_exact_attribution_agrees() -> None:
    """Same counts per cause and the injected hypothesis confirmed."""
    agreement = compare(
        {"schedule.too_soon": 5}, ["H1"], _report({"schedule.too_soon": 5}, VERDICTS)
    )
    assert agreement.agrees


def test_one_misattributed_failure_disagrees() -> None:
    """A single failure under another cause breaks agreement."""
    report = _report({"schedule.too_soon": 4, "unclassified": 1}, VERDICTS)
    agreement = compare({"schedule.too_soon": 5}, ["H1"], report)
    assert not agreement.agrees
    assert {r.cause for r in agreement.causes if not r.agrees} == {
        "schedule.too_soon",
        "unclassified",
    }


def test_uninjected_hypothesis_confirmed_disagrees() -> None:
    """Confirming a hypothesis the scenario did not inject is a disagreement."""
    verdicts = {**VERDICTS, "H2": "confirmed"}
    report = _report({"schedule.too_soon": 5}, verdicts)
    assert not compare({"schedule.too_soon": 5}, ["H1"], report).agrees


def test_injected_hypothesis_missing_from_report_disagrees() -> None:
    """A report that does not judge an injected hypothesis cannot agree."""
    report = _report({"schedule.too_soon": 5}, {"H1": "confirmed"})
    assert not compare({"schedule.too_soon": 5}, ["H1", "H2"], report).agrees
