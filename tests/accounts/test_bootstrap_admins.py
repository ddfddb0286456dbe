"""Production starts with three separate administrators, never with a superuser."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from oa.accounts.validators import CharacterClassValidator
from oa.org.models import THREE_ADMINS, Person, Role
from tests.factories import UnitFactory


def run(*args):
    out = StringIO()
    call_command("bootstrap_admins", *args, stdout=out)
    return out.getvalue()


def test_creates_three_separate_admins_who_must_change_their_password(db, client, events):
    unit = UnitFactory(fonds_number="X001")
    output = run("--unit", "X001")
    passwords = dict(re.findall(r"用户名 (\S+)  初始密码 (\S+)", output))
    assert set(passwords) == {"sysadmin", "secadmin", "auditadmin"}
    for username, role in zip(("sysadmin", "secadmin", "auditadmin"), THREE_ADMINS, strict=True):
        person = Person.objects.get(username=username)
        assert not person.is_superuser
        assert [a.role for a in person.role_assignments.all()] == [role]
        assert person.role_assignments.get().unit == unit
        CharacterClassValidator(min_classes=4).validate(passwords[username])

    response = client.post("/accounts/login/", {"username": "secadmin", "password": passwords["secadmin"]})
    assert response["Location"] == "/accounts/password/"
    assert events("accounts.bootstrap_admins")


def test_runs_only_once(db):
    UnitFactory(fonds_number="X001")
    run("--unit", "X001")
    with pytest.raises(CommandError, match="三员已经初始化"):
        run("--unit", "X001", "--system", "a", "--security", "b", "--audit", "c")


def test_refuses_one_person_for_two_roles(db):
    UnitFactory(fonds_number="X001")
    with pytest.raises(CommandError, match="三个不同的账号"):
        run("--unit", "X001", "--system", "same", "--security", "same")
    assert not Person.objects.filter(role_assignments__role=Role.SYSTEM_ADMIN).exists()
