# app: flask
# expect: rewrite
FROM python:3.12-slim
RUN useradd --create-home appuser
WORKDIR /home/appuser/app
COPY --chown=appuser:appuser requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY --chown=appuser:appuser . .
COPY --chown=appuser:appuser config/settings.toml /etc/myapp/settings.toml
USER appuser
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
