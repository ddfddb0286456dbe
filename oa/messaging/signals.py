"""Org groups follow the organisation: a person's unit, department or activation changing re-syncs their
memberships once the organisation change has committed (its own transaction, audited; a failure is logged
and repaired by ``manage.py messaging_sync_groups``). A deactivated person's sockets are closed."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from oa.messaging import push

WATCHED = frozenset({"unit", "department", "is_active", "unit_id", "department_id"})


def after_commit(callback) -> None:
    # A seam for this app's tests, which run it at once inside the test transaction.
    transaction.on_commit(callback, robust=True)


def _sync(person_id: int) -> None:
    from oa.messaging.orgsync import sync_person
    from oa.org.models import Person

    person = Person.objects.select_related("unit", "department").filter(pk=person_id).first()
    if person is not None:
        sync_person(person)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="oa.messaging.sync_org_groups")
def sync_org_groups(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return  # loaddata: run messaging_sync_groups afterwards
    if update_fields is not None and not (set(update_fields) & WATCHED):
        return  # last_login, password …
    person_id = instance.pk
    after_commit(lambda: _sync(person_id))
    if not instance.is_active and not created:
        push.on_commit([instance.pk], {"type": "chat.closed"})
