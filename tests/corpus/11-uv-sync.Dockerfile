# app: uv
# expect: rewrite
FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:0.4.0 /uv /bin/uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev
COPY . .
CMD ["uv", "run", "uvicorn", "main:app", "--host", "0.0.0.0"]
