"""The demo organisation as plain data: every unit, department, person, role, double-leadership link and
delegation that ``seed_demo`` writes.  Building the plan touches no database and is deterministic for a
seed, so a second run of the seeder finds exactly the same keys (全宗号, usernames) and adds nothing.
"""

import random
from dataclasses import dataclass, field

from oa.org.demo import names
from oa.org.demo.places import (
    BASIC_COUNTY_BUREAUS,
    BUREAUS,
    BUREAUS_BY_KEY,
    CITIES,
    GEOLOGY,
    GOV_OFFICE_INDEX,
    HIGH_TECH_ZONE_PARTY,
    PROVINCE,
    VILLAGE_STEMS,
    Bureau,
    City,
    County,
    Town,
)
from oa.org.models import LeaderKind, Level, Role, UnitKind

DEFAULT_SEED = 20260101

# Role tuples: (role, leader_kind)
PRINCIPAL_SIGNER = (Role.SIGNER.value, LeaderKind.PRINCIPAL.value)
DEPUTY_SIGNER = (Role.SIGNER.value, LeaderKind.DEPUTY.value)
REVIEWER = (Role.REVIEWER.value, "")
CLERK = (Role.CLERK.value, "")
SEAL_KEEPER = (Role.SEAL_KEEPER.value, "")
ARCHIVIST = (Role.ARCHIVIST.value, "")
SUPERVISOR = (Role.SUPERVISOR.value, "")
UNIT_ADMIN = (Role.UNIT_ADMIN.value, "")

# Roles every unit of the demo has someone for.
UNIT_ROLES = (Role.CLERK, Role.REVIEWER, Role.SIGNER, Role.SEAL_KEEPER, Role.ARCHIVIST, Role.UNIT_ADMIN)


@dataclass
class PersonSpec:
    username: str
    name: str
    title: str
    department: str | None
    roles: tuple[tuple[str, str], ...]
    phone: str = ""
    sort_order: int = 0
    slot: str = ""  # position in the unit's roster (principal, clerk …), used to pick demo logins


@dataclass
class DepartmentSpec:
    name: str
    parent: str | None = None


@dataclass
class UnitSpec:
    fonds: str
    name: str
    short_name: str
    kind: str
    level: int
    code: str
    region: str
    parent: str | None  # 全宗号 of the parent unit
    sort_order: int = 0
    departments: list[DepartmentSpec] = field(default_factory=list)
    staff: list[PersonSpec] = field(default_factory=list)


@dataclass(frozen=True)
class GuidanceSpec:
    unit: str
    superior: str
    note: str


@dataclass(frozen=True)
class DelegationSpec:
    principal: str  # username
    deputy: str
    unit: str  # 全宗号
    days: int
    reason: str
    role: str = Role.SIGNER.value


@dataclass(frozen=True)
class DemoLogin:
    username: str
    purpose: str


@dataclass
class DemoPlan:
    units: list[UnitSpec]
    guidance: list[GuidanceSpec]
    delegations: list[DelegationSpec]
    demo_logins: list[DemoLogin]

    def people(self):
        for unit in self.units:
            for person in unit.staff:
                yield unit, person


# --- staff rosters ---------------------------------------------------------------------------------------

_SECTION_SUFFIX = {Level.PROVINCE: "处", Level.CITY: "科", Level.COUNTY: "股"}
_SECTION_HEAD = {Level.PROVINCE: "处长", Level.CITY: "科长", Level.COUNTY: "股长"}
_STAFF_TITLES = {
    Level.PROVINCE: ("一级主任科员", "二级主任科员", "一级科员"),
    Level.CITY: ("一级主任科员", "四级主任科员", "一级科员", "科员"),
    Level.COUNTY: ("四级主任科员", "一级科员", "科员"),
    Level.TOWN: ("一级科员", "科员", "办事员"),
}


