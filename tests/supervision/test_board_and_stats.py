"""三色 warnings, the board, on-time statistics, charts and the monthly report exports."""

import csv
import io
from datetime import date

import pytest
from docx import Document

from oa.supervision import charts, selectors, services
from oa.supervision.models import Item
from tests.factories import UnitFactory
from tests.supervision.conftest import at, client_for

pytestmark = pytest.mark.django_db


def colour(item, today):
    limits = selectors.Thresholds.for_today(today)
    sql = selectors.annotate_warning(Item.objects.filter(pk=item.pk), limits).get().warning
    python, reasons = selectors.warning_for(Item.objects.get(pk=item.pk), limits)
    assert sql == python, (sql, python, reasons)
    return sql


def test_three_colours(sv, raise_for):
    with at(2026, 9, 1):
        item = raise_for(deadline=date(2026, 9, 30), milestones=[("调研", date(2026, 9, 10))])
        services.sign_item(sv.edu_clerk, item)  # next report due 9/8
    assert colour(item, date(2026, 9, 2)) == ""
    assert colour(item, date(2026, 9, 9)) == "yellow"  # progress not reported by 9/8
    with at(2026, 9, 9):
        services.report_progress(sv.edu_staff, item, text="进展")  # next due 9/16
    assert colour(item, date(2026, 9, 10)) == ""
    assert colour(item, date(2026, 9, 11)) == "yellow"  # milestone of 9/10 missed
    with at(2026, 9, 11):
        services.report_progress(sv.edu_staff, item, text="调研完成", milestone=item.milestones.get().pk)
    assert colour(item, date(2026, 9, 14)) == ""
    with at(2026, 9, 22):
        services.report_progress(sv.edu_staff, item, text="进展")  # next due 9/30 (中秋 9/25–27 off)
    assert colour(item, date(2026, 9, 25)) == "blue"  # 9/28, 9/29, 9/30 left: 3 working days
    assert colour(item, date(2026, 10, 8)) == "red"
    with at(2026, 9, 25):
        services.request_close(sv.edu_clerk, item, text="完成")
    assert colour(item, date(2026, 10, 8)) == ""  # with the 督查员 now


def test_board_groups_by_unit_and_filters(sv, raise_for):
    with at(2026, 9, 1):
        late = raise_for(title="超期事项", deadline=date(2026, 9, 3))
        raise_for(title="江城区牵头", lead_unit=sv.tree.jc_gov, cooperating_units=[])
    with at(2026, 9, 10):
        data = selectors.board(sv.sup)
        assert data.total == 2 and data.warning_counts["red"] == 1
        edu = next(row for row in data.units if row["lead_unit_id"] == sv.tree.yj_edu.pk)
        assert edu["red"] == 1 and edu["open"] == 1
        assert list(selectors.board(sv.sup, warning="red").items) == [late]
        assert selectors.board(sv.sup, unit_id=sv.tree.jc_gov.pk).items.count() == 2  # lead or cooperating
        assert selectors.board(sv.edu_staff).total == 1
        page = client_for(sv.sup).get("/supervision/?warning=red&fragment=1").content.decode()
        assert "超期事项" in page and "江城区牵头" not in page and "<html" not in page


def test_on_time_rate_per_unit_and_month(sv, raise_for):
    other = UnitFactory(name="阳江市交通运输局", parent=sv.tree.yj_gov, level=sv.tree.yj_gov.level)
    with at(2026, 9, 1):
        a = raise_for(title="按时", deadline=date(2026, 9, 10), cooperating_units=[])
        b = raise_for(title="逾期办结", deadline=date(2026, 9, 10), cooperating_units=[])
        c = raise_for(title="超期未办", deadline=date(2026, 9, 15), cooperating_units=[])
        raise_for(title="十月", deadline=date(2026, 10, 20), cooperating_units=[])
        d = raise_for(title="交通按时", lead_unit=other, cooperating_units=[], deadline=date(2026, 10, 9))
        for item in (a, b, c):
            services.sign_item(sv.edu_clerk, item)
    with at(2026, 9, 9):
        services.request_close(sv.edu_clerk, a, text="完成")
        services.approve_close(sv.sup, a)
    with at(2026, 9, 14):  # asked after the deadline
        services.request_close(sv.edu_clerk, b, text="完成")
        services.approve_close(sv.sup, b)
    d.status = "closed"
    d.completed_on = date(2026, 9, 20)
    d.save()
    with at(2026, 9, 20):
        rows = {
            r["lead_unit__name"]: r
            for r in selectors.unit_statistics(sv.sup, start=date(2026, 1, 1), end=date(2026, 12, 31))
        }
        months = selectors.monthly_statistics(sv.sup, start=date(2026, 1, 1), end=date(2026, 12, 31))
    edu = rows["阳江市教育局"]
    assert (edu["total"], edu["counted"], edu["on_time"], edu["late"], edu["rate"]) == (4, 3, 1, 2, 33.3)
    assert rows["阳江市交通运输局"]["rate"] == 100.0
    assert len(months) == 12
    assert (months[8]["label"], months[8]["counted"], months[8]["on_time"]) == ("2026年9月", 3, 1)
    assert months[9]["rate"] == 100.0 and months[0]["rate"] is None
    # A unit member sees only their own unit's figures.
    with at(2026, 9, 20):
        mine = selectors.unit_statistics(sv.edu_staff, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert [r["lead_unit__name"] for r in mine] == ["阳江市教育局"]
    svg = charts.unit_rate_chart(list(rows.values()))
    assert svg.startswith("<svg") and "33.3%" in svg and "style=" not in svg
    assert "<svg" in charts.monthly_rate_chart(months)
    with at(2026, 9, 20):
        page = client_for(sv.sup).get("/supervision/stats/?year=2026").content.decode()
    assert "按时办结率" in page and "<svg" in page and "33.3%" in page


def test_monthly_report_exports(sv, raise_for):
    with at(2026, 9, 1):
        item = raise_for(title='=HYPERLINK("x")学位扩容')
        services.sign_item(sv.edu_clerk, item)
    with at(2026, 9, 15):
        services.report_progress(sv.edu_staff, item, text="完成选址论证", percent=30)
    with at(2026, 10, 2):
        client = client_for(sv.edu_staff)
        response = client.get(f"/supervision/report/?unit={sv.tree.yj_edu.pk}&month=2026-09&format=csv")
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == ["阳江市教育局2026年9月督办事项进展情况"]
        assert rows[2][:4] == ["督办事项", "来源", "承办角色", "牵头单位"]
        assert rows[3][0].startswith("'=")  # no formula injection
        assert "完成选址论证" in rows[3][8] and rows[3][2] == "牵头单位"
        docx = client.get(f"/supervision/report/?unit={sv.tree.yj_edu.pk}&month=2026-09&format=docx")
        document = Document(io.BytesIO(docx.content))
        assert document.paragraphs[0].text == "阳江市教育局2026年9月督办事项进展情况"
        table = document.tables[0]
        assert table.rows[0].cells[0].text == "督办事项" and "完成选址论证" in table.rows[1].cells[8].text
        assert client.get(f"/supervision/report/?unit={sv.tree.yj_edu.pk}&month=九月").status_code == 400
