"""Who acts at a step: the unit's configured ``StepActor`` rows, else the holders of the matching role."""

from oa.org import roles as org_roles
from oa.org.models import LeaderKind, Person, Role

from .models import FlowSetting, StepActor

ROLE_OF_STEP = {
    "office_review": (Role.REVIEWER, Role.CLERK),
    "numbering": (Role.CLERK,),
    "sealing": (Role.SEAL_KEEPER, Role.CLERK),
    "distributing": (Role.CLERK,),
    "receiving": (Role.CLERK,),
    "registering": (Role.CLERK,),
    "initial_review": (Role.CLERK,),
    "proposing": (Role.REVIEWER, Role.CLERK),
}


def configured(unit, kind: str, step: str, department=None) -> list[Person]:
    rows = StepActor.objects.filter(unit=unit, kind=kind, step=step, person__is_active=True).select_related("person")
    if department is not None and rows.filter(department=department).exists():
        rows = rows.filter(department=department)
    return [row.person for row in rows.order_by("person__sort_order", "person_id")]


def holders(unit, role: str) -> list[Person]:
    """Direct holders only: deputies act on the holder's task (代签), they get no task of their own."""
    return list(
        Person.objects.filter(is_active=True, role_assignments__unit=unit, role_assignments__role=role)
        .distinct()
        .order_by("sort_order", "pk")
    )


def default_actors(unit, kind: str, step: str, department=None) -> list[Person]:
    people = configured(unit, kind, step, department)
    if people:
        return people
    for role in ROLE_OF_STEP.get(step, ()):
        people = holders(unit, role)
        if people:
            return people
    return []


def signers(unit, *, principal_only: bool) -> list[Person]:
    query = Person.objects.filter(is_active=True, role_assignments__unit=unit, role_assignments__role=Role.SIGNER)
    if principal_only:
        query = query.filter(role_assignments__leader_kind=LeaderKind.PRINCIPAL)
    return list(query.distinct().order_by("sort_order", "pk"))


def is_signer(person, unit, *, principal_only: bool = False) -> bool:
    return any(p.pk == person.pk for p in signers(unit, principal_only=principal_only))


def effective_signer_ids(unit) -> set[int]:
    return {p.pk for p in org_roles.effective_holders(unit, Role.SIGNER)}


def setting_of(unit) -> FlowSetting:
    return FlowSetting.objects.filter(unit=unit).first() or FlowSetting(unit=unit)
