"""The product's main navigation. Each entry names the URL it opens; apps fill their pages in as they land."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    icon: str


MAIN_NAV = (
    NavItem("home", "工作台", "web:home", "home"),
    NavItem("outgoing", "发文", "documents:index", "send"),
    NavItem("incoming", "收文", "web:module", "inbox"),
    NavItem("exchange", "公文交换", "web:module", "exchange"),
    NavItem("supervision", "督查督办", "web:module", "flag"),
    NavItem("meetings", "会议", "meetings:index", "calendar"),
    NavItem("messages", "消息", "web:module", "chat"),
    NavItem("search", "检索", "search:index", "search"),
    NavItem("archive", "档案", "web:module", "archive"),
    NavItem("org", "组织机构", "org:browser", "org"),
)
