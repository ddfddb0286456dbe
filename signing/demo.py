"""Demo data: the internal CA, a 公章 per unit that has a 印章管理员 (custodians assigned) and a personal
certificate per 签发人 of those units. Idempotent; called by the demo seeder."""

from django.db import transaction

from oa.org.models import Person, Role, RoleAssignment, Unit
from signing import ca
from signing.models import Certificate, CertKind, Seal, SealKind
from signing.services.seals import create_seal

DEFAULT_LIMIT = 60


def ensure_demo_seals(limit: int = DEFAULT_LIMIT) -> dict:
    """Returns counts of what was created. ``limit`` bounds the units handled (seal generation + key
    issuance is ~15 ms per unit)."""
    ca.ensure_internal_ca()
    unit_ids = list(
        RoleAssignment.objects.filter(role=Role.SEAL_KEEPER, person__is_active=True, unit__is_active=True)
        .values_list("unit_id", flat=True)
        .distinct()
        .order_by("unit_id")[:limit]
    )
    created = {"seals": 0, "personal_certificates": 0}
    for unit in Unit.objects.filter(pk__in=unit_ids).order_by("path"):
        keepers = list(
            Person.objects.filter(
                is_active=True, role_assignments__unit=unit, role_assignments__role=Role.SEAL_KEEPER
            ).distinct()
        )
        with transaction.atomic():
            if not Seal.objects.filter(unit=unit, kind=SealKind.OFFICIAL, is_active=True).exists():
                create_seal(None, unit, kind=SealKind.OFFICIAL, custodians=keepers)
                created["seals"] += 1
            signers = Person.objects.filter(
                is_active=True, role_assignments__unit=unit, role_assignments__role=Role.SIGNER
            ).distinct()
            for person in signers:
                if not Certificate.objects.filter(
                    kind=CertKind.PERSONAL, person=person, revoked_at__isnull=True
                ).exists():
                    ca.issue_personal_certificate(person)
                    created["personal_certificates"] += 1
    return created
