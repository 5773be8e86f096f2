"""``playground export FILE --format pytorch -o OUT.py``: a graph as a PyTorch script."""
from __future__ import annotations

import os

from engine.i18n import _
from playground.cli import EXIT_OK, UsageError


def cmd_export(args) -> int:
    from engine.interop.pytorch import export_pytorch  # noqa: PLC0415
    from playground.commands import _load, _naming  # noqa: PLC0415

    if args.format == "onnx":
        return cmd_export_onnx(args)
    if args.format != "pytorch":   # argparse's choices hold only the formats written so far
        raise UsageError(_("--format {format} is not available yet").format(format=args.format))
    from engine.graph.fileformat import load_weights  # noqa: PLC0415

    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):   # else the message would name atomic_write's temporary file
        raise UsageError(_("-o {path}: the folder {folder} does not exist").format(path=args.output, folder=folder))
    graph = _load(args.file)
    with _naming(args.file):   # the trained weights saved beside the file, else the initial ones
        export_pytorch(graph, args.output, source=os.path.basename(str(args.file)),
                       weights=load_weights(args.file))
    print(_("wrote {script} and {data}: run it with 'python {script} --steps N'").format(
        script=args.output, data=os.path.splitext(args.output)[0] + ".npz"))
    return EXIT_OK


def cmd_export_onnx(args) -> int:
    """The prediction as an ONNX model, with the weights saved beside the file (else the
    initial ones); needs the optional ``onnx`` package."""
    from engine.graph.fileformat import load_weights, weights_path  # noqa: PLC0415
    from engine.interop.onnx import export_onnx  # noqa: PLC0415
    from playground.commands import _load, _naming  # noqa: PLC0415

    try:
        import onnx  # noqa: F401,PLC0415 - the optional extra, checked before any work
    except ImportError:
        raise UsageError(_("--format onnx needs the 'onnx' package: pip install onnx")) from None
    graph = _load(args.file)
    weights = load_weights(args.file)
    with _naming(args.file):
        export_onnx(graph, args.output, weights, source=weights_path(args.file).name)
    print(_("wrote {model}: input 'x', output 'prediction', {weights}").format(
        model=args.output, weights=_("the weights of {file}").format(file=weights_path(args.file).name)
        if weights else _("the initial weights")))
    return EXIT_OK
