import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-dev-key")
DEBUG = os.environ.get("DJANGO_DEBUG", "off") == "on"
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "bakery.urls"
WSGI_APPLICATION = "bakery.wsgi.application"


def _database():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://") and url != "postgres://none":
        rest = url[len("postgres://"):]
        creds, _, hostdb = rest.partition("@")
        user, _, password = creds.partition(":")
        host, _, name = hostdb.partition("/")
        return {"ENGINE": "django.db.backends.postgresql", "NAME": name,
                "USER": user, "PASSWORD": password, "HOST": host}
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "data" / "db.sqlite3"}


DATABASES = {"default": _database()}

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "collected-static"
STATICFILES_DIRS = [BASE_DIR / "bakery" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "bakery" / "media"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
