"""The main window's panes: search, browse, document list, viewer, coding."""
