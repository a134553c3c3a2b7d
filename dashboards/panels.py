"""Panel factories: each returns a foundation-SDK builder wired to Prometheus.

Every panel reads the datasource the ``prometheus`` variable names; the
factories only set what differs between panels (queries, unit, layout, links).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grafana_foundation_sdk.builders import (
    common,
    heatmap,
    piechart,
    prometheus,
    stat,
    timeseries,
)
from grafana_foundation_sdk.builders import dashboard as builders
from grafana_foundation_sdk.cog import builder as cog
from grafana_foundation_sdk.cog import variants
from grafana_foundation_sdk.models import common as common_models
from grafana_foundation_sdk.models import dashboard as models
from grafana_foundation_sdk.models import heatmap as heatmap_models
from grafana_foundation_sdk.models import piechart as piechart_models
from grafana_foundation_sdk.models import prometheus as prometheus_models

from dashboards import variables

WIDTH_HALF = 12
WIDTH_THIRD = 8
WIDTH_QUARTER = 6
HEIGHT = 8
HEIGHT_STAT = 4


@dataclass(frozen=True)
class Query:
    """One PromQL target: its expression, series legend and display options."""

    expr: str
    legend: str = "__auto"
    exemplar: bool = False
    heatmap: bool = False
    instant: bool = False


@dataclass(frozen=True)
class Layout:
    """A panel's title, description and size on the 24-column grid."""

    title: str
    description: str
    width: int = WIDTH_HALF
    height: int = HEIGHT


def _targets(queries: Sequence[Query]) -> list[cog.Builder[variants.Dataquery]]:
    """Return one Prometheus target per query, lettered A, B, C..."""
    targets: list[cog.Builder[variants.Dataquery]] = []
    for index, query in enumerate(queries):
        target = (
            prometheus.Dataquery()
            .ref_id(chr(ord("A") + index))
            .expr(query.expr)
            .legend_format(query.legend)
            .datasource(variables.PROMETHEUS_REF)
            .editor_mode(prometheus_models.QueryEditorMode.CODE)
        )
        if query.instant:
            target.instant()
        else:
            target.range()
        if query.exemplar:
            target.exemplar(True)
        if query.heatmap:
            target.format(prometheus_models.PromQueryFormat.HEATMAP)
        targets.append(target)

    return targets


def time_series(
    layout: Layout,
    queries: Sequence[Query],
    unit: str,
    *,
    stacked: bool = False,
    bars: bool = False,
    links: Sequence[builders.DashboardLink] = (),
) -> timeseries.Panel:
    """Return a time-series panel, optionally stacked or drawn as bars."""
    panel = (
        timeseries.Panel()
        .title(layout.title)
        .description(layout.description)
        .span(layout.width)
        .height(layout.height)
        .datasource(variables.PROMETHEUS_REF)
        .targets(_targets(queries))
        .unit(unit)
        .legend(_table_legend())
        .data_links(list(links))
    )
    if stacked:
        panel.stacking(common.StackingConfig().mode(common_models.StackingMode.NORMAL))
        panel.fill_opacity(60)
    if bars:
        panel.draw_style(common_models.GraphDrawStyle.BARS)

    return panel


def _table_legend() -> common.VizLegendOptions:
    """Return a legend listing each series with its mean and last value."""
    return (
        common.VizLegendOptions()
        .display_mode(common_models.LegendDisplayMode.TABLE)
        .placement(common_models.LegendPlacement.BOTTOM)
        .show_legend(True)
        .calcs(["mean", "lastNotNull"])
    )


def single_stat(layout: Layout, query: Query, unit: str) -> stat.Panel:
    """Return a stat panel showing the last value of one query."""
    return (
        stat.Panel()
        .title(layout.title)
        .description(layout.description)
        .span(layout.width)
        .height(layout.height)
        .datasource(variables.PROMETHEUS_REF)
        .targets(_targets([query]))
        .unit(unit)
        .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]))
        .graph_mode(common_models.BigValueGraphMode.AREA)
    )


def pie(
    layout: Layout,
    query: Query,
    display_names: dict[str, str],
    links: Sequence[builders.DashboardLink] = (),
) -> piechart.Panel:
    """Return a donut of each series' share, renaming series by legend value."""
    panel = (
        piechart.Panel()
        .title(layout.title)
        .description(layout.description)
        .span(layout.width)
        .height(layout.height)
        .datasource(variables.PROMETHEUS_REF)
        .targets(_targets([query]))
        .unit("short")
        .pie_type(piechart_models.PieChartType.DONUT)
        .display_labels([piechart_models.PieChartLabels.PERCENT])
        .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]))
        .legend(_pie_legend())
        .data_links(list(links))
    )
    for series, shown in sorted(display_names.items()):
        panel.override_by_name(
            series, [models.DynamicConfigValue(id_val="displayName", value=shown)]
        )

    return panel


def _pie_legend() -> piechart.PieChartLegendOptions:
    """Return a table legend with each slice's value and percentage."""
    return (
        piechart.PieChartLegendOptions()
        .display_mode(common_models.LegendDisplayMode.TABLE)
        .placement(common_models.LegendPlacement.RIGHT)
        .show_legend(True)
        .values(
            [
                piechart_models.PieChartLegendValues.VALUE,
                piechart_models.PieChartLegendValues.PERCENT,
            ]
        )
    )


def bucket_heatmap(layout: Layout, query: Query, unit: str) -> heatmap.Panel:
    """Return a heatmap of pre-bucketed histogram counts (no re-bucketing)."""
    return (
        heatmap.Panel()
        .title(layout.title)
        .description(layout.description)
        .span(layout.width)
        .height(layout.height)
        .datasource(variables.PROMETHEUS_REF)
        .targets(_targets([query]))
        .calculate(False)
        .y_axis(heatmap.YAxisConfig().unit(unit))
        .color(
            heatmap.HeatmapColorOptions()
            .mode(heatmap_models.HeatmapColorMode.SCHEME)
            .scheme("Oranges")
            .exponent(0.5)
            .steps(64)
        )
        .cell_values(heatmap.CellValues().unit("short"))
        .show_legend()
    )
