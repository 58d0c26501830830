import os
import sqlite3
from pathlib import Path

import click
from babel.support import Translations
from flask import Flask, jsonify, request

from config import Config

HERE = Path(__file__).parent
MIGRATIONS = HERE.parent / "migrations"


def create_app():
    app = Flask(__name__)
    app.config.from_object(Config)

    def translations():
        lang = request.accept_languages.best_match(app.config["LANGUAGES"]) or "en"
        return Translations.load(str(HERE / "translations"), [lang])

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    @app.get("/")
    def index():
        _ = translations().gettext
        with sqlite3.connect(app.config["DATABASE_PATH"]) as db:
            count = db.execute("SELECT COUNT(*) FROM entry").fetchone()[0]
        return jsonify(greeting=_("Welcome to the guestbook"), entries=count)

    @app.cli.group()
    def db():
        """Database commands."""

    @db.command()
    def upgrade():
        """Apply every SQL file in migrations/ in order."""
        with sqlite3.connect(app.config["DATABASE_PATH"]) as conn:
            for script in sorted(MIGRATIONS.glob("*.sql")):
                conn.executescript(script.read_text())
        click.echo("database upgraded")

    @app.cli.group()
    def translate():
        """Translation commands."""

    @translate.command()
    def compile():
        """Compile all languages."""
        if os.system(f"pybabel compile -d {HERE / 'translations'}"):
            raise RuntimeError("compile command failed")

    return app
