"""Fixtures for the signing tests.

The internal CA (root + issuing CA) is created once per test session in the test database and kept
(committed outside the per-test transactions); a function-level fixture re-creates it should a
transactional test elsewhere have flushed the database. Keys are EC P-256: a CA costs a few ms.
"""

import io
from types import SimpleNamespace

import pytest
from reportlab.pdfgen import canvas

from oa.org.models import Role
from tests.factories import PersonFactory, RoleAssignmentFactory

A4 = (595.28, 841.89)


def make_pdf(pages: int = 3, label: str = "") -> bytes:
    """A small uncompressed PDF (so tests can find and change bytes in it)."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, pageCompression=0)
    for i in range(pages):
        c.setFont("Helvetica", 14)
        c.drawString(90, 700, f"Page {i + 1} body text {label}")
        c.drawString(90, 300, "Issuer signature line and date")
        c.showPage()
    c.save()
    return out.getvalue()


@pytest.fixture(scope="session")
def _session_ca(django_db_setup, django_db_blocker):
    from signing import ca

    with django_db_blocker.unblock():
        ca.ensure_internal_ca()


@pytest.fixture
def signing_ca(_session_ca, db):
    from signing import ca

    return ca.ensure_internal_ca()


@pytest.fixture
def pdf3():
    return make_pdf(3)


def _keeper(unit, username, name):
    person = PersonFactory(username=username, name=name, unit=unit, title="印章管理员")
    RoleAssignmentFactory(person=person, unit=unit, role=Role.SEAL_KEEPER)
    person.refresh_from_db()
    return person


@pytest.fixture
def seals(signing_ca, personas, org_tree):
    """Official seals of 阳江市人民政府, 阳江市教育局 and 江城区人民政府 (and two more for five-seal tests), each
    with its own 印章管理员."""
    from signing.services.seals import create_seal

    units = [org_tree.yj_gov, org_tree.yj_edu, org_tree.jc_gov, org_tree.cb_street, org_tree.jy_gov]
    keepers, made = [], []
    for i, unit in enumerate(units):
        keeper = _keeper(unit, f"keeper{i}", f"印管{i}")
        keepers.append(keeper)
        made.append(create_seal(None, unit, custodians=[keeper]))
    return SimpleNamespace(all=made, keepers=keepers, yj=made[0], edu=made[1], jc=made[2], yj_keeper=keepers[0])


def place(seal, page=3, index=0):
    from signing.services import SealPlacement

    return SealPlacement(seal=seal, page=page, x_mm=60 + 45 * (index % 3), y_mm=200 + 45 * (index // 3))


def seal_in_order(pdf: bytes, seals_, keepers, *, approver=None, lock=True) -> bytes:
    """Joint issuance as the 用印 step does it: each custodian applies their own seal, in issuing order."""
    from signing.services import apply_seals

    for i, (seal, keeper) in enumerate(zip(seals_, keepers, strict=True)):
        pdf = apply_seals(
            keeper,
            pdf,
            [place(seal, index=i)],
            reason="联合发文",
            purpose_ref="test.doc:1",
            approved_by=approver,
            lock_after_last=lock and i == len(seals_) - 1,
        ).pdf
    return pdf
