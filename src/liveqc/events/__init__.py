"""The shared, append-only, hash-chained audit trail written by every flow."""
