"""Generate the 8x8 handwritten-style digits shipped in assets/datasets/digits.npz.

Our own code, no downloaded data: each digit 0-9 is a few pen strokes (polylines and
elliptic arcs in a unit box). Every sample bends its template with a random affine map
(rotation, shear, scale, shift) and a smooth wave warp, draws it with a random pen width
on a 32x32 bitmap, flips a few random pixels, and counts the ink in each 4x4 block. That
last step is how the UCI "Optical Recognition of Handwritten Digits" set was made, so
the result has the same form: 8x8 images of integers 0..16.

Sample i uses the random stream SeedSequence([seed, i]), so any prefix can be
regenerated alone (the tests check the shipped file that way).

    python -m engine.data.make_digits            # rewrites assets/datasets/digits.npz
"""
from __future__ import annotations

import argparse

import numpy as np

N_SAMPLES = 1797          # as many as the UCI set
SEED = 2024
FINE = 32                 # bitmap side; 32 / 4 = 8 output pixels per side
MARGIN = 2.0              # pixels between the unit box and the bitmap's edge


def _arc(cx, cy, rx, ry, start_deg, end_deg, n=40):
    """Points on an ellipse; angles counter-clockwise as seen on screen (y grows down)."""
    a = np.radians(np.linspace(start_deg, end_deg, n))
    return np.stack([cx + rx * np.cos(a), cy - ry * np.sin(a)], axis=1)


def _line(*points):
    return np.array(points, dtype=np.float64)


def _join(*pieces):
    return np.concatenate(pieces)


#: digit -> list of strokes (each an (n, 2) polyline in the unit box, y down)
TEMPLATES = {
    0: [_arc(0.5, 0.5, 0.28, 0.42, 0, 360)],
    1: [_line((0.32, 0.25), (0.52, 0.08), (0.52, 0.92))],
    2: [_join(_arc(0.5, 0.3, 0.25, 0.2, 160, -30), _line((0.2, 0.9), (0.82, 0.9)))],
    3: [_join(_arc(0.48, 0.29, 0.24, 0.19, 150, -90), _arc(0.48, 0.7, 0.27, 0.22, 90, -150))],
    4: [_line((0.62, 0.92), (0.62, 0.08), (0.18, 0.64), (0.84, 0.64))],
    5: [_join(_line((0.78, 0.1), (0.32, 0.1)), _arc(0.48, 0.66, 0.28, 0.24, 140, -150))],
    6: [_join(_arc(0.7, 0.55, 0.4, 0.45, 105, 185), _arc(0.5, 0.68, 0.21, 0.22, 180, -180))],
    7: [_line((0.18, 0.1), (0.82, 0.1), (0.42, 0.92))],
    8: [_arc(0.5, 0.29, 0.2, 0.19, 0, 360), _arc(0.5, 0.69, 0.25, 0.22, 0, 360)],
    9: [_join(_arc(0.48, 0.32, 0.22, 0.2, 0, 360), _line((0.68, 0.6), (0.6, 0.92)))],
}

_centres = (np.arange(FINE) + 0.5 - MARGIN) / (FINE - 2 * MARGIN)
PIXELS = np.stack(np.meshgrid(_centres, _centres, indexing="xy"), axis=-1).reshape(-1, 2)  # (x, y)


def _distort(points, rng):
    """A random affine map about the box centre, then a gentle smooth wave warp."""
    angle = np.radians(rng.uniform(-15, 15))
    shear = rng.uniform(-0.25, 0.25)
    sx, sy = rng.uniform(0.75, 1.1), rng.uniform(0.85, 1.1)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rot @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([sx, sy])
    shift = rng.uniform(-0.06, 0.06, size=2)
    p = (points - 0.5) @ matrix.T + 0.5 + shift
    freq = rng.uniform(2.0, 5.0, size=2)
    phase = rng.uniform(0, 2 * np.pi, size=2)
    amp = rng.uniform(0.0, 0.035, size=2)
    return p + amp * np.sin(freq * p[:, ::-1] * np.pi + phase)


def _segment_distance(points, strokes):
    """Distance from each point to the nearest segment of any stroke."""
    a = np.concatenate([s[:-1] for s in strokes])
    b = np.concatenate([s[1:] for s in strokes])
    ab = b - a
    t = ((points[:, None, :] - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12)
    nearest = a + np.clip(t, 0, 1)[..., None] * ab
    return np.sqrt(((points[:, None, :] - nearest) ** 2).sum(-1)).min(axis=1)


def render_digit(digit: int, rng) -> np.ndarray:
    """One 8x8 uint8 image (values 0..16) of ``digit``."""
    strokes = [_distort(s, rng) for s in TEMPLATES[digit]]
    half_width = rng.uniform(0.055, 0.1)
    bitmap = _segment_distance(PIXELS, strokes) < half_width
    flips = rng.random(bitmap.shape) < rng.uniform(0.0, 0.008)
    bitmap = (bitmap ^ flips).reshape(FINE, FINE)
    return bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3)).astype(np.uint8)


def make_digits(n_samples: int = N_SAMPLES, seed: int = SEED):
    """(images uint8 (n, 8, 8) in 0..16, labels uint8 (n,)); sample i has label i % 10."""
    labels = (np.arange(n_samples) % 10).astype(np.uint8)
    images = np.stack([render_digit(int(d), np.random.default_rng([seed, i]))
                       for i, d in enumerate(labels)]) if n_samples else np.zeros((0, 8, 8), np.uint8)
    return images, labels


def main(argv=None):
    from .assets import REPO_ASSETS  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO_ASSETS / "datasets" / "digits.npz"))
    parser.add_argument("--n", type=int, default=N_SAMPLES)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    images, labels = make_digits(args.n, args.seed)
    np.savez_compressed(args.out, images=images, labels=labels,
                        seed=np.int64(args.seed))
    print(f"wrote {args.out}: {len(images)} digits")


if __name__ == "__main__":
    main()
