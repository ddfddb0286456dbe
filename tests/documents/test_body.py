"""The body's four heading levels: prefixes are inserted and renumbered from the block order."""

import pytest

from documents.body import chinese_number, level_from_prefix, normalise, renumber, strip_prefix
from oa.core.errors import ServiceError


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (99, "九十九"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (121, "一百二十一"),
    ],
)
def test_chinese_numbers(n, text):
    assert chinese_number(n) == text


def test_prefixes_follow_levels_and_restart_under_a_new_parent():
    blocks = renumber(
        [
            {"kind": "heading1", "text": "总体要求"},
            {"kind": "heading2", "text": "（三）错误的编号"},
            {"kind": "heading3", "text": "明确分工"},
            {"kind": "heading4", "text": "市级"},
            {"kind": "heading4", "text": "（9）县级"},
            {"kind": "paragraph", "text": "1.5亿元资金已下达。"},  # a paragraph keeps its text
            {"kind": "heading3", "text": "2、落实经费"},
            {"kind": "heading1", "text": "五、工作措施"},
            {"kind": "heading2", "text": "加强值守"},
        ]
    )
    assert [b["text"] for b in blocks] == [
        "一、总体要求",
        "（一）错误的编号",
        "1.明确分工",
        "（1）市级",
        "（2）县级",
        "1.5亿元资金已下达。",
        "2.落实经费",
        "二、工作措施",
        "（一）加强值守",
    ]


def test_level_detection_and_prefix_stripping():
    assert level_from_prefix("一、总体要求") == "heading1"
    assert level_from_prefix("（二）压实责任") == "heading2"
    assert level_from_prefix("3.明确分工") == "heading3"
    assert level_from_prefix("(4)市级") == "heading4"
    assert level_from_prefix("1.5亿元") is None
    assert level_from_prefix("一是加强领导") is None
    assert strip_prefix("十二、其他") == "其他"


def test_normalise_drops_empty_blocks_and_headings_without_text():
    assert normalise(
        [
            {"kind": "paragraph", "text": "  "},
            {"kind": "heading1", "text": "一、"},
            {"kind": "table", "rows": [["", ""], ["a", "b"]]},
        ]
    ) == [{"kind": "table", "rows": [["a", "b"]]}]


def test_normalise_refuses_bad_shapes():
    with pytest.raises(ServiceError, match="应为段落列表"):
        normalise({"kind": "paragraph"})
    with pytest.raises(ServiceError, match="表格"):
        normalise([{"kind": "table", "rows": "a|b"}])
    with pytest.raises(ServiceError, match="文字格式"):
        normalise([{"kind": "paragraph", "text": 5}])
