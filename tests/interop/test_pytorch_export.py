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
from engine.graph.document import Graph
from engine.graph.schema import setting
from engine.interop.pytorch import ExportRefused, export_pytorch, pytorch_script
from engine.train import Session
from playground.cli import main

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"
STEPS = 6
#: lessons whose export is compared in the default run (the others: -m slow_export)
QUICK = ("xor_mlp", "weight_sharing", "lstm_delay_copy", "lr_decay", "class_weights", "bce_vs_mse",
         "batchnorm_train_eval", "ensembling", "attention_reverse", "mixture_of_experts", "attention_module",
         "dropout", "noise_injection", "vae_latent", "flow_matching_moons")
#: what a script says when some of its nodes draw other random numbers than ours (torch's
#: generator inside torch's own classes, or ours in another order): its losses differ
OTHER_DRAWS = "differ from NN Playground's"


def _lessons():
    return sorted(p.stem for p in LESSONS.glob("*.nnpg"))


def _export(name, tmp_path, session=None):
    """The script's path, or the refusal's message."""
    return _export_graph(fileformat.load(LESSONS / f"{name}.nnpg"), name, tmp_path, session)


def _export_graph(graph, name, tmp_path, session=None):
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


def _compare(name, tmp_path, monkeypatch, steps=STEPS, rtol=1e-4):
    _compare_graph(fileformat.load(LESSONS / f"{name}.nnpg"), name, tmp_path, monkeypatch, steps, rtol)


def _compare_graph(graph, name, tmp_path, monkeypatch, steps=STEPS, rtol=1e-4):
    path = _export_graph(graph, name, tmp_path)
    if isinstance(path, str):
        pytest.skip(path)
    theirs = _run_script(path, steps, monkeypatch)
    session = Session.from_graph(graph)
    session.run(steps)
    loss, metrics = session.last_loss, session.evaluate()
    assert theirs["steps"] == steps and theirs["nan"] is None
    assert theirs["loss"] == pytest.approx(loss, rel=rtol), name
    assert theirs["metrics"].keys() == metrics.keys()
    for key, value in metrics.items():
        assert theirs["metrics"][key] == pytest.approx(value, rel=rtol, abs=1e-6), (name, key)


@pytest.mark.torchref
@pytest.mark.parametrize("name", QUICK)
def test_exported_lesson_trains_to_our_loss(name, tmp_path, monkeypatch):
    _compare(name, tmp_path, monkeypatch)


def _float64_sessions(graph):
    """make() -> a fresh float64 Session of the graph (weights, data and float targets in
    float64), every one starting from the same weights."""
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


def _compare_float64(name, tmp_path, monkeypatch, steps, graph=None):
    graph = graph or fileformat.load(LESSONS / f"{name}.nnpg")
    make = _float64_sessions(graph)
    path = _export_graph(graph, name, tmp_path, make())
    if isinstance(path, str):
        pytest.skip(path)
    assert "torch.set_default_dtype(torch.float64)" in path.read_text(encoding="utf-8")
    theirs = _run_script(path, steps, monkeypatch)
    session = make()
    session.run(steps)
    assert session.params[0].data.dtype == np.float64
    assert theirs["steps"] == session.step_count
    if session.step_count == steps:
        assert theirs["loss"] == pytest.approx(session.last_loss, rel=1e-6), name


@pytest.mark.torchref
@pytest.mark.parametrize("name", ["xor_mlp", "dropout", "noise_injection", "vae_latent"])
def test_float64_matches_to_1e_6(name, tmp_path, monkeypatch):
    """From a float64 session (weights and data) the script runs in float64 and agrees to
    1e-6, also where dropout masks and noise are drawn at every step."""
    _compare_float64(name, tmp_path, monkeypatch, 30)


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


#: shipped lessons the export refuses, and what their one-line refusal says
REFUSED = {
    "aimd": "torch.optim has no AIMD optimizer",
    "conjugate_gradient": "torch.optim has no ConjugateGradient optimizer",
    "newton": "torch.optim has no Newton optimizer",
    "hebb_rule": "the 'hebb' learning rule is not gradient descent",
    "perceptron_and": "the 'perceptron' learning rule is not gradient descent",
    "perceptron_xor": "the 'perceptron' learning rule is not gradient descent",
    "xor_from_gates": "the 'perceptron' learning rule is not gradient descent",
    "gan_ring": "settings.scheme trains 2 players in turns",
    "gcn_karate": "node 'A' (Adjacency) has no PyTorch form",
    "gat_citation": "node 'A' (Adjacency) has no PyTorch form",
}


