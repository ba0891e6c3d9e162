"""The okrsync service: registry, leases, auth, API, nightly jobs and status pages behind `server.py`."""
