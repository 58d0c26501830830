from celery.result import AsyncResult
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from worker import create_task

app = FastAPI()
templates = Jinja2Templates(directory="templates")


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/", response_class=HTMLResponse)
def home(request: Request):
    return templates.TemplateResponse(request, "home.html", {"title": "tasks"})


@app.post("/tasks/{seconds}", status_code=201)
def run_task(seconds: int):
    task = create_task.delay(seconds)
    return {"task_id": task.id}


@app.get("/tasks/{task_id}")
def get_status(task_id: str):
    result = AsyncResult(task_id)
    return {"task_id": task_id, "task_status": result.status, "task_result": result.result}
