"""The pipeline's stages on plain data: the OKR tab's lint, validation, scores, roll-up and History."""
