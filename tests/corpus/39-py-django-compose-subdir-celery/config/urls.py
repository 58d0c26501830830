from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext as _


def healthz(request):
    return JsonResponse({"status": _("healthy")})


urlpatterns = [path("healthz/", healthz)]
