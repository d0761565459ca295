"""Presentation: the HTML report, its figures and tables. Reads results; never runs the model."""
