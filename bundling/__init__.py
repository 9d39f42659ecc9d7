"""Helpers of build.spec: which collected files the bundle keeps, and smaller copies of some."""
