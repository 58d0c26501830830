from fastapi.testclient import TestClient

from api.main import app

client = TestClient(app)


def test_health():
    assert client.get("/health").json() == {"status": "ok"}


def test_item_stock():
    assert client.get("/items/apple").json()["in_stock"] is True
    assert client.get("/items/pear").json()["in_stock"] is False
