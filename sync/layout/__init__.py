"""Provisioning: from the template and an organisation's settings to a backend-neutral layout; a team added later."""
