from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from oa.todo.models import State
from oa.todo.services import items_for
from oa.web.navigation import MODULES

LATEST_ON_HOME = 8


@login_required
def home(request):
    latest = items_for(request.user).filter(state=State.OPEN).order_by("-created_at", "-id")[:LATEST_ON_HOME]
    return render(request, "web/home.html", {"items": latest, "nav_key": "home"})


@login_required
def module_home(request, module):
    info = MODULES.get(module)
    if info is None:
        raise Http404("没有这个模块。")
    return render(request, "web/module.html", {"module": module, "info": info, "nav_key": info.nav_key})


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
