"""Dashboard: map and summary (being written)."""
