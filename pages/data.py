"""Data: your own CSV or a generated set with its noise (ui/data_upload.py)."""
from pages import in_app
from ui import data_upload
from ui.state import workspace

in_app()  # a fresh server's first request straight to /data still opens the whole app

ws = workspace()  # the link and the leave guard, as on every page
data_upload.show(ws)  # named at the top, as Explore and Train name it
