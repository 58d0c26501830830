# app: flask
# expect: rewrite
ARG PYTHON_VERSION=3.11
FROM python:${PYTHON_VERSION}-slim
ARG APP_ENV=production
ARG GIT_SHA
ENV APP_ENV=${APP_ENV} GIT_SHA=${GIT_SHA}
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . ./
CMD ["gunicorn", "--bind", ":8080", "app:app"]
