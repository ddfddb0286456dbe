"""factory-boy factories for the organisation (usable by every app's tests).

They write straight to the database (no permission checks, no audit events) but keep the invariants the
services keep: units get a valid materialised path, a child's level defaults to one below its parent, a
role is held in the person's own unit, 签发人 gets a leader kind.

    unit = UnitFactory(parent=city)                  # county level under a city
    dept = UnitFactory(parent=city, level=city.level, kind=UnitKind.GOV_DEPARTMENT)
    person = PersonFactory(unit=dept, title="科员")
    RoleAssignmentFactory(person=person, role=Role.SIGNER)   # principal signer in person's unit
"""

import datetime

import factory
from django.utils import timezone

from oa.org import tree
from oa.org.models import (
    Delegation,
    Department,
    LeaderKind,
    Level,
    Person,
    Role,
    RoleAssignment,
    Unit,
    UnitGuidance,
    UnitKind,
)

PASSWORD = "Gd-Test-Passw0rd!"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    parent = None
    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = factory.LazyAttribute(lambda o: o.name[:12])
    code = factory.Sequence(lambda n: f"测{n}")
    kind = factory.LazyAttribute(
        lambda o: UnitKind.VILLAGE_COMMITTEE if o.level == Level.VILLAGE else UnitKind.GOVERNMENT
    )
    level = factory.LazyAttribute(lambda o: min(o.parent.level + 1, Level.VILLAGE) if o.parent else Level.PROVINCE)
    fonds_number = factory.Sequence(lambda n: f"Q{n:05d}")
    region = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        unit = super()._create(model_class, *args, **kwargs)
        tree.assign_path(unit)
        unit.save(update_fields=["path", "depth"])
        return unit


class UnitGuidanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitGuidance

    unit = factory.SubFactory(UnitFactory)
    superior = factory.SubFactory(UnitFactory)
    note = ""


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"第{n}科")
    parent = None


class PersonFactory(factory.django.DjangoModelFactory):
    """A person who can sign in with ``PASSWORD``."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    name = factory.Faker("name", locale="zh_CN")
    unit = factory.SubFactory(UnitFactory)
    department = None
    title = "科员"
    password_changed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    """A role in the person's own unit; is_staff follows admin roles as the services do."""

    class Meta:
        model = RoleAssignment
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    unit = factory.LazyAttribute(lambda o: o.person.unit)
    role = Role.CLERK
    leader_kind = factory.LazyAttribute(lambda o: LeaderKind.PRINCIPAL if o.role == Role.SIGNER else "")

    @factory.post_generation
    def staff_flag(obj, create, extracted, **kwargs):
        from oa import permissions
        from oa.org.roles import sync_staff_flag

        if create:
            sync_staff_flag(obj.person)
            permissions.forget_roles(obj.person)


class DelegationFactory(factory.django.DjangoModelFactory):
    """Today-and-a-week delegation of the principal's role to a colleague of the same unit."""

    class Meta:
        model = Delegation

    principal = factory.SubFactory(PersonFactory)
    deputy = factory.SubFactory(PersonFactory, unit=factory.SelfAttribute("..principal.unit"))
    unit = factory.LazyAttribute(lambda o: o.principal.unit)
    role = Role.SIGNER
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=7))
    reason = "出差"
