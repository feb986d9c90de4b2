"""What the interactions service does, one module per family of operations; service.py calls these."""
