"""The user's own data: CSV and NPZ files, checked, with one-line messages on bad input.

CSV: one sample per line; the first line is a header when none of its fields is a
number. The target is the last column, or the column named by ``target`` (a header name
or a 1-based column number). Blank lines and lines starting with '#' are skipped; the
delimiter is ',' or, when the first line has none, ';' or a tab.

NPZ (read with ``allow_pickle=False``): arrays ``x`` and ``y``, or ``x_train``,
``y_train``, ``x_test`` and ``y_test`` (then ``test_fraction`` is not used).

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
import itertools
import os
import stat
import zipfile
from pathlib import Path

import numpy as np

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
        raise DataError(f"{name}: file not found") from None
    except OSError as exc:
        raise DataError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{name}: not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise DataError(f"{name}: {info.st_size:,} bytes is more than a data file may hold "
                        f"({MAX_FILE_BYTES:,})")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise DataError(f"{name}: cannot read the file ({exc.strerror or exc})") from None


def _lines(f, name):
    """The file's text lines, each read with a bounded readline."""
    number = 0
    while True:
        raw = f.readline(MAX_LINE_CHARS + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_CHARS:
            raise DataError(f"{name} line {number}: longer than {MAX_LINE_CHARS:,} characters; "
                            f"not a CSV file of numbers")
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise DataError(f"{name}: not UTF-8 text (line {number}); not a CSV file") from None
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
    """(features float64 (N, F), targets float64 (N,), feature names, target column words).

    The last item says where the target is, for messages: "column 3 ('label')"."""
    path = Path(path)
    name = path.name
    with _open_checked(path) as f:
        return _read_table(name, _lines(f, name), target)


def _read_table(name, lines, target):
    delimiter, lines = _sniff_delimiter(lines)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header, width = None, None
    numbers, n_rows = array.array("d"), 0   # the table, row after row: 8 bytes a number
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
            continue
        if width is None:   # the header's, else the first row's
            width = len(header) if header is not None else len(fields)
        if len(fields) != width:
            raise DataError(f"{name} line {line}: expected {width} columns, found {len(fields)}")
        if n_rows >= MAX_ROWS or (n_rows + 1) * width > MAX_NUMBERS:
            raise DataError(f"{name}: more than {min(MAX_ROWS, MAX_NUMBERS // width):,} rows of "
                            f"{width} columns, more than a data file may hold")
        values = []
        for col, field in enumerate(fields, start=1):
            if not field:
                raise DataError(f"{name} line {line}, column {col}: empty value")
            value = _number(field)
            # quote the file only once it has shown it is a table of numbers: a path may
            # name any readable file, whose content must not end up in a message
            quoted = f"{_snippet(field)} " if n_rows else ""
            if value is None:
                raise DataError(f"{name} line {line}, column {col}: {quoted}is not a number"
                                + ("" if n_rows else "; not a CSV file of numbers"))
            if not np.isfinite(value):
                raise DataError(f"{name} line {line}, column {col}: {quoted}is not a finite number")
            values.append(value)
        numbers.extend(values)
        n_rows += 1
    if not n_rows:
        raise DataError(f"{name}: no data rows; not a CSV file of numbers")
    if width < 2:
        raise DataError(f"{name}: needs at least 2 columns (features, then the target), found {width}")
    names = header or [f"column {i + 1}" for i in range(width)]
    col = _target_column(name, names, target, header is not None)
    table = np.frombuffer(numbers, dtype=np.float64).reshape(n_rows, width)
    features = np.delete(table, col, axis=1)
    where = f"column {col + 1}" + (f" ({names[col]!r})" if header is not None else "")
    return features, table[:, col], [n for i, n in enumerate(names) if i != col], where


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
    raise DataError(f"{name}: no column {_snippet(target)} for the target ({listed})")


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
        raise DataError(f"{where}: class labels must be one column, found shape {y.shape[1:]}")
    if not whole:
        bad = flat[flat != np.round(flat)][0]
        raise DataError(f"{where}: target {bad:g} is not a whole number, so it cannot be a class label")
    labels = np.searchsorted(distinct, flat).astype(np.int64)
    return task, labels, len(distinct), tuple(f"{v:g}" for v in distinct)


def load_csv(path, target: str = "", task: str = "auto", test_fraction: float = 0.2,
             seed: int = 0) -> Dataset:
    path = Path(path)
    features, targets, feature_names, target_where = read_csv(path, target)
    if len(features) < 2:
        raise DataError(f"{path.name}: needs at least 2 data rows to split into train and test")
    where = f"{path.name}, {target_where}"
    task, y, n_classes, class_names = _as_targets(where, targets, task)
    x_tr, y_tr, x_te, y_te = split(features.astype(np.float32), y, test_fraction,
                                   np.random.default_rng(seed))
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
            raise DataError(f"{name}: not a NumPy .npz archive") from None
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise DataError(f"{name}: holds a single array; save x and y with numpy.savez")
        with archive:
            keys = set(archive.files)
            chosen = next((s for s in reversed(_NPZ_SETS) if set(s) <= keys), None)
            if chosen is None:
                raise DataError(f"{name}: needs arrays 'x' and 'y' (or x_train, y_train, x_test, y_test); "
                                f"found: {', '.join(sorted(keys)) or 'none'}")
            arrays = {k: _npz_array(name, archive, k) for k in chosen}
    for k, arr in arrays.items():
        if k.startswith("x") and arr.ndim == 1:
            arrays[k] = arr[:, None]
    pairs = [(chosen[i], chosen[i + 1]) for i in range(0, len(chosen), 2)]
    for xk, yk in pairs:
        if len(arrays[xk]) != len(arrays[yk]):
            raise DataError(f"{name}: arrays '{xk}' and '{yk}' have different lengths "
                            f"({len(arrays[xk])} and {len(arrays[yk])})")
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
            raise DataError(f"{name}: needs at least 2 samples to split into train and test")
    task, y, n_classes, class_names = _as_targets(f"{name}, array '{chosen[1]}'", y_all, task)
    x = x_all.astype(np.float32)
    if n_train is None:
        x_tr, y_tr, x_te, y_te = split(x, y, test_fraction, np.random.default_rng(seed))
    else:
        x_tr, y_tr, x_te, y_te = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    return Dataset(name, task, x_tr, y_tr, x_te, y_te, n_classes=n_classes, class_names=class_names,
                   description=f"From {name}.")


def load_file(path, target: str = "", task: str = "auto", test_fraction: float = 0.2,
              seed: int = 0) -> Dataset:
    """A CSV (.csv, .tsv, .txt) or NPZ (.npz) file, by its extension."""
    if task not in TASK_CHOICES:
        raise ValueError(f"task must be one of {', '.join(TASK_CHOICES)}, not {task!r}")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return load_csv(path, target, task, test_fraction, seed)
    if suffix == ".npz":
        if target:
            raise DataError(f"{path.name}: 'target' names a CSV column; an .npz file uses array 'y'")
        return load_npz(path, task, test_fraction, seed)
    raise DataError(f"{path.name}: unknown file type {suffix or '(none)'!r}; use .csv or .npz")


@register("file", "User data", None,
          "your own data from a .csv file (last column = target) or an .npz file (arrays x, y)",
          ParamSpec("path", "str", "", "the .csv or .npz file; a relative path is read from "
                                      "the folder of the .nnpg file"),
          ParamSpec("target", "str", "", "CSV target column: a header name or a 1-based number "
                                          "(empty = the last column)"),
          ParamSpec("task", "choice", "auto", "auto: classes when targets are 2-20 whole numbers",
                    choices=TASK_CHOICES),
          test_fraction(0.2), SEED)
def file(path, target, task, test_fraction, seed):
    if not path:
        raise ValueError("dataset 'file' needs a path to a .csv or .npz file")
    return load_file(path, target, task, test_fraction, seed)
