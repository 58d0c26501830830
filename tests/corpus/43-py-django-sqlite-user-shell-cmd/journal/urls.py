from django.contrib.sessions.models import Session
from django.http import JsonResponse
from django.urls import path


def ping(request):
    # touches the SQLite database, so a read-only /app fails this check
    return JsonResponse({"status": "ok", "sessions": Session.objects.count()})


urlpatterns = [path("ping/", ping)]