@dataclass
class Roster:
    """Who a unit has: leaders, the office that reviews and handles documents, and other staff."""

    principal: str
    deputy: str
    deputies: int = 2
    reviewer: tuple[str, str | None] = ("办公室主任", "办公室")  # (title, department)
    office: str | None = "办公室"  # department of clerk, seal keeper, archivist and unit admin
    staff_title: str | None = None  # fixed title for office staff (else drawn from the level's titles)
    supervisor_dept: str | None = None
    keepers: str = "separate"  # separate | combined (seal+archive) | single (seal+archive+admin)
    sections: tuple[str, ...] = ()  # departments where extra staff work
    extra: tuple[int, int] = (0, 0)  # how many extra staff (min, max)


class _Builder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.units: list[UnitSpec] = []
        self.by_fonds: dict[str, UnitSpec] = {}
        self.guidance: list[GuidanceSpec] = []

    # units ------------------------------------------------------------------------------------------
    def unit(self, fonds, name, short_name, kind, level, code, region, parent, sort_order, departments=()):
        spec = UnitSpec(
            fonds=fonds,
            name=name,
            short_name=short_name,
            kind=kind,
            level=level,
            code=code,
            region=region,
            parent=parent.fonds if parent else None,
            sort_order=sort_order,
            departments=[d if isinstance(d, DepartmentSpec) else DepartmentSpec(d) for d in departments],
        )
        assert fonds not in self.by_fonds, fonds
        self.units.append(spec)
        self.by_fonds[fonds] = spec
        return spec

    def guide(self, unit: UnitSpec, superior: UnitSpec, note: str):
        self.guidance.append(GuidanceSpec(unit.fonds, superior.fonds, note))

    # people -----------------------------------------------------------------------------------------
    def phone(self, area: tuple[str, int]) -> str:
        code, digits = area
        first = "8" if digits == 8 else "3"
        return f"{code}-{first}{self.rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"

    def staff(self, unit: UnitSpec, roster: Roster, area: tuple[str, int]):
        titles = _STAFF_TITLES.get(Level(unit.level), _STAFF_TITLES[Level.TOWN])

        def title():
            return roster.staff_title or self.rng.choice(titles)

        slots: list[tuple[str, str, str | None, tuple]] = [("principal", roster.principal, None, (PRINCIPAL_SIGNER,))]
        for i in range(roster.deputies):
            slots.append((f"deputy{i + 1}", roster.deputy, None, (DEPUTY_SIGNER,)))
        slots.append(("reviewer", roster.reviewer[0], roster.reviewer[1], (REVIEWER,)))
        slots.append(("clerk", title(), roster.office, (CLERK,)))
        if roster.keepers == "separate":
            slots.append(("seal_keeper", title(), roster.office, (SEAL_KEEPER,)))
            slots.append(("archivist", title(), roster.office, (ARCHIVIST,)))
            slots.append(("unit_admin", title(), roster.office, (UNIT_ADMIN,)))
        elif roster.keepers == "combined":
            slots.append(("seal_keeper", title(), roster.office, (SEAL_KEEPER, ARCHIVIST)))
            slots.append(("unit_admin", title(), roster.office, (UNIT_ADMIN,)))
        else:
            slots.append(("seal_keeper", title(), roster.office, (SEAL_KEEPER, ARCHIVIST, UNIT_ADMIN)))
        if roster.supervisor_dept:
            slots.append(("supervisor", title(), roster.supervisor_dept, (SUPERVISOR,)))
        if roster.sections:
            head = _SECTION_HEAD.get(Level(unit.level), "主任")
            for i in range(self.rng.randint(*roster.extra)):
                section = roster.sections[i % len(roster.sections)]
                slots.append((f"staff{i + 1}", head if i < len(roster.sections) else title(), section, ()))
        for index, (slot, person_title, department, roles) in enumerate(slots, start=1):
            unit.staff.append(
                PersonSpec(
                    username=staff_username(unit.fonds, index),
                    name=names.person_name(self.rng),
                    title=person_title,
                    department=department,
                    roles=roles,
                    phone=self.phone(area),
                    sort_order=index,
                    slot=slot,
                )
            )


