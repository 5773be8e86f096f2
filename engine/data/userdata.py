"""The user's own data: CSV and NPZ files, checked, with one-line messages on bad input.

CSV: one sample per line; the first line is a header when none of its fields is a
number. The target is the last column, or the column named by ``target`` (a header name
or a 1-based column number). Blank lines and lines starting with '#' are skipped; the
delimiter is ',' or, when the first line has none, ';' or a tab.

A header may name a column ``split`` holding ``train`` or ``test`` per row (as
``playground data`` writes): those rows then train and test, in the file's order, and
``test_fraction`` is not used; a header with columns ``y1``, ``y2``, ... makes them the
targets (several regression outputs) unless ``target`` says otherwise.

NPZ (read with ``allow_pickle=False``): arrays ``x`` and ``y``, or ``x_train``,
``y_train``, ``x_test`` and ``y_test`` (then ``test_fraction`` is not used).

IDX (MNIST's format, gzipped or not; a name ending ``-ubyte``, ``.idx`` or either plus
``.gz``): the images (or feature) file is ``path``, the labels file ``labels`` (read
from the images' folder when relative; empty: the images' name with ``images-idx3``
replaced by ``labels-idx1``, as MNIST names its files). Bytes (0..255) are scaled to
[0, 1]; 2-D samples become (1, H, W) images for Conv2d (Flatten them for an MLP).

``task="auto"`` picks classification when every target is a whole number and there are
2 to 20 distinct values; the distinct values, sorted, become classes 0, 1, ... and
``class_names`` keeps the originals. Every problem raises :class:`DataError` whose
message names the file and the line/column or array key.

Reading is bounded: the file's size, a line's length, the columns, the rows and the
numbers held are limited (the constants below), and a CSV is read line by line with a
bounded readline, so no file, however made, takes more memory than those limits allow.
A message quotes at most a short, escaped snippet of the file, and none at all before a
row of numbers has shown that the file is data (a path may name any readable file).
"""
from __future__ import annotations

import array
import csv
import gzip
import io
import itertools
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..i18n import _, os_reason
from .base import CLASSIFICATION, REGRESSION, Dataset, DataError, split
from .registry import SEED, ParamSpec, register, test_fraction

MAX_CLASSES = 20
TASK_CHOICES = ("auto", CLASSIFICATION, REGRESSION)
#: limits on what a data file may hold (a lesson's data is small; these are generous)
MAX_FILE_BYTES = 200_000_000
MAX_LINE_CHARS = 1_000_000
MAX_COLUMNS = 10_000
MAX_ROWS = 1_000_000
MAX_NUMBERS = 20_000_000        # rows x columns, and the entries of an .npz archive
#: characters of the file a message may quote
SNIPPET_CHARS = 20


def _snippet(text: str, quote: bool = True) -> str:
    """A short, escaped quote of the file: no control characters reach a terminal."""
    short = ascii(text[:SNIPPET_CHARS])
    return (short if quote else short[1:-1]) + ("..." if len(text) > SNIPPET_CHARS else "")


def _open_checked(path: Path):
    """The file opened for reading, once it is a regular file within MAX_FILE_BYTES (a
    device or a pipe named like data would never end)."""
    name = path.name
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise DataError(_("{file}: file not found").format(file=name)) from None
    except OSError as exc:
        raise DataError(_("{file}: cannot read the file ({reason})").format(file=name, reason=os_reason(exc))) from None
    if not stat.S_ISREG(info.st_mode):
        raise DataError(_("{file}: not a regular file").format(file=name))
    if info.st_size > MAX_FILE_BYTES:
        raise DataError(_("{file}: {size} bytes is more than a data file may hold ({most})").format(
            file=name, size=f"{info.st_size:,}", most=f"{MAX_FILE_BYTES:,}"))
    try:
        return open(path, "rb")
    except OSError as exc:
        raise DataError(_("{file}: cannot read the file ({reason})").format(file=name, reason=os_reason(exc))) from None


