"""Cards: a message that links an object of another app (a 公文, later anything else), shown only to the
members allowed to see that object.

``oa`` imports no feature app, so apps register what their cards point at, in their ``AppConfig.ready``::

    from oa.messaging import cards
    cards.register("documents", load=lambda pk: Document.objects.filter(pk=pk).first())

Visibility is always asked through ``oa.permissions.can(user, f"{app_label}.view_document", obj)`` (the
permission can be changed with ``perm=``).  A card whose app is not registered, whose permission does not
exist (yet), or whose object is gone, is hidden from everybody.
"""

from collections.abc import Callable
from dataclasses import dataclass

import rules

from oa.permissions import can


@dataclass(frozen=True)
class CardSource:
    app_label: str
    load: Callable[[str], object | None]
    perm: str
    title: Callable[[object], str]
    url: Callable[[object], str]
    label: str = "公文"


# What a member who may not see the object gets instead of the card: nothing about the object itself.
HIDDEN = {"hidden": True, "title": "无权查看的公文"}


def hidden() -> dict:
    return dict(HIDDEN)


def _default_title(obj) -> str:
    return str(getattr(obj, "title", "") or obj)


def _default_url(obj) -> str:
    getter = getattr(obj, "get_absolute_url", None)
    return getter() if callable(getter) else ""


_SOURCES: dict[str, CardSource] = {}


def register(
    app_label: str,
    load: Callable[[str], object | None],
    *,
    perm: str | None = None,
    title: Callable[[object], str] = _default_title,
    url: Callable[[object], str] = _default_url,
    label: str = "公文",
) -> None:
    """Let messages carry cards for ``app_label`` objects. ``load(object_id)`` returns the object or None;
    ``label`` names the kind on the card (公文, 收文, 档案)."""
    _SOURCES[app_label] = CardSource(app_label, load, perm or f"{app_label}.view_document", title, url, label)


def unregister(app_label: str) -> None:
    _SOURCES.pop(app_label, None)


def source_for(app_label: str) -> CardSource | None:
    return _SOURCES.get(app_label)


def load(app_label: str, object_id: str):
    source = _SOURCES.get(app_label)
    if source is None or not str(object_id).strip():
        return None
    try:
        return source.load(str(object_id))
    except (ValueError, TypeError, LookupError):
        return None  # a malformed id is simply "no such object"


def visible_object(user, app_label: str, object_id: str):
    """The object behind a card if ``user`` may see it, else None."""
    source = _SOURCES.get(app_label)
    if source is None or not rules.perm_exists(source.perm):
        return None
    obj = load(app_label, object_id)
    if obj is None or not can(user, source.perm, obj):
        return None
    return obj


class CardView:
    """Per-viewer card resolution with a cache, so a page of messages loads each object once."""

    def __init__(self, viewer):
        self.viewer = viewer
        self._seen: dict[tuple[str, str], dict | None] = {}

    def payload(self, app_label: str, object_id: str, stored_title: str, stored_url: str) -> dict | None:
        key = (app_label, object_id)
        if key not in self._seen:
            obj = visible_object(self.viewer, app_label, object_id)
            if obj is None:
                self._seen[key] = None
            else:
                source = _SOURCES[app_label]
                self._seen[key] = {
                    "app": app_label,
                    "id": object_id,
                    "title": source.title(obj) or stored_title,
                    "url": source.url(obj) or stored_url,
                    "label": source.label,
                }
        return self._seen[key]