def test_lessons_export_unless_torch_lacks_their_optimizer_or_rule(tmp_path):
    """Every shipped lesson exports, but those of REFUSED, each refused in one line naming
    why: a learning rule that is not gradient descent, an optimizer torch lacks; and the
    random nodes of those exported draw our random numbers in our order."""
    exported = {name: _export(name, tmp_path) for name in _lessons()}
    refused = {name: msg for name, msg in exported.items() if isinstance(msg, str)}
    assert set(refused) == set(REFUSED), {name: refused.get(name) for name in set(refused) ^ set(REFUSED)}
    for name, msg in refused.items():
        assert "\n" not in msg and msg.startswith("cannot export to PyTorch: ") and REFUSED[name] in msg, msg
    other_draws = sorted(name for name, path in exported.items()
                         if name not in refused and OTHER_DRAWS in path.read_text(encoding="utf-8"))
    assert other_draws == [], other_draws


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
                 "AttentionModule", "MixtureOfExperts", "MultiplicativeModule", "Sign", "Heaviside",
                 "RReLU", "RandomNormal", "Reparameterize", "KLNormal", "TimeSample", "FlowPath"):
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


def test_random_layers_draw_ours_and_the_script_says_how_to_use_torchs():
    """The noise is drawn from the script's PlaygroundRandom (our generator's numbers); the
    script says so and names torch's own form of each random layer."""
    text = pytorch_script(fileformat.load(LESSONS / "noise_injection.nnpg"), "noise_injection.nnpg")[0]
    assert "class GaussianNoise(nn.Module)" in text and "draws = PlaygroundRandom(SEED)" in text
    assert "(noise) draw NN Playground's own" in text and OTHER_DRAWS not in text
    assert "torch.randn_like(x)" in text and "nn.Dropout(p)" in text
    text = pytorch_script(fileformat.load(LESSONS / "dropout.nnpg"), "dropout.nnpg")[0]
    assert "self.drop1 = Dropout(p=0.1)" in text and "class Dropout(nn.Module)" in text


def test_dropout_inside_torchs_own_classes_is_said_to_differ():
    """The dropout inside torch's TransformerEncoderLayer, MultiheadAttention and stacked
    LSTM/GRU draws from torch's generator, which the script cannot feed: it says so."""
    graph = fileformat.load(LESSONS / "transformer_block.nnpg")
    graph.set_param("attn", "dropout", 0.1)
    text = pytorch_script(graph, "t.nnpg")[0]
    assert "# Nodes that draw random numbers (attn) use torch's generator:" in text and OTHER_DRAWS in text


@pytest.mark.torchref
@pytest.mark.parametrize("change", ["seed", "shape"])
def test_the_loss_is_ours_only_with_our_draws(change, tmp_path, monkeypatch):
    """The dropout lesson's script matches our loss (test_exported_lesson_trains_to_our_loss);
    the same script with its masks drawn from another seed, or from the same numbers laid
    out in another shape, does not: the match comes from drawing what we draw."""
    path = _export("dropout", tmp_path)
    text = path.read_text(encoding="utf-8")
    edit = {"seed": ("draws = PlaygroundRandom(SEED)", "draws = PlaygroundRandom(SEED + 1)"),
            "shape": ("draws.random(x.shape)", "draws.random(x.shape[::-1]).T")}[change]
    assert text.count(edit[0]) == 1
    path.write_text(text.replace(*edit), encoding="utf-8")
    theirs = _run_script(path, STEPS, monkeypatch)
    session = Session.from_graph(fileformat.load(LESSONS / "dropout.nnpg"))
    session.run(STEPS)
    assert theirs["loss"] != pytest.approx(session.last_loss, rel=1e-3)


def _random_variant(kind):
    """A lesson changed to use a random node kind that no shipped lesson uses."""
    if kind == "RReLU":   # xor_mlp with RReLU for its Tanh
        data = fileformat.load(LESSONS / "xor_mlp.nnpg").to_dict()
        node = next(n for n in data["nodes"] if n["id"] == "tanh")
        node["type"], node["params"] = "RReLU", {"lower": 0.1, "upper": 0.4}
        return Graph.from_dict(data)
    if kind == "PositionalEncoding":   # its dropout
        graph = fileformat.load(LESSONS / "attention_reverse.nnpg")
        graph.set_param("pos", "dropout", 0.2)
        return graph
    # a Dropout inside weight_sharing's module G, whose two tied instances call it in turn
    data = fileformat.load(LESSONS / "weight_sharing.nnpg").to_dict()
    inner = data["modules"][0]
    inner["graph"]["nodes"].append({"id": "drop", "type": "Dropout", "params": {"p": 0.3}})
    inner["graph"]["edges"].append({"src": "act", "src_port": "out", "dst": "drop", "dst_port": "input"})
    inner["outputs"][0]["node"] = "drop"
    return Graph.from_dict(data)


