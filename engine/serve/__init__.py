"""`wargame serve`: the classroom game in the browser (session, pages, diagrams, the web app)."""