def staff_username(fonds: str, index: int) -> str:
    return "u" + fonds.replace("-", "_") + f"_{index:02d}"


def _sections(level: int, stems: tuple[str, ...]) -> tuple[str, ...]:
    suffix = _SECTION_SUFFIX[Level(level)]
    return tuple(f"{stem}{suffix}" for stem in stems)


def _bureau_leaders(name: str) -> tuple[str, str]:
    if name.endswith("厅"):
        return "厅长", "副厅长"
    if name.endswith("委员会"):
        return "主任", "副主任"
    return "局长", "副局长"


# --- the four leading organs (四套班子) of one place --------------------------------------------------

_GOV_LEADER = {"省": ("省长", "副省长"), "市": ("市长", "副市长"), "区": ("区长", "副区长"), "县": ("县长", "副县长")}


def _four_organs(
    b: _Builder,
    *,
    place: str,
    level: int,
    division: str,
    abbr: str,
    region: str,
    gov_word: str,
    parents: dict[str, UnitSpec] | None,
    area,
    office_word: str,
) -> dict[str, UnitSpec]:
    """中共X委, X人大常委会, X人民政府, X政协 and the government's office (办公厅/办公室)."""
    parents = parents or {}
    s = _SECTION_SUFFIX[Level(level)]
    big = level <= Level.CITY
    office_dept = "办公厅" if level == Level.PROVINCE else "办公室"
    organs = {}
    party = b.unit(
        f"{division}-01",
        f"中共{place}委员会",
        f"{place}委",
        UnitKind.PARTY,
        level,
        f"{abbr}发",
        region,
        parents.get("party"),
        1,
        [office_dept, "组织部", "宣传部"],
    )
    b.staff(
        party,
        Roster(
            "书记",
            "副书记",
            2 if big else 1,
            ("秘书长", office_dept),
            office_dept,
            sections=("组织部", "宣传部"),
            extra=(0, 1) if big else (0, 0),
        ),
        area,
    )
    organs["party"] = party

    congress = b.unit(
        f"{division}-02",
        f"{place}人民代表大会常务委员会",
        f"{place}人大常委会",
        UnitKind.CONGRESS,
        level,
        f"{abbr}常",
        region,
        parents.get("congress"),
        2,
        [office_dept, "法制工作委员会" if big else "法制工作室"],
    )
    b.staff(
        congress,
        Roster(
            "主任",
            "副主任",
            2 if big else 1,
            ("秘书长", office_dept),
            office_dept,
            keepers="separate" if big else "combined",
        ),
        area,
    )
    organs["congress"] = congress

    principal, deputy = _GOV_LEADER[gov_word]
    gov = b.unit(
        f"{division}-03",
        f"{place}人民政府",
        f"{place}政府",
        UnitKind.GOVERNMENT,
        level,
        f"{abbr}府",
        region,
        parents.get("government"),
        3,
    )
    # A government's own people are its leaders and secretaries; its office (below) does the paperwork.
    b.staff(
        gov,
        Roster(principal, deputy, 2 if big else 1, ("秘书长", None), None, staff_title="秘书", keepers="combined"),
        area,
    )
    organs["government"] = gov

    cppcc = b.unit(
        f"{division}-04",
        f"中国人民政治协商会议{place}委员会",
        f"{place}政协",
        UnitKind.CPPCC,
        level,
        f"{abbr}协",
        region,
        parents.get("cppcc"),
        4,
        [office_dept, "提案委员会"],
    )
    b.staff(
        cppcc,
        Roster(
            "主席",
            "副主席",
            2 if big else 1,
            ("秘书长", office_dept),
            office_dept,
            keepers="separate" if big else "combined",
        ),
        area,
    )
    organs["cppcc"] = cppcc

    secretariat = f"秘书{s}"
    supervision = "督查室" if level == Level.PROVINCE else f"督查{s}"
    office = b.unit(
        f"{division}-{GOV_OFFICE_INDEX}",
        f"{place}人民政府{office_word}",
        f"{place}府{office_word[:1]}",
        UnitKind.GOV_DEPARTMENT,
        level,
        f"{abbr}府办",
        region,
        gov,
        1,
        [secretariat, f"综合{s}", supervision, f"信息{s}"],
    )
    b.staff(
        office,
        Roster(
            "主任",
            "副主任",
            2,
            (f"秘书{_SECTION_HEAD[Level(level)]}", secretariat),
            secretariat,
            supervisor_dept=supervision,
            sections=(f"综合{s}", f"信息{s}"),
            extra=(1, 2) if big else (0, 1),
        ),
        area,
    )
    organs["office"] = office
    if parents.get("office"):
        b.guide(office, parents["office"], "业务指导")
    return organs


