"""The SQLModel tutorial's two FastAPI apps, as the tutorial writes them (the reference of api_bench).

Each module creates its SQLite file in the current folder when imported, as the tutorial's do:
run them with `uvicorn` from a folder of their own. They define tables named as Taskforce's own,
so they never run in a process that imports desktop.models.
"""
