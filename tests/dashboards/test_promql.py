"""PromQL building blocks."""

from __future__ import annotations

from dashboards import promql


def test_prom_label_turns_dots_into_underscores():
    """Attribute keys become the label names the Prometheus exporter writes."""
    assert promql.prom_label("http.response.status_code") == "http_response_status_code"


def test_selector_keeps_matcher_order_and_drops_empty_braces():
    """Matchers appear as given; a bare metric has no braces."""
    matchers = (
        promql.eq("a", "1"),
        promql.regex("b", "x|y"),
        promql.not_regex("c", "z"),
    )

    assert promql.selector("m", *matchers) == 'm{a="1", b=~"x|y", c!~"z"}'
    assert promql.selector("m") == "m"


def test_quantile_keeps_le_in_the_grouping():
    """histogram_quantile gets the bucket label next to the caller's labels."""
    expr = promql.quantile(0.5, "h_seconds", ("service",), promql.eq("a", "1"))

    assert expr == (
        "histogram_quantile(0.5, sum by (service, le) "
        '(rate(h_seconds_bucket{a="1"}[$__rate_interval])))'
    )


def test_ratio_or_zero_falls_back_to_zero_times_the_whole():
    """A missing numerator reads as zero instead of dropping the series."""
    assert promql.ratio_or_zero("p", "w") == "(p or 0 * w) / w"


def test_zero_when_absent_uses_the_scrape_up_series():
    """An absent counter reads as zero for every scraped target."""
    expr = promql.zero_when_absent("sum(x)", (), "$service")

    assert expr == 'sum(x) or on () sum(0 * up{service=~"$service"})'
