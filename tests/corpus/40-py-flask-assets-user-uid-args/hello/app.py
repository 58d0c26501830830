import hashlib
import json
from pathlib import Path

from flask import Flask, jsonify, send_from_directory

PUBLIC = Path(__file__).resolve().parent.parent / "public"


def create_app():
    app = Flask(__name__, static_folder=None)

    @app.get("/up")
    def up():
        return jsonify(status="ok")

    @app.get("/assets/<path:name>")
    def assets(name):
        return send_from_directory(PUBLIC, name)

    @app.get("/manifest")
    def manifest():
        return jsonify(json.loads((PUBLIC / "manifest.json").read_text()))

    @app.cli.command("fingerprint")
    def fingerprint():
        """Write public/manifest.json with a content hash for every asset."""
        entries = {}
        for path in sorted(PUBLIC.rglob("*")):
            if path.is_file() and path.name != "manifest.json":
                digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
                entries[str(path.relative_to(PUBLIC))] = digest
        (PUBLIC / "manifest.json").write_text(json.dumps(entries, indent=2))
        print(f"fingerprinted {len(entries)} file(s)")

    return app


app = create_app()
