"""The product's main navigation and the module placeholders. Each entry opens a real URL: the app's page
where it exists, otherwise /m/<key>/, a page that says the module arrives with a later release."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    icon: str
    args: tuple = ()

    @property
    def url(self) -> str:
        return reverse(self.url_name, args=self.args)


def _module(key: str, label: str, icon: str) -> NavItem:
    return NavItem(key, label, "web:module", icon, (key,))


MAIN_NAV = (
    NavItem("home", "工作台", "web:home", "home"),
    NavItem("outgoing", "发文", "documents:index", "send"),
    NavItem("incoming", "收文", "documents:incoming", "inbox"),
    NavItem("exchange", "公文交换", "exchange:inbox", "exchange"),
    NavItem("supervision", "督查督办", "supervision:board", "flag"),
    NavItem("meetings", "会议", "meetings:index", "calendar"),
    NavItem("messages", "消息", "messaging:index", "chat"),
    NavItem("search", "检索", "search:index", "search"),
    NavItem("archive", "档案", "archive:index", "archive"),
    NavItem("org", "组织机构", "org:browser", "org"),
)


@dataclass(frozen=True)
class ModuleInfo:
    nav_key: str
    title: str
    summary: str


# What each module will do, shown on its placeholder page until the module lands. Keys are the names the
# apps pass to ``module_home`` (documents, meetings, …) and the /m/<key>/ keys.
MODULES = {
    "documents": ModuleInfo("outgoing", "发文", "拟稿、审核、会签、签发、编号、用印、分发，全程留痕。"),
    "incoming": ModuleInfo("incoming", "收文", "签收、登记、拟办、批办、承办、传阅、办结、归档。"),
    "exchange": ModuleInfo("exchange", "公文交换", "单位之间的电子公文交换：送达、签收、退回、回执，实时跟踪。"),
    "supervision": ModuleInfo(
        "supervision", "督查督办", "领导批示和会议决定的督办事项：时限、催办、进展、红黄蓝预警。"
    ),
    "meetings": ModuleInfo("meetings", "会议", "会议安排、会议室、通知与回执、签到、纪要。"),
    "messages": ModuleInfo("messages", "消息", "即时消息、单位群组、文件与公文卡片。"),
    "search": ModuleInfo("search", "检索", "按标题、正文、发文字号、发文机关检索公文。"),
    "archive": ModuleInfo("archive", "档案", "公文归档、档号、保管期限与导出。"),
    "org": ModuleInfo("org", "组织机构", "五级单位树、内设机构、人员与角色。"),
    "signing": ModuleInfo("", "验章", "上传 PDF 文件，检查电子印章是否完好、是否可信。"),
}


def nav_key_for(resolver_match) -> str:
    """The nav entry a URL belongs to, so pages need not say it (a view may still pass ``nav_key``)."""
    if resolver_match is None:
        return ""
    module = resolver_match.kwargs.get("module")
    if module in MODULES:
        return MODULES[module].nav_key
    namespace = resolver_match.namespace
    if namespace in ("web", "todo"):
        return "home"
    if namespace == "documents" and resolver_match.url_name in ("incoming", "overdue"):
        return "incoming"
    return {
        "documents": "outgoing",
        "meetings": "meetings",
        "search": "search",
        "org": "org",
        "archive": "archive",
    }.get(namespace, "")
