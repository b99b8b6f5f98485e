"""The `intsec` command line: headless front end over core.services."""
