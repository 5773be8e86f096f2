"""`playground export FILE --format pytorch -o OUT.py`: the graph as a PyTorch script whose
loss after N steps, from the same weights and batches, equals ours (float32 to 1e-4
relative, float64 to 1e-6), and which writes the JSON `playground train --metrics-json` does.
Nodes without a PyTorch form, and settings torch has no counterpart for, are refused in
one line naming them."""
import json
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.graph import fileformat, registry
from engine.graph.compile import compile_graph
from engine.graph.schema import setting
from engine.interop.pytorch import ExportRefused, export_pytorch, pytorch_script
from engine.train import Session
from playground.cli import main

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"
STEPS = 6
#: lessons whose export is compared in the default run (the others: -m slow_export)
QUICK = ("xor_mlp", "weight_sharing", "lstm_delay_copy", "lr_decay", "class_weights", "bce_vs_mse",
         "batchnorm_train_eval", "ensembling", "attention_reverse", "mixture_of_experts", "attention_module")


def _lessons():
    return sorted(p.stem for p in LESSONS.glob("*.nnpg"))


def _export(name, tmp_path, session=None):
    """The script's path, or the refusal's message."""
    graph = fileformat.load(LESSONS / f"{name}.nnpg")
    out = tmp_path / f"{name}.py"
    try:
        if session is None:
            export_pytorch(graph, out, source=f"{name}.nnpg")
        else:
            text, arrays = pytorch_script(graph, f"{name}.nnpg", session=session)
            np.savez(out.with_suffix(".npz"), **arrays)
            out.write_text(text, encoding="utf-8")
    except ExportRefused as exc:
        return str(exc)
    return out


def _run_script(path, steps, monkeypatch):
    """Run the exported script in this process (torch is imported once); its metrics JSON."""
    torch = pytest.importorskip("torch")
    metrics = path.with_suffix(".json")
    monkeypatch.setattr(sys, "argv", [str(path), "--steps", str(steps), "--metrics-json", str(metrics)])
    dtype = torch.get_default_dtype()
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        torch.set_default_dtype(dtype)   # the script sets it for its own process
    return json.loads(metrics.read_text(encoding="utf-8"))


def _ours(name, steps):
    session = Session.from_graph(fileformat.load(LESSONS / f"{name}.nnpg"))
    session.run(steps)
    return session.last_loss, session.evaluate()


def _random_nodes(name):
    graph = fileformat.load(LESSONS / f"{name}.nnpg")
    return "use torch's generator" in pytorch_script(graph, name)[0]


def _compare(name, tmp_path, monkeypatch, steps=STEPS, rtol=1e-4):
    path = _export(name, tmp_path)
    if isinstance(path, str):
        pytest.skip(path)
    if _random_nodes(name):
        pytest.skip(f"{name}: a node draws random numbers in training (torch's generator is not ours)")
    theirs = _run_script(path, steps, monkeypatch)
    loss, metrics = _ours(name, steps)
    assert theirs["steps"] == steps and theirs["nan"] is None
    assert theirs["loss"] == pytest.approx(loss, rel=rtol), name
    assert theirs["metrics"].keys() == metrics.keys()
    for key, value in metrics.items():
        assert theirs["metrics"][key] == pytest.approx(value, rel=rtol, abs=1e-6), (name, key)


@pytest.mark.torchref
@pytest.mark.parametrize("name", QUICK)
def test_exported_lesson_trains_to_our_loss(name, tmp_path, monkeypatch):
    _compare(name, tmp_path, monkeypatch)


def _float64_sessions(name):
    """make() -> a fresh float64 Session of the lesson (weights, data and float targets in
    float64), every one starting from the same weights."""
    graph = fileformat.load(LESSONS / f"{name}.nnpg")
    first = Session.from_graph(graph, replay=False)
    weights = {k: v.astype(np.float64) if v.dtype.kind == "f" else v for k, v in first.program.state_dict().items()}
    data = first.dataset
    for key in ("x_train", "x_test", "y_train", "y_test"):
        if getattr(data, key).dtype.kind == "f":
            setattr(data, key, getattr(data, key).astype(np.float64))
    kw = {k: setting(graph.settings, k) for k in ("optimizer", "schedule", "batch_size", "clip_grad_norm", "trainer")}

    def make():
        program = compile_graph(graph, dataset_shapes=data.shape_info(), seed=first.seed).to(dtype=np.float64)
        program.load_state_dict(weights)
        return Session(program, data, seed=first.seed, replay=False, **kw)
    return make


