from django.conf import settings
from django.http import JsonResponse
from django.urls import path


def health(request):
    media = settings.MEDIA_ROOT / "images"
    (media / ".probe").write_text("ok")
    return JsonResponse({"status": "ok"})


urlpatterns = [path("health/", health)]
