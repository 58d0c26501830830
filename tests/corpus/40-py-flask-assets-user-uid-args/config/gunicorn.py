import os

bind = f"0.0.0.0:{os.getenv('PORT', '8000')}"
accesslog = "-"
workers = int(os.getenv("WEB_CONCURRENCY", "2"))
reload = os.getenv("FLASK_DEBUG", "false") == "true"
