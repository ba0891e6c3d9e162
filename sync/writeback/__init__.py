"""What a sync writes back and reports: the write plan and its diff, the Org tab, the report, the dashboard."""
