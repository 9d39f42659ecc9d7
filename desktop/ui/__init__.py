"""The Qt layer: adapters, views, dialogs and the main window. It talks to the store only."""
