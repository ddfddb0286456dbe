"""Reading axes' failure records: is an account locked, until when, and is an address spraying.

axes decides the lock itself (AXES_FAILURE_LIMIT failures per username within AXES_COOLOFF_TIME); these
helpers compute the same thing from the same rows so pages can say *until when*.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


@dataclass(frozen=True)
class LockStatus:
    username: str
    failures: int
    locked: bool
    unlock_at: datetime | None

    @property
    def minutes_left(self) -> int:
        if not self.locked or self.unlock_at is None:
            return 0
        seconds = (self.unlock_at - timezone.now()).total_seconds()
        return max(1, int(-(-seconds // 60)))  # round up: "1 分钟" until the very end


def cool_off() -> timedelta:
    return get_cool_off() or timedelta(0)


def failure_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def _window_start(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - cool_off()


def _status_from_rows(username: str, rows: list[tuple[datetime, int]]) -> LockStatus:
    """rows: (attempt_time, failures) in the window. The lock ends when enough rows have aged out of
    the window for the sum to drop below the limit."""
    limit = failure_limit()
    total = sum(f for _, f in rows)
    if total < limit:
        return LockStatus(username, total, False, None)
    remaining = total
    unlock_at = None
    for attempt_time, failures in sorted(rows):
        remaining -= failures
        if remaining < limit:
            unlock_at = attempt_time + cool_off()
            break
    return LockStatus(username, total, True, unlock_at)


def lock_status(username: str) -> LockStatus:
    rows = list(
        AccessAttempt.objects.filter(username=username, attempt_time__gte=_window_start()).values_list(
            "attempt_time", "failures_since_start"
        )
    )
    return _status_from_rows(username, rows)


def locked_accounts() -> list[LockStatus]:
    """Every username locked right now, soonest unlock first."""
    per_user: dict[str, list[tuple[datetime, int]]] = {}
    for username, attempt_time, failures in AccessAttempt.objects.filter(
        attempt_time__gte=_window_start(), username__isnull=False
    ).values_list("username", "attempt_time", "failures_since_start"):
        per_user.setdefault(username, []).append((attempt_time, failures))
    statuses = [_status_from_rows(name, rows) for name, rows in per_user.items()]
    locked = [s for s in statuses if s.locked]
    locked.sort(key=lambda s: (s.unlock_at, s.username))
    return locked


def address_failures(address: str) -> int:
    if not address:
        return 0
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=_window_start()).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


def address_blocked(address: str) -> bool:
    """Password spraying guard: too many failures from one address, over all usernames, in the window.
    Successful logins clear their username's failures, so a busy shared NAT address does not trip it."""
    limit = int(getattr(settings, "LOCKOUT_ADDRESS_FAILURES", 0) or 0)
    return bool(limit) and address_failures(address) >= limit


def recent_failures(limit: int = 50):
    return AccessFailureLog.objects.order_by("-attempt_time")[:limit]


def clear_failures(username: str) -> int:
    """Forget the failures counted against ``username`` (the lock goes with them)."""
    from axes.utils import reset

    return reset(username=username)
