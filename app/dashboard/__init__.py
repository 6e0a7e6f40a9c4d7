"""Dashboard: the map of the sites coloured by readiness tier, and the summary (issue #6)."""
