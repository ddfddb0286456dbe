"""Org groups follow the organisation: a person's unit, department or activation changing re-syncs their
memberships once the organisation change has committed (its own transaction, audited; a failure is logged
and repaired by ``manage.py messaging_sync_groups``). A deactivated person's sockets are closed. A unit or
department switched off or on takes its people out of its group or back in; a department deleted leaves
its group in the record as a plain group without members (see oa.messaging.orgsync)."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save, pre_delete
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


def _sync_place(**place) -> None:
    from oa.messaging.orgsync import sync_place

    sync_place(**place)


@receiver(post_save, sender="org.Unit", dispatch_uid="oa.messaging.sync_unit_group")
def sync_unit_group(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or created or (update_fields is not None and "is_active" not in update_fields):
        return  # a new unit has nobody yet; names are read live
    unit_id = instance.pk
    after_commit(lambda: _sync_place(unit_id=unit_id))


@receiver(post_save, sender="org.Department", dispatch_uid="oa.messaging.sync_department_group")
def sync_department_group(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or created or (update_fields is not None and "is_active" not in update_fields):
        return
    department_id = instance.pk
    after_commit(lambda: _sync_place(department_id=department_id))


@receiver(pre_delete, sender="org.Department", dispatch_uid="oa.messaging.retire_department_group")
def retire_department_group(sender, instance, **kwargs):
    # Inside the deleting transaction, before the row goes (Conversation.department is DO_NOTHING).
    from oa.messaging.orgsync import retire_department_group as retire

    retire(instance)
