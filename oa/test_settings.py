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

# SQLite: test on a file (WAL, IMMEDIATE transactions) like production, not on Django's shared-cache
# in-memory database, whose table locks fail concurrent writers at once instead of queueing them
# (tests/audit/test_concurrency.py). One file per test run, so parallel runs do not collide.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import os as _os
    import tempfile as _tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": _os.path.join(_tempfile.gettempdir(), f"oa-test-{_os.getpid()}.sqlite3")
    }

# Search: the embedded index of a test run lives in its own temporary file, never in VAR_DIR.
SEARCH_SQLITE_PATH = __import__("os").path.join(
    __import__("tempfile").gettempdir(), f"oa-test-search-{__import__('os').getpid()}.sqlite3"
)
