"""The local HTTP API: the tutorial's routes over the same store as the window (desktop.api.app).

Imported lazily: the window and the other commands start without FastAPI.
"""
