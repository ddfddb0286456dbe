"""Realistic sample documents for previews, tests and the benchmark (text invented, shaped like real 公文)."""

from __future__ import annotations

from dataclasses import replace

from .spec import Block, RenderSpec

PARAGRAPHS = (
    "为深入贯彻落实党中央、国务院和省委、省政府关于安全生产工作的决策部署，进一步压实安全生产责任，"
    "有效防范和坚决遏制重特大事故发生，确保全市安全生产形势持续稳定向好，经市人民政府同意，现就有关事项通知如下。",
    "各县（市、区）人民政府要切实履行属地管理责任，主要负责同志要亲自部署、亲自督促，分管负责同志要靠前指挥，"
    "对本地区安全生产工作中的重大问题及时研究解决。各有关部门要按照“管行业必须管安全、管业务必须管安全、"
    "管生产经营必须管安全”的要求，切实加强对本行业领域安全生产工作的指导和监督检查。",
    "要聚焦道路交通、危险化学品、建筑施工、消防、渔业船舶、城镇燃气等重点行业领域，组织开展拉网式排查，"
    "建立问题隐患和制度措施“两个清单”，实行闭环管理。对排查发现的重大隐患，要挂牌督办，明确整改责任、"
    "措施、资金、时限和预案，确保按期整改到位。2021年第四季度前完成第一轮排查，排查率达到100%。",
)


def sample_spec(pages: int = 1, **overrides) -> RenderSpec:
    """A 通用格式 下行文; ``pages`` roughly sets the body length."""
    body = [Block("heading1", "一、压实安全生产责任")]
    for n in range(max(1, pages * 3 - 2)):
        if n and n % 3 == 0:
            body.append(
                Block(
                    "heading2",
                    f"（{'一二三四五六七八九十'[(n // 3) % 10]}）强化重点领域监管。各地各部门要落实监管责任。",
                )
            )
        body.append(Block("paragraph", PARAGRAPHS[n % len(PARAGRAPHS)]))
    spec = RenderSpec(
        copy_number="000123",
        urgency="加急",
        issuer_marks=("阳江市人民政府",),
        doc_number="阳府〔2021〕7号",
        title="阳江市人民政府关于进一步加强全市安全生产工作的通知",
        main_recipients="各县（市、区）人民政府，市政府各部门、各直属机构",
        body=tuple(body),
        attachments=("阳江市安全生产重点任务分工表",),
        signatures=("阳江市人民政府",),
        date_text="2021年9月10日",
        note="此件公开发布",
        cc="市委各部门，市人大常委会办公室，市政协办公室，市纪委监委办公室，市中级法院，市检察院",
        printer="阳江市人民政府办公室",
        print_date_text="2021年9月10日",
    )
    return replace(spec, **overrides)
