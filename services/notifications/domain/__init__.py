"""The notifications service's rules in plain Python: no broker, no database."""
