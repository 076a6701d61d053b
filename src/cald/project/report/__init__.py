"""The report: figures (matplotlib) and, later, the HTML page."""
