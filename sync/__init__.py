"""The sync protocol between tablets, field stations and the central server.

This foundation holds the pure part every side shares: the canonical form of a site document
and its content hash. The HTTP endpoints and the station client come with the sync issue.
"""