@pytest.mark.torchref
@pytest.mark.parametrize("kind", ["RReLU", "PositionalEncoding", "Dropout in a module"])
def test_random_kinds_no_lesson_uses_draw_ours(kind, tmp_path, monkeypatch):
    graph = _random_variant(kind)
    text = pytorch_script(graph, "variant.nnpg")[0]
    assert "draws = PlaygroundRandom(SEED)" in text and OTHER_DRAWS not in text
    if kind == "Dropout in a module":   # still one class, its instances one submodule
        assert "class G(nn.Module)" in text and "        self.drop = Dropout(p=0.3)" in text
        assert "g2 = self.g1(split[1])" in text
    _compare_graph(graph, "variant", tmp_path, monkeypatch)
    _compare_float64("variant64", tmp_path, monkeypatch, 30, graph=graph)


def _noisy_target(first):
    """noise_injection with noise also on its target, a node the prediction does not need,
    so the script's forward runs it after the prediction's nodes; ``first``: the target's
    nodes come first in the file, so Program.forward runs them first."""
    data = fileformat.load(LESSONS / "noise_injection.nnpg").to_dict()
    data["nodes"].append({"id": "target_noise", "type": "GaussianNoise", "params": {"std": 0.05}})
    cost_target = next(e for e in data["edges"] if e["dst"] == "cost" and e["dst_port"] == "target")
    cost_target["src"] = "target_noise"
    data["edges"].append({"src": "y", "src_port": "out", "dst": "target_noise", "dst_port": "input"})
    if first:
        data["nodes"].sort(key=lambda n: n["id"] not in ("y", "target_noise"))
    return Graph.from_dict(data)


@pytest.mark.torchref
def test_draws_in_another_order_than_ours_are_said(tmp_path, monkeypatch):
    """Only a script that draws in Program.forward's order matches ours; one that cannot
    says its losses differ (and they do)."""
    in_order, reordered = _noisy_target(False), _noisy_target(True)
    assert OTHER_DRAWS not in pytorch_script(in_order, "n.nnpg")[0]
    _compare_graph(in_order, "in_order", tmp_path, monkeypatch)
    text = pytorch_script(reordered, "n.nnpg")[0]
    assert "(target_noise, noise) draw NN Playground's numbers in\n# another order" in text
    theirs = _run_script(_export_graph(reordered, "reordered", tmp_path), STEPS, monkeypatch)
    session = Session.from_graph(reordered)
    session.run(STEPS)
    assert theirs["loss"] != pytest.approx(session.last_loss, rel=1e-3)


def test_the_scripts_random_layers_draw_as_our_modules():
    """PlaygroundRandom and the script's Dropout, GaussianNoise, RReLU and Reparameterize,
    run directly beside ours sharing one generator in turn: the same outputs, draw after draw."""
    torch = pytest.importorskip("torch")
    from engine import nn as ours  # noqa: PLC0415
    from engine.nn.generative import Reparameterize  # noqa: PLC0415
    from engine.autograd import Tensor  # noqa: PLC0415
    from engine.backend import Generator  # noqa: PLC0415
    from engine.interop.pytorch import HELPERS  # noqa: PLC0415

    space = {"np": np, "torch": torch, "nn": torch.nn, "SEED": 7}
    for name in ("PlaygroundRandom", "Dropout", "GaussianNoise", "RReLU", "Reparameterize"):
        exec(HELPERS[name], space)   # noqa: S102 - our own source, the script's text
    generator = Generator(7)
    pairs = [(ours.Dropout(0.3, generator=generator), space["Dropout"](0.3)),
             (ours.GaussianNoise(0.5, generator=generator), space["GaussianNoise"](0.5)),
             (ours.RReLU(0.1, 0.4, generator=generator), space["RReLU"](0.1, 0.4))]
    x = np.random.default_rng(1).standard_normal((4, 3, 5))
    for _ in range(2):
        for mine, theirs in pairs:
            np.testing.assert_allclose(theirs(torch.from_numpy(x)).numpy(), mine(Tensor(x)).data, rtol=1e-12)
        z = space["Reparameterize"]()(torch.from_numpy(x), torch.from_numpy(x / 2))
        np.testing.assert_allclose(z.numpy(), Reparameterize(generator)(Tensor(x), Tensor(x / 2)).data, rtol=1e-12)


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


@pytest.mark.torchref
def test_an_adversarial_cost_without_a_scheme_exports_and_trains_to_our_loss(tmp_path, monkeypatch):
    """AdversarialLoss written as torch's functional BCE with a constant label (the script
    imports only torch and nn): a discriminator scoring the ring's points as real."""
    from engine.graph.document import Edge

    g = Graph()
    g.add_node("Input", {"shape": [2]}, id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 1}, id="D")
    g.add_node("AdversarialLoss", {"scored_as": "real"}, id="d_real")
    g.add_edge(Edge("x", "out", "D", "input"))
    g.add_edge(Edge("D", "out", "d_real", "input"))
    g.settings.update({"dataset": {"name": "gen-ring", "n_samples": 200}, "optimizer": {"name": "Adam", "lr": 0.01},
                       "batch_size": 20})
    _compare_graph(g, "adversarial_cost", tmp_path, monkeypatch, steps=30)
