"""HTTP API v1 (JSON): the sync contract of ../shared/spec/api-contract.md."""
