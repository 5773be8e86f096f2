"""torch.optim-style optimizers, learning-rate schedules, the perceptron rule, Newton and
conjugate gradient, and 2-D test surfaces for optimizer-path demos."""
from . import lr_scheduler, surfaces  # noqa: F401
from ..errors import SettingsError
from ..nn.utils import clip_grad_norm_, clip_grad_value_  # noqa: F401
from .adam import Adam, AdamW, Lion
from .adaptive import AIMD, Adadelta, Adagrad, Rprop, RMSprop
from .optimizer import Optimizer, required  # noqa: F401
from .perceptron import Perceptron  # noqa: F401
from .second_order import ConjugateGradient, Newton
from .sgd import SGD

#: gradient optimizers by torch class name, for Graph.settings["optimizer"]["name"]
#: (Newton and ConjugateGradient re-evaluate the loss through a closure the Session passes;
#: meant for full batches, e.g. a linear regression's quadratic loss)
OPTIMIZERS = {cls.__name__: cls for cls in
              (SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Rprop, Lion, AIMD, Newton,
               ConjugateGradient)}


def make_optimizer(spec: dict, params):
    """Build an optimizer from a settings dict like {"name": "SGD", "lr": 0.03, "momentum": 0.9}.

    Lists (e.g. "betas": [0.9, 0.999] from JSON) become tuples. Unknown names or
    hyperparameters, and values the optimizer refuses, raise SettingsError (a ValueError)
    with a one-line message.
    """
    spec = dict(spec)
    name = spec.pop("name", "SGD")
    cls = OPTIMIZERS.get(name)
    if cls is None:
        raise SettingsError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()}
    import inspect  # noqa: PLC0415 - only on this cold path

    accepted = set(inspect.signature(cls).parameters) - {"params", *getattr(cls, "code_only", ())}
    unknown = sorted(set(kwargs) - accepted)
    if unknown:
        raise SettingsError(f"optimizer {name} has no hyperparameter {unknown[0]!r}; "
                         f"it takes {', '.join(sorted(accepted))}")
    try:
        return cls(params, **kwargs)
    except (TypeError, ValueError) as exc:   # a value it refuses, e.g. lr < 0 or a string
        raise SettingsError(f"optimizer {name}: {exc}") from None


def make_perceptron(spec, layer=None, rule="perceptron", **tensors):
    """The learning rule of the "perceptron" and "hebb" trainers (``rule``): of the
    optimizer setting ``spec`` only "lr" applies (default 1.0, Rosenblatt's); the schedule
    then drives that lr. ``layer`` (a Linear) or ``weight=``/``bias=`` as Perceptron takes them."""
    lr = spec.get("lr", 1.0) if isinstance(spec, dict) else 1.0
    return Perceptron(layer, lr=lr, rule=rule, **tensors)


def make_scheduler(spec: dict | None, optimizer):
    """Build a schedule from {"name": "StepLR", "step_size": 30, ...}; None for "none"."""
    if not spec or spec.get("name", "none") in ("none", None):
        return None
    spec = dict(spec)
    name = spec.pop("name")
    cls = lr_scheduler.SCHEDULERS.get(name)
    if cls is None or cls is lr_scheduler.LambdaLR:
        choices = ", ".join(n for n in lr_scheduler.SCHEDULERS if n != "LambdaLR")
        raise SettingsError(f"unknown schedule {name!r}; choose none, {choices}")
    try:
        return cls(optimizer, **spec)
    except (TypeError, ValueError, KeyError) as exc:   # KeyError: last_epoch set, no initial_lr
        raise SettingsError(f"schedule {name}: {exc}") from None


__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Rprop",
           "Lion", "AIMD", "Newton", "ConjugateGradient", "Perceptron", "clip_grad_norm_",
           "clip_grad_value_", "lr_scheduler", "surfaces", "make_optimizer", "make_perceptron",
           "make_scheduler", "OPTIMIZERS"]
