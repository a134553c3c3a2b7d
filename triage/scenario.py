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
from importlib.abc import Traversable
from pathlib import Path
from typing import Literal
from zoneinfo import available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from instrumentation.causes import Cause
from triage.errors import TriageError

TrafficKind = Literal["now", "ahead", "naive", "wrong_offset", "garbage", "bad_type"]
OK = "ok"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# The fault switches a phase may turn (service settings, see app/config.py).
SWITCHES = frozenset(
    {
        "min_lead_s",
        "clock_offset_s",
        "past_tolerance_s",
        "forward_auth",
        "legacy_error_mapping",
        "db_fault",
        "hostless_users",
    }
)
_YEAR_S = 366 * 86_400


class Traffic(_Model):
    """One kind of client behaviour and the outcome it injects."""

    kind: TrafficKind
    share: float = Field(gt=0, le=1)
    expect: str
    lead_s: float = Field(default=0.0, ge=-_YEAR_S, le=_YEAR_S, allow_inf_nan=False)
    time_zone: str = "UTC"
    user: str | None = None
    credential: Literal["cookie", "bearer", "any"] = "any"

    @field_validator("expect")
    @classmethod
    def _known_outcome(cls, value: str) -> str:
        if value != OK and value not in {cause.value for cause in Cause}:
            raise ValueError(f"expect must be 'ok' or a cause code, not {value!r}")
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"{value!r} is not an IANA time zone")
        return value


class Phase(_Model):
    """A stretch of traffic under one set of fault switches."""

    name: str
    share: float = Field(default=1.0, gt=0, le=1)
    switches: dict[str, str | int | float | bool] = Field(default_factory=dict)
    traffic: list[Traffic] = Field(min_length=1)

    @field_validator("switches")
    @classmethod
    def _known_switches(cls, value: dict[str, object]) -> dict[str, object]:
        unknown = sorted(set(value) - SWITCHES)
        if unknown:
            known = ", ".join(sorted(SWITCHES))
            raise ValueError(f"unknown switch {', '.join(unknown)} (known: {known})")
        return value

    @model_validator(mode="after")
    def _shares_add_up(self) -> Phase:
        total = sum(item.share for item in self.traffic)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"traffic shares of phase {self.name!r} add up to {total}")
        return self


class ClockShift(_Model):
    """A real shift of one service's process clock (libfaketime)."""

    service: Literal["interviews", "video-rooms"]
    offset_s: float = Field(ge=-_YEAR_S, le=_YEAR_S, allow_inf_nan=False)


class GroundTruth(_Model):
    hypotheses: list[str]

    @field_validator("hypotheses")
    @classmethod
    def _known_hypotheses(cls, value: list[str]) -> list[str]:
        from analyzer.diagnosis import load as load_diagnosis

        known = [h.id for h in load_diagnosis().hypotheses]
        unknown = [h for h in value if h not in known]
        if unknown:
            raise ValueError(
                f"unknown hypothesis {', '.join(unknown)} (known: {', '.join(known)})"
            )
        return value


class Scenario(_Model):
    """A named, self-checking reproduction of one incident."""

    name: str
    description: str
    requests: int = Field(gt=0, le=100_000)
    clock: ClockShift | None = None
    phases: list[Phase] = Field(min_length=1)
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


# The default diagnosis confirms a hypothesis from 3 failures on: fewer
# injected ones could not be judged, and the demo would "disagree".
MIN_INJECTED = 3


def check_size(scenario: Scenario, requests: int | None) -> None:
    """Refuse a request count that leaves a phase empty or a cause under-injected."""
    count = requests or scenario.requests
    if _big_enough(scenario, count):
        return
    needed = next((n for n in range(count, 100_001) if _big_enough(scenario, n)), None)
    hint = f"; use at least {needed}" if needed else ""
    raise TriageError(
        f"{count} requests are too few for scenario {scenario.name!r}: every "
        f"phase needs a request and every injected cause at least {MIN_INJECTED} "
        f"failures{hint}"
    )


def _big_enough(scenario: Scenario, requests: int) -> bool:
    # The counts ``plan`` would lay out, without building every request: this
    # runs once per size tried.
    phase_counts = allocate(requests, [phase.share for phase in scenario.phases])
    counts: Counter[str] = Counter()
    for phase, phase_total in zip(scenario.phases, phase_counts, strict=True):
        shares = [item.share for item in phase.traffic]
        for item, count in zip(
            phase.traffic, allocate(phase_total, shares), strict=True
        ):
            if item.expect != OK:
                counts[item.expect] += count

    return all(phase_counts) and all(n >= MIN_INJECTED for n in counts.values())


def expected_causes(plans: Sequence[Sequence[PlannedRequest]]) -> Counter[str]:
    """How many failures of each cause the planned traffic injects."""
    return Counter(
        request.traffic.expect
        for phase_plan in plans
        for request in phase_plan
        if request.traffic.expect != OK
    )


def shipped() -> Traversable:
    """The folder of scenario files shipped with the package."""
    return resources.files("triage") / "scenarios"


def available() -> list[str]:
    """Names of the scenarios shipped with the package."""
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in shipped().iterdir()
        if entry.name.endswith(".toml")
    )


def load(name_or_path: str) -> Scenario:
    """Load a shipped scenario by name, or any scenario file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            why = getattr(error, "strerror", None) or "not UTF-8 text"
            raise TriageError(f"cannot read scenario {name_or_path!r}: {why}") from None
    elif path.is_file():
        raise TriageError(f"scenario file {name_or_path!r} must be a .toml file")
    elif name_or_path in available():
        text = (shipped() / f"{name_or_path}.toml").read_text(encoding="utf-8")
    else:
        names = ", ".join(available())
        raise TriageError(f"unknown scenario {name_or_path!r} (shipped: {names})")

    try:
        return Scenario.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise TriageError(f"scenario {name_or_path!r} is not TOML: {error}") from None
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(p) for p in item['loc']) or 'scenario'}: "
            f"{item['msg'].removeprefix('Value error, ')}"
            for item in error.errors()[:3]
        ]
        raise TriageError(
            f"scenario {name_or_path!r} is invalid: {'; '.join(problems)}"
        ) from None
