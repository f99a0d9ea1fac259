"""Plain-Python business rules: no Flask, no SQLAlchemy; time and randomness are parameters."""
