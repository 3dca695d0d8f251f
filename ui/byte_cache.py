"""Caches shared by every session, bounded by bytes.

``st.cache_data`` bounds a cache by its number of entries (``max_entries``) and their
age (``ttl``), not by their size: the frames of one big model or one GIF weigh
megabytes, so 64 entries of them grew the server from 1.0 to 2.2 GB and kept it there.
A :class:`ByteCache` holds at most ``max_bytes`` in all and lets the least recently
used entries go first.

Keys say what a value is made of (content hashes and options), never which session
asked. Values are pure results; bytes and str are immutable and kept as they are,
anything else is kept pickled and every read returns a fresh copy (as st.cache_data
does), so no session can change what another one reads. A value's size is the length
of what is kept (its bytes, its UTF-8 text, its pickle) plus :data:`ENTRY_OVERHEAD`.

Streamlit runs each session's script in its own thread: one lock guards the books.
The computing itself runs outside the lock, so one slow drawing never holds up
another session's cache hits; two sessions missing the same key at once may both
compute it (the second result replaces the first, same content).
"""
from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from typing import Callable, Hashable

MB = 1024 * 1024
# The dict slot, the key's strings and the bookkeeping tuple of one entry, roughly:
# counted so that a flood of tiny values is bounded too.
ENTRY_OVERHEAD = 512


class ByteCache:
    """A thread-safe LRU cache of at most ``max_bytes`` (values plus overheads)."""

    def __init__(self, name: str, max_bytes: int):
        self.name, self.max_bytes = name, int(max_bytes)
        self._entries: OrderedDict[Hashable, tuple[object, bool, int]] = OrderedDict()  # key -> (kept, pickled, size)
        self._bytes = 0
        self._lock = threading.Lock()

    # --- reading ------------------------------------------------------------------
    def get(self, key: Hashable, default=None):
        """The value under ``key`` (a fresh copy unless bytes or str), or ``default``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            self._entries.move_to_end(key)  # most recently used last
        kept, pickled, _ = entry
        return pickle.loads(kept) if pickled else kept

    def get_or_compute(self, key: Hashable, compute: Callable[[], object]):
        """The cached value of ``key``, or ``compute()`` kept (if it fits) and returned."""
        missing = object()
        value = self.get(key, missing)
        if value is missing:
            value = compute()
            self.put(key, value)
        return value

    # --- writing ------------------------------------------------------------------
    def put(self, key: Hashable, value) -> bool:
        """Keep ``value`` under ``key``, letting the least recently used entries go until
        the total fits. A value larger than the whole budget is not kept (False)."""
        if isinstance(value, (bytes, str)):
            kept, pickled = value, False
            size = len(value) if isinstance(value, bytes) else len(value.encode("utf-8", "surrogatepass"))
        else:
            kept, pickled = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), True
            size = len(kept)
        size += ENTRY_OVERHEAD
        if size > self.max_bytes:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            while self._entries and self._bytes + size > self.max_bytes:
                _, (_, _, gone) = self._entries.popitem(last=False)  # the least recently used
                self._bytes -= gone
            self._entries[key] = (kept, pickled, size)
            self._bytes += size
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    # --- the books ----------------------------------------------------------------
    @property
    def total_bytes(self) -> int:
        with self._lock:
            return self._bytes

    def keys(self) -> list:
        """The keys, least recently used first."""
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __repr__(self) -> str:
        return f"ByteCache({self.name!r}, {self.total_bytes:,} of {self.max_bytes:,} bytes, {len(self)} entries)"
