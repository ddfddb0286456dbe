"""Who may do what with the archive (autodiscovered by ``rules``). Object: the 全宗 Unit or an ArchiveItem.

- 归档 is the 档案员's work, in the unit where they hold the role (directly or as today's deputy).
- The archive of a unit is read by its 档案员 and its leaders (签发人: 主要负责人 / 分管领导); everyone
  else — colleagues without those roles and every other unit — does not see it at all (pages and API 404,
  the index page 403).
- A 更正记录 (correction) is recorded only by the unit's 档案员; leaders who read the item are refused (403).
"""

import rules

from oa.org.models import Role
from oa.permissions import holds_role, is_active_person

is_archivist = holds_role(Role.ARCHIVIST)
is_leader = holds_role(Role.SIGNER)

rules.add_perm("archive.archive_document", is_active_person & is_archivist)
rules.add_perm("archive.view_archive", is_active_person & (is_archivist | is_leader))
rules.add_perm("archive.export_item", is_active_person & (is_archivist | is_leader))
# 更正 (a correction record; the item itself never changes) is the 档案员's work alone.
rules.add_perm("archive.correct_item", is_active_person & is_archivist)