def _lines(f, name):
    """The file's text lines, each read with a bounded readline."""
    number = 0
    while True:
        raw = f.readline(MAX_LINE_CHARS + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_CHARS:
            raise DataError(_("{file} line {line}: longer than {most} characters; not a CSV file of numbers")
                            .format(file=name, line=number, most=f"{MAX_LINE_CHARS:,}"))
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise DataError(_("{file}: not UTF-8 text (line {line}); not a CSV file").format(file=name, line=number)) from None
        yield text


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return None
    return value


def _sniff_delimiter(lines) -> tuple:
    """(delimiter, the lines again): the first line with content decides."""
    seen = []
    for line in lines:
        seen.append(line)
        if line.strip() and not line.lstrip().startswith("#"):
            delimiter = next((d for d in (",", ";", "\t") if d in line), ",")
            return delimiter, itertools.chain(seen, lines)
    return ",", iter(seen)


def read_csv(path, target: str = ""):
    """(features float64 (N, F), targets float64 (N,) or (N, k), feature names, target
    column words). The last item says where the target is, for messages: "column 3 ('label')"."""
    return _read_csv(path, target)[:4]


def _read_csv(path, target=""):
    """read_csv's items, the rows the file's ``split`` column marks test (None: no such
    column) and the target columns' header names (None: no header)."""
    path = Path(path)
    name = path.name
    with _open_checked(path) as f:
        return _read_table(name, _lines(f, name), target)


SPLIT_WORDS = ("train", "test")


def _read_table(name, lines, target):
    delimiter, lines = _sniff_delimiter(lines)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header, width = None, None
    numbers, n_rows = array.array("d"), 0   # the table, row after row: 8 bytes a number
    split_col, test_rows = None, array.array("b")   # the header's `split` column, if any
    last_line = 0       # csv records may span lines (quoted newlines): report where one starts
    while True:
        line = last_line + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            hint = " (a quote is never closed)" if "end of data" in str(exc) else ""
            raise DataError(f"{name} line {line}: {exc}{hint}") from None
        last_line = reader.line_num
        if not fields or all(not f.strip() for f in fields) or fields[0].lstrip().startswith("#"):
            continue
        if len(fields) > MAX_COLUMNS:
            raise DataError(f"{name} line {line}: {len(fields):,} columns, more than a data file may "
                            f"have ({MAX_COLUMNS:,})")
        fields = [f.strip() for f in fields]
        if header is None and not n_rows and all(_number(f) is None for f in fields):
            header = [f or f"column {i + 1}" for i, f in enumerate(fields)]
            split_col = header.index("split") if "split" in header else None
            continue
        if width is None:   # the header's, else the first row's
            width = len(header) if header is not None else len(fields)
        if len(fields) != width:
            raise DataError(_("{file} line {line}: expected {width} columns, found {found}").format(
                file=name, line=line, width=width, found=len(fields)))
        if n_rows >= MAX_ROWS or (n_rows + 1) * width > MAX_NUMBERS:
            raise DataError(f"{name}: more than {min(MAX_ROWS, MAX_NUMBERS // width):,} rows of "
                            f"{width} columns, more than a data file may hold")
        values = []
        for col, field in enumerate(fields, start=1):
            if col - 1 == split_col:
                if field.lower() not in SPLIT_WORDS:
                    raise DataError(_("{file} line {line}, column {column}: {value} is not 'train' or 'test'").format(
                        file=name, line=line, column=col, value=_snippet(field)))
                test_rows.append(field.lower() == "test")
                continue
            if not field:
                raise DataError(_("{file} line {line}, column {column}: empty value").format(file=name, line=line, column=col))
            value = _number(field)
            # quote the file only once it has shown it is a table of numbers: a path may
            # name any readable file, whose content must not end up in a message
            quoted = f"{_snippet(field)} " if n_rows else ""
            if value is None:
                raise DataError(_("{file} line {line}, column {column}: {value}is not a number").format(
                    file=name, line=line, column=col, value=quoted) + ("" if n_rows else _("; not a CSV file of numbers")))
            if not np.isfinite(value):
                raise DataError(_("{file} line {line}, column {column}: {value}is not a finite number").format(
                    file=name, line=line, column=col, value=quoted))
            values.append(value)
        numbers.extend(values)
        n_rows += 1
    if not n_rows:
        raise DataError(_("{file}: no data rows; not a CSV file of numbers").format(file=name))
    if width < 2:
        raise DataError(_("{file}: needs at least 2 columns (features, then the target), found {n}").format(
            file=name, n=width))
    names = header or [f"column {i + 1}" for i in range(width)]
    if split_col is not None:
        names = names[:split_col] + names[split_col + 1:]
        width -= 1
        if width < 2:
            raise DataError(_("{file}: needs at least 2 columns (features, then the target), found {n}").format(
                file=name, n=width))
    cols = _target_columns(name, names, target, header is not None)
    table = np.frombuffer(numbers, dtype=np.float64).reshape(n_rows, width)
    features = np.delete(table, cols, axis=1)
    where = ", ".join(f"column {c + 1}" + (f" ({names[c]!r})" if header is not None else "") for c in cols)
    targets = table[:, cols[0]] if len(cols) == 1 else table[:, cols]
    test = np.frombuffer(test_rows, dtype=np.bool_).copy() if split_col is not None else None
    return features, targets, [n for i, n in enumerate(names) if i not in cols], where, test, \
        [names[c] for c in cols] if header is not None else None


def _target_columns(name, names, target, has_header) -> list:
    """The target's column indices: ``target``'s, else y1..yk when the header has them
    (``playground data``'s several outputs), else the last column."""
    numbered = [i for i, n in enumerate(names) if re.fullmatch(r"y\d+", n)]
    if target in ("", None) and has_header and len(numbered) > 1 and "y1" in names:
        return numbered
    return [_target_column(name, names, target, has_header)]


def _target_column(name, names, target, has_header) -> int:
    if target in ("", None):
        return len(names) - 1
    target = str(target).strip()
    if has_header and target in names:
        return names.index(target)
    if target.isdigit() and 1 <= int(target) <= len(names):
        return int(target) - 1
    if has_header:
        listed = ", ".join(_snippet(n, quote=False) for n in names[:10]) + (", ..." if len(names) > 10 else "")
    else:
        listed = f"columns 1 to {len(names)}"
    raise DataError(_("{file}: no column {column} for the target ({listed})").format(
        file=name, column=_snippet(target), listed=listed))


def _as_targets(where, y, task):
    """(task, targets, n_classes, class_names) after inferring or checking the task."""
    flat = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
    whole = flat.ndim == 1 and np.all(flat == np.round(flat))
    distinct = np.unique(flat) if flat.ndim == 1 else None
    if task == "auto":
        task = CLASSIFICATION if whole and 2 <= len(distinct) <= MAX_CLASSES else REGRESSION
    if task == REGRESSION:
        y = y.astype(np.float32)
        return task, (y[:, None] if y.ndim == 1 else y), None, None
    if flat.ndim != 1:
        raise DataError(_("{where}: class labels must be one column, found shape {shape}").format(
            where=where, shape=y.shape[1:]))
    if not whole:
        bad = flat[flat != np.round(flat)][0]
        raise DataError(_("{where}: target {value} is not a whole number, so it cannot be a class label").format(
            where=where, value=f"{bad:g}"))
    labels = np.searchsorted(distinct, flat).astype(np.int64)
    return task, labels, len(distinct), tuple(f"{v:g}" for v in distinct)


def _split(name, x, y, test, test_fraction, seed):
    """The file's own split (``test``: a bool per row) in its order, else a seeded shuffle."""
    if test is None:
        return split(x, y, test_fraction, np.random.default_rng(seed))
    if test.all() or not test.any():
        raise DataError(_("{file}: the split column marks every row {word}; both train and test rows are needed")
                        .format(file=name, word="test" if test.all() else "train"))
    return x[~test], y[~test], x[test], y[test]


def load_csv(path, target: str = "", task: str = "auto", test_fraction: float = 0.2,
             seed: int = 0) -> Dataset:
    path = Path(path)
    features, targets, feature_names, target_where, test, _names = _read_csv(path, target)
    if len(features) < 2:
        raise DataError(_("{file}: needs at least 2 data rows to split into train and test").format(file=path.name))
    where = f"{path.name}, {target_where}"
    task, y, n_classes, class_names = _as_targets(where, targets, task)
    x_tr, y_tr, x_te, y_te = _split(path.name, features.astype(np.float32), y, test, test_fraction, seed)
    return Dataset(path.name, task, x_tr, y_tr, x_te, y_te, n_classes=n_classes,
                   class_names=class_names,
                   description=f"From {path.name}: features {', '.join(feature_names)}; "
                               f"target {target_where}.")


_NPZ_SETS = (("x", "y"), ("x_train", "y_train", "x_test", "y_test"))


def _npz_array(name, archive, key):
    # the stored (uncompressed) size, read before anything is inflated: a small archive
    # may hold an enormous array
    info = archive.zip.getinfo(key + ".npy") if key + ".npy" in archive.zip.namelist() else None
    if info is not None and info.file_size > MAX_NUMBERS * 8 + 4096:
        raise DataError(f"{name}, array '{key}': {info.file_size:,} bytes, more than a data file "
                        f"may hold ({MAX_NUMBERS:,} numbers)")
    try:
        arr = archive[key]
    except ValueError:  # object arrays need pickle, which we never allow
        raise DataError(f"{name}, array '{key}': holds Python objects; save plain numeric arrays") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"{name}, array '{key}': cannot be read ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise DataError(f"{name}, array '{key}': dtype {arr.dtype} is not a real number type")
    if arr.ndim == 0 or arr.shape[0] == 0:
        raise DataError(f"{name}, array '{key}': needs at least one sample, found shape {arr.shape}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise DataError(f"{name}, array '{key}': NaN or infinity at index {index}")
    return arr


def load_npz(path, task: str = "auto", test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    path = Path(path)
    name = path.name
    with _open_checked(path) as f:   # a regular file of a sensible size; the one read below
        try:
            archive = np.load(f, allow_pickle=False)
        except (OSError, ValueError, zipfile.BadZipFile, EOFError):
            raise DataError(_("{file}: not a NumPy .npz archive").format(file=name)) from None
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise DataError(_("{file}: holds a single array; save x and y with numpy.savez").format(file=name))
        with archive:
            keys = set(archive.files)
            chosen = next((s for s in reversed(_NPZ_SETS) if set(s) <= keys), None)
            if chosen is None:
                raise DataError(_("{file}: needs arrays 'x' and 'y' (or x_train, y_train, x_test, y_test); "
                                  "found: {found}").format(file=name, found=", ".join(sorted(keys)) or _("none")))
            arrays = {k: _npz_array(name, archive, k) for k in chosen}
    for k, arr in arrays.items():
        if k.startswith("x") and arr.ndim == 1:
            arrays[k] = arr[:, None]
    pairs = [(chosen[i], chosen[i + 1]) for i in range(0, len(chosen), 2)]
    for xk, yk in pairs:
        if len(arrays[xk]) != len(arrays[yk]):
            raise DataError(_("{file}: arrays '{x}' and '{y}' have different lengths ({nx} and {ny})").format(
                file=name, x=xk, y=yk, nx=len(arrays[xk]), ny=len(arrays[yk])))
    if len(chosen) == 4:
        for a, b in (("x_train", "x_test"), ("y_train", "y_test")):
            if arrays[a].shape[1:] != arrays[b].shape[1:]:
                raise DataError(f"{name}: '{a}' and '{b}' have different sample shapes "
                                f"({arrays[a].shape[1:]} and {arrays[b].shape[1:]})")
        x_all = np.concatenate([arrays["x_train"], arrays["x_test"]])
        y_all = np.concatenate([arrays["y_train"], arrays["y_test"]])
        n_train = len(arrays["x_train"])
    else:
        x_all, y_all, n_train = arrays["x"], arrays["y"], None
        if len(x_all) < 2:
            raise DataError(_("{file}: needs at least 2 samples to split into train and test").format(file=name))
    task, y, n_classes, class_names = _as_targets(f"{name}, array '{chosen[1]}'", y_all, task)
    x = x_all.astype(np.float32)
    if n_train is None:
        x_tr, y_tr, x_te, y_te = split(x, y, test_fraction, np.random.default_rng(seed))
    else:
        x_tr, y_tr, x_te, y_te = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    return Dataset(name, task, x_tr, y_tr, x_te, y_te, n_classes=n_classes, class_names=class_names,
                   description=f"From {name}.")


# ---------------------------------------------------------------- IDX (MNIST's files)
#: IDX type byte -> big-endian dtype (yann.lecun.com/exdb/mnist: "THE IDX FILE FORMAT")
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


def is_idx(path) -> bool:
    name = Path(path).name.lower()
    name = name[:-3] if name.endswith(".gz") else name
    return name.endswith(("-ubyte", ".idx", ".idx1", ".idx3")) or bool(re.search(r"[-.]idx\d", name))


def read_idx(path) -> np.ndarray:
    """The array an IDX file holds (gzipped or not), checked against its header."""
    path = Path(path)
    name = path.name
    with _open_checked(path) as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if raw[:2] == _GZIP_MAGIC:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as z:
                raw = z.read(MAX_NUMBERS * 8 + 1024)   # bounded: a small .gz may inflate hugely
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(_("{file}: a damaged gzip file ({reason})").format(file=name, reason=exc)) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES or raw[3] == 0:
        raise DataError(_("{file}: not an IDX file (it must start with two zero bytes, a type and a "
                          "dimension count)").format(file=name))
    ndim = raw[3]
    if len(raw) < 4 + 4 * ndim:
        raise DataError(_("{file}: the IDX header is cut short").format(file=name))
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(IDX_TYPES[raw[2]])
    count = int(np.prod(shape, dtype=object))
    if count > MAX_NUMBERS:
        raise DataError(f"{name}: shape {shape} holds more numbers than a data file may ({MAX_NUMBERS:,})")
    body = raw[4 + 4 * ndim:]
    if len(body) != count * dtype.itemsize:
        raise DataError(_("{file}: holds {found} bytes of data, its header (shape {shape}) says {expected}").format(
            file=name, found=f"{len(body):,}", shape=shape, expected=f"{count * dtype.itemsize:,}"))
    if not count:
        raise DataError(_("{file}: holds no samples (shape {shape})").format(file=name, shape=shape))
    arr = np.frombuffer(body, dtype=dtype).reshape(shape)
    if dtype.kind == "f" and not np.all(np.isfinite(arr)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise DataError(_("{file}: NaN or infinity at index {index}").format(file=name, index=index))
    return arr.astype(dtype.newbyteorder("="))


def labels_path(path, labels: str = "") -> Path:
    """The labels file of IDX images: ``labels`` (relative to the images' folder), else
    MNIST's naming (train-images-idx3-ubyte -> train-labels-idx1-ubyte)."""
    path = Path(path)
    if labels:
        return Path(labels) if Path(labels).is_absolute() else path.parent / labels
    guess = path.name.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1")
    if guess == path.name:
        raise DataError(_("{file}: which file holds the labels? Set 'labels' (e.g. "
                          "train-labels-idx1-ubyte)").format(file=path.name))
    # the labels may be gzipped when the images are not, or the other way round
    plain = guess[:-3] if guess.endswith(".gz") else guess
    candidates = [path.parent / guess, path.parent / plain, path.parent / (plain + ".gz")]
    return next((c for c in candidates if c.exists()), candidates[0])


def idx_arrays(path, labels: str = ""):
    """(x float32, labels, where) of an IDX images file and its labels file."""
    path = Path(path)
    x = read_idx(path)
    lpath = labels_path(path, labels)
    y = read_idx(lpath)
    if y.ndim != 1:
        raise DataError(_("{file}: labels must be one number per sample, found shape {shape}").format(
            file=lpath.name, shape=y.shape))
    if len(y) != len(x):
        raise DataError(_("{images} has {n} samples but {labels} has {m} labels").format(
            images=path.name, n=len(x), labels=lpath.name, m=len(y)))
    x = x.astype(np.float32) / (255.0 if x.dtype == np.uint8 else 1.0)
    if x.ndim == 3:
        x = x[:, None, :, :]   # (N, 1, H, W): an image with one channel
    elif x.ndim == 1:
        x = x[:, None]
    return x, y.astype(np.float64), lpath.name


def load_idx(path, labels: str = "", task: str = "auto", test_fraction: float = 0.2,
             seed: int = 0) -> Dataset:
    path = Path(path)
    x, y, lname = idx_arrays(path, labels)
    if len(x) < 2:
        raise DataError(_("{file}: needs at least 2 samples to split into train and test").format(file=path.name))
    task, y, n_classes, class_names = _as_targets(lname, y, task)
    x_tr, y_tr, x_te, y_te = split(x, y, test_fraction, np.random.default_rng(seed))
    return Dataset(path.name, task, x_tr, y_tr, x_te, y_te, n_classes=n_classes, class_names=class_names,
                   description=f"From {path.name} and {lname}.")


@dataclass
class Preview:
    """What File > Import Data shows before anything changes: the dataset as it would be
    loaded, and the file's first rows in its own order (features flattened, then targets)."""
    dataset: Dataset
    columns: list
    rows: list      # [[float, ...], ...]: at most PREVIEW_ROWS, PREVIEW_COLUMNS features each
    more_columns: bool   # features beyond those shown
    targets: int         # the last `targets` columns are the targets


PREVIEW_ROWS, PREVIEW_COLUMNS = 8, 8


def preview(path, target: str = "", task: str = "auto", test_fraction: float = 0.2, seed: int = 0,
            labels: str = "") -> Preview:
    """The dataset ``load_file`` makes of ``path`` and its first rows; DataError on bad data."""
    dataset = load_file(path, target, task, test_fraction, seed, labels)
    path = Path(path)
    target_names = None
    if is_idx(path):
        x, y, _lname = idx_arrays(path, labels)
        names = None
    elif path.suffix.lower() == ".npz":
        with np.load(path, allow_pickle=False) as archive:   # load_file has checked it
            xk, yk = ("x", "y") if "x" in archive.files and "y" in archive.files else ("x_train", "y_train")
            x, y = archive[xk][:PREVIEW_ROWS], archive[yk][:PREVIEW_ROWS]
        names = None
    else:
        x, y, names, _where, _test, target_names = _read_csv(path, target)
    x = np.asarray(x[:PREVIEW_ROWS], dtype=np.float64).reshape(min(len(x), PREVIEW_ROWS), -1)
    y = np.asarray(y[:PREVIEW_ROWS], dtype=np.float64).reshape(len(x), -1)
    width = x.shape[1]
    names = list(names) if names else [f"x{i + 1}" for i in range(width)]
    shown = min(width, PREVIEW_COLUMNS)
    columns = names[:shown] + (target_names or (["y"] if y.shape[1] == 1 else [f"y{i + 1}" for i in range(y.shape[1])]))
    rows = [list(xr[:shown]) + list(yr) for xr, yr in zip(x, y)]
    return Preview(dataset, columns, rows, width > shown, y.shape[1])


def load_file(path, target: str = "", task: str = "auto", test_fraction: float = 0.2,
              seed: int = 0, labels: str = "") -> Dataset:
    """A CSV (.csv, .tsv, .txt), NPZ (.npz) or IDX (MNIST's -ubyte, gzipped or not) file."""
    if task not in TASK_CHOICES:
        raise ValueError(f"task must be one of {', '.join(TASK_CHOICES)}, not {task!r}")
    path = Path(path)
    suffix = path.suffix.lower()
    if is_idx(path):
        return load_idx(path, labels, task, test_fraction, seed)
    if suffix in (".csv", ".tsv", ".txt"):
        return load_csv(path, target, task, test_fraction, seed)
    if suffix == ".npz":
        if target:
            raise DataError(_("{file}: 'target' names a CSV column; an .npz file uses array 'y'").format(file=path.name))
        return load_npz(path, task, test_fraction, seed)
    raise DataError(_("{file}: unknown file type {type}; use .csv, .npz or MNIST's IDX files").format(
        file=path.name, type=repr(suffix or "(none)")))


@register("file", "User data", None,
          "your own data from a .csv file (last column = target), an .npz file (arrays x, y) "
          "or MNIST's IDX files (images and labels)",
          ParamSpec("path", "str", "", "the .csv or .npz file; a relative path is read from "
                                      "the folder of the .nnpg file"),
          ParamSpec("target", "str", "", "CSV target column: a header name or a 1-based number "
                                          "(empty = the last column)"),
          ParamSpec("task", "choice", "auto", "auto: classes when targets are 2-20 whole numbers",
                    choices=TASK_CHOICES),
          test_fraction(0.2), SEED,
          ParamSpec("labels", "str", "", "IDX: the labels file beside the images (empty = MNIST's "
                                          "name: images-idx3 -> labels-idx1)"))
def file(path, target, task, test_fraction, seed, labels):
    if not path:
        raise ValueError("dataset 'file' needs a path to a .csv, .npz or IDX file")
    return load_file(path, target, task, test_fraction, seed, labels)
