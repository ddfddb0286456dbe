"""The project's URLs plus three that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from oa.urls import urlpatterns as project_urlpatterns


def refuse(request):
    raise PermissionDenied("只有收发员可以登记来文。")


def refuse_silently(request):
    raise PermissionDenied


def missing_in_english(request):
    raise Http404("No Document matches the given query.")


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("__errors__/403/", refuse),
    path("__errors__/403-plain/", refuse_silently),
    path("__errors__/404-english/", missing_in_english),
    path("__errors__/500/", crash),
    *project_urlpatterns,
]
