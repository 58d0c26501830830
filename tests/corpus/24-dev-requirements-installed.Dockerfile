# app: flask-requirements-folder
# expect: rewrite
FROM python:3.12
WORKDIR /app
COPY requirements/ requirements/
RUN pip install -r requirements/prod.txt -r requirements/dev.txt
COPY . .
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
