"""Permissions of the sign-in area: the three administrator consoles (三员).

Checked with ``oa.accounts.services.may`` (rules' own rule set), not ``user.has_perm``: Django answers
``has_perm`` with True for any superuser before asking rules, which would merge the three powers.
"""

import rules

from oa.permissions import is_audit_admin, is_security_admin, is_system_admin


@rules.predicate
def _active(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


rules.add_perm("accounts.use_system_console", _active & is_system_admin)
rules.add_perm("accounts.manage_accounts", _active & is_system_admin)
rules.add_perm("accounts.use_security_console", _active & is_security_admin)
rules.add_perm("accounts.unlock_account", _active & is_security_admin)
rules.add_perm("accounts.use_audit_console", _active & is_audit_admin)
