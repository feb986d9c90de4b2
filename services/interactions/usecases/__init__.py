"""What the interactions service does, one module per idea, named for it; service.py calls these."""
