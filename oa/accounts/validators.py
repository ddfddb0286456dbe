"""Password rules (等保 level 3: length plus character variety) and the password-age stamp."""

import string

from django.contrib.auth.password_validation import MinimumLengthValidator as _DjangoMinimumLength
from django.core.exceptions import ValidationError
from django.utils import timezone

# Order matters: it is the order the classes are named in messages.
CHARACTER_CLASSES = (
    ("upper", "大写字母"),
    ("lower", "小写字母"),
    ("digit", "数字"),
    ("symbol", "特殊符号"),
)


def character_classes(password: str) -> set[str]:
    """The classes present in ``password``. Anything that is not an ASCII letter or digit (punctuation,
    spaces, full-width or Chinese characters) counts as a symbol: it widens the search space just as well."""
    found = set()
    for ch in password:
        if ch in string.ascii_uppercase:
            found.add("upper")
        elif ch in string.ascii_lowercase:
            found.add("lower")
        elif ch in string.digits:
            found.add("digit")
        else:
            found.add("symbol")
    return found


def _names(classes) -> str:
    return "、".join(label for key, label in CHARACTER_CLASSES if key in classes)


class CharacterClassValidator:
    """At least ``min_classes`` of: upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        if not 1 <= min_classes <= len(CHARACTER_CLASSES):
            raise ValueError("min_classes must be between 1 and 4")
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = character_classes(password or "")
        if len(present) >= self.min_classes:
            return
        missing = {key for key, _ in CHARACTER_CLASSES} - present
        if present:
            detail = f"当前只包含：{_names(present)}；还可加入：{_names(missing)}。"
        else:
            detail = ""
        raise ValidationError(
            f"密码至少要包含大写字母、小写字母、数字、特殊符号中的 {self.min_classes} 类。{detail}",
            code="password_too_simple",
            params={"min_classes": self.min_classes},
        )

    def get_help_text(self):
        return f"密码至少要包含大写字母、小写字母、数字、特殊符号中的 {self.min_classes} 类。"


class PasswordChangedRecorder:
    """Stamps ``password_changed_at`` whenever a password is saved, whoever saves it (password page,
    Django admin, management commands, services).  Django calls ``password_changed`` on every configured
    validator after ``set_password()`` followed by ``save()``; it validates nothing itself."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or not hasattr(user, "password_changed_at"):
            return
        now = timezone.now()
        type(user)._default_manager.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now

    def get_help_text(self):
        return ""


class MinimumLengthValidator(_DjangoMinimumLength):
    """Django's rule with a Chinese message (Django 5.2 changed the message and its zh-Hans catalogue
    has not caught up, so the stock validator answers in English)."""

    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"
