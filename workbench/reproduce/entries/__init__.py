"""One module per reproduction entry, named after the entry; each defines ``ENTRY``."""
