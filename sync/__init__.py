"""The sync protocol between tablets, field stations and the central server: the pure part.

`canonical` (canonical form and content hash of a site document, so a replay is recognised),
`protocol` (revision and conflict rules, batch result types) and `batching` (batches and
backoff) import neither Flask nor the database. The HTTP side is `app/api/` (the `/api/v1`
endpoints), the client a station pushes and pulls with is `app/station/`.
"""