def _bureau_unit(
    b: _Builder,
    bureau: Bureau,
    *,
    level: int,
    name: str,
    short: str,
    code: str,
    region: str,
    fonds: str,
    parent: UnitSpec,
    sort_order: int,
    area,
    extra=(0, 1),
) -> UnitSpec:
    sections = _sections(level, bureau.sections)
    unit = b.unit(
        fonds, name, short, UnitKind.GOV_DEPARTMENT, level, code, region, parent, sort_order, ["办公室", *sections]
    )
    principal, deputy = _bureau_leaders(name)
    top = level == Level.PROVINCE
    b.staff(
        unit,
        Roster(
            principal,
            deputy,
            2 if top else 1,
            keepers="separate" if top else "combined",
            sections=sections,
            extra=extra,
        ),
        area,
    )
    return unit


# --- the whole tree ------------------------------------------------------------------------------------


def build_plan(seed: int = DEFAULT_SEED) -> DemoPlan:
    b = _Builder(seed)
    province_bureaus = _province(b)
    for city_order, city in enumerate(CITIES, start=1):
        _city(b, city, city_order, province_bureaus)
    demo_logins = _assign_demo_logins(b)
    delegations = [
        DelegationSpec(
            principal="demo_leader",
            deputy="demo_deputy",
            unit=_CITY_OFFICE,
            days=14,
            reason="赴省参加专题培训期间，由分管副主任代为签发",
        ),
    ]
    return DemoPlan(units=b.units, guidance=b.guidance, delegations=delegations, demo_logins=demo_logins)


def _province(b: _Builder) -> dict[str, UnitSpec]:
    region, division, abbr, area = PROVINCE["name"], PROVINCE["division"], PROVINCE["abbr"], PROVINCE["area_code"]
    organs = _four_organs(
        b,
        place="广东省",
        level=Level.PROVINCE,
        division=division,
        abbr=abbr,
        region=region,
        gov_word="省",
        parents=None,
        area=area,
        office_word="办公厅",
    )
    gov = organs["government"]
    bureaus = {"office": organs["office"]}
    for order, bureau in enumerate(BUREAUS, start=2):
        bureaus[bureau.key] = _bureau_unit(
            b,
            bureau,
            level=Level.PROVINCE,
            name=bureau.province_name,
            short=bureau.province_name.replace("广东省", "省"),
            code=bureau.province_code,
            region=region,
            fonds=f"{division}-{bureau.index}",
            parent=gov,
            sort_order=order,
            area=area,
            extra=(1, 2),
        )
    geology = b.unit(
        f"{division}-{GEOLOGY['index']}",
        GEOLOGY["name"],
        GEOLOGY["short"],
        UnitKind.INSTITUTION,
        Level.PROVINCE,
        GEOLOGY["code"],
        region,
        bureaus["nr"],
        1,
        ["办公室", *_sections(Level.PROVINCE, GEOLOGY["sections"])],
    )
    b.staff(
        geology,
        Roster("局长", "副局长", 2, sections=_sections(Level.PROVINCE, GEOLOGY["sections"]), extra=(1, 2)),
        area,
    )
    _platform_admins(b, bureaus["data"], area)
    return {**organs, **bureaus}


