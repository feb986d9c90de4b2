"""The notifications service's operations, one module per idea (see the service's docstring)."""
