"""Template variable substitution, as Grafana does it."""

from __future__ import annotations

import pytest

from dashboards import variables


def test_substitutes_both_forms():
    """$name and ${name} are both replaced by the value."""
    expr = 'x{service=~"$service"}[$__rate_interval] / ${service}'

    result = variables.substitute(expr, {"service": "a", "__rate_interval": "1m"})

    assert result == 'x{service=~"a"}[1m] / a'


def test_leaves_label_replace_backreferences():
    """$1 in a label_replace replacement is not a variable and stays."""
    expr = 'label_replace(x, "h", "$1", "c", "(.*)")'

    assert variables.substitute(expr, {}) == expr


def test_unknown_variable_raises():
    """A variable without a value is an error, not a silent pass-through."""
    with pytest.raises(KeyError, match="servise"):
        variables.substitute('x{service=~"$servise"}', {"service": "a"})


def test_service_all_value_is_a_regex_matching_every_service():
    """'All' services expands to a regex that Prometheus anchors to match any value."""
    assert variables.ALL_SERVICES == ".+"
