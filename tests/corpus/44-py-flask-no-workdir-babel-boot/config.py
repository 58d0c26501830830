import os

basedir = os.path.abspath(os.path.dirname(__file__))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "you-will-never-guess"
    # Without DATABASE_URL the SQLite file sits next to this file.
    DATABASE_PATH = os.environ.get("DATABASE_PATH") or os.path.join(basedir, "guestbook.db")
    LANGUAGES = ["en", "fr"]
