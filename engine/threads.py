"""How many threads NumPy's BLAS may use while a network trains.

OpenBLAS splits a matrix product over every core once it is a little larger than tiny
(a float32 256x64 @ 64x64 already), and each thread waits for the others at the end.
When another thread of the program keeps a core busy (the app's GUI thread redrawing, on
a 2-core machine), the split product waits for a core: `make bench` measured such a
product at a median of 20 us but a 95th percentile of milliseconds with the default two
threads, and 25-30 us with one thread. A classroom network's products are that small, so
while it trains BLAS gets one thread; a large network keeps NumPy's default (its products
are long enough for the threads to pay off).

    pin = BlasPin()
    pin.set(blas_threads_for(n_parameters))   # 1 for a small network, None: the default
    pin.release()                             # back to NumPy's default

The limit holds for the whole process (OpenBLAS has one pool), so one owner sets it: the
app's training worker. Set and release it from one thread: OpenBLAS 0.3.31 ignored a
release from another thread once products had run under the limit (the pool stayed at one
thread). Without threadpoolctl installed this does nothing.
"""
from __future__ import annotations

#: a network with at most this many parameters trains with one BLAS thread
SMALL_NETWORK_PARAMS = 1_000_000


def blas_threads_for(n_parameters: int) -> int | None:
    """The BLAS threads for training a network of ``n_parameters``: 1, or None (the default)."""
    return 1 if n_parameters <= SMALL_NETWORK_PARAMS else None


class BlasPin:
    """Holds one BLAS thread limit at a time; ``set(None)`` and ``release()`` undo it."""

    def __init__(self):
        self.threads = None
        self._limiter = None
        self._controller = None

    def set(self, threads: int | None):
        if threads == self.threads:
            return
        self.release()
        if threads is None:
            return
        try:
            if self._controller is None:
                from threadpoolctl import ThreadpoolController  # noqa: PLC0415

                self._controller = ThreadpoolController()   # finds the loaded BLAS (once)
            self._limiter = self._controller.limit(limits=int(threads), user_api="blas")
        except ImportError:   # an install without threadpoolctl: the default threads
            return
        self.threads = threads

    def release(self):
        if self._limiter is not None:
            self._limiter.restore_original_limits()
        self._limiter, self.threads = None, None
