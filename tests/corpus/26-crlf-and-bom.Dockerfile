# app: flask
# expect: rewrite
# transform: crlf-bom
FROM python:3.12
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt \
    && pip install gunicorn==22.0.0
COPY . .
EXPOSE 8000
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
