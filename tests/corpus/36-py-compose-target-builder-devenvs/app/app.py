import os

from flask import Flask, jsonify
from redis import Redis, RedisError

app = Flask(__name__)
store = Redis(host=os.environ.get("REDIS_HOST", "redis"), port=6379,
              socket_connect_timeout=0.5, socket_timeout=0.5)


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.get("/")
def index():
    try:
        hits = store.incr("hits")
    except RedisError:
        hits = None
    return jsonify(message="hello", hits=hits)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("FLASK_RUN_PORT", "8000")))
