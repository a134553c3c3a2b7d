"""Scenarios load, plan deterministically and declare a coherent ground truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage import scenario as scenarios
from triage.errors import TriageError

PREFIX_TO_HYPOTHESIS = {
    "schedule": "H1",
    "auth": "H2",
    "host": "H3",
    "db": "H4",
    "payload": "H5",
}


def test_allocate_keeps_the_total() -> None:
    """Largest-remainder allocation never loses or invents a request."""
    for total in (1, 7, 30, 101):
        counts = scenarios.allocate(total, [0.55, 0.35, 0.10])
        assert sum(counts) == total


def test_allocate_is_proportional() -> None:
    """Each part is within one of its exact share."""
    counts = scenarios.allocate(120, [0.55, 0.35, 0.10])
    assert counts == [66, 42, 12]


@pytest.mark.parametrize("name", scenarios.available())
def test_shipped_scenario_ground_truth_matches_its_traffic(name: str) -> None:
    """The declared hypotheses are exactly those the injected causes belong to."""
    chosen = scenarios.load(name)
    injected = scenarios.expected_causes(scenarios.plan(chosen, 30))

    implied = {PREFIX_TO_HYPOTHESIS[cause.split(".")[0]] for cause in injected}
    assert implied == set(chosen.ground_truth.hypotheses)


def test_all_five_issue_scenarios_ship() -> None:
    """The issue's five scenarios are present."""
    expected = {"seed-incident", "clock-skew", "lost-auth", "timezone", "mixed"}
    assert expected <= set(scenarios.available())


def test_plan_interleaves_kinds() -> None:
    """The first requests of a phase already mix the traffic kinds."""
    plans = scenarios.plan(scenarios.load("seed-incident"), 30)
    first_kinds = {request.traffic.kind for request in plans[0][:3]}
    assert len(first_kinds) == 3


def test_unknown_scenario_is_a_one_line_error() -> None:
    """A typo names the shipped scenarios instead of failing obscurely."""
    with pytest.raises(TriageError, match="seed-incident"):
        scenarios.load("seed-incidnet")


def test_invalid_scenario_file_is_rejected(tmp_path) -> None:
    """Shares that do not add up are caught when the file is loaded."""
    path = tmp_path / "bad.toml"
    path.write_text(
        'name = "bad"\ndescription = "x"\nrequests = 5\n'
        '[[phases]]\nname = "p"\n'
        '[[phases.traffic]]\nkind = "now"\nshare = 0.5\nexpect = "ok"\n'
        "[ground_truth]\nhypotheses = []\n"
    )
    with pytest.raises(TriageError, match="invalid"):
        scenarios.load(str(path))


def _seed_with(tmp_path: Path, old: str, new: str) -> str:
    text = scenarios.shipped().joinpath("seed-incident.toml").read_text()
    assert old in text
    path = tmp_path / "edited.toml"
    path.write_text(text.replace(old, new))
    return str(path)


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("min_lead_s = 60", "bogus_switch = true", "unknown switch bogus_switch"),
        ('expect = "schedule.too_soon"', 'expect = "schedule.too_sooon"', "cause code"),
        ('kind = "now"', 'kind = "now"\n  time_zone = "Mars/Base"', "IANA time zone"),
        ('"H1", "H5"', '"H1", "H9"', "unknown hypothesis H9"),
        ("lead_s = 600", "lead_s = nan", "finite number"),
    ],
)
def test_scenario_mistakes_are_named(tmp_path: Path, old: str, new: str, says: str):
    """Each kind of mistake in a scenario file is named, not run or crashed on."""
    with pytest.raises(TriageError, match=says):
        scenarios.load(_seed_with(tmp_path, old, new))


def test_too_few_requests_for_the_ground_truth_are_refused() -> None:
    """-n that leaves a phase empty or a cause under three is refused with a minimum."""
    mixed = scenarios.load("mixed")
    with pytest.raises(TriageError, match=r"too few .* use at least \d+"):
        scenarios.check_size(mixed, 5)
    scenarios.check_size(mixed, 60)
