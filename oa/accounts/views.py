from django.http import HttpResponse


def locked_out(request, credentials=None, *args, **kwargs):
    return HttpResponse("账号已锁定", status=403)
