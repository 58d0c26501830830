# app: torch
# expect: rewrite
FROM python:3.12-alpine
RUN apk add --no-cache build-base
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
