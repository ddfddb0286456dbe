"""Authentication guard for 三员 separation.

Django lets an ``is_superuser`` account pass every permission check (``PermissionsMixin.has_perm``
returns True before any backend is asked), which would give one person the powers of the 系统管理员,
安全管理员 and 审计管理员 at once.  Platform administration is done through the three roles instead, so
superuser accounts may not sign in at all.  This backend sits after axes and before ``ModelBackend``:
raising ``PermissionDenied`` stops ``authenticate()``, which then reports a failed login (audited and
counted by axes) without saying why to the client.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

REFUSAL_ATTR = "oa_login_refusal"
SUPERUSER_REFUSAL = "superuser"


class NoSuperuserLoginBackend:
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return None
        model = get_user_model()
        is_superuser = model._default_manager.filter(
            **{model.USERNAME_FIELD: username, "is_superuser": True}
        ).exists()
        if is_superuser:
            if request is not None:
                setattr(request, REFUSAL_ATTR, SUPERUSER_REFUSAL)
            raise PermissionDenied("superuser accounts may not sign in")
        return None

    # No get_user(): sessions must name the backend that really authenticated (ModelBackend), and
    # Django's test client picks the first backend that has one for force_login().
