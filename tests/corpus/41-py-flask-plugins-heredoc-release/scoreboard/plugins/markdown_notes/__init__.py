import markdown


def load(app):
    @app.get("/notes")
    def notes():
        return markdown.markdown("# Rules\n\nBe **nice**.")
