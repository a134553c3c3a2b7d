"""Diagnosis files: named hypotheses, the evidence that supports each, thresholds.

A diagnosis is TOML (see ``default_diagnosis.toml``, the five hypotheses of the
interview incident). Loading validates it fully, so a typo is one clear error,
not a silent miss.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from analyzer.errors import DiagnosisError
from analyzer.schema import Wanted

DEFAULT_FILE = "default_diagnosis.toml"
_OPERATORS = ("equals", "in", "at_least", "at_most", "prefix")
_PLACES = ("inner", "entry", "any")
# Condition attributes that name a table column rather than a raw attribute.
BUILTIN_ATTRIBUTES = {
    "http.status": "http_status",
    "http.response.status_code": "http_status",
    "http.route": "route",
    "http.request.method": "method",
    "url.path": "path",
    "service": "service",
    "service.name": "service",
    "span.name": "name",
}


@dataclass(frozen=True)
class Condition:
    """One attribute test: ``attribute <operator> value`` on spans at ``where``."""

    where: str
    attribute: str
    operator: str
    value: Any  # a number, a string, or a list of them for "in"


@dataclass(frozen=True)
class Hypothesis:
    """A named explanation and the cause prefixes and conditions that support it."""

    id: str
    title: str
    causes: tuple[str, ...]
    conditions: tuple[Condition, ...]
    lead_times: bool = False

    def matches_cause(self, cause: str) -> bool:
        """Whether a root-cause code supports this hypothesis."""
        return any(cause.startswith(prefix) for prefix in self.causes)


@dataclass(frozen=True)
class Diagnosis:
    """Hypotheses in file order, verdict thresholds and where causes are recorded."""

    hypotheses: tuple[Hypothesis, ...]
    min_count: int = 3
    min_share: float = 0.05
    max_unexplained: float = 0.10
    cause_attributes: tuple[str, ...] = ("error.type",)
    inner_cause_attributes: tuple[str, ...] = ("upstream.cause",)
    log_cause_fields: tuple[str, ...] = ("cause", "error.type")
    entry_route: str | None = None
    source: str = "default"

    def wanted(self, group_by: str | None = None) -> Wanted:
        """What the readers must keep for this diagnosis (and a group-by key)."""
        extras = [
            c.attribute
            for h in self.hypotheses
            for c in h.conditions
            if c.attribute not in BUILTIN_ATTRIBUTES
        ]
        if group_by and group_by not in BUILTIN_ATTRIBUTES:
            extras.append(group_by)

        return Wanted(
            cause_keys=self.cause_attributes,
            inner_cause_keys=self.inner_cause_attributes,
            log_cause_keys=self.log_cause_fields,
            extra_keys=tuple(dict.fromkeys(extras)),
        )


def load(path: Path | None = None) -> Diagnosis:
    """Load and validate a diagnosis file; the default one when ``path`` is None."""
    if path is None:
        text = resources.files("analyzer").joinpath(DEFAULT_FILE).read_text("utf-8")
        source = "default"
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as error:
            raise DiagnosisError(
                f"cannot read diagnosis {path}: {error.strerror}"
            ) from error
        except UnicodeDecodeError as error:
            raise DiagnosisError(
                f"diagnosis {path} is not UTF-8 text (TOML must be)"
            ) from error
        source = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DiagnosisError(
            f"diagnosis {source} is not valid TOML: {error}"
        ) from error

    return parse(data, source)


def parse(data: dict, source: str = "inline") -> Diagnosis:
    """Build a diagnosis from decoded TOML, rejecting unknown or missing fields."""
    settings = data.get("settings", {})
    _only(
        settings,
        {
            "min_count",
            "min_share",
            "max_unexplained",
            "cause_attributes",
            "inner_cause_attributes",
            "log_cause_fields",
            "entry_route",
        },
        f"{source} [settings]",
    )
    raw = data.get("hypothesis", [])
    if not isinstance(raw, list) or not raw:
        raise DiagnosisError(f"diagnosis {source} declares no [[hypothesis]]")
    hypotheses = tuple(_hypothesis(item, source) for item in raw)
    ids = [h.id for h in hypotheses]
    if len(set(ids)) != len(ids):
        raise DiagnosisError(f"diagnosis {source} repeats a hypothesis id")

    return Diagnosis(
        hypotheses=hypotheses,
        min_count=int(settings.get("min_count", 3)),
        min_share=float(settings.get("min_share", 0.05)),
        max_unexplained=float(settings.get("max_unexplained", 0.10)),
        cause_attributes=_strings(settings, "cause_attributes", ("error.type",)),
        inner_cause_attributes=_strings(
            settings, "inner_cause_attributes", ("upstream.cause",)
        ),
        log_cause_fields=_strings(
            settings, "log_cause_fields", ("cause", "error.type")
        ),
        entry_route=settings.get("entry_route"),
        source=source,
    )


def _only(table: object, allowed: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise DiagnosisError(f"diagnosis {where} must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise DiagnosisError(f"diagnosis {where}: unknown key {unknown[0]!r}")


def _strings(table: dict, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DiagnosisError(f"diagnosis setting {key} must be a list of strings")

    return tuple(value)


def _hypothesis(item: object, source: str) -> Hypothesis:
    _only(
        item,
        {"id", "title", "causes", "when", "lead_times"},
        f"{source} [[hypothesis]]",
    )
    assert isinstance(item, dict)
    if "id" not in item or item["id"] == "":
        raise DiagnosisError(f"diagnosis {source}: a hypothesis has no id")
    if not isinstance(item["id"], str):
        raise DiagnosisError(
            f"diagnosis {source}: hypothesis id {item['id']!r} must be a string"
        )
    where = f"{source} hypothesis {item['id']}"
    causes = _strings(item, "causes", ())
    conditions = tuple(_condition(c, where) for c in item.get("when", []))
    if not causes and not conditions:
        raise DiagnosisError(f"diagnosis {where} has neither causes nor conditions")

    return Hypothesis(
        id=item["id"],
        title=str(item.get("title", item["id"])),
        causes=causes,
        conditions=conditions,
        lead_times=bool(item.get("lead_times", False)),
    )


def _condition(item: object, where: str) -> Condition:
    _only(item, {"where", "attribute", *_OPERATORS}, f"{where} [[when]]")
    assert isinstance(item, dict)
    operators = [op for op in _OPERATORS if op in item]
    if len(operators) != 1 or not isinstance(item.get("attribute"), str):
        raise DiagnosisError(
            f"diagnosis {where}: a condition needs an attribute and exactly one of "
            + ", ".join(_OPERATORS)
        )
    place = item.get("where", "inner")
    if place not in _PLACES:
        raise DiagnosisError(f"diagnosis {where}: where must be one of {_PLACES}")

    value = item[operators[0]]
    value = tuple(value) if isinstance(value, list) else value

    return Condition(place, item["attribute"], operators[0], value)