def _platform_admins(b: _Builder, data_bureau: UnitSpec, area):
    """三员: the platform's system, security and audit administrators, one role each."""
    admins = (
        ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN),
        ("secadmin", "安全管理员", Role.SECURITY_ADMIN),
        ("auditadmin", "安全审计员", Role.AUDIT_ADMIN),
    )
    start = len(data_bureau.staff) + 1
    for offset, (username, title, role) in enumerate(admins):
        data_bureau.staff.append(
            PersonSpec(
                username=username,
                name=names.person_name(b.rng),
                title=title,
                department="电子政务处",
                roles=((role.value, ""),),
                phone=b.phone(area),
                sort_order=start + offset,
                slot=username,
            )
        )


def _city(b: _Builder, city: City, order: int, province: dict[str, UnitSpec]):
    region = f"{PROVINCE['name']}{city.name}"
    organs = _four_organs(
        b,
        place=city.name,
        level=Level.CITY,
        division=city.division,
        abbr=city.abbr,
        region=region,
        gov_word="市",
        parents=province,
        area=city.area_code,
        office_word="办公室",
    )
    for organ in ("party", "congress", "government", "cppcc"):
        organs[organ].sort_order = order
    gov = organs["government"]
    bureaus = {"office": organs["office"]}
    for bureau_order, bureau in enumerate(BUREAUS, start=2):
        name = f"{city.name}{bureau.local_suffix}"
        unit = _bureau_unit(
            b,
            bureau,
            level=Level.CITY,
            name=name,
            short=name,
            code=f"{city.abbr}{bureau.abbrev}",
            region=region,
            fonds=f"{city.division}-{bureau.index}",
            parent=gov,
            sort_order=bureau_order,
            area=city.area_code,
        )
        b.guide(unit, province[bureau.key], "业务指导（双重领导）")
        bureaus[bureau.key] = unit
    for county_order, county in enumerate(city.counties, start=1):
        _county(b, city, county, county_order, {**organs, **bureaus})


def _county(b: _Builder, city: City, county: County, order: int, city_units: dict[str, UnitSpec]):
    region = f"{PROVINCE['name']}{city.name}{county.name}"
    area = city.area_code
    organs = _four_organs(
        b,
        place=county.name,
        level=Level.COUNTY,
        division=county.division,
        abbr=county.abbr,
        region=region,
        gov_word=county.kind_word,
        parents=city_units,
        area=area,
        office_word="办公室",
    )
    for organ in ("party", "congress", "government", "cppcc"):
        organs[organ].sort_order = order
    gov = organs["government"]
    if county.division == HIGH_TECH_ZONE_PARTY["county"]:
        zone = b.unit(
            f"{county.division}-{HIGH_TECH_ZONE_PARTY['index']:02d}",
            HIGH_TECH_ZONE_PARTY["name"],
            HIGH_TECH_ZONE_PARTY["short"],
            UnitKind.PARTY,
            Level.COUNTY,
            HIGH_TECH_ZONE_PARTY["code"],
            region,
            city_units["party"],
            order,
            ["党政办公室", "组织人事部"],
        )
        b.staff(
            zone, Roster("书记", "副书记", 1, ("党政办公室主任", "党政办公室"), "党政办公室", keepers="combined"), area
        )

    keys = [bu.key for bu in BUREAUS] if county.focal else list(BASIC_COUNTY_BUREAUS)
    is_district = county.kind_word == "区"
    for bureau_order, key in enumerate(keys, start=2):
        bureau = BUREAUS_BY_KEY[key]
        fonds = f"{county.division}-{bureau.index}"
        if bureau.branch_everywhere or (bureau.branch_in_district and is_district):
            # 市公安局江城分局: the city bureau's branch, stationed in the district and answering to it locally.
            name = f"{city.name}{bureau.local_suffix}{county.stem}分局"
            unit = _bureau_unit(
                b,
                bureau,
                level=Level.COUNTY,
                name=name,
                short=f"市{bureau.local_suffix}{county.stem}分局",
                code=f"{city.abbr}{bureau.abbrev}{county.abbr}",
                region=region,
                fonds=fonds,
                parent=city_units[key],
                sort_order=100 + bureau_order,
                area=area,
                extra=(0, 0),
            )
            b.guide(unit, gov, "属地管理")
        else:
            suffix = county.bureau_overrides.get(key, bureau.local_suffix)
            name = f"{county.name}{suffix}"
            unit = _bureau_unit(
                b,
                bureau,
                level=Level.COUNTY,
                name=name,
                short=name,
                code=f"{county.abbr}{bureau.abbrev}",
                region=region,
                fonds=fonds,
                parent=gov,
                sort_order=bureau_order,
                area=area,
                extra=(0, 1) if county.focal else (0, 0),
            )
            b.guide(unit, city_units[key], "业务指导（双重领导）")

    streets = [t for t in county.towns if t.is_street]
    towns = [t for t in county.towns if not t.is_street]
    numbered = [(t, f"{county.division}{i:03d}") for i, t in enumerate(streets, start=1)]
    numbered += [(t, f"{county.division}{i:03d}") for i, t in enumerate(towns, start=100)]
    for town_order, (town, division) in enumerate(numbered, start=1):
        _town(b, county, town, division, town_order, region, area, organs)


