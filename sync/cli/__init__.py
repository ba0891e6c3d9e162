"""The `okrsync` command line."""
