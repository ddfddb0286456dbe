from oa.web.navigation import MAIN_NAV


def navigation(request):
    return {"main_nav": MAIN_NAV}
