import importlib
import os
import pkgutil
import sqlite3
from pathlib import Path

from flask import Flask, jsonify

UPLOAD_FOLDER = Path(os.environ.get("UPLOAD_FOLDER", "/var/uploads"))


def _secret_key():
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # Written next to the code on first start, like many self-hosted apps do.
    path = Path(".scoreboard_secret_key")
    if not path.exists():
        path.write_text(os.urandom(32).hex())
    return path.read_text()


def create_app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = _secret_key()
    app.config["DB"] = UPLOAD_FOLDER / "scoreboard.db"

    from . import plugins

    loaded = []
    for info in pkgutil.iter_modules(plugins.__path__):
        module = importlib.import_module(f"{plugins.__name__}.{info.name}")
        module.load(app)
        loaded.append(info.name)

    @app.get("/healthcheck")
    def healthcheck():
        return jsonify(status="ok", plugins=loaded)

    @app.get("/scores")
    def scores():
        with sqlite3.connect(app.config["DB"]) as db:
            rows = db.execute("SELECT team, points FROM score ORDER BY points DESC").fetchall()
        return jsonify(rows)

    return app


def upgrade_db():
    UPLOAD_FOLDER.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(UPLOAD_FOLDER / "scoreboard.db") as db:
        db.execute("CREATE TABLE IF NOT EXISTS score (team TEXT PRIMARY KEY, points INTEGER)")
        db.execute("INSERT OR IGNORE INTO score VALUES ('red', 0), ('blue', 0)")
