"""The embedded profile's channel layer: channels' in-memory layer, with its expiry sweep throttled.

The stock ``InMemoryChannelLayer`` walks every channel queue and every group member on each ``receive`` and
``group_send``. Each socket calls ``receive`` again after every event, so one message to a 500-member
conversation with 1,000 sockets open (each in four groups) cost some two million steps, seconds of delay.
Messages expire after ``expiry`` (60 s): sweeping at most once a second changes nothing a client can see.
"""

import time

from channels.layers import InMemoryChannelLayer as _StockInMemoryChannelLayer


class InMemoryChannelLayer(_StockInMemoryChannelLayer):
    clean_interval = 1.0  # seconds between two sweeps
    _cleaned_at = float("-inf")

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._cleaned_at < self.clean_interval:
            return
        self._cleaned_at = now
        super()._clean_expired()
