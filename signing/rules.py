"""Who may do what with seals and certificates (used by services, views and the API alike)."""

import rules

from oa.org.models import Role
from oa.permissions import (
    has_role,
    is_active_person,
    is_audit_admin,
    is_security_admin,
    is_unit_admin_over,
    unit_of,
)


@rules.predicate
def is_custodian(user, seal):
    """印章管理员 assigned to this seal who still holds the role in the seal's unit (no 代理: a seal is kept
    by the people named for it)."""
    if seal is None or not getattr(seal, "pk", None):
        return False
    return has_role(user, Role.SEAL_KEEPER, seal.unit_id) and seal.custodians.filter(pk=user.pk).exists()


@rules.predicate
def is_seal_keeper_of(user, obj):
    unit = unit_of(obj)
    return bool(unit is not None and has_role(user, Role.SEAL_KEEPER, unit.pk))


@rules.predicate
def owns_certificate(user, certificate):
    return bool(certificate is not None and certificate.person_id == user.pk)


# Applying a seal: only its custodian (the caller — the 用印 step — checks the document was approved).
rules.add_perm("signing.apply_seal", is_active_person & is_custodian)
# Registering seals, their images and custodians; importing a unit's PKCS#12: the unit's 单位管理员
# (or above) and the 安全管理员, who looks after keys and certificates platform-wide.
rules.add_perm("signing.manage_seals", is_active_person & (is_unit_admin_over | is_security_admin))
# Revoking certificates and trusting external roots: the 安全管理员 (a 单位管理员 may revoke their units').
rules.add_perm("signing.revoke_certificate", is_active_person & (is_security_admin | is_unit_admin_over))
rules.add_perm("signing.trust_root", is_active_person & is_security_admin)
# 用印登记 of a unit: its 印章管理员, its 单位管理员 (or above) and the 审计管理员.
rules.add_perm("signing.view_uses", is_active_person & (is_seal_keeper_of | is_unit_admin_over | is_audit_admin))
# A personal signature: only with one's own certificate.
rules.add_perm("signing.sign_personal", is_active_person & owns_certificate)
