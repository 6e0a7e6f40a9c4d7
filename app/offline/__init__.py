"""The offline-first tablet app: web app manifest, service worker, offline page, CSRF refresh."""
