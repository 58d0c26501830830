import json
import os
import sqlite3
from pathlib import Path

from flask import Flask, jsonify

DIST = Path(__file__).parent / "static" / "dist"


def create_app():
    app = Flask(__name__)
    db_path = os.environ.get("DATABASE_URL", "sqlite:////tmp/dev.db").replace("sqlite:///", "", 1)

    @app.get("/healthz")
    def healthz():
        manifest = json.loads((DIST / "manifest.json").read_text())
        return jsonify(status="ok", assets=manifest)

    @app.get("/visits")
    def visits():
        with sqlite3.connect(db_path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS visit (id INTEGER PRIMARY KEY)")
            db.execute("INSERT INTO visit DEFAULT VALUES")
            count = db.execute("SELECT COUNT(*) FROM visit").fetchone()[0]
        return jsonify(visits=count)

    return app
