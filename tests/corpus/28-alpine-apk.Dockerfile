# app: flask-postgres
# expect: rewrite
FROM python:3.12-alpine
RUN apk add --no-cache postgresql-dev gcc musl-dev
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
EXPOSE 5000
CMD ["gunicorn", "-b", "0.0.0.0:5000", "app:app"]
