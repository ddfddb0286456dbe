"""Sockets die with the session: on logout the sockets opened with that session are closed."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from oa.todo.push import close_session_sockets


@receiver(user_logged_out, dispatch_uid="oa.todo.close_sockets_on_logout")
def close_sockets_on_logout(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if session_key:
        close_session_sockets(session_key)
