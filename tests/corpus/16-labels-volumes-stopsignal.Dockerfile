# app: flask
# expect: rewrite
FROM python:3.12-slim
LABEL org.opencontainers.image.source="https://github.com/example/shop" \
      com.example.team=payments
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN mkdir -p /data
VOLUME ["/data"]
STOPSIGNAL SIGINT
EXPOSE 8000 9100
HEALTHCHECK --interval=10s CMD curl -f http://localhost:8000/health || exit 1
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
