"""Fixtures for the 公文 tests: drafts made through the services by the 阳江 personas (tests/conftest.py)."""

import datetime

import pytest

from documents import services


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rendered layouts and previews are cached; no test may see another test's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def draft_data(org_tree):
    """A complete, well-formed 通知 of 阳江市人民政府 to 江城区人民政府."""
    return {
        "doc_type": "通知",
        "title": "阳江市人民政府关于做好2025年防汛工作的通知",
        "main_units": [org_tree.jc_gov],
        "body": [
            {"kind": "paragraph", "text": "为做好今年防汛工作，现将有关事项通知如下。"},
            {"kind": "heading1", "text": "总体要求"},
            {"kind": "paragraph", "text": "各地要高度重视，压实责任。"},
        ],
        "written_date": datetime.date(2025, 5, 6),
        "printer": "阳江市人民政府办公室",
        "print_date": datetime.date(2025, 5, 7),
        "publicity": "主动公开",
    }


@pytest.fixture
def make_draft(personas, draft_data):
    def make(actor=None, **changes):
        return services.create_draft(actor or personas.yj_staff, {**draft_data, **changes})

    return make
