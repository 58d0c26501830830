def load(app):
    @app.get("/badges")
    def badges():
        return {"badges": ["first-blood", "night-owl"]}
