# app: flask
# expect: rewrite
FROM python:3.12
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
RUN <<EOT
echo "bind = '0.0.0.0:8000'" > /app/gunicorn.conf.py
EOT
CMD ["gunicorn", "app:app"]
