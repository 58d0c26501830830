# app: flask
# expect: rewrite
FROM python:3.12
WORKDIR /app
COPY requirements.txt .
RUN <<EOT
set -eux
apt-get update
apt-get install -y --no-install-recommends libxml2
pip install --no-cache-dir -r requirements.txt
rm -rf /var/lib/apt/lists/*
EOT
COPY . .
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
