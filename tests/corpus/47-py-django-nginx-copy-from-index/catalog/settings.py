import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# All three must be set, even to dummy values, for manage.py to start.
SECRET_KEY = os.environ["SECRET"]
DEBUG = os.environ["DEBUG"] == "1"
ALLOWED_HOSTS = [os.environ["HOSTNAME"], "localhost", "127.0.0.1", "web"]

INSTALLED_APPS = ["django.contrib.staticfiles"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "catalog.urls"
WSGI_APPLICATION = "catalog.wsgi.application"
DATABASES = {}

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_root"
STATICFILES_DIRS = [BASE_DIR / "static"]
