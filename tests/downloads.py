"""The files a page offers for download, read where Streamlit stores them (a download
button's proto carries only a URL): for AppTest page tests."""
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage


def record_downloads(monkeypatch) -> dict:
    """A dict that fills with each stored file's (file name, bytes) by its id."""
    files = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        file_id = real(self, path_or_data, mimetype, kind, filename)
        files[file_id] = (filename, path_or_data)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return files
