from django.http import JsonResponse
from django.urls import path


def health(request):
    return JsonResponse({"status": "ok"})


def products(request):
    return JsonResponse({"products": ["lamp", "desk", "chair"]})


urlpatterns = [path("health/", health), path("products/", products)]
