"""The add-on's protocol: its snapshot JSON read, and layouts and write plans as it applies them."""
