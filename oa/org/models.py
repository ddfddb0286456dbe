"""Organisation: units on five levels, their departments, people, roles and delegations.

Invariants that need the database (tree shape, cycles, role scope) are enforced in ``oa.org.services``;
the models keep the data and the cheap field-level rules.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q


class Level(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "县(区)"
    TOWN = 4, "镇(街)"
    VILLAGE = 5, "村(居)"


class UnitKind(models.TextChoices):
    PARTY = "party", "党委"
    CONGRESS = "congress", "人大"
    GOVERNMENT = "government", "政府"
    CPPCC = "cppcc", "政协"
    GOV_DEPARTMENT = "gov_department", "政府部门"
    PARTY_DEPARTMENT = "party_department", "党委部门"
    COURT = "court", "法院"
    PROCURATORATE = "procuratorate", "检察院"
    INSTITUTION = "institution", "事业单位"
    MASS_ORGANISATION = "mass_organisation", "群团组织"
    VILLAGE_COMMITTEE = "village_committee", "村(居)委会"


class Unit(models.Model):
    """A 机关/单位. ``parent`` is its place in the tree: the government it belongs to at the same level
    (阳江市人民政府 → 阳江市教育局) or the unit one level up (阳江市人民政府 → 江城区人民政府)."""

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40)
    code = models.CharField("机关代字", max_length=20, blank=True, help_text="用于发文字号，如 阳府办")
    kind = models.CharField("类型", max_length=24, choices=UnitKind.choices)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    region = models.CharField("行政区划", max_length=100, blank=True, help_text="如 广东省阳江市江城区")
    fonds_number = models.CharField("全宗号", max_length=20, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of primary keys ("/1/7/42/"): subtree queries without recursion on 20,000 units.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    superiors = models.ManyToManyField(
        "self",
        verbose_name="双重领导（业务上级）",
        symmetrical=False,
        blank=True,
        related_name="guided_units",
        through="UnitGuidance",
    )
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "kind"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class UnitGuidance(models.Model):
    """Double leadership (双重领导): a unit also answers to a superior outside its own tree branch,
    e.g. 阳江市教育局 under 广东省教育厅."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="guidance_links")
    superior = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "双重领导关系"
        verbose_name_plural = "双重领导关系"
        constraints = [
            models.UniqueConstraint(fields=["unit", "superior"], name="org_guidance_unique"),
            models.CheckConstraint(condition=~Q(unit=models.F("superior")), name="org_guidance_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ← {self.superior}"


class Department(models.Model):
    """内设机构 inside a unit (办公室, 秘书科 …); may nest one level (科室 under 处室)."""

    unit = models.ForeignKey(Unit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="departments")
    name = models.CharField("名称", max_length=60)
    parent = models.ForeignKey(
        "self", verbose_name="上级内设机构", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "内设机构"
        verbose_name_plural = "内设机构"
        ordering = ["unit_id", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="org_department_unique_name")]

    def __str__(self) -> str:
        return f"{self.unit.short_name}·{self.name}"


class PersonManager(UserManager):
    pass


class Person(AbstractUser):
    """A person who signs in. Belongs to one unit (and usually a department) with a title."""

    name = models.CharField("姓名", max_length=40)
    unit = models.ForeignKey(
        Unit, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    department = models.ForeignKey(
        Department, verbose_name="内设机构", null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    title = models.CharField("职务", max_length=60, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    sort_order = models.IntegerField("排序", default=0)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    objects = PersonManager()

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["unit_id", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    def get_short_name(self) -> str:
        return self.name or self.username


class Role(models.TextChoices):
    CLERK = "clerk", "收发员"
    REVIEWER = "reviewer", "核稿人"
    SIGNER = "signer", "签发人"
    SEAL_KEEPER = "seal_keeper", "印章管理员"
    ARCHIVIST = "archivist", "档案员"
    SUPERVISOR = "supervisor", "督查员"
    UNIT_ADMIN = "unit_admin", "单位管理员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


# 三员: the three platform administrators. Nobody holds two of them.
THREE_ADMINS = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


class LeaderKind(models.TextChoices):
    PRINCIPAL = "principal", "主要负责人"
    DEPUTY = "deputy", "分管领导"


class RoleAssignment(models.Model):
    """A role a person holds in a unit (the unit is the scope: 收发员 of 阳江市教育局)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    leader_kind = models.CharField(
        "领导类别", max_length=12, choices=LeaderKind.choices, blank=True, help_text="仅签发人：主要负责人或分管领导"
    )
    granted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="授予人"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(fields=["person", "unit", "role"], name="org_role_unique"),
            models.CheckConstraint(
                condition=Q(role="signer", leader_kind__in=["principal", "deputy"])
                | (~Q(role="signer") & Q(leader_kind="")),
                name="org_role_leader_kind_only_for_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.unit.short_name} · {self.get_role_display()}"


class Delegation(models.Model):
    """代理: a leader's approvals handled by a deputy for a date range (inclusive)."""

    principal = models.ForeignKey(
        Person, verbose_name="被代理人", on_delete=models.CASCADE, related_name="delegations_given"
    )
    deputy = models.ForeignKey(
        Person, verbose_name="代理人", on_delete=models.CASCADE, related_name="delegations_received"
    )
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("代理角色", max_length=20, choices=Role.choices, default=Role.SIGNER)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=200, blank=True)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "代理授权"
        verbose_name_plural = "代理授权"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="org_delegation_dates"),
            models.CheckConstraint(condition=~Q(principal=models.F("deputy")), name="org_delegation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.principal} → {self.deputy}（{self.start_date}～{self.end_date}）"
