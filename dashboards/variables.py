"""Template variables every Triage dashboard carries, and their substitution.

The datasource variables let one JSON file work against any Grafana whose
datasources have other names; the provisioned ones (``provisioning/``) are the
defaults. ``substitute`` expands the same variables the way Grafana does, so a
test can send a panel's expression to a real Prometheus.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from grafana_foundation_sdk.builders import dashboard as builders
from grafana_foundation_sdk.cog import builder as cog
from grafana_foundation_sdk.models import dashboard as models

from dashboards import promql
from instrumentation import names

PROMETHEUS = "prometheus"
TEMPO = "tempo"
SERVICE = "service"

# The uids the provisioning files give the datasources (provisioning/datasources).
PROMETHEUS_UID = "triage-prometheus"
TEMPO_UID = "triage-tempo"
LOKI_UID = "triage-loki"

# "All" expands to this regex rather than a list, so the service selector stays
# short and also matches a service that appeared after the page loaded.
ALL_SERVICES = ".+"

PROMETHEUS_REF = models.DataSourceRef(
    type_val="prometheus", uid="${" + PROMETHEUS + "}"
)
TEMPO_REF = models.DataSourceRef(type_val="tempo", uid="${" + TEMPO + "}")

# Every series carries ``service``; the HTTP server histogram exists on both.
SERVICE_VALUES_QUERY = (
    f"label_values({promql.selector(names.PROM_HTTP_SERVER_DURATION + '_count')}, "
    f"{promql.SERVICE})"
)


def all_variables() -> list[cog.Builder[models.VariableModel]]:
    """Return the datasource and service variables, in display order."""
    return [
        _datasource(PROMETHEUS, "Prometheus", "prometheus", PROMETHEUS_UID),
        _datasource(TEMPO, "Tempo (trace links)", "tempo", TEMPO_UID),
        _service(),
    ]


def _datasource(
    name: str, label: str, plugin: str, default_uid: str
) -> builders.DatasourceVariable:
    """Return a datasource picker for one plugin type, defaulting to ours."""
    return (
        builders.DatasourceVariable(name)
        .label(label)
        .type(plugin)
        .current(models.VariableOption(text=default_uid, value=default_uid))
    )


def _service() -> builders.QueryVariable:
    """Return the multi-select service picker, read from the scraped series."""
    return (
        builders.QueryVariable(SERVICE)
        .label("Service")
        .datasource(PROMETHEUS_REF)
        .query(SERVICE_VALUES_QUERY)
        .refresh(models.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(models.VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .all_value(ALL_SERVICES)
        .current(models.VariableOption(text="All", value="$__all"))
    )


# Grafana's forms ``$name`` and ``${name:format}``; ``$1`` (a label_replace
# back-reference) is not a variable and stays as it is.
_VARIABLE = re.compile(r"\$\{([A-Za-z_]\w*)(?::\w+)?\}|\$([A-Za-z_]\w*)")


def substitute(expr: str, values: Mapping[str, str]) -> str:
    """Expand ``$name`` and ``${name}`` from ``values``; raise on an unknown name."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in values:
            raise KeyError(f"no value for template variable ${name}")

        return values[name]

    return _VARIABLE.sub(replace, expr)
