"""Data in and out: import from files, export to files, copy a whole database. No Qt."""
