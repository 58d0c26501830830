# app: flask
# expect: rewrite
FROM python:3.12
ADD . /app
WORKDIR /app
ADD https://example.com/GeoLite2-City.mmdb /usr/share/geoip/GeoLite2-City.mmdb
RUN pip install -r requirements.txt
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
