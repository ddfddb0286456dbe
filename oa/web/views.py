from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "web/home.html")


@login_required
def module_home(request, module):
    return render(request, "web/module.html", {"module": module})


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
