"""JSON shapes of the home page: the same panels and figures the console shows."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ItemRead(_Read):
    label: str
    href: str
    tag_key: str
    value: str
    when: dt.datetime | dt.date | None


class FigureRead(_Read):
    key: str
    count: int
    href: str
    urgent: bool
    items: list[ItemRead]


class SeriesRead(_Read):
    key: str
    values: list[int]


class ChartRead(_Read):
    kind: str
    title_key: str
    categories: list[str]
    axis_key: str
    series: list[SeriesRead]


class PanelRead(_Read):
    key: str
    figures: list[FigureRead]
    items: list[ItemRead]
    chart: ChartRead | None


class HomeRead(_Read):
    """``views``: qc, compliance, after_sales, regulator, association, summary. Text keys
    (``*_key``) are console catalogue keys; links are console paths."""

    views: list[str]
    panels: list[PanelRead]
