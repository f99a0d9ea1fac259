"""Domain: the SVG charts parse as XML, scale bars by value, escape labels and survive empty data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from quizapp.domain.charts import (
    FONT_FAMILY,
    bar_chart,
    column_chart,
    conversion_text,
    funnel_chart,
    nice_ceiling,
)

NS = "{http://www.w3.org/2000/svg}"
NASTY = "<b>A&B \"quoted\" 'single'</b>"


def parse(svg: str) -> ET.Element:
    """The root element; fails the test when the SVG is not well-formed XML."""
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def of_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    """Every element of that tag and class, in document order."""
    return [el for el in root.iter(f"{NS}{tag}") if el.get("class") == cls]


def texts(root: ET.Element, cls: str) -> list[str]:
    """The text content of every <text> of that class."""
    return [el.text or "" for el in of_class(root, "text", cls)]


def bar_sizes(root: ET.Element, attr: str) -> list[float]:
    """The width or height of every bar."""
    return [float(el.get(attr)) for el in of_class(root, "rect", "bar")]


CHARTS = {
    "column": lambda title, data: column_chart(title, data, unit="人"),
    "bar": lambda title, data: bar_chart(title, data, unit="人"),
    "funnel": lambda title, data: funnel_chart(title, [(k, int(v)) for k, v in data]),
}


@pytest.mark.parametrize("kind", CHARTS)
def test_root_is_an_accessible_svg(kind):
    root = parse(CHARTS[kind]("参与情况", [("甲", 3), ("乙", 1)]))
    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 ")
    title = root.find(f"{NS}title")
    assert title is not None and title.text == "参与情况"
    assert root.get("aria-labelledby") == title.get("id") != ""
    assert root.get("font-family") == FONT_FAMILY
    assert "WenQuanYi Zen Hei" in FONT_FAMILY and FONT_FAMILY.endswith("sans-serif")


@pytest.mark.parametrize("kind", CHARTS)
def test_one_bar_per_item_and_values_labelled(kind):
    data = [("一", 100), ("二", 50), ("三", 25), ("四", 0)]
    root = parse(CHARTS[kind]("图", data))
    assert len(of_class(root, "rect", "bar")) == 4
    assert texts(root, "value") == ["100", "50", "25", "0"]


def test_column_heights_are_proportional():
    root = parse(column_chart("每日参与", [("11-15", 100), ("11-16", 50), ("11-17", 25)]))
    tall, half, quarter = bar_sizes(root, "height")
    assert half == pytest.approx(tall / 2, abs=0.1)
    assert quarter == pytest.approx(tall / 4, abs=0.1)
    bottoms = {round(float(el.get("y")) + float(el.get("height")), 1) for el in of_class(root, "rect", "bar")}
    assert len(bottoms) == 1  # all stand on the same axis


def test_bar_lengths_are_proportional_and_the_axis_is_rounded_up():
    root = parse(bar_chart("各地排行", [("成都", 100), ("绵阳", 50), ("德阳", 73)]))
    full, half, other = bar_sizes(root, "width")
    assert half == pytest.approx(full / 2, abs=0.1)
    assert other == pytest.approx(full * 0.73, abs=0.1)
    assert texts(root, "tick") == ["0", "20", "40", "60", "80", "100"]


def test_funnel_bars_are_proportional_to_the_largest_step():
    root = parse(funnel_chart("漏斗", [("扫码", 200), ("登记", 100), ("完成", 50)]))
    first, second, third = bar_sizes(root, "width")
    assert second == pytest.approx(first / 2, abs=0.1)
    assert third == pytest.approx(first / 4, abs=0.1)
    centres = {
        round(float(el.get("x")) + float(el.get("width")) / 2, 1) for el in of_class(root, "rect", "bar")
    }
    assert len(centres) == 1
    assert len(of_class(root, "polygon", "link")) == 2


def test_funnel_prints_counts_and_conversion_from_the_previous_step():
    steps = [("扫码", 1000), ("登记", 421), ("完成", 0), ("合格", 0), ("中奖", 0)]
    root = parse(funnel_chart("漏斗", steps))
    assert texts(root, "value") == ["1,000", "421", "0", "0", "0"]
    assert texts(root, "rate") == ["转化 42.1%", "转化 0.0%", "转化 —", "转化 —"]


def test_conversion_text_is_safe_for_zero_and_negative():
    assert conversion_text(0, 5) == "转化 —"
    assert conversion_text(-1, 5) == "转化 —"
    assert conversion_text(8, 1) == "转化 12.5%"


@pytest.mark.parametrize("kind", CHARTS)
def test_labels_and_title_are_escaped(kind):
    svg = CHARTS[kind](NASTY, [(NASTY, 5), ("ok", 2)])
    assert "<b>" not in svg
    root = parse(svg)
    assert root.find(f"{NS}title").text == NASTY
    assert NASTY in texts(root, "chart-title")
    assert NASTY in texts(root, "x-label" if kind == "column" else "y-label")


def test_value_format_and_unit_caption():
    root = parse(
        bar_chart("正确率", [("法规", 87.5), ("用药", 62.25)], unit="%", value_format=lambda v: f"{v:.1f}%")
    )
    assert texts(root, "value") == ["87.5%", "62.2%"]
    assert texts(root, "unit") == ["单位：%"]
    assert texts(parse(column_chart("无单位", [("a", 1)])), "unit") == []


@pytest.mark.parametrize(
    "chart",
    [
        lambda: column_chart("空", []),
        lambda: column_chart("全零", [("a", 0), ("b", 0)]),
        lambda: bar_chart("空", []),
        lambda: bar_chart("负数", [("a", -5), ("b", 0)]),
        lambda: funnel_chart("空", []),
        lambda: funnel_chart("全零", [("扫码", 0), ("登记", 0)]),
    ],
)
def test_empty_or_all_zero_draws_a_frame_with_a_notice(chart):
    root = parse(chart())
    assert texts(root, "empty") == ["暂无数据"]
    assert of_class(root, "rect", "frame")
    assert of_class(root, "rect", "bar") == []


def test_negative_values_are_clamped_to_zero():
    root = parse(column_chart("含负数", [("a", 10), ("b", -4), ("c", float("nan"))]))
    assert bar_sizes(root, "height")[1:] == [0.0, 0.0]
    assert texts(root, "value") == ["10", "0", "0"]


def test_many_columns_thin_out_their_labels_automatically():
    days = [(f"11-{d:02d}", d) for d in range(1, 31)]
    root = parse(column_chart("每日", days))
    shown = texts(root, "x-label")
    assert len(of_class(root, "rect", "bar")) == 30
    assert 4 <= len(shown) < 30
    assert shown[0] == "11-01"
    step = int(shown[1][3:]) - int(shown[0][3:])
    assert shown == [label for i, (label, _) in enumerate(days) if i % step == 0]


def test_few_columns_show_every_label_and_label_every_overrides():
    bands = [("0–9", 1), ("10–19", 2), ("20–29", 3)]
    assert texts(parse(column_chart("成绩", bands)), "x-label") == ["0–9", "10–19", "20–29"]
    assert texts(parse(column_chart("成绩", bands, label_every=2)), "x-label") == ["0–9", "20–29"]


def test_narrow_columns_turn_their_values_upright():
    wide = parse(column_chart("少", [("a", 1234), ("b", 5)]))
    narrow = parse(column_chart("多", [(str(i), 1234) for i in range(40)]))
    assert all(el.get("transform") is None for el in of_class(wide, "text", "value"))
    assert all(el.get("transform", "").startswith("rotate(-90") for el in of_class(narrow, "text", "value"))


def test_bar_chart_grows_with_its_rows():
    small = parse(bar_chart("三行", [(str(i), i + 1) for i in range(3)]))
    large = parse(bar_chart("十行", [(str(i), i + 1) for i in range(10)]))
    assert float(large.get("height")) > float(small.get("height"))
    assert large.get("viewBox") == f"0 0 640 {large.get('height')}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 1),
        (-3, 1),
        (0.3, 0.5),
        (0.875, 1),
        (1, 1),
        (1.01, 2),
        (7, 10),
        (12, 20),
        (50, 50),
        (51, 100),
        (12840, 20000),
    ],
)
def test_nice_ceiling(value, expected):
    assert nice_ceiling(value) == pytest.approx(expected)


def test_output_is_deterministic_and_ids_differ_between_charts():
    data = [("甲", 3), ("乙", 1)]
    assert column_chart("图一", data) == column_chart("图一", data)
    one = parse(column_chart("图一", data)).get("aria-labelledby")
    two = parse(column_chart("图二", data)).get("aria-labelledby")
    ascii_id = parse(bar_chart("Region ranking 2025", data)).get("aria-labelledby")
    assert one != two
    assert ascii_id.startswith("chart-region-ranking-2025-")


@pytest.mark.parametrize(
    "chart",
    [
        lambda: column_chart("窄", [(str(i), i) for i in range(1, 80)], width=120),
        lambda: bar_chart("窄", [("很长很长的地区名称", 123456789)], width=120),
        lambda: funnel_chart("窄", [("扫码进入", 123456), ("完成登记", 5)], width=120),
    ],
)
def test_a_too_narrow_chart_still_draws_no_negative_sizes(chart):
    root = parse(chart())
    assert min(bar_sizes(root, "width") + bar_sizes(root, "height")) >= 0
