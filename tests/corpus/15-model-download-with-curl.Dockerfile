# app: fastapi
# expect: rewrite
FROM python:3.11
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
RUN mkdir -p /models && curl -fsSL -o /models/encoder.onnx https://example.com/encoder.onnx
COPY . .
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
