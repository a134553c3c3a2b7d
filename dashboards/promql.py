"""PromQL building blocks: selectors, rates and quantiles over our metric names.

Label names are the OpenTelemetry attribute keys as the Prometheus exporter
spells them (every run of characters outside ``[a-zA-Z0-9]`` becomes ``_``, see
the OpenTelemetry "Prometheus and OpenMetrics compatibility" spec), so a panel
never hard-codes a spelling that could drift from the attribute it reads.
"""

from __future__ import annotations

import re

from opentelemetry.semconv.attributes import error_attributes, http_attributes

from instrumentation import names

RATE_WINDOW = "$__rate_interval"
RANGE_WINDOW = "$__range"

_NOT_LABEL_CHARACTER = re.compile(r"[^a-zA-Z0-9]+")


def prom_label(attribute: str) -> str:
    """Return the Prometheus label name the exporter gives an attribute key."""
    return _NOT_LABEL_CHARACTER.sub("_", attribute)


SERVICE = names.LABEL_SERVICE
CAUSE = names.LABEL_CAUSE
ROUTE = prom_label(http_attributes.HTTP_ROUTE)
METHOD = prom_label(http_attributes.HTTP_REQUEST_METHOD)
STATUS = prom_label(http_attributes.HTTP_RESPONSE_STATUS_CODE)
ERROR_TYPE = prom_label(error_attributes.ERROR_TYPE)
OUTCOME = names.LABEL_OUTCOME  # lead-time histogram: accepted or rejected
DIRECTION = names.LABEL_DIRECTION  # lead-time histogram: ahead of or behind now
SIGNAL = names.LABEL_SIGNAL  # telemetry errors: traces, logs or metrics
BUCKET = "le"  # Prometheus histogram bucket bound
HYPOTHESIS = "hypothesis"  # made by label_replace from the cause prefix

# Routes are the FastAPI path templates of the two entry points.
ROUTE_MOCK_INTERVIEWS = "/api/mock-interviews"
ROUTE_VIDEO_CONFERENCES = "/api/video-conferences"

# Prometheus writes ``up`` for every scrape target itself; the services don't.
SCRAPE_UP = "up"

# Matcher values.
ANY_SERVICE = "$service"
CLIENT_ERROR_OR_SERVER_ERROR = "[45].."


def eq(label: str, value: str) -> str:
    """Return the matcher ``label="value"``."""
    return f'{label}="{value}"'


def not_eq(label: str, value: str) -> str:
    """Return the matcher ``label!="value"``."""
    return f'{label}!="{value}"'


def regex(label: str, pattern: str) -> str:
    """Return the matcher ``label=~"pattern"`` (anchored by Prometheus)."""
    return f'{label}=~"{pattern}"'


def not_regex(label: str, pattern: str) -> str:
    """Return the matcher ``label!~"pattern"``."""
    return f'{label}!~"{pattern}"'


def selector(metric: str, *matchers: str) -> str:
    """Return ``metric{matcher, ...}`` with the matchers in the order given."""
    if not matchers:
        return metric

    return metric + "{" + ", ".join(matchers) + "}"


def rate(series: str, window: str = RATE_WINDOW) -> str:
    """Return the per-second rate of a counter selector over a window."""
    return f"rate({series}[{window}])"


def increase(series: str, window: str = RANGE_WINDOW) -> str:
    """Return the increase of a counter selector over a window."""
    return f"increase({series}[{window}])"


def sum_by(labels: tuple[str, ...], inner: str) -> str:
    """Return ``sum by (labels) (inner)``, or a plain ``sum`` with no labels."""
    if not labels:
        return f"sum({inner})"

    return f"sum by ({', '.join(labels)}) ({inner})"


def quantile(q: float, histogram: str, by: tuple[str, ...], *matchers: str) -> str:
    """Return the q-quantile of a histogram's buckets, rated, kept per ``by``."""
    buckets = rate(selector(f"{histogram}_bucket", *matchers))

    return f"histogram_quantile({q}, {sum_by((*by, BUCKET), buckets)})"


def ratio_or_zero(part: str, whole: str) -> str:
    """Return part / whole, reading a missing part as zero (both aggregated alike).

    A series that never saw an error has no error samples at all, so the plain
    ratio would drop it; ``or 0 * whole`` keeps it on the panel at zero.
    """
    return f"({part} or 0 * {whole}) / {whole}"


def zero_when_absent(expr: str, by: tuple[str, ...], service_regex: str) -> str:
    """Return ``expr``, or zero per ``by`` for each scraped target where it is absent.

    OpenTelemetry exports a counter only after its first increment, so a healthy
    service has no series at all; Prometheus' own ``up`` series of each target
    supplies the zero.
    """
    targets = sum_by(by, "0 * " + selector(SCRAPE_UP, regex(SERVICE, service_regex)))

    return f"{expr} or on ({', '.join(by)}) {targets}"
