"""David Bau's seedrandom 2.4 (the npm package TensorFlow Playground calls as
``Math.seedrandom(seed)``), ported so that a seed gives the very same stream of doubles:
an ARC4 keystream keyed from the seed string, 256 bytes dropped, then each double built
from 7 or more bytes exactly as seedrandom.js does it (float arithmetic that is exact, so
Python's and JavaScript's results are identical bit for bit)."""
from __future__ import annotations

_WIDTH = 256                      # one ARC4 output byte
_MASK = _WIDTH - 1
_CHUNKS = 6                       # at least six bytes per double
_START_DENOM = float(_WIDTH ** _CHUNKS)
_SIGNIFICANCE = float(2 ** 52)    # a double's significant bits
_OVERFLOW = _SIGNIFICANCE * 2


def _key_of(seed: str) -> list:
    """seedrandom's ``mixkey``: the seed's UTF-16 code units smeared into up to 256 key bytes.
    Entries never written are JavaScript's ``undefined``, which bitwise operators read as 0."""
    key: list = []
    smear = 0
    units = seed.encode("utf-16-le")
    codes = [units[i] | units[i + 1] << 8 for i in range(0, len(units), 2)]
    for j, code in enumerate(codes):
        slot = _MASK & j
        old = key[slot] if slot < len(key) else 0
        smear ^= old * 19
        value = _MASK & (smear + code)
        if slot < len(key):
            key[slot] = value
        else:
            key.append(value)
    return key


class ARC4:
    """The RC4 keystream generator, as seedrandom keys it."""

    def __init__(self, key: list):
        key = key or [0]
        s = list(range(_WIDTH))
        j = 0
        for i in range(_WIDTH):
            t = s[i]
            j = _MASK & (j + key[i % len(key)] + t)
            s[i], s[j] = s[j], t
        self.i = self.j = 0
        self.s = s
        self.bytes(_WIDTH)  # seedrandom drops the first 256 outputs

    def bytes(self, count: int) -> int:
        """The next ``count`` bytes as one big-endian integer (seedrandom's ``g``)."""
        i, j, s, r = self.i, self.j, self.s, 0
        for _ in range(count):
            i = _MASK & (i + 1)
            t = s[i]
            j = _MASK & (j + t)
            s[i], s[j] = s[j], t
            r = r * _WIDTH + s[_MASK & (s[i] + s[j])]
        self.i, self.j = i, j
        return r


class SeedRandom:
    """``Math.random`` after ``Math.seedrandom(seed)``: ``random()`` gives doubles in [0, 1)."""

    def __init__(self, seed: str):
        self.arc4 = ARC4(_key_of(str(seed)))

    def random(self) -> float:
        n = float(self.arc4.bytes(_CHUNKS))   # a numerator below 2**48
        d = _START_DENOM
        x = 0
        while n < _SIGNIFICANCE:              # fill all 52 significant bits
            n = (n + x) * _WIDTH
            d *= _WIDTH
            x = self.arc4.bytes(1)
        while n >= _OVERFLOW:                 # shift right, never round up
            n /= 2
            d /= 2
            x >>= 1
        return (n + x) / d
