"""What the deals service does, one module per idea, named for it; service.py calls these."""
