"""Guangdong places and organs used by the demo organisation.

Division codes are the national administrative-division codes (GB/T 2260); town codes follow the
statistical convention (街道 001–099, 镇 100–199) and village codes likewise (社区 001–199, 村 200–399).
Town names are real; village and community names are plausible but made up, except where listed.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bureau:
    """A government department that exists at province, city and county level under one catalogue key.

    ``index`` is part of the 全宗号 (``<division>-<index>``), so it must never change for a key.
    """

    key: str
    index: int
    province_name: str
    province_code: str
    local_suffix: str  # 教育局 → 阳江市教育局, 江城区教育局
    abbrev: str  # 教 → 阳教, 江城教
    sections: tuple[str, ...]
    # 垂直/派出管理: in a city district (区) the county-level body is a branch (分局) of the city bureau.
    branch_in_district: bool = False
    # 生态环境 is managed vertically everywhere below the city: always a branch.
    branch_everywhere: bool = False


GOV_OFFICE_INDEX = 20

BUREAUS: tuple[Bureau, ...] = (
    Bureau("data", 21, "广东省政务服务数据管理局", "粤政数", "政务服务数据管理局", "政数", ("数据资源", "电子政务")),
    Bureau("edu", 22, "广东省教育厅", "粤教", "教育局", "教", ("基础教育", "学生资助管理")),
    Bureau("fin", 23, "广东省财政厅", "粤财", "财政局", "财", ("预算", "国库")),
    Bureau("ps", 24, "广东省公安厅", "粤公", "公安局", "公", ("指挥", "治安管理"), branch_in_district=True),
    Bureau(
        "nr",
        25,
        "广东省自然资源厅",
        "粤自然资",
        "自然资源局",
        "自然资",
        ("国土空间规划", "耕地保护"),
        branch_in_district=True,
    ),
    Bureau("civ", 27, "广东省民政厅", "粤民", "民政局", "民", ("社会救助", "基层政权建设")),
    Bureau("hr", 28, "广东省人力资源和社会保障厅", "粤人社", "人力资源和社会保障局", "人社", ("就业促进", "社会保险")),
    Bureau("eco", 29, "广东省生态环境厅", "粤环", "生态环境局", "环", ("环境监测", "执法监督"), branch_everywhere=True),
    Bureau("hous", 30, "广东省住房和城乡建设厅", "粤建", "住房和城乡建设局", "建", ("城市建设", "村镇建设")),
    Bureau("agri", 31, "广东省农业农村厅", "粤农农", "农业农村局", "农", ("乡村振兴", "种植业管理")),
    Bureau("health", 32, "广东省卫生健康委员会", "粤卫健", "卫生健康局", "卫健", ("医政医管", "疾病预防控制")),
    Bureau("em", 33, "广东省应急管理厅", "粤应急", "应急管理局", "应急", ("应急指挥", "安全生产监管")),
    Bureau(
        "mkt",
        34,
        "广东省市场监督管理局",
        "粤市监",
        "市场监督管理局",
        "市监",
        ("登记注册", "食品安全"),
        branch_in_district=True,
    ),
    Bureau("stat", 35, "广东省统计局", "粤统", "统计局", "统", ("综合统计", "国民经济核算")),
    Bureau("dev", 36, "广东省发展和改革委员会", "粤发改", "发展和改革局", "发改", ("规划", "投资")),
    Bureau("jus", 37, "广东省司法厅", "粤司", "司法局", "司", ("行政执法协调监督", "公共法律服务")),
    Bureau("vet", 38, "广东省退役军人事务厅", "粤退役军人", "退役军人事务局", "退役军人", ("优抚", "移交安置")),
)
BUREAUS_BY_KEY = {b.key: b for b in BUREAUS}

# 广东省地质局: one of the pilot units named in the provincial plan; a public institution under 自然资源厅.
GEOLOGY = {
    "index": 26,
    "name": "广东省地质局",
    "short": "省地质局",
    "code": "粤地质",
    "sections": ("地质调查", "矿产勘查"),
}

# County-level bureaus every county gets; the focal districts of our plans get the whole catalogue.
BASIC_COUNTY_BUREAUS = ("edu", "fin", "ps")

PROVINCE = {"name": "广东省", "division": "440000", "abbr": "粤", "area_code": ("020", 8)}


@dataclass(frozen=True)
class Town:
    name: str  # 南恩街道, 埠场镇
    villages: tuple[str, ...] = ()  # explicit village names (with 村/社区); otherwise generated

    @property
    def is_street(self) -> bool:
        return self.name.endswith("街道")

    @property
    def stem(self) -> str:
        return self.name.removesuffix("街道").removesuffix("镇")


@dataclass(frozen=True)
class County:
    name: str  # 江城区, 阳西县, 阳春市
    division: str
    abbr: str  # prefix of 机关代字: 江城 → 江城府
    towns: tuple[Town, ...]
    focal: bool = False  # a place our plans are about: full bureau catalogue, more villages
    bureau_overrides: dict[str, str] = field(default_factory=dict)  # key → local suffix

    @property
    def kind_word(self) -> str:
        return self.name[-1]  # 区 / 县 / 市

    @property
    def stem(self) -> str:
        return self.name[:-1]


@dataclass(frozen=True)
class City:
    name: str
    division: str
    abbr: str
    area_code: tuple[str, int]
    counties: tuple[County, ...]


def _towns(*names: str) -> tuple[Town, ...]:
    return tuple(Town(n) for n in names)


CITIES: tuple[City, ...] = (
    City(
        "阳江市",
        "441700",
        "阳",
        ("0662", 7),
        (
            County(
                "江城区",
                "441702",
                "江城",
                _towns(
                    "南恩街道",
                    "城南街道",
                    "城北街道",
                    "城东街道",
                    "城西街道",
                    "中洲街道",
                    "岗列街道",
                    "白沙街道",
                    "埠场镇",
                    "双捷镇",
                ),
                focal=True,
            ),
            County("阳东区", "441704", "阳东", _towns("东城镇", "合山镇")),
            County("阳西县", "441721", "阳西", _towns("程村镇", "沙扒镇")),
            County("阳春市", "441781", "春", _towns("春城街道", "合水镇")),
        ),
    ),
    City(
        "揭阳市",
        "445200",
        "揭",
        ("0663", 7),
        (
            County("榕城区", "445202", "榕", _towns("榕华街道", "仙桥街道")),
            County("揭东区", "445203", "揭东", _towns("曲溪街道", "玉湖镇")),
            County("揭西县", "445222", "揭西", _towns("河婆街道", "棉湖镇")),
            County("惠来县", "445224", "惠", _towns("惠城镇", "靖海镇")),
            County("普宁市", "445281", "普", _towns("流沙东街道", "洪阳镇")),
        ),
    ),
    City(
        "江门市",
        "440700",
        "江",
        ("0750", 7),
        (
            County("蓬江区", "440703", "蓬江", _towns("环市街道", "杜阮镇")),
            County(
                "江海区",
                "440704",
                "江海",
                (
                    Town("江南街道"),
                    Town("外海街道", ("麻一村", "麻二村", "直冲村", "龙溪村")),
                    Town("礼乐街道", ("英南村", "乌纱村", "新民村", "威东村")),
                ),
                focal=True,
                bureau_overrides={"agri": "农业农村水务局"},
            ),
            County("新会区", "440705", "新会", _towns("会城街道", "古井镇")),
            County("台山市", "440781", "台", _towns("台城街道", "广海镇")),
            County("开平市", "440783", "开", _towns("三埠街道", "赤坎镇")),
            County("鹤山市", "440784", "鹤", _towns("沙坪街道", "古劳镇")),
            County("恩平市", "440785", "恩", _towns("恩城街道", "大田镇")),
        ),
    ),
)

# 江海区 is merged with 江门高新区, which has its own Party working committee (工委) beside the district's.
HIGH_TECH_ZONE_PARTY = {
    "county": "440704",
    "index": 5,
    "name": "中共江门高新区工作委员会",
    "short": "高新区党工委",
    "code": "江高工委",
}

# Two-character stems for made-up villages and communities.
VILLAGE_STEMS = (
    "东风",
    "新安",
    "龙塘",
    "石岗",
    "沙湾",
    "岗头",
    "大塘",
    "南岸",
    "北坑",
    "上洋",
    "下洋",
    "长安",
    "永安",
    "福田",
    "平岚",
    "石湾",
    "莲塘",
    "那蓬",
    "横山",
    "塘尾",
    "田心",
    "和平",
    "东安",
    "西岸",
    "岭头",
    "湾边",
    "竹林",
    "白石",
    "高岭",
    "水口",
    "河东",
    "河西",
    "新华",
    "幸福",
    "红星",
    "金山",
    "银岭",
    "榕树",
    "荔枝",
    "龙湾",
    "凤凰",
    "富民",
    "安宁",
    "新联",
    "联合",
    "前进",
    "丰收",
    "东升",
    "海滨",
    "渔港",
    "南门",
    "北门",
    "西园",
    "东园",
    "中和",
    "新兴",
    "岗背",
    "塘边",
    "坑口",
    "蕉园",
)
