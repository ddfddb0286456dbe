from django.conf import settings
from django.core.checks import Error, register


@register()
def sqlite_serialises_writers(app_configs=None, **kwargs):
    return sqlite_transaction_mode_errors(settings.DATABASES)


def sqlite_transaction_mode_errors(databases: dict) -> list[Error]:
    """On SQLite the chain relies on BEGIN IMMEDIATE to serialise appends (select_for_update is a no-op)."""
    errors = []
    for alias, db in databases.items():
        if db.get("ENGINE") != "django.db.backends.sqlite3":
            continue
        if str(db.get("OPTIONS", {}).get("transaction_mode", "")).upper() != "IMMEDIATE":
            errors.append(
                Error(
                    f"数据库 {alias}（SQLite）必须设置 OPTIONS['transaction_mode'] = 'IMMEDIATE'",
                    hint="审计链依靠 IMMEDIATE 事务串行化追加，否则并发写入会分叉或报错。",
                    id="audit.E001",
                )
            )
    return errors
