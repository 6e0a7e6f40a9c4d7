"""Validation rules for a site survey, written once for the HTML form and the sync API."""
