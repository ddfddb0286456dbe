"""Test settings: the same as production code paths, with fast hashing and eager tasks."""

from oa.settings import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AUDIT_SIGNING_KEY_FILE = str(VAR_DIR / "test-keys" / "audit-ed25519.pem")  # noqa: F405

# whitenoise warns at start-up when STATIC_ROOT is missing; tests serve from the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
