"""Who may search (autodiscovered by ``rules``). What a search finds is decided by ``search.visibility``."""

import rules

from oa.org.models import Role
from oa.permissions import has_role, is_active_person


@rules.predicate
def has_unit(user):
    return bool(getattr(user, "unit_id", None))


@rules.predicate
def is_archivist(user):
    """档案员 of any unit (the results are still limited to what the person may see)."""
    return has_role(user, Role.ARCHIVIST)


rules.add_perm("search.search_documents", is_active_person & has_unit)
# The archive search (advanced form, export of result lists) is the 档案员's tool.
rules.add_perm("search.archive_search", is_active_person & has_unit & is_archivist)
