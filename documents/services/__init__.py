"""公文 use cases. Views, the API and other apps call these; each checks permission and writes audit."""

from .drafting import (
    CLASSIFIED_MESSAGE,
    add_attachments,
    create_draft,
    refuse_if_classified,
    remove_attachment,
    restore_version,
    update_draft,
)
from .numbering import assign_number
from .templates import update_unit_template

__all__ = [
    "CLASSIFIED_MESSAGE",
    "add_attachments",
    "assign_number",
    "create_draft",
    "refuse_if_classified",
    "remove_attachment",
    "restore_version",
    "update_draft",
    "update_unit_template",
]
