"""Who may read and write a conversation (loaded by rules' autodiscovery; checked via oa.permissions.can)."""

import rules

from oa.permissions import is_active_person


@rules.predicate
def is_member(user, conversation):
    if conversation is None:
        return False
    from oa.messaging.models import Membership

    return Membership.objects.filter(conversation=conversation, person_id=user.pk, active=True).exists()


@rules.predicate
def is_group_owner(user, conversation):
    from oa.messaging.models import ConversationKind, Membership

    if conversation is None or conversation.kind != ConversationKind.GROUP:
        return False
    return Membership.objects.filter(conversation=conversation, person_id=user.pk, active=True, is_owner=True).exists()


rules.add_perm("messaging.view_conversation", is_active_person & is_member)
rules.add_perm("messaging.post_message", is_active_person & is_member)
# Custom groups: the owner adds people. Unit and department groups follow the organisation only.
rules.add_perm("messaging.manage_members", is_active_person & is_group_owner)
