# app: flask
# expect: rewrite
FROM python:3.11
RUN apt-get update
RUN apt-get install -y gcc libpq-dev
WORKDIR /usr/src/app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD gunicorn -b 0.0.0.0:8000 app:app
