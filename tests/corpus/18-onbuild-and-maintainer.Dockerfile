# app: flask
# expect: rewrite
FROM python:3.12-slim
MAINTAINER Jane Doe <jane@example.com>
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ONBUILD COPY plugins/ /app/plugins/
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
