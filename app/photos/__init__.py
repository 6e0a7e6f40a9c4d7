"""Survey photo upload and storage."""