def _compare_float64(name, tmp_path, monkeypatch, steps):
    make = _float64_sessions(name)
    path = _export(name, tmp_path, session=make())
    if isinstance(path, str):
        pytest.skip(path)
    if "use torch's generator" in path.read_text(encoding="utf-8"):
        pytest.skip(f"{name}: a node draws random numbers in training (torch's generator is not ours)")
    assert "torch.set_default_dtype(torch.float64)" in path.read_text(encoding="utf-8")
    theirs = _run_script(path, steps, monkeypatch)
    session = make()
    session.run(steps)
    assert session.params[0].data.dtype == np.float64
    assert theirs["steps"] == session.step_count
    if session.step_count == steps:
        assert theirs["loss"] == pytest.approx(session.last_loss, rel=1e-6), name


@pytest.mark.torchref
def test_float64_matches_to_1e_6(tmp_path, monkeypatch):
    """From a float64 session (weights and data) the script runs in float64 and agrees to 1e-6."""
    _compare_float64("xor_mlp", tmp_path, monkeypatch, 30)


@pytest.mark.torchref
@pytest.mark.soak
@pytest.mark.parametrize("name", _lessons())
def test_every_exported_lesson_trains_to_our_loss_in_float64(name, tmp_path, monkeypatch):
    """40 steps of every lesson the export takes, in float64: float32's rounding grows
    chaotically in some (deep sigmoid with batch norm, the lessons that diverge on purpose),
    float64 shows the computations are the same."""
    _compare_float64(name, tmp_path, monkeypatch, 40)


def test_the_script_mirrors_the_graph_and_ties_share_one_submodule(tmp_path):
    """The module definition G is a class; its two tied instances are one submodule called
    twice, and the weights load under the nested names."""
    text, arrays = pytorch_script(fileformat.load(LESSONS / "weight_sharing.nnpg"), "weight_sharing.nnpg")
    compile(text, "weight_sharing.py", "exec")   # valid Python
    assert "class G(nn.Module):" in text and "self.lin = nn.Linear(in_features=1, out_features=4" in text
    assert "        self.g1 = G()\n" in text and "self.g2 =" not in text
    assert "g1 = self.g1(split[0])" in text and "g2 = self.g1(split[1])" in text
    assert "torch.optim.Adam(model.parameters(), lr=0.05)" in text
    assert {k for k in arrays if k.startswith("weights.")} == {
        "weights.g1.lin.weight", "weights.g1.lin.bias", "weights.output.weight", "weights.output.bias"}


def test_lessons_export_unless_torch_lacks_their_optimizer_or_rule(tmp_path):
    """Every node type the shipped lessons draw has a PyTorch form; what is refused is named
    in one line: a learning rule that is not gradient descent, an optimizer torch lacks."""
    refused = {name: msg for name in _lessons() if isinstance(msg := _export(name, tmp_path), str)}
    for name, msg in refused.items():
        assert "\n" not in msg and msg.startswith("cannot export to PyTorch: "), name
        assert "has no PyTorch form" not in msg, msg
    assert "the 'perceptron' learning rule is not gradient descent" in refused["perceptron_and"]
    assert "torch.optim has no Newton optimizer" in refused["newton"]
    assert set(refused) == {"aimd", "conjugate_gradient", "newton", "hebb_rule", "perceptron_and",
                            "perceptron_xor", "xor_from_gates"}, sorted(refused)


def test_a_node_type_without_an_export_is_named(monkeypatch, tmp_path):
    """A node type that declares no export: the refusal names each such node and its type,
    and the settings' problems in the same line."""
    import dataclasses  # noqa: PLC0415

    monkeypatch.setitem(registry.REGISTRY, "Tanh", dataclasses.replace(registry.get("Tanh"), export=None))
    msg = _export("xor_mlp", tmp_path)
    assert msg == "cannot export to PyTorch: node 'tanh' (Tanh) has no PyTorch form"
    msg = _export("hebb_rule", tmp_path)   # its Sign is exported; its learning rule is not
    assert msg == "cannot export to PyTorch: the 'hebb' learning rule is not gradient descent"


def test_every_node_type_in_a_lesson_that_torch_has_declares_an_export():
    """The declaration lives beside the registry entry: the lessons' common node types have one."""
    for name in ("Linear", "Tanh", "ReLU", "Sigmoid", "MSELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
                 "Conv2d", "MaxPool2d", "Flatten", "LSTM", "GRU", "BatchNorm1d", "LayerNorm", "GroupNorm",
                 "Dropout", "Add", "Concat", "Stack", "Split", "Multiply", "Transpose", "Mean", "Parameter",
                 "MultiheadAttention", "TransformerBlock", "PositionalEncoding", "GaussianNoise",
                 "AttentionModule", "MixtureOfExperts", "MultiplicativeModule", "Sign", "Heaviside"):
        assert registry.get(name).export is not None, name


