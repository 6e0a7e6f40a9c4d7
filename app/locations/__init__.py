"""Postal-code lookup and address geocoding for the survey form."""
