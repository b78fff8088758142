"""Screens of the app, one a module."""
