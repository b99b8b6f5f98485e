"""Secret-free export: profiles, reference dialects, deterministic renderers, leak guard, drift."""
