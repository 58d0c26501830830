# app: flask
# expect: rewrite
FROM python:3.12
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt && pip install .
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
