"""Importers: existing config files (.env, JSON, YAML) into vault entries plus a template."""
