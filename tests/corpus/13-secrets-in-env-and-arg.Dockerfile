# app: flask
# expect: rewrite
FROM python:3.12-slim
ARG GITHUB_TOKEN
ENV DATABASE_PASSWORD=hunter2 SECRET_KEY=not-so-secret LOG_LEVEL=info
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
