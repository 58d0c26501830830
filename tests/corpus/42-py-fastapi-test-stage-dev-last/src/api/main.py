from fastapi import FastAPI

app = FastAPI(title="inventory")

ITEMS = {"apple": 3, "pear": 0}


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/items/{name}")
def item(name: str):
    return {"name": name, "in_stock": ITEMS.get(name, 0) > 0}