def _town(
    b: _Builder,
    county: County,
    town: Town,
    division: str,
    order: int,
    county_region: str,
    area,
    county_organs: dict[str, UnitSpec],
):
    region = f"{county_region}{town.name}"
    if town.is_street:
        gov_name, gov_short, code = f"{county.name}{town.name}办事处", f"{town.name}办", f"{town.stem}办"
        principal, deputy = "主任", "副主任"
        offices = ["党政综合办公室", "经济发展办公室", "社会事务办公室", "城市管理办公室"]
    else:
        gov_name, gov_short, code = f"{county.name}{town.name}人民政府", f"{town.name}政府", f"{town.stem}府"
        principal, deputy = "镇长", "副镇长"
        offices = ["党政综合办公室", "经济发展办公室", "社会事务办公室", "农业农村办公室"]
    gov = b.unit(
        f"{division}-03",
        gov_name,
        gov_short,
        UnitKind.GOVERNMENT,
        Level.TOWN,
        code,
        region,
        county_organs["government"],
        order,
        offices,
    )
    b.staff(
        gov,
        Roster(
            principal,
            deputy,
            2 if county.focal else 1,
            ("党政综合办公室主任", "党政综合办公室"),
            "党政综合办公室",
            keepers="combined",
            sections=tuple(offices[1:]),
            extra=(0, 1),
        ),
        area,
    )

    if county.focal:
        if town.is_street:
            party_name, party_short = f"中共{county.name}{town.name}工作委员会", f"{town.name}党工委"
        else:
            party_name, party_short = f"中共{county.name}{town.name}委员会", f"{town.name}党委"
        party = b.unit(
            f"{division}-01",
            party_name,
            party_short,
            UnitKind.PARTY,
            Level.TOWN,
            f"{town.stem}发",
            region,
            county_organs["party"],
            order,
            ["党建工作办公室"],
        )
        b.staff(
            party, Roster("书记", "副书记", 1, ("组织委员", "党建工作办公室"), "党建工作办公室", keepers="single"), area
        )

    for village_order, village in enumerate(_village_names(b, town, county.focal), start=1):
        is_community = village.endswith("社区")
        stem = village.removesuffix("社区").removesuffix("村")
        number = village_order if is_community else 200 + village_order
        if is_community:
            name, short, v_code = f"{town.name}{stem}社区居民委员会", village, f"{stem}居委"
            principal, deputy = "居委会主任", "居委会副主任"
        else:
            name, short, v_code = f"{town.name}{stem}村民委员会", village, f"{stem}村委"
            principal, deputy = "村委会主任", "村委会副主任"
        unit = b.unit(
            f"{division}{number:03d}-01",
            name,
            short,
            UnitKind.VILLAGE_COMMITTEE,
            Level.VILLAGE,
            v_code,
            f"{region}{village}",
            gov,
            village_order,
        )
        _village_staff(b, unit, principal, deputy, area)


