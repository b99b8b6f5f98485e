"""Leak scanner: every stored secret in every encoding, in files, git history and the index."""
