"""Demo data: organisations, users, suppliers and products, loaded idempotently."""