def _village_names(b: _Builder, town: Town, focal: bool) -> list[str]:
    if town.villages:
        return list(town.villages)
    count = 4 if focal else 2
    word = "社区" if town.is_street else "村"
    return [f"{stem}{word}" for stem in b.rng.sample(VILLAGE_STEMS, count)]


def _village_staff(b: _Builder, unit: UnitSpec, principal: str, deputy: str, area):
    """村(居)委会: a chair who signs, a vice-chair who reviews, and the 文书 who keeps the papers."""
    slots = [
        ("principal", principal, (PRINCIPAL_SIGNER,)),
        ("deputy1", deputy, (DEPUTY_SIGNER, REVIEWER)),
        ("clerk", "文书", (CLERK, SEAL_KEEPER, ARCHIVIST, UNIT_ADMIN)),
    ]
    if b.rng.random() < 0.3:
        slots.append(("staff1", "委员", ()))
    for index, (slot, title, roles) in enumerate(slots, start=1):
        unit.staff.append(
            PersonSpec(
                username=staff_username(unit.fonds, index),
                name=names.person_name(b.rng),
                title=title,
                department=None,
                roles=roles,
                phone=b.phone(area),
                sort_order=index,
                slot=slot,
            )
        )


# --- easy demo logins ----------------------------------------------------------------------------------

_CITY_OFFICE = f"441700-{GOV_OFFICE_INDEX}"  # 阳江市人民政府办公室
_DEMO_SLOTS: tuple[tuple[str, str, str, str], ...] = (
    # (全宗号, slot, username, purpose)
    (_CITY_OFFICE, "clerk", "demo_clerk", "收发员：签收、登记、分发公文"),
    (_CITY_OFFICE, "reviewer", "demo_reviewer", "核稿人：审核文稿、拟办"),
    (_CITY_OFFICE, "principal", "demo_leader", "签发人（主要负责人）：签发、批示"),
    (_CITY_OFFICE, "deputy1", "demo_deputy", "签发人（分管领导），并代理 demo_leader 签发"),
    (_CITY_OFFICE, "seal_keeper", "demo_seal", "印章管理员"),
    (_CITY_OFFICE, "archivist", "demo_archivist", "档案员"),
    (_CITY_OFFICE, "supervisor", "demo_supervisor", "督查员：督查督办"),
    (_CITY_OFFICE, "unit_admin", "demo_unitadmin", "单位管理员"),
    (f"441700-{BUREAUS_BY_KEY['edu'].index}", "clerk", "demo_edu_clerk", "阳江市教育局收发员"),
    (f"441702-{GOV_OFFICE_INDEX}", "clerk", "demo_county_clerk", "江城区人民政府办公室收发员"),
    ("441702100-03", "clerk", "demo_town_clerk", "埠场镇人民政府收发员"),
    ("441702100201-01", "clerk", "demo_village", "村委会文书（收发、印章、档案）"),
)
_ADMIN_LOGINS = (
    ("sysadmin", "系统管理员（三员之一）"),
    ("secadmin", "安全管理员（三员之一）"),
    ("auditadmin", "审计管理员（三员之一）：唯一可查阅审计日志"),
)


def _assign_demo_logins(b: _Builder) -> list[DemoLogin]:
    logins = []
    for fonds, slot, username, purpose in _DEMO_SLOTS:
        unit = b.by_fonds[fonds]
        person = next(p for p in unit.staff if p.slot == slot)
        person.username = username
        logins.append(DemoLogin(username, purpose))
    logins.extend(DemoLogin(u, p) for u, p in _ADMIN_LOGINS)
    return logins
