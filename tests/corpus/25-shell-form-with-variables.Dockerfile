# app: flask
# expect: rewrite
FROM python:3.12-slim
ENV PORT=8080
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt waitress
COPY . .
CMD waitress-serve --port=$PORT app:app
