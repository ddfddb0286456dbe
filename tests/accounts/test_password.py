"""Password policy (10+ characters, 3 of 4 classes), the password page and password age."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from oa.accounts.validators import CharacterClassValidator
from tests.factories import PASSWORD, PersonFactory

NEW = "Yangjiang#2025x"


@pytest.mark.parametrize(
    "password, accepted",
    [
        ("Abcdefgh12", True),  # upper, lower, digit
        ("abcdefgh1!", True),  # lower, digit, symbol
        ("ABCDEFG#$1", True),  # upper, symbol, digit
        ("abcdefghij", False),
        ("abcdefgh12", False),  # two classes only
        ("ABCDEFGHI!", False),
        ("密码密码密码abcd", False),  # Chinese counts as a symbol: lower + symbol = two
        ("密码密码密码abc1", True),
    ],
)
def test_character_classes(password, accepted):
    validator = CharacterClassValidator(min_classes=3)
    if accepted:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError):
            validator.validate(password)


def test_messages_are_chinese_and_say_what_is_missing(db):
    with pytest.raises(ValidationError) as exc:
        validate_password("abcdefgh12")
    messages = " ".join(exc.value.messages)
    assert "大写字母、小写字母、数字、特殊符号中的 3 类" in messages
    assert "当前只包含：小写字母、数字" in messages
    assert "还可加入：大写字母、特殊符号" in messages


def test_short_passwords_are_refused_in_chinese(db):
    with pytest.raises(ValidationError) as exc:
        validate_password("Ab1!xyz")
    assert "密码太短，至少需要 10 个字符。" in exc.value.messages


def test_password_page_lists_the_rules_in_chinese(personas, client):
    client.force_login(personas.yj_staff)
    body = client.get("/accounts/password/").content.decode()
    assert "密码至少需要 10 个字符" in body
    assert "大写字母、小写字母、数字、特殊符号中的 3 类" in body
    assert "<li></li>" not in body


def test_change_password_page(personas, client, attempt, events):
    person = personas.yj_staff
    old_stamp = person.password_changed_at
    attempt("yj_staff")
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and "修改密码" in page.content.decode()

    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert person.password_changed_at > old_stamp
    assert client.get("/").status_code == 200  # this session stays signed in
    assert events("password_changed")[0].actor_id == person.pk


@pytest.mark.parametrize(
    "data, message",
    [
        ({"old_password": "Not-the-0ld!", "new_password1": NEW, "new_password2": NEW}, "原密码不正确"),
        ({"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"}, "两次输入的新密码不一致"),
        ({"old_password": PASSWORD, "new_password1": "abcdefgh12", "new_password2": "abcdefgh12"}, "3 类"),
        ({"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}, "不能与原密码相同"),
    ],
)
def test_change_password_refusals(personas, client, data, message):
    client.force_login(personas.yj_staff)
    response = client.post("/accounts/password/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    personas.yj_staff.refresh_from_db()
    assert personas.yj_staff.check_password(PASSWORD)


def test_any_password_save_stamps_the_change_time(db):
    person = PersonFactory()
    person.password_changed_at = None
    person.save(update_fields=["password_changed_at"])
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        person.set_password(NEW)
        person.save()
        person.refresh_from_db()
        assert person.password_changed_at == timezone.now()


def test_expired_password_must_be_changed_before_anything_else(personas, client, attempt, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        response = attempt("yj_staff")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password/"
        assert client.get("/").status_code == 302
        assert client.get("/todo/")["Location"] == "/accounts/password/"
        assert client.get("/", HTTP_ACCEPT="application/json").status_code == 403
        assert "已过期" in client.get("/accounts/password/").content.decode()
        client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
        assert client.get("/").status_code == 200


def test_password_age_counts_from_account_creation_when_unknown(personas, client, attempt, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    person = personas.yj_staff
    type(person).objects.filter(pk=person.pk).update(password_changed_at=None)
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        assert attempt("yj_staff")["Location"] == "/"


def test_expiry_can_be_switched_off(personas, attempt, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    with time_machine.travel(timezone.now() + timedelta(days=1000), tick=False):
        assert attempt("yj_staff")["Location"] == "/"
