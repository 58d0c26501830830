import sys

from scoreboard import upgrade_db

if __name__ == "__main__":
    if sys.argv[1:] == ["db", "upgrade"]:
        upgrade_db()
        print("database ready")
    else:
        sys.exit("usage: python manage.py db upgrade")
