import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = 2
# the master starts as root and drops to the owner of the media folder
user = 1000
group = 2000
accesslog = "-"
