"""Organisation browser: the unit tree by level (children loaded on demand, so 20,000 units stay fast),
search by name / short name / 机关代字, and a page per unit with its departments, people and roles."""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from oa import permissions as perms
from oa.org import tree
from oa.org.models import Department, Level, Person, RoleAssignment, Unit

SEARCH_LIMIT = 50
CHILDREN_ON_PAGE = 300


def _require_view(request):
    if not perms.can(request.user, "org.view_unit"):
        raise PermissionDenied("您无权查看组织机构。")


def _with_children_flag(qs, *, active_only: bool = True):
    children = Unit.objects.filter(parent=OuterRef("pk"))
    if active_only:
        children = children.filter(is_active=True)
    return qs.annotate(has_children=Exists(children))


def _child_groups(parent: Unit | None, children):
    """Children grouped by level: the parent's own level first (本级部门), then the level below."""
    groups = []
    for level, items in groupby(children, key=lambda u: u.level):
        items = list(items)
        if parent is not None and level == parent.level:
            label = "本级部门和单位"
        else:
            label = f"{tree.level_label(level)}级"
        groups.append({"label": label, "level": level, "units": items})
    return groups


def _children_of(parent: Unit | None, *, active_only: bool = True):
    qs = Unit.objects.filter(parent=parent) if parent is not None else Unit.objects.filter(parent__isnull=True)
    if active_only:
        qs = qs.filter(is_active=True)
    return list(
        _with_children_flag(qs, active_only=active_only).order_by("level", "sort_order", "pk")[:CHILDREN_ON_PAGE]
    )


@login_required
def browser(request):
    _require_view(request)
    q = (request.GET.get("q") or "").strip()
    level = request.GET.get("level") or ""
    context = {"q": q, "level": level, "levels": Level.choices, "nav_key": "org"}
    if q or level:
        qs = Unit.objects.filter(is_active=True)
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q))
        if level.isdigit():
            qs = qs.filter(level=int(level))
        results = list(qs.order_by("level", "path")[: SEARCH_LIMIT + 1])
        more = len(results) > SEARCH_LIMIT
        results = results[:SEARCH_LIMIT]
        ancestor_ids = {pk for unit in results for pk in tree.ancestor_ids(unit)}
        names = dict(Unit.objects.filter(pk__in=ancestor_ids).values_list("pk", "short_name"))
        for unit in results:
            unit.trail = [names.get(pk, "") for pk in tree.ancestor_ids(unit)]
        context.update(results=results, more=more)
    else:
        roots = _children_of(None)
        context["groups"] = _child_groups(None, roots)
    own = request.user.unit
    if own is not None:
        context["own_unit"] = own
    return render(request, "org/browser.html", context)


@login_required
def children(request, pk):
    """HTML fragment: the children of one unit, for the tree's lazy expansion."""
    _require_view(request)
    parent = get_object_or_404(Unit, pk=pk)
    units = _children_of(parent)
    return render(
        request,
        "org/_tree_nodes.html",
        {"groups": _child_groups(parent, units), "truncated": len(units) >= CHILDREN_ON_PAGE, "parent": parent},
    )


@login_required
def unit_detail(request, pk):
    _require_view(request)
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    today = timezone.localdate()
    roles = Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.filter(unit=unit).order_by("role"),
        to_attr="unit_roles",
    )
    people = list(
        Person.objects.filter(unit=unit, is_active=True)
        .select_related("department")
        .prefetch_related(roles)
        .order_by("sort_order", "pk")
    )
    departments = list(Department.objects.filter(unit=unit, is_active=True).order_by("sort_order", "pk"))
    by_department: dict[int | None, list] = {}
    for person in people:
        by_department.setdefault(person.department_id, []).append(person)
    sections = []
    top = [d for d in departments if d.parent_id is None]
    for dept in top:
        sections.append({"department": dept, "sub": False, "people": by_department.get(dept.pk, [])})
        for sub in (d for d in departments if d.parent_id == dept.pk):
            sections.append({"department": sub, "sub": True, "people": by_department.get(sub.pk, [])})
    unplaced = by_department.get(None, [])
    kids = _children_of(unit, active_only=False)
    delegations = list(
        perms.active_delegations(today).filter(unit=unit).select_related("principal", "deputy").order_by("start_date")
    )
    context = {
        "unit": unit,
        "nav_key": "org",
        "ancestors": list(tree.ancestors(unit)),
        "superiors": list(unit.superiors.order_by("level", "path")),
        "guided": list(unit.guided_units.order_by("level", "path")),
        "child_groups": _child_groups(unit, kids),
        "children_truncated": len(kids) >= CHILDREN_ON_PAGE,
        "sections": sections,
        "unplaced": unplaced,
        "people_count": len(people),
        "delegations": delegations,
        "can_manage": perms.can(request.user, "org.manage_unit", unit),
    }
    return render(request, "org/unit_detail.html", context)
