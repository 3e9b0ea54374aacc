"""Background jobs: long work off the request, with progress, results and notifications."""
