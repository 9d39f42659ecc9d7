"""Taskforce: tasks, users, heroes, teams and items on your desktop."""

# The package's version (pyproject.toml reads it from here). A constant: looking it up in the
# installed metadata imported importlib.metadata before the window could show (50 ms).
__version__ = "0.1.0"
