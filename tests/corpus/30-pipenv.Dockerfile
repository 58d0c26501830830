# app: pipenv
# expect: rewrite
FROM python:3.12
WORKDIR /app
COPY Pipfile Pipfile.lock ./
RUN pip install pipenv && pipenv install --system --deploy
COPY . .
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
