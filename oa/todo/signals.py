"""Sockets die with the session or the account: on logout the sockets opened with that session are closed,
and when an account is deactivated (oa.org.services.deactivate_person, the admin) every socket of that
person is closed once the change has committed.

Listening here keeps oa.org free of any import of oa.todo."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from oa.todo.push import close_session_sockets, close_user_sockets


@receiver(user_logged_out, dispatch_uid="oa.todo.close_sockets_on_logout")
def close_sockets_on_logout(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if session_key:
        close_session_sockets(session_key)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="oa.todo.close_sockets_on_deactivation")
def close_sockets_on_deactivation(sender, instance, created, update_fields=None, **kwargs):
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return  # e.g. last_login or the staff flag of an already inactive account: no socket to close
    close_user_sockets(instance.pk)  # runs after commit; nothing is sent if the transaction rolls back
