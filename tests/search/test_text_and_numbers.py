import pytest

from oa.core.errors import ServiceError
from search import docnumber, query, text
from search.query import And, DocNo, Not, Or, Phrase, Term


@pytest.mark.parametrize(
    "written",
    [
        "阳府办〔2021〕7号",
        "阳府办[2021]7号",
        "阳府办2021-7",
        "阳府办(2021)7号",
        "阳府办（2021）7号",
        "阳府办【2021】007号",
        "阳府办［２０２１］７号",
        "阳府办 2021 7",
    ],
)
def test_every_form_of_a_doc_number_is_the_same_number(written):
    assert docnumber.canonical(written) == "阳府办〔2021〕7号"


@pytest.mark.parametrize("text_", ["数字政府", "2021-7", "阳府办", "阳府办〔2021〕", "阳府办〔2021〕0号", ""])
def test_text_that_is_not_a_doc_number_is_not_taken_for_one(text_):
    assert docnumber.canonical(text_) == ""


def test_dictionary_keeps_government_terms_whole():
    tokens = text.segment_for_index("推进数字政府建设，用好粤政易，实现一网通办")
    for term in ("数字政府", "粤政易", "一网通办"):
        assert term in tokens
    assert {"数字", "政府"} <= set(tokens)  # the parts too, so 数字 alone still finds it
    assert text.segment_query("粤政易") == ("粤政易",)


def test_bigrams_cover_every_adjacent_pair():
    assert text.bigrams("漠阳江") == ["漠阳", "阳江"]
    assert text.bigrams("12345热线") == ["12345", "热线"]
    assert text.bigrams("省") == ["省"]


def test_query_language():
    assert query.parse("数字政府 粤政易") == And((Term("数字政府"), Term("粤政易")))
    assert query.parse("防汛 OR 防风") == Or((Term("防汛"), Term("防风")))
    assert query.parse('"一网 通办"') == Phrase("一网 通办")
    assert query.parse("营商环境 -深圳") == And((Term("营商环境"), Not(Term("深圳"))))
    assert query.parse("(防汛 OR 三防) 通知") == And((Or((Term("防汛"), Term("三防"))), Term("通知")))
    assert query.parse("阳府办[2021]7号") == DocNo("阳府办〔2021〕7号")
    assert query.parse("  ") is None
    assert query.parse("，。") is None


@pytest.mark.parametrize("bad", ["-深圳", "-深圳 -广州", "字" * 201, " ".join(["词"] * 40)])
def test_bad_queries_are_refused_with_a_message(bad):
    with pytest.raises(ServiceError) as exc:
        query.parse(bad)
    assert exc.value.message
