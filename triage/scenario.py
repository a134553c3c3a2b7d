"""Demo scenarios: traffic mixes, fault switches and ground truth, read from TOML.

A scenario is a list of phases. Each phase restarts the services with its fault
switches and sends its share of the requests, split among traffic kinds. Every
traffic kind names the cause it injects (``expect``), so the scenario knows its
ground truth exactly and the demo can hold the analyzer to it.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from triage.errors import TriageError

TrafficKind = Literal["now", "ahead", "naive", "wrong_offset", "garbage", "bad_type"]
OK = "ok"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Traffic(_Model):
    """One kind of client behaviour and the outcome it injects."""

    kind: TrafficKind
    share: float = Field(gt=0, le=1)
    expect: str
    lead_s: float = 0.0
    time_zone: str = "UTC"
    user: str | None = None
    credential: Literal["cookie", "bearer", "any"] = "any"


class Phase(_Model):
    """A stretch of traffic under one set of fault switches."""

    name: str
    share: float = Field(default=1.0, gt=0, le=1)
    switches: dict[str, str | int | float | bool] = Field(default_factory=dict)
    traffic: list[Traffic]

    @model_validator(mode="after")
    def _shares_add_up(self) -> Phase:
        total = sum(item.share for item in self.traffic)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"traffic shares of phase {self.name!r} add up to {total}")
        return self


class ClockShift(_Model):
    """A real shift of one service's process clock (libfaketime)."""

    service: str
    offset_s: float


class GroundTruth(_Model):
    hypotheses: list[str]


class Scenario(_Model):
    """A named, self-checking reproduction of one incident."""

    name: str
    description: str
    requests: int = Field(gt=0)
    clock: ClockShift | None = None
    phases: list[Phase]
    ground_truth: GroundTruth

    @model_validator(mode="after")
    def _phase_shares_add_up(self) -> Scenario:
        total = sum(phase.share for phase in self.phases)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"phase shares add up to {total}")
        return self


@dataclass(frozen=True)
class PlannedRequest:
    """One request the traffic generator will send, with the cause it injects."""

    index: int
    phase: str
    traffic: Traffic
    # Position among the phase's requests of the same traffic kind.
    ordinal: int = 0


def allocate(total: int, shares: Sequence[float]) -> list[int]:
    """Split ``total`` by ``shares`` into whole parts (largest remainder)."""
    exact = [total * share for share in shares]
    counts = [int(value) for value in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1

    return counts


def plan(scenario: Scenario, requests: int | None = None) -> list[list[PlannedRequest]]:
    """Lay out every request of every phase, deterministically, in sending order."""
    total = requests or scenario.requests
    phase_counts = allocate(total, [phase.share for phase in scenario.phases])

    plans: list[list[PlannedRequest]] = []
    index = 0
    for phase, phase_total in zip(scenario.phases, phase_counts, strict=True):
        kind_counts = allocate(phase_total, [item.share for item in phase.traffic])
        # Interleave kinds so every part of the run sees the whole mix.
        queues = [
            [item] * count
            for item, count in zip(phase.traffic, kind_counts, strict=True)
        ]
        phase_plan: list[PlannedRequest] = []
        while any(queues):
            for queue in queues:
                if queue:
                    item = queue.pop()
                    phase_plan.append(
                        PlannedRequest(index, phase.name, item, ordinal=len(queue))
                    )
                    index += 1
        plans.append(phase_plan)

    return plans


def expected_causes(plans: Sequence[Sequence[PlannedRequest]]) -> Counter[str]:
    """How many failures of each cause the planned traffic injects."""
    return Counter(
        request.traffic.expect
        for phase_plan in plans
        for request in phase_plan
        if request.traffic.expect != OK
    )


def available() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files("triage") / "scenarios"
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


def load(name_or_path: str) -> Scenario:
    """Load a shipped scenario by name, or any scenario file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.exists():
        text = path.read_text(encoding="utf-8")
    elif path.is_file():
        raise TriageError(f"scenario file {name_or_path!r} must be a .toml file")
    elif name_or_path in available():
        folder = resources.files("triage") / "scenarios"
        text = (folder / f"{name_or_path}.toml").read_text(encoding="utf-8")
    else:
        names = ", ".join(available())
        raise TriageError(f"unknown scenario {name_or_path!r} (shipped: {names})")

    try:
        return Scenario.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as error:
        first = str(error).splitlines()[0]
        raise TriageError(f"scenario {name_or_path!r} is invalid: {first}") from None
