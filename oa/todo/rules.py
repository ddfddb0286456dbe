"""Who may see and act on a todo item (loaded by rules' autodiscovery; checked via oa.permissions.can)."""

import rules


@rules.predicate
def is_item_owner(user, item):
    # Delegates (代理) join here once delegated items are routed to them.
    return item is not None and getattr(item, "owner_id", None) == getattr(user, "pk", None)


rules.add_perm("todo.act_on_item", is_item_owner)
