"""Central review: the workflow, readiness scores of stored sites, the audit trail."""
