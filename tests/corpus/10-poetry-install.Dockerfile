# app: poetry
# expect: rewrite
FROM python:3.12
ENV POETRY_VIRTUALENVS_CREATE=false
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN pip install poetry && poetry install --no-root --only main
COPY . .
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