@pytest.mark.torchref
def test_cli_export_then_script_writes_train_metrics_keys(tmp_path):
    """End to end: the command writes the script and its .npz; the script, run as a program,
    writes the keys `playground train --metrics-json` writes, with our loss."""
    import subprocess  # noqa: PLC0415

    pytest.importorskip("torch")
    lesson, script = LESSONS / "xor_mlp.nnpg", tmp_path / "xor.py"
    assert main(["export", str(lesson), "--format", "pytorch", "-o", str(script)]) == 0
    assert script.with_suffix(".npz").exists()
    subprocess.run([sys.executable, str(script), "--steps", "5", "--metrics-json", str(tmp_path / "t.json")],
                   check=True, capture_output=True, timeout=120)
    assert main(["train", str(lesson), "--steps", "5", "--metrics-json", str(tmp_path / "o.json")]) == 0
    theirs, ours = (json.loads((tmp_path / n).read_text()) for n in ("t.json", "o.json"))
    assert theirs.keys() == ours.keys() and theirs["metrics"].keys() == ours["metrics"].keys()
    assert theirs["loss"] == pytest.approx(ours["loss"], rel=1e-4)


def test_cli_refusal_is_one_line_and_exit_2(tmp_path, capsys):
    out = tmp_path / "n.py"
    assert main(["export", str(LESSONS / "newton.nnpg"), "--format", "pytorch", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "playground: newton.nnpg: cannot export to PyTorch: torch.optim has no Newton optimizer"
    assert not out.exists() and not out.with_suffix(".npz").exists()


def test_random_layers_are_said_in_the_script():
    """Dropout and noise draw from torch's generator: the script says its losses differ."""
    text = pytorch_script(fileformat.load(LESSONS / "noise_injection.nnpg"), "noise_injection.nnpg")[0]
    assert "class GaussianNoise(nn.Module)" in text and "(noise) use torch's generator" in text


@pytest.mark.torchref
def test_untied_instances_are_two_submodules_of_one_class(tmp_path, monkeypatch):
    graph = fileformat.load(LESSONS / "weight_sharing.nnpg")
    graph.nodes["g2"].tie = None
    text, arrays = pytorch_script(graph, "untied.nnpg")
    assert text.count("class G(nn.Module):") == 1
    assert "self.g1 = G()" in text and "self.g2 = G()" in text and "g2 = self.g2(split[1])" in text
    assert "weights.g2.lin.weight" in arrays
    path = tmp_path / "untied.py"
    np.savez(path.with_suffix(".npz"), **arrays)
    path.write_text(text, encoding="utf-8")
    theirs = _run_script(path, STEPS, monkeypatch)
    session = Session.from_graph(graph)
    session.run(STEPS)
    assert theirs["loss"] == pytest.approx(session.last_loss, rel=1e-4)


@pytest.mark.torchref
def test_the_schedule_counts_epochs_as_ours(tmp_path, monkeypatch):
    """lr_decay's StepLR(step_size=15) halves the rate after 15 epochs (about 125 steps):
    200 steps cross it, and the float64 losses still agree."""
    _compare_float64("lr_decay", tmp_path, monkeypatch, 200)


def test_cli_starts_from_the_weights_saved_beside_the_file(tmp_path):
    """Save with Weights wrote an .npz beside the graph: the script starts from those."""
    lesson = tmp_path / "xor.nnpg"
    graph = fileformat.load(LESSONS / "xor_mlp.nnpg")
    session = Session.from_graph(graph)
    session.run(20)
    fileformat.save(graph, lesson, weights=session.weights())
    script = tmp_path / "xor.py"
    assert main(["export", str(lesson), "--format", "pytorch", "-o", str(script)]) == 0
    with np.load(script.with_suffix(".npz"), allow_pickle=False) as stored:
        np.testing.assert_array_equal(stored["weights.hidden.weight"], session.weights()["hidden.weight"])


def test_cli_names_a_missing_output_folder(tmp_path, capsys):
    out = tmp_path / "missing" / "x.py"
    assert main(["export", str(LESSONS / "xor_mlp.nnpg"), "--format", "pytorch", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"playground: -o {out}: the folder {out.parent} does not exist"
