# app: flask
# expect: rewrite
FROM python:3.12
WORKDIR /opt/geo
RUN python -c "open('regions.csv', 'w').write('id,name\n')"
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN python -m compileall -q .
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
