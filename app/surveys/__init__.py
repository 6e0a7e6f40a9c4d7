"""Recording, listing and editing candidate workation sites."""
