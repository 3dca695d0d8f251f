"""Data: your own CSV or a generated set with its noise (ui/data_upload.py)."""
from ui import data_upload
from ui.state import workspace

workspace()  # the link and the leave guard, as on every page
data_upload.show()
