# app: flask-with-frontend
# expect: rewrite
FROM node:20-alpine AS assets
WORKDIR /src
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci
COPY frontend/ ./
RUN npm run build

FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=assets /src/dist /app/static
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
