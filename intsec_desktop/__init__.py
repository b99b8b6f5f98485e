"""intsec-desktop: an encrypted credential and scope manager for integration engineers."""

__version__ = "0.1.0"
