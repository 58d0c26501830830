# app: flask
# expect: rewrite
FROM python:3.12
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
RUN curl -fsSL https://example.com/tools.tar.gz | tar -xz -C /opt
COPY . .
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
