"""The PromQL name reader the static dashboard tests rely on."""

from __future__ import annotations

from tests.dashboards import promql_names


def test_reads_metric_under_functions_and_aggregations():
    """A metric wrapped in rate() and sum by () is found; functions are not metrics."""
    names = promql_names.read('sum by (cause) (rate(foo_total{a="b"}[5m]))')

    assert names.metrics == {"foo_total"}


def test_reads_bare_metric_and_both_sides_of_an_operator():
    """Metrics without braces count, on either side of a binary operator."""
    names = promql_names.read("up / on (job) group_left bar_seconds_count or vector(0)")

    assert names.metrics == {"up", "bar_seconds_count"}


def test_ignores_string_contents_and_numbers():
    """Label values, regexes and numeric literals are never taken for metrics."""
    expr = 'histogram_quantile(0.95, label_replace(x{c=~"a.b"}, "h", "$1", "c", "(y)"))'

    assert promql_names.read(expr).metrics == {"x"}


def test_reads_matcher_labels_per_metric():
    """Each selector's matcher labels are attributed to its own metric."""
    names = promql_names.read('a{x="1", y=~"2"} / b{z!="3"}')

    assert names.matched_labels == {"a": {"x", "y"}, "b": {"z"}}


def test_reads_grouping_labels():
    """Labels in by / on clauses are collected."""
    names = promql_names.read("sum by (service, le) (a) / on (service) b")

    assert names.grouping_labels == {"service", "le"}
