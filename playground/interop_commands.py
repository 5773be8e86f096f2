"""``playground import-tfp URL -o OUT.nnpg`` and ``playground data FILE -o OUT.csv``."""
from __future__ import annotations

import csv
import io
import os

from engine.i18n import _
from playground.cli import EXIT_OK


def cmd_import_tfp(args) -> int:
    from engine.graph.fileformat import weights_path  # noqa: PLC0415
    from engine.interop import tfp  # noqa: PLC0415

    state = tfp.import_url(args.url, args.output)
    print(_("wrote {graph} and {weights}: TensorFlow Playground's {dataset}, seed {seed}, "
            "{inputs} input features, hidden layers {shape}").format(
        graph=args.output, weights=weights_path(args.output), dataset=state.generator,
        seed=state.seed, inputs=len(state.inputs),
        shape=",".join(map(str, state.network_shape)) or "-"))
    return EXIT_OK


def dataset_csv(dataset) -> str:
    """The dataset as CSV text: columns x1..xn (each sample flattened), y or y1..ym, split;
    rows train then test, in the dataset's order. Numbers in their shortest exact form."""
    columns = []
    for part, x, y in (("train", dataset.x_train, dataset.y_train), ("test", dataset.x_test, dataset.y_test)):
        columns.append((part, x.reshape(len(x), -1), y.reshape(len(y), -1)))
    n_x, n_y = columns[0][1].shape[1], columns[0][2].shape[1]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f"x{i + 1}" for i in range(n_x)]
                    + (["y"] if n_y == 1 else [f"y{i + 1}" for i in range(n_y)]) + ["split"])
    for part, x, y in columns:
        for xr, yr in zip(x, y):
            writer.writerow([str(v) for v in xr] + [str(v) for v in yr] + [part])
    return out.getvalue()


def cmd_data(args) -> int:
    from engine.graph.compile import dataset_from_settings  # noqa: PLC0415
    from engine.graph.fileformat import atomic_write  # noqa: PLC0415
    from playground.commands import FileProblem, _load, _naming  # noqa: PLC0415

    graph = _load(args.file)
    with _naming(args.file):
        dataset = dataset_from_settings(graph, FileProblem)
    if dataset is None:
        raise FileProblem(_("{file}: has no dataset (settings.dataset)").format(
            file=os.path.basename(str(args.file))))
    text = dataset_csv(dataset)
    atomic_write(args.output, text.encode("utf-8"))
    print(_("wrote {path}: {rows} rows ({train} train, {test} test)").format(
        path=args.output, rows=len(dataset.x_train) + len(dataset.x_test),
        train=len(dataset.x_train), test=len(dataset.x_test)))
    return EXIT_OK

