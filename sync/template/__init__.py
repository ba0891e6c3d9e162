"""The template and the message catalogue in `sheet_templates/`, loaded once; the add-on's generated copy."""
