"""Chapter 7, optimizers (course notes 003, section 7) on a real network: one hidden layer of
16 tanh units fitting sin(pi x). The learning rate too large and too small, momentum (Fig. 27),
Nesterov (Fig. 28), SGD against RMSprop and Adam (Fig. 29), AdaGrad's decaying steps,
learning-rate decay (Fig. 26), AIMD's per-weight rates (section 7.4.1), and Newton's method
and conjugate gradient on a quadratic (sections 7.12-7.13)."""
from _drawing import (Drawing, goal, lesson, page, settings, text, set_setting as _setting, RESET,
                      train)

SIN = {"name": "sin", "n_samples": 200}
STEPS = 300


def _sin_net(description, optimizer, steps=STEPS, data=SIN, **more):
    """x -> Linear(1, 16) -> Tanh -> Linear(16, 1) -> MSE against the Target."""
    d = Drawing(settings(description, data, optimizer, steps, batch_size=more.pop("batch_size", 20),
                         task="regression", **more))
    d.node("x", "Input", 0)
    d.node("hidden", "Linear", 1, label="hidden layer", in_features=1, out_features=16)
    d.node("tanh", "Tanh", 2)
    d.node("output", "Linear", 3, in_features=16, out_features=1)
    d.node("y", "Target", 3, 1)
    d.node("cost", "MSELoss", 4)
    d.chain("x", "hidden", "tanh", "output", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def _optimizer(value):
    return _setting("optimizer", value)


def _paths(preset):
    """The Optimizer paths panel on one of its presets (the course figures), raised by a
    button or when the lesson opens."""
    return {"panel": "paths", "options": {"preset": preset}}


def _show_paths(preset):
    return {"do": "show_panel", **_paths(preset)}


def _train(steps=STEPS):
    return train(steps)


def learning_rate_too_large():
    graph = _sin_net(
        "Gradient descent with a learning rate of 1.0 on a small network: every step overshoots "
        "the valley and lands higher up the other side, the loss grows by orders of magnitude "
        "and training stops on an overflow.",
        {"name": "SGD", "lr": 1.0}, steps=100, probe_every=5, eval_every=5)
    graph.lesson = lesson(
        "optimization", 1,
        text("Learning rate too large: divergence", "Learning rate troppo grande: divergenza"),
        text("With too large a step, gradient descent climbs out of the valley and the loss explodes.",
             "Con un passo troppo grande la discesa del gradiente esce dalla valle e la loss esplode."),
        pages=[
            page(text(
                "The network (16 tanh units) should fit sin(pi x). It learns by gradient descent, "
                "w <- w - eta dL/dw (notes, section 7.1), with a learning rate **eta = 1.0**.\n\n"
                "Press **Train** and watch the loss: instead of falling it jumps up, the Diagnostics "
                "report **divergence**, and after a few more steps training stops on an overflow (NaN).",
                "La rete (16 unità tanh) deve approssimare sin(pi x). Impara con la discesa del "
                "gradiente, w <- w - eta dL/dw (appunti, sezione 7.1), con un learning rate "
                "**eta = 1.0**.\n\n"
                "Premi **Addestra** e guarda la loss: invece di scendere salta in alto, la Diagnostica "
                "segnala una **divergenza** e dopo pochi altri passi l'addestramento si ferma per un "
                "overflow (NaN)."),
                _train(100)),
            page(text(
                "Picture the loss as a valley (Figure 25 of the notes). The step eta times the slope "
                "is so long that it jumps over the bottom and lands higher on the opposite wall; "
                "there the slope is steeper, so the next jump is longer still. Each step makes it "
                "worse: this is the overshoot of section 7.1.2, grown without bound.\n\n"
                "Set the learning rate to 0.2, reset and train: the loss now falls smoothly.",
                "Immagina la loss come una valle (Figura 25 degli appunti). Il passo, eta per la "
                "pendenza, è così lungo che scavalca il fondo e atterra più in alto sulla parete "
                "opposta; lì la pendenza è più ripida, quindi il salto successivo è ancora più lungo. "
                "Ogni passo peggiora le cose: è l'overshoot della sezione 7.1.2, cresciuto senza "
                "limite.\n\n"
                "Imposta il learning rate a 0.2, azzera e addestra: ora la loss scende regolarmente."),
                _setting("optimizer.lr", 0.2), RESET, _train(100)),
            page(text(
                "**Question for the class:** on a quadratic valley f = c w^2 / 2, one step gives "
                "w <- (1 - eta c) w. For which eta does w shrink? For which does it oscillate while "
                "shrinking, and for which does it grow?",
                "**Domanda per la classe:** su una valle quadratica f = c w^2 / 2 un passo dà "
                "w <- (1 - eta c) w. Per quali eta w si riduce? Per quali oscilla riducendosi, e per "
                "quali cresce?"),
                _setting("optimizer.lr", 1.0), RESET),
        ],
        goals=[
            goal("diverges", text("The diagnostics report divergence within 20 steps",
                                  "La diagnostica segnala la divergenza entro 20 passi"),
                 verdict="divergence", present=True, when="by", step=20),
            goal("overflows", text("Training stops on NaN (an overflow)",
                                   "L'addestramento si ferma per un NaN (un overflow)"),
                 verdict="nan", present=True, when="by"),
        ],
        panels=["loss", "diagnostics", "fit"], speed=10)
    return graph


def learning_rate_too_small():
    graph = _sin_net(
        "The same network with a learning rate of 0.01: every step is safe and tiny, and after "
        "300 steps the fit has hardly started. With 0.2 the same 300 steps fit the sine.",
        {"name": "SGD", "lr": 0.01})
    graph.lesson = lesson(
        "optimization", 2,
        text("Learning rate too small: crawling", "Learning rate troppo piccolo: a passo di lumaca"),
        text("A tiny learning rate never diverges, but it needs far more steps to get anywhere.",
             "Un learning rate minuscolo non diverge mai, ma gli servono molti più passi per arrivare."),
        pages=[
            page(text(
                "The same network now learns with **eta = 0.01**. Press **Train** and watch the "
                "fit: after 300 steps the curve is still nearly flat, the loss has barely moved.",
                "La stessa rete ora impara con **eta = 0.01**. Premi **Addestra** e guarda "
                "l'approssimazione: dopo 300 passi la curva è ancora quasi piatta e la loss si è "
                "appena mossa."),
                _train()),
            page(text(
                "Every step moves the weights by eta times the gradient, and near a flat start the "
                "gradient is small too: progress is slow but safe. Section 7.1.1 of the notes "
                "suggests starting with a large rate and decaying it (the lesson on decay shows "
                "how).\n\n"
                "Set eta to 0.2, reset and train: the same 300 steps now fit the sine.",
                "Ogni passo sposta i pesi di eta per il gradiente, e vicino a una partenza piatta "
                "anche il gradiente è piccolo: i progressi sono lenti ma sicuri. La sezione 7.1.1 "
                "degli appunti suggerisce di partire con un passo grande e poi farlo decadere (la "
                "lezione sul decadimento mostra come).\n\n"
                "Imposta eta a 0.2, azzera e addestra: gli stessi 300 passi ora approssimano il seno."),
                _setting("optimizer.lr", 0.2), RESET, _train()),
            page(text(
                "**Question for the class:** between 0.01 (too slow) and 1.0 (diverges), how would "
                "you find a good learning rate for a new network without trying every value?",
                "**Domanda per la classe:** tra 0.01 (troppo lento) e 1.0 (diverge), come "
                "trovereste un buon learning rate per una rete nuova senza provare ogni valore?"),
                _setting("optimizer.lr", 0.01), RESET),
        ],
        goals=[
            goal("crawls", text("After 300 steps the training loss is still above 0.1",
                                "Dopo 300 passi la loss di addestramento è ancora sopra 0.1"),
                 metric="train_loss", op=">", value=0.1, when="end"),
            goal("larger_is_faster",
                 text("With eta = 0.2 the loss after 300 steps is at least 5 times smaller",
                      "Con eta = 0.2 la loss dopo 300 passi è almeno 5 volte più piccola"),
                 metric="train_loss", op=">=", value=5.0, when="end",
                 variant={"changes": [_setting("optimizer.lr", 0.2)]}),
        ],
        panels=["loss", "fit"], speed=40)
    return graph


def momentum():
    graph = _sin_net(
        "SGD with momentum beta = 0.9 (learning rate 0.05): the velocity sums the recent "
        "gradients, so along a consistent slope the steps grow about ten times. Compare beta = 0 "
        "and 0.5 (the notes' Figure 27).",
        {"name": "SGD", "lr": 0.05, "momentum": 0.9})
    no_momentum = [_setting("optimizer.momentum", 0.0)]
    half = [_setting("optimizer.momentum", 0.5)]
    graph.lesson = lesson(
        "optimization", 3,
        text("Momentum: a sweep of beta (Figure 27)", "Momentum: al variare di beta (Figura 27)"),
        text("The same learning rate with beta = 0, 0.5 and 0.9: momentum multiplies the effective step.",
             "Lo stesso learning rate con beta = 0, 0.5 e 0.9: il momentum moltiplica il passo effettivo."),
        pages=[
            page(text(
                "Momentum (notes, section 7.2) keeps a velocity: v <- beta v - eta grad L, then "
                "w <- w + v. (The engine, like PyTorch, writes b <- beta b + grad L, w <- w - eta b: "
                "the same path for a constant eta.)\n\n"
                "This run uses **beta = 0.9** and eta = 0.05. Press **Train** and note how low the "
                "loss gets in 300 steps.",
                "Il momentum (appunti, sezione 7.2) tiene una velocità: v <- beta v - eta grad L, poi "
                "w <- w + v. (Il motore, come PyTorch, scrive b <- beta b + grad L, w <- w - eta b: "
                "lo stesso percorso per un eta costante.)\n\n"
                "Questa corsa usa **beta = 0.9** ed eta = 0.05. Premi **Addestra** e nota quanto "
                "scende la loss in 300 passi."),
                _train()),
            page(text(
                "Now the same with **beta = 0** (plain gradient descent) and with **beta = 0.5**. "
                "Reset between runs and compare the loss curves.\n\n"
                "When the gradient keeps pointing the same way, the velocity adds it up step after "
                "step: the step becomes about eta / (1 - beta), ten times eta for beta = 0.9. When "
                "the gradient flips back and forth, the flips cancel in v: momentum damps the "
                "oscillations (section 7.3.1).",
                "Ora lo stesso con **beta = 0** (discesa del gradiente semplice) e con **beta = 0.5**. "
                "Azzera tra una corsa e l'altra e confronta le curve della loss.\n\n"
                "Quando il gradiente continua a puntare nella stessa direzione, la velocità lo somma "
                "passo dopo passo: il passo diventa circa eta / (1 - beta), dieci volte eta per "
                "beta = 0.9. Quando il gradiente cambia verso avanti e indietro, i cambi si annullano "
                "in v: il momentum smorza le oscillazioni (sezione 7.3.1)."),
                *no_momentum, *half, _setting("optimizer.momentum", 0.9), RESET, _train()),
            page(text(
                "Open the Optimizer paths panel to see the same three betas on a 2-D surface, as in "
                "Figure 27.\n\n"
                "**Question for the class:** the notes say beta = 1 would explode. What does the "
                "velocity do when beta = 1 and nothing ever damps it?",
                "Apri il pannello dei percorsi degli ottimizzatori per vedere gli stessi tre beta su "
                "una superficie 2-D, come nella Figura 27.\n\n"
                "**Domanda per la classe:** gli appunti dicono che beta = 1 farebbe esplodere. Che "
                "cosa fa la velocità quando beta = 1 e niente la smorza mai?"),
                _show_paths("Momentum, several β")),
        ],
        goals=[
            goal("beats_plain",
                 text("With beta = 0.9 the loss after 300 steps is at most 0.2 times plain "
                      "gradient descent's",
                      "Con beta = 0.9 la loss dopo 300 passi è al più 0.2 volte quella della discesa "
                      "del gradiente semplice"),
                 metric="train_loss", op="<=", value=0.2, when="end", variant={"changes": no_momentum}),
            goal("beats_half",
                 text("... and at most 0.25 times the loss with beta = 0.5",
                      "... e al più 0.25 volte la loss con beta = 0.5"),
                 metric="train_loss", op="<=", value=0.25, when="end", variant={"changes": half}),
        ],
        panels=["loss", "fit", "trajectory"], speed=40)
    return graph


def nesterov():
    graph = _sin_net(
        "Heavy momentum (beta = 0.97, learning rate 0.05), classic against Nesterov: the "
        "look-ahead gradient brakes before the overshoot, so Nesterov oscillates less and ends "
        "lower (the notes' Figure 28).",
        {"name": "SGD", "lr": 0.05, "momentum": 0.97, "nesterov": True})
    classic = [_setting("optimizer.nesterov", False)]
    graph.lesson = lesson(
        "optimization", 4,
        text("Classic momentum against Nesterov (Figure 28)", "Momentum classico contro Nesterov "
                                                              "(Figura 28)"),
        text("With heavy momentum the classic method overshoots and oscillates; Nesterov looks "
             "ahead and settles.",
             "Con un momentum forte il metodo classico va oltre e oscilla; Nesterov guarda avanti "
             "e si assesta."),
        pages=[
            page(text(
                "This run uses heavy momentum, **beta = 0.97**, with **Nesterov's** correction "
                "(notes, section 7.3): the gradient is taken where the velocity is about to carry the "
                "weights, w + beta v, not where they are now.\n\n"
                "Press **Train** and look at the loss curve.",
                "Questa corsa usa un momentum forte, **beta = 0.97**, con la correzione di "
                "**Nesterov** (appunti, sezione 7.3): il gradiente si calcola dove la velocità sta "
                "per portare i pesi, w + beta v, non dove sono adesso.\n\n"
                "Premi **Addestra** e guarda la curva della loss."),
                _train()),
            page(text(
                "Now switch to **classic momentum** (nesterov off), reset and train again. The loss "
                "curve is bumpier and ends higher: with beta this close to 1 the velocity carries the "
                "weights past the bottom before the gradient can slow them down.\n\n"
                "The notes' cyclist: classic momentum pushes the pedals without looking ahead; "
                "Nesterov looks at the road first and brakes before the bend.",
                "Ora passa al **momentum classico** (nesterov spento), azzera e riaddestra. La curva "
                "della loss è più irregolare e finisce più in alto: con beta così vicino a 1 la "
                "velocità porta i pesi oltre il fondo prima che il gradiente riesca a frenarli.\n\n"
                "Il ciclista degli appunti: il momentum classico spinge sui pedali senza guardare "
                "avanti; Nesterov guarda prima la strada e frena prima della curva."),
                *classic, RESET, _train()),
            page(text(
                "**Question for the class:** with beta = 0.5 would you expect a big difference "
                "between the two? Try it.",
                "**Domanda per la classe:** con beta = 0.5 vi aspettereste una grande differenza tra "
                "i due? Provate."),
                _setting("optimizer.momentum", 0.5), _setting("optimizer.nesterov", True), RESET),
        ],
        goals=[
            goal("nesterov_lower",
                 text("Nesterov's loss after 300 steps is at most 0.6 times classic momentum's",
                      "La loss di Nesterov dopo 300 passi è al più 0.6 volte quella del momentum classico"),
                 metric="train_loss", op="<=", value=0.6, when="end", variant={"changes": classic}),
        ],
        panels=["loss", "fit", _paths("Momentum vs Nesterov")], speed=40)
    return graph


def sgd_rmsprop_adam():
    graph = _sin_net(
        "The same network and learning rate (0.01) with SGD, RMSprop and Adam, as in the notes' "
        "Figure 29: the adaptive methods divide each step by the root of the recent squared "
        "gradients, so small gradients still make progress.",
        {"name": "SGD", "lr": 0.01})
    rmsprop = [_optimizer({"name": "RMSprop", "lr": 0.01})]
    adam = [_optimizer({"name": "Adam", "lr": 0.01})]
    graph.lesson = lesson(
        "optimization", 5,
        text("SGD, RMSprop and Adam (Figure 29)", "SGD, RMSprop e Adam (Figura 29)"),
        text("At the same learning rate the adaptive optimizers get far lower than plain SGD.",
             "Con lo stesso learning rate gli ottimizzatori adattivi scendono molto più in basso dello SGD."),
        pages=[
            page(text(
                "Start with plain **SGD**, learning rate 0.01. Press **Train**: after 300 steps the "
                "fit has barely started.",
                "Comincia con lo **SGD** semplice, learning rate 0.01. Premi **Addestra**: dopo 300 "
                "passi l'approssimazione è appena cominciata."),
                _train()),
            page(text(
                "Switch to **RMSprop** (section 7.6), reset and train, then do the same with "
                "**Adam** (section 7.9).\n\n"
                "RMSprop divides each weight's step by the root of a moving average of its squared "
                "gradients, E[g^2]: a weight with small gradients gets a larger step. Adam adds "
                "momentum to that (a moving average of the gradients themselves) and corrects both "
                "averages for their zero start.",
                "Passa a **RMSprop** (sezione 7.6), azzera e addestra, poi fai lo stesso con **Adam** "
                "(sezione 7.9).\n\n"
                "RMSprop divide il passo di ogni peso per la radice di una media mobile dei suoi "
                "gradienti al quadrato, E[g^2]: un peso con gradienti piccoli riceve un passo più "
                "grande. Adam ci aggiunge il momentum (una media mobile dei gradienti stessi) e "
                "corregge entrambe le medie per la loro partenza da zero."),
                *rmsprop, *adam, RESET, _train()),
            page(text(
                "**Question for the class:** the notes list among Adam's limits a slow final "
                "convergence. What would you change to get the best of both, fast at first and "
                "precise at the end?",
                "**Domanda per la classe:** tra i limiti di Adam gli appunti citano una convergenza "
                "finale rallentata. Che cosa cambiereste per avere il meglio dei due, veloce "
                "all'inizio e preciso alla fine?"),
                _optimizer({"name": "SGD", "lr": 0.01}), RESET),
        ],
        goals=[
            goal("rmsprop_faster",
                 text("RMSprop's loss after 300 steps is at least 5 times smaller than SGD's",
                      "La loss di RMSprop dopo 300 passi è almeno 5 volte più piccola di quella dello SGD"),
                 metric="train_loss", op=">=", value=5.0, when="end", variant={"changes": rmsprop}),
            goal("adam_faster",
                 text("Adam's loss after 300 steps is at least 3 times smaller than SGD's",
                      "La loss di Adam dopo 300 passi è almeno 3 volte più piccola di quella dello SGD"),
                 metric="train_loss", op=">=", value=3.0, when="end", variant={"changes": adam}),
        ],
        panels=["loss", "fit", _paths("SGD vs RMSprop vs Adam")], speed=40)
    return graph


def adagrad():
    graph = _sin_net(
        "AdaGrad divides each weight's step by the root of the SUM of all its squared gradients "
        "so far: the sum only grows, so every weight's learning rate only falls. RMSprop's moving "
        "average forgets, so its rates rise again as the gradients shrink.",
        {"name": "Adagrad", "lr": 0.1})
    rmsprop = [_optimizer({"name": "RMSprop", "lr": 0.05})]
    graph.lesson = lesson(
        "optimization", 6,
        text("AdaGrad's shrinking steps", "I passi sempre più corti di AdaGrad"),
        text("AdaGrad's per-weight learning rates only fall; RMSprop's recover.",
             "I learning rate per peso di AdaGrad possono solo scendere; quelli di RMSprop risalgono."),
        pages=[
            page(text(
                "**AdaGrad** (notes, section 7.7) gives each weight its own learning rate, "
                "eta / sqrt(G_i), where G_i is the sum of all of that weight's squared gradients "
                "so far.\n\n"
                "Press **Train**. The goals below measure the median of these per-weight rates, as "
                "a multiple of eta: large at the start, when G is small, then falling.",
                "**AdaGrad** (appunti, sezione 7.7) dà a ogni peso il suo learning rate, "
                "eta / sqrt(G_i), dove G_i è la somma di tutti i gradienti al quadrato di quel peso "
                "fino a ora.\n\n"
                "Premi **Addestra**. Gli obiettivi qui sotto misurano la mediana di questi learning "
                "rate per peso, come multiplo di eta: grande all'inizio, quando G è piccolo, poi in "
                "discesa."),
                _train()),
            page(text(
                "G_i can only grow, so the rates can only fall: AdaGrad slows down for good, even "
                "when the model still needs small adjustments (the notes call it a premature slowing "
                "of convergence).\n\n"
                "**RMSprop** replaces the sum with a moving average that forgets old gradients: as "
                "the fit improves and the gradients shrink, its rates grow again. Switch, reset and "
                "train.",
                "G_i può solo crescere, quindi i learning rate possono solo scendere: AdaGrad "
                "rallenta per sempre, anche quando il modello ha ancora bisogno di piccoli "
                "aggiustamenti (gli appunti lo chiamano un prematuro rallentamento della "
                "convergenza).\n\n"
                "**RMSprop** sostituisce la somma con una media mobile che dimentica i gradienti "
                "vecchi: quando l'approssimazione migliora e i gradienti si riducono, i suoi "
                "learning rate tornano a crescere. Cambia, azzera e addestra."),
                *rmsprop, RESET, _train()),
            page(text(
                "**Question for the class:** Adadelta (section 7.8) also uses a moving average. Why "
                "does it need no global learning rate at all?",
                "**Domanda per la classe:** anche Adadelta (sezione 7.8) usa una media mobile. "
                "Perché non ha affatto bisogno di un learning rate globale?"),
                _optimizer({"name": "Adadelta", "lr": 1.0}), RESET),
        ],
        goals=[
            goal("large_at_first",
                 text("Early on (by step 10) the median per-weight rate is at least 4 times eta",
                      "All'inizio (entro il passo 10) il learning rate mediano per peso è almeno 4 "
                      "volte eta"),
                 metric="effective_lr:median", relative_to="lr", op=">=", value=4.0, when="by", step=10),
            goal("falls",
                 text("After 300 steps it has fallen below 3.5 times eta",
                      "Dopo 300 passi è sceso sotto 3.5 volte eta"),
                 metric="effective_lr:median", relative_to="lr", op="<", value=3.5, when="end"),
            goal("rmsprop_recovers",
                 text("RMSprop's rates (relative to its eta) end at least 3 times higher than AdaGrad's",
                      "I learning rate di RMSprop (rispetto al suo eta) finiscono almeno 3 volte più "
                      "alti di quelli di AdaGrad"),
                 metric="effective_lr:median", relative_to="lr", op="<=", value=1 / 3, when="end",
                 variant={"changes": rmsprop}),
        ],
        panels=["loss", "fit", "weights"], speed=40)
    return graph


def lr_decay():
    decay = {"name": "StepLR", "step_size": 15, "gamma": 0.5}
    graph = _sin_net(
        "Step decay (the notes' Figure 26): start with a large learning rate, 0.3, and halve it "
        "every 15 epochs. It learns as fast as the large rate at first and settles like a small "
        "one at the end.",
        {"name": "SGD", "lr": 0.3}, steps=320, data={**SIN, "noise": 0.1}, schedule=decay)
    graph.lesson = lesson(
        "optimization", 7,
        text("Learning-rate decay (Figure 26)", "Decadimento del learning rate (Figura 26)"),
        text("Start large, then reduce: step and exponential decay of the learning rate.",
             "Partire grandi, poi ridurre: decadimento a gradini ed esponenziale del learning rate."),
        pages=[
            page(text(
                "Section 7.1.1 of the notes: start with a large learning rate, so as not to settle "
                "too early, then reduce it to converge. This run uses **step decay**: eta starts at "
                "0.3 and is halved every 15 epochs (an epoch is one pass over the 160 training "
                "points, 8 steps here).\n\n"
                "Press **Train** and watch the learning rate in the training controls: it stays "
                "flat, then drops, like the step curve of Figure 26. The Optimizer paths panel "
                "shows the strategies side by side on a 2-D surface.",
                "Sezione 7.1.1 degli appunti: partire con un learning rate grande, per non fermarsi "
                "troppo presto, poi ridurlo per convergere. Questa corsa usa il **decadimento a "
                "gradini** (step decay): eta parte da 0.3 e si dimezza ogni 15 epoche (un'epoca è un "
                "passaggio sui 160 punti di addestramento, qui 8 passi).\n\n"
                "Premi **Addestra** e guarda il learning rate nei controlli dell'addestramento: resta "
                "fermo, poi scende a gradini, come la curva a gradini della Figura 26. Il pannello "
                "dei percorsi degli ottimizzatori mostra le strategie una accanto all'altra su una "
                "superficie 2-D."),
                _train(320)),
            page(text(
                "Now try **exponential decay** (eta multiplied by 0.97 every epoch), then a constant "
                "small rate of 0.03 with no schedule. Reset between runs.\n\n"
                "The constant small rate is safe but slow: after 320 steps it is far behind. The "
                "decayed rate got the speed of 0.3 at the start and the calm of a small rate at the "
                "end.",
                "Ora prova il **decadimento esponenziale** (eta moltiplicato per 0.97 a ogni "
                "epoca), poi un learning rate piccolo e costante di 0.03 senza schedule. Azzera tra "
                "una corsa e l'altra.\n\n"
                "Il passo piccolo costante è sicuro ma lento: dopo 320 passi è molto indietro. Il "
                "passo che decade ha avuto la velocità di 0.3 all'inizio e la calma di un passo "
                "piccolo alla fine."),
                _setting("schedule", {"name": "ExponentialLR", "gamma": 0.97}),
                _setting("schedule", {"name": "none"}), _setting("optimizer.lr", 0.03), RESET,
                _train(320)),
            page(text(
                "**Question for the class:** adaptive methods such as Adam and RMSprop are the third "
                "strategy of section 7.1.1. How is adapting the rate per weight different from "
                "decaying one rate over time?",
                "**Domanda per la classe:** i metodi adattivi come Adam e RMSprop sono la terza "
                "strategia della sezione 7.1.1. In che cosa adattare il passo per ogni peso è "
                "diverso dal far decadere un unico passo nel tempo?"),
                _setting("schedule", decay), _setting("optimizer.lr", 0.3), RESET),
        ],
        goals=[
            goal("starts_large", text("For the first 100 steps the learning rate is still 0.3",
                                      "Per i primi 100 passi il learning rate è ancora 0.3"),
                 metric="lr", op=">=", value=0.3, when="always", step=100),
            goal("decays", text("By step 320 it has been halved twice, to 0.075 or less",
                                "Al passo 320 è stato dimezzato due volte, a 0.075 o meno"),
                 metric="lr", op="<=", value=0.075, when="end"),
            goal("beats_small_constant",
                 text("The decayed rate ends with a loss at most 0.25 times a constant rate of 0.03",
                      "Il passo che decade finisce con una loss al più 0.25 volte quella di un passo "
                      "costante di 0.03"),
                 metric="train_loss", op="<=", value=0.25, when="end",
                 variant={"changes": [_setting("schedule", {"name": "none"}), _setting("optimizer.lr", 0.03)]}),
        ],
        panels=["loss", "fit", _paths("Learning-rate decay")], speed=40)
    return graph


def aimd():
    graph = _sin_net(
        "AIMD (the notes' section 7.4.1) on the whole training set at every step: each weight "
        "has its own learning rate, raised by a fixed amount while its gradient keeps its sign "
        "and halved when the sign flips.",
        {"name": "AIMD", "lr": 0.05, "increase": 0.02, "decrease": 0.5, "max_lr": 2.0},
        batch_size=160)
    sgd = [_optimizer({"name": "SGD", "lr": 0.05})]
    graph.lesson = lesson(
        "optimization", 8,
        text("AIMD: a learning rate for every weight", "AIMD: un learning rate per ogni peso"),
        text("Additive increase, multiplicative decrease: rates grow along steady slopes and "
             "shrink across valleys.",
             "Incremento additivo, decremento moltiplicativo: i passi crescono sui pendii costanti "
             "e si accorciano attraverso le valli."),
        pages=[
            page(text(
                "**AIMD**, additive increase and multiplicative decrease (notes, section 7.4.1), gives "
                "each weight its own learning rate eta_i, starting at 0.05:\n\n"
                "- if the gradient keeps its sign, eta_i <- eta_i + 0.02 (go faster);\n"
                "- if it changes sign, the weight is oscillating: eta_i <- eta_i / 2;\n"
                "- then w_i <- w_i - eta_i dL/dw_i.\n\n"
                "Each step uses the whole training set (batch 160), so a sign change means a real "
                "oscillation, not noise. Press **Train**.",
                "**AIMD**, incremento additivo e decremento moltiplicativo (appunti, sezione 7.4.1), "
                "dà a ogni peso il suo learning rate eta_i, che parte da 0.05:\n\n"
                "- se il gradiente mantiene il segno, eta_i <- eta_i + 0.02 (si accelera);\n"
                "- se cambia segno, il peso sta oscillando: eta_i <- eta_i / 2;\n"
                "- poi w_i <- w_i - eta_i dL/dw_i.\n\n"
                "Ogni passo usa tutto l'insieme di addestramento (batch 160), quindi un cambio di "
                "segno è una vera oscillazione, non rumore. Premi **Addestra**."),
                _train()),
            page(text(
                "The goals measure the spread of the rates: some weights sit on long steady slopes "
                "and their rate has grown to its cap, others oscillate and their rate has shrunk. "
                "One global learning rate would be too small for the first or too large for the "
                "second.\n\n"
                "Compare with plain SGD at the starting rate 0.05: reset and train. Then try AIMD "
                "with batches of 20: the noise of small batches flips the signs at random and keeps "
                "halving the rates.",
                "Gli obiettivi misurano la dispersione dei learning rate: alcuni pesi stanno su "
                "pendii lunghi e costanti e il loro passo è cresciuto fino al massimo, altri oscillano "
                "e il loro passo si è accorciato. Un unico learning rate globale sarebbe troppo "
                "piccolo per i primi o troppo grande per i secondi.\n\n"
                "Confronta con lo SGD semplice al passo iniziale 0.05: azzera e addestra. Poi prova "
                "AIMD con batch da 20: il rumore dei batch piccoli cambia i segni a caso e continua a "
                "dimezzare i passi."),
                *sgd, RESET, _train(),
                _optimizer({"name": "AIMD", "lr": 0.05, "increase": 0.02, "decrease": 0.5, "max_lr": 2.0}),
                _setting("batch_size", 20)),
            page(text(
                "**Question for the class:** Rprop (section 7.5) grows and shrinks its steps by "
                "factors and uses only the sign of the gradient. What does AIMD keep that Rprop "
                "throws away?",
                "**Domanda per la classe:** Rprop (sezione 7.5) allunga e accorcia i passi per "
                "fattori e usa solo il segno del gradiente. Che cosa conserva AIMD che Rprop butta "
                "via?"),
                _setting("batch_size", 160), RESET),
        ],
        goals=[
            goal("rates_spread",
                 text("The per-weight rates spread out: the largest is at least 4 times the median",
                      "I learning rate per peso si separano: il più grande è almeno 4 volte la mediana"),
                 metric="effective_lr:max", relative_to="effective_lr:median", op=">=", value=4.0,
                 when="end"),
            goal("beats_sgd",
                 text("AIMD's loss after 300 steps is at most 0.2 times SGD's at the same starting rate",
                      "La loss di AIMD dopo 300 passi è al più 0.2 volte quella dello SGD con lo stesso "
                      "passo iniziale"),
                 metric="train_loss", op="<=", value=0.2, when="end", variant={"changes": sgd}),
        ],
        panels=["loss", "fit", "weights"], speed=40)
    return graph


def _line_fit(description, optimizer):
    """y = w x + b on noise-free points of y = 2x + 0.5, all 160 training points in every
    step: the MSE is a quadratic in (w, b), N = 2 dimensions."""
    d = Drawing(settings(description, {"name": "line", "slope": 2.0, "intercept": 0.5, "noise": 0.0},
                         optimizer, 5, batch_size=160, task="regression", probe_every=1, eval_every=1))
    d.node("x", "Input", 0)
    d.node("lin", "Linear", 1, label="w x + b", in_features=1, out_features=1)
    d.node("y", "Target", 1, 1)
    d.node("cost", "MSELoss", 2)
    d.chain("x", "lin", "cost")
    d.edge("y", "cost", "target")
    return d.graph


#: the line search along each direction is the exact minimiser of the quadratic model; the
#: Hessian comes from finite differences of the gradient, exact on a quadratic for any step,
#: so a step of 1 (not the default 1e-5, too small for float32 weights) loses nothing
CG = {"name": "ConjugateGradient", "line_search": "exact", "fd_eps": 1.0}
NEWTON = {"name": "Newton", "fd_eps": 1.0}


def conjugate_gradient():
    graph = _line_fit(
        "Conjugate gradient on a linear regression: the loss is a quadratic in the two weights "
        "(w, b), and with exact line searches the method lands on the minimum in N = 2 steps. "
        "Gradient descent is still far away.", CG)
    gd = [_optimizer({"name": "SGD", "lr": 0.5})]
    graph.lesson = lesson(
        "optimization", 9,
        text("Conjugate gradient: exact in N steps", "Gradiente coniugato: esatto in N passi"),
        text("On a quadratic in N = 2 weights, conjugate gradient reaches the minimum in 2 steps.",
             "Su una quadratica in N = 2 pesi il gradiente coniugato raggiunge il minimo in 2 passi."),
        pages=[
            page(text(
                "A straight line y = w x + b is fitted to points that lie exactly on y = 2x + 0.5, "
                "using all the points at every step. The MSE is then a **quadratic** function of the "
                "two weights (w, b): a bowl with elliptic level curves, like Figure 25 of the notes.\n\n"
                "The optimizer is the **conjugate gradient** method (section 7.13). Train one step "
                "at a time, twice, and watch the loss and the trajectory of (w, b).",
                "Una retta y = w x + b viene adattata a punti che stanno esattamente su "
                "y = 2x + 0.5, usando tutti i punti a ogni passo. La MSE è allora una funzione "
                "**quadratica** dei due pesi (w, b): una scodella con curve di livello ellittiche, "
                "come nella Figura 25 degli appunti.\n\n"
                "L'ottimizzatore è il metodo del **gradiente coniugato** (sezione 7.13). Addestra un "
                "passo alla volta, due volte, e guarda la loss e la traiettoria di (w, b)."),
                _train(1)),
            page(text(
                "Step 1 goes along -grad L to the lowest point on that line (the exact line search, "
                "alpha = argmin L(w + alpha d)). Step 2 goes along a direction **conjugate** to the "
                "first, d1 = -grad L + beta d0, which does not spoil the minimum already found along "
                "d0. With N = 2 weights, two conjugate directions span the plane: after 2 steps the "
                "loss is zero up to rounding, w = 2 and b = 0.5. In N dimensions it takes at most N "
                "steps.\n\n"
                "Now try plain gradient descent (lr 0.5): after 2 steps it is still far from the "
                "bottom, and it needs dozens more.",
                "Il passo 1 va lungo -grad L fino al punto più basso su quella retta (la ricerca "
                "esatta, alpha = argmin L(w + alpha d)). Il passo 2 va lungo una direzione "
                "**coniugata** alla prima, d1 = -grad L + beta d0, che non rovina il minimo già "
                "trovato lungo d0. Con N = 2 pesi, due direzioni coniugate coprono il piano: dopo 2 "
                "passi la loss è zero a meno degli arrotondamenti, w = 2 e b = 0.5. In N dimensioni "
                "servono al più N passi.\n\n"
                "Ora prova la discesa del gradiente semplice (lr 0.5): dopo 2 passi è ancora lontana "
                "dal fondo, e le servono decine di passi in più."),
                *gd, RESET, _train(1)),
            page(text(
                "The Optimizer paths panel shows the same methods on a 2-D quadratic surface: "
                "compare the zig-zag of gradient descent with the two straight legs of conjugate "
                "gradient.\n\n"
                "**Question for the class:** a neural network's loss is not a quadratic. What does "
                "\"exact in N steps\" become there, and why does the method restart its directions "
                "every N steps?",
                "Il pannello dei percorsi degli ottimizzatori mostra gli stessi metodi su una "
                "superficie quadratica 2-D: confronta lo zig-zag della discesa del gradiente con i "
                "due tratti diritti del gradiente coniugato.\n\n"
                "**Domanda per la classe:** la loss di una rete neurale non è una quadratica. Che "
                "cosa diventa lì \"esatto in N passi\", e perché il metodo ricomincia le sue "
                "direzioni ogni N passi?"),
                _show_paths("Newton and conjugate gradient"), _optimizer(CG), RESET),
        ],
        goals=[
            goal("not_in_one", text("After one step the loss is not yet at the minimum (above 0.001)",
                                    "Dopo un passo la loss non è ancora al minimo (sopra 0.001)"),
                 metric="train_loss", op=">", value=1e-3, when="end", step=1),
            goal("exact_in_two", text("After N = 2 steps the loss is zero up to rounding (below 1e-9)",
                                      "Dopo N = 2 passi la loss è zero a meno degli arrotondamenti "
                                      "(sotto 1e-9)"),
                 metric="train_loss", op="<", value=1e-9, when="end", step=2),
            goal("slope_found", text("... and the slope w is 2",
                                     "... e la pendenza w vale 2"),
                 metric="weight:lin.weight[0,0]", op=">", value=1.9999, when="end", step=2),
            goal("gd_far_behind",
                 text("Gradient descent after 2 steps: its loss is at least a million times larger",
                      "La discesa del gradiente dopo 2 passi: la sua loss è almeno un milione di volte "
                      "più grande"),
                 metric="train_loss", op="<=", value=1e-6, when="end", step=2, variant={"changes": gd}),
        ],
        panels=["loss", "trajectory", "fit", _paths("Newton and conjugate gradient")], speed=1)
    return graph


def newton():
    graph = _line_fit(
        "Newton's method on a linear regression: the loss is a quadratic in (w, b), so the "
        "Hessian describes it exactly and one Newton step, w <- w - H^-1 grad L, lands on the "
        "minimum.", NEWTON)
    graph.lesson = lesson(
        "optimization", 10,
        text("Newton's method: one step on a quadratic", "Il metodo di Newton: un passo su una quadratica"),
        text("With the Hessian, one step reaches the minimum of a quadratic; conjugate gradient needs N.",
             "Con l'Hessiana un passo raggiunge il minimo di una quadratica; il gradiente coniugato ne "
             "richiede N."),
        pages=[
            page(text(
                "The same line fit, with **Newton's method** (notes, section 7.12): "
                "Delta w = -H^-1 dL/dw, where H is the Hessian, the matrix of second derivatives. "
                "Train one step.",
                "Lo stesso adattamento di una retta, con il **metodo di Newton** (appunti, sezione "
                "7.12): Delta w = -H^-1 dL/dw, dove H è l'Hessiana, la matrice delle derivate "
                "seconde. Addestra un passo."),
                _train(1)),
            page(text(
                "One step, and the loss is zero up to rounding. The gradient says which way is down; "
                "the Hessian says how the slope changes, so how far to go (Oss. 8 of the notes: Newton "
                "\"straightens\" the path). On a quadratic the local model is the function itself, "
                "and its minimum is one jump away.\n\n"
                "The price: H has N^2 entries and inverting it costs O(N^3). For a network with a "
                "million weights that is out of reach, hence quasi-Newton and Hessian-free methods "
                "such as conjugate gradient (section 7.12.1). Compare conjugate gradient: reset and "
                "train one step at a time.",
                "Un passo, e la loss è zero a meno degli arrotondamenti. Il gradiente dice da che "
                "parte si scende; l'Hessiana dice come cambia la pendenza, quindi quanto andare "
                "lontano (Oss. 8 degli appunti: Newton \"raddrizza\" la traiettoria). Su una "
                "quadratica il modello locale è la funzione stessa, e il suo minimo è a un salto di "
                "distanza.\n\n"
                "Il prezzo: H ha N^2 elementi e invertirla costa O(N^3). Per una rete con un milione "
                "di pesi è fuori portata, da cui i metodi quasi-Newton e Hessian-free come il "
                "gradiente coniugato (sezione 7.12.1). Confronta il gradiente coniugato: azzera e "
                "addestra un passo alla volta."),
                _optimizer(CG), RESET, _train(1)),
            page(text(
                "**Question for the class:** on the saddle surface x^2 - y^2 of the Optimizer paths "
                "panel, where does one Newton step go? Is it a minimum?",
                "**Domanda per la classe:** sulla superficie a sella x^2 - y^2 del pannello dei "
                "percorsi, dove va un passo di Newton? È un minimo?"),
                _show_paths("Newton and conjugate gradient"), _optimizer(NEWTON), RESET),
        ],
        goals=[
            goal("exact_in_one", text("After one step the loss is zero up to rounding (below 1e-9)",
                                      "Dopo un passo la loss è zero a meno degli arrotondamenti "
                                      "(sotto 1e-9)"),
                 metric="train_loss", op="<", value=1e-9, when="end", step=1),
            goal("cg_needs_more",
                 text("Conjugate gradient after one step: its loss is at least a million times larger",
                      "Il gradiente coniugato dopo un passo: la sua loss è almeno un milione di volte "
                      "più grande"),
                 metric="train_loss", op="<=", value=1e-6, when="end", step=1,
                 variant={"changes": [_optimizer(CG)]}),
        ],
        panels=["loss", "trajectory", "fit", _paths("Newton and conjugate gradient")], speed=1)
    return graph


LESSONS = {
    "learning_rate_too_large": learning_rate_too_large,
    "learning_rate_too_small": learning_rate_too_small,
    "momentum": momentum,
    "nesterov": nesterov,
    "sgd_rmsprop_adam": sgd_rmsprop_adam,
    "adagrad": adagrad,
    "lr_decay": lr_decay,
    "aimd": aimd,
    "conjugate_gradient": conjugate_gradient,
    "newton": newton,
}
