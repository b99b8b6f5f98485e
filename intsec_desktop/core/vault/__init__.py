"""SQLCipher storage, key hierarchy, key slots and the audit chain. Only services.py calls in here."""
