"""Tests of the failed-versus-succeeded attribute contrast."""

from __future__ import annotations

import pandas as pd
import pytest

from analyzer.evidence.contrast import contrast


def _requests() -> pd.DataFrame:
    """40 requests: Moscow clients fail, video type is spread alike."""
    rows = []
    for i in range(40):
        failed = i < 20
        rows.append(
            {
                "failed": failed,
                "client.time_zone": "Europe/Moscow" if failed else "UTC",
                "video_type": "built_in" if i % 2 else "zoom",
                "request_id": f"r{i}",
                "duration_ms": float(i),
                "cause": "schedule.in_past" if failed else None,
            }
        )
    return pd.DataFrame(rows)


def test_the_separating_attribute_ranks_first() -> None:
    """An attribute whose values split the sets scores 1 and comes first."""
    ranked = contrast(_requests())

    assert ranked[0].attribute == "client.time_zone"
    assert ranked[0].score == pytest.approx(1.0)


def test_an_evenly_spread_attribute_scores_zero() -> None:
    """Video type, alike in both sets, has total variation distance 0."""
    ranked = {item.attribute: item for item in contrast(_requests())}

    assert ranked["video_type"].score == pytest.approx(0.0)


def test_outcome_ids_and_floats_are_not_contrasted() -> None:
    """The cause, request ids and float measurements are left out."""
    names = {item.attribute for item in contrast(_requests())}

    assert names == {"client.time_zone", "video_type"}


def test_total_variation_distance_matches_a_hand_count() -> None:
    """Shares 3/4 vs 1/4 of value "a" give a distance of 0.5."""
    table = pd.DataFrame(
        {"failed": [True] * 4 + [False] * 4, "x": list("aaab") + list("abbb")}
    )

    (item,) = contrast(table)

    assert item.score == pytest.approx(0.5)
    top = {v.value: (v.failed, v.succeeded) for v in item.values}
    assert top == {"a": (3, 1), "b": (1, 3)}


def test_rare_values_are_pooled_as_other() -> None:
    """Beyond the top k values the rest are one "(other)" bucket."""
    table = pd.DataFrame(
        {"failed": [True, False] * 50, "host": [f"h{i}" for i in range(100)]}
    )

    (item,) = contrast(table, top_k=3)

    assert item.distinct == 100
    assert len(item.values) == 4
    assert "(other)" in {v.value for v in item.values}


def test_missing_values_are_their_own_bucket() -> None:
    """An attribute present only on failures shows "(missing)" for successes."""
    table = pd.DataFrame(
        {"failed": [True, True, False, False], "ua": ["x", "x", None, None]}
    )

    (item,) = contrast(table)

    assert {v.value for v in item.values} == {"x", "(missing)"}
    assert item.score == pytest.approx(1.0)


def test_one_sided_input_gives_no_contrast() -> None:
    """With no succeeded requests there is nothing to contrast against."""
    table = pd.DataFrame({"failed": [True, True], "x": ["a", "b"]})

    assert contrast(table) == ()
