"""Broadband measurement (issue #5): the speed test server endpoints and the speedtest-cli runner.

Pure parts: `payload` (sizes, random bytes, counting a body), `units` (conversions, latency
statistics), `plan` (the speedtest-cli configuration built locally). Flask parts: `views`
(the /speedtest/ endpoints), `counter` (received bytes per run), `runner`, `record`, `cli`.
"""
