"""Chapter 8, weight initialisation (course notes 003, section 7.1.2-7.1.3): symmetric starts,
weights too small or too large, Xavier for tanh and He for ReLU."""
from _drawing import Drawing, goal, lesson, page, settings, text, set_setting

LAYERS, WIDTH = 8, 16
XAVIER = "xavier_normal"
HE = {"name": "kaiming_normal", "nonlinearity": "relu"}


def _explorer(activation, init):
    """Show the Initialisation panel (variance of activations and gradients, layer by layer,
    of a fresh network) for this lesson's depth and width."""
    return {"do": "show_panel", "panel": "init",
            "options": {"depth": LAYERS, "width": WIDTH, "activation": activation, "init": init}}


def _deep(description, activation, init, steps, lr, **more):
    """LAYERS Linear layers of WIDTH units, each followed by ``activation``, then one output."""
    d = Drawing(settings(description, {"name": "circle", "n_samples": 200, "noise": 0.0},
                         {"name": "SGD", "lr": lr}, steps, batch_size=20, init=init, **more))
    prev, width_in = d.node("x", "Input", 0), 2
    for i in range(1, LAYERS + 1):
        lin = d.node(f"lin{i}", "Linear", i, 0, in_features=width_in, out_features=WIDTH)
        act = d.node(f"act{i}", activation, i, 1)
        d.chain(prev, lin, act)
        prev, width_in = act, WIDTH
    d.binary_output(prev, width_in, LAYERS + 1, id="out", label="output")
    return d


def _init(value):
    return set_setting("init", value)


def init_symmetry():
    d = Drawing(settings(
        "Every weight starts at zero: the eight hidden units get the same gradient at every step, "
        "stay identical for ever, and the network behaves like one unit (Oss. 4 of the notes).",
        {"name": "circle", "n_samples": 200, "noise": 0.0}, {"name": "Adam", "lr": 0.05}, 300,
        batch_size=20, init="zeros", eval_every=10))
    d.node("x", "Input", 0)
    d.node("hidden", "Linear", 1, label="8 hidden units", in_features=2, out_features=8)
    d.node("sigma", "Sigmoid", 2)
    d.node("output", "Linear", 3, label="output", in_features=8, out_features=1)
    d.node("y", "Target", 3, 1)
    d.node("cost", "BCEWithLogitsLoss", 4)
    d.chain("x", "hidden", "sigma", "output", "cost")
    d.edge("y", "cost", "target")
    d.graph.lesson = lesson(
        "initialization", 1,
        text("Zero initialisation: the hidden units never differ",
             "Inizializzazione a zero: le unità nascoste non si differenziano mai"),
        text("Start every weight at zero and all hidden units receive the same update at every step: "
             "eight units work as one.",
             "Se ogni peso parte da zero, tutte le unità nascoste ricevono lo stesso aggiornamento a "
             "ogni passo: otto unità lavorano come una sola."),
        pages=[
            page(text(
                "A network with 8 sigmoid hidden units, enough for the circle dataset, but every "
                "weight and bias starts at 0 (the **Initial weights** setting of the training dock "
                "says \"zeros\"). Press **Play** and open the **Weights** panel: the rows of the "
                "hidden layer's matrix, one per unit, change, but they change together.\n\n"
                "The boundary stays a straight line: the circle is out of reach.",
                "Una rete con 8 unità nascoste sigmoidi, sufficienti per il dataset circle, ma ogni "
                "peso e ogni bias parte da 0 (l'impostazione dei pesi iniziali nel pannello di "
                "addestramento dice \"zeros\"). Premi **Avvia** e apri il pannello **Pesi**: le "
                "righe della matrice dello strato nascosto, una per unità, cambiano, ma cambiano "
                "insieme.\n\n"
                "Il confine resta una retta: il cerchio è fuori portata."),
                {"do": "train", "steps": 300}, {"do": "show_panel", "panel": "weights"}),
            page(text(
                "Oss. 4 of the notes (003, section 7.1.2): if two weights of the same layer start "
                "with the same value, the error propagated backwards gives them the same updates. "
                "Here all units compute the same output, the output layer weighs them alike, so "
                "backpropagation hands each the same gradient, and after the step they are equal "
                "again. Nothing can break the tie: the symmetry lasts for ever.\n\n"
                "The button replaces the sigmoid with tanh: press **Reset** and **Play**. Now only "
                "the output's bias moves: tanh(0) = 0, so the output weights get no gradient, and "
                "with output weights at 0 neither does the hidden layer. Then choose the default "
                "initialisation, which draws every weight at random, and train again.",
                "Oss. 4 degli appunti (003, sezione 7.1.2): se due pesi dello stesso strato partono "
                "con lo stesso valore, l'errore propagato all'indietro genera gli stessi "
                "aggiornamenti. Qui tutte le unità calcolano la stessa uscita, lo strato d'uscita le "
                "pesa allo stesso modo, così la retropropagazione dà a ciascuna lo stesso gradiente, "
                "e dopo il passo sono di nuovo uguali. Niente può rompere la parità: la simmetria "
                "dura per sempre.\n\n"
                "Il pulsante sostituisce la sigmoide con tanh: premi **Azzera** e **Avvia**. Ora si "
                "muove solo il bias dell'uscita: tanh(0) = 0, quindi i pesi d'uscita non ricevono "
                "gradiente, e con i pesi d'uscita a 0 nemmeno lo strato nascosto. Poi scegli "
                "l'inizializzazione predefinita, che estrae ogni peso a caso, e addestra di nuovo."),
                {"do": "replace_node", "node": "sigma", "type": "Tanh"}, _init("default"),
                {"do": "reset"}),
            page(text(
                "Question for the class: would starting every weight at 0.5 instead of 0 help? What "
                "about drawing the first layer at random but starting the output layer at zero?",
                "Domanda per la classe: partire con ogni peso a 0,5 invece che a 0 aiuterebbe? E "
                "estrarre a caso il primo strato ma far partire da zero lo strato d'uscita?")),
        ],
        goals=[
            goal("identical", text("The hidden units' weights stay identical at every step",
                                   "I pesi delle unità nascoste restano identici a ogni passo"),
                 metric="rows_equal:hidden", op=">=", value=1.0, when="always"),
            goal("moving", text("although they do learn: their gradient is not zero",
                                "anche se imparano: il loro gradiente non è zero"),
                 metric="grad_norm:hidden", op=">", value=1e-4, when="by"),
            goal("one_unit", text("Like a single unit, the network gets under 80 % of the points right",
                                  "Come un'unità sola, la rete azzecca meno dell'80 % dei punti"),
                 metric="train_acc", op="<", value=0.8, when="end"),
            goal("random_start", text("With random initial weights it gets at least 20 % more right",
                                      "Con pesi iniziali casuali ne azzecca almeno il 20 % in più"),
                 metric="train_acc", op="<", value=0.84, when="end",
                 variant={"changes": [_init("default")]}),
        ],
        panels=["weights", "boundary", "loss"], speed=30)
    return d.graph


def init_too_small():
    d = _deep("Eight tanh layers whose weights start tiny (normal, std 0.01): the signal and the "
              "gradient shrink at every layer and the first layers do not learn.",
              "Tanh", {"name": "normal", "std": 0.01}, 200, 0.1, probe_every=5, eval_every=10)
    d.graph.lesson = lesson(
        "initialization", 2,
        text("Weights too small: the gradient vanishes", "Pesi troppo piccoli: il gradiente svanisce"),
        text("Eight tanh layers with weights of size 0.01: every layer shrinks the signal, and "
             "backpropagation shrinks the gradient the same way. Xavier's initialisation fixes it.",
             "Otto strati tanh con pesi di ampiezza 0,01: ogni strato riduce il segnale, e la "
             "retropropagazione riduce il gradiente allo stesso modo. L'inizializzazione di Xavier "
             "lo risolve."),
        pages=[
            page(text(
                "The weights are drawn from a normal distribution with standard deviation 0.01. A "
                "unit sums 16 inputs times such weights, so its output is about 0.04 times the size "
                "of its inputs: after eight layers almost nothing of x is left. Press **Play** and "
                "look at the **Gradient flow** panel and the **Diagnostics**.",
                "I pesi sono estratti da una normale con deviazione standard 0,01. Un'unità somma "
                "16 ingressi per pesi così, quindi la sua uscita è circa 0,04 volte l'ampiezza dei "
                "suoi ingressi: dopo otto strati di x non resta quasi niente. Premi **Avvia** e "
                "guarda i pannelli **Flusso del gradiente** e **Diagnostica**."),
                {"do": "train", "steps": 200}, {"do": "show_panel", "panel": "gradflow"}),
            page(text(
                "Oss. 6 of the notes (003, section 7.1.2): weights that are too small make the "
                "gradient vanish. Backpropagation multiplies by the same small weights on the way "
                "back, so lin1 gets a gradient thousands of times smaller than the output layer.\n\n"
                "Xavier Glorot's initialisation (section 7.1.3) picks the variance so that a layer's "
                "output has the variance of its input, forwards and backwards: "
                "Var(W) = 2 / (n_in + n_out). Choose it with the button (or in **Initial weights** "
                "in the training settings), press **Reset** and **Play**. The **Initialisation** "
                "panel shows the same network freshly initialised with Xavier: the variance of the "
                "activations and of the gradients stays level from layer to layer.\n\n"
                "Question for the class: with n_in = n_out = 16, what standard deviation does "
                "Xavier choose, compared with our 0.01?",
                "Oss. 6 degli appunti (003, sezione 7.1.2): pesi troppo piccoli fanno svanire il "
                "gradiente. La retropropagazione moltiplica all'indietro per gli stessi pesi "
                "piccoli, così lin1 riceve un gradiente migliaia di volte più piccolo dello strato "
                "d'uscita.\n\n"
                "L'inizializzazione di Xavier Glorot (sezione 7.1.3) sceglie la varianza in modo che "
                "l'uscita di uno strato abbia la varianza del suo ingresso, in avanti e all'indietro: "
                "Var(W) = 2 / (n_in + n_out). Sceglila con il pulsante (o tra i pesi iniziali nelle "
                "impostazioni di addestramento), premi **Azzera** e **Avvia**. Il pannello "
                "**Inizializzazione** mostra la stessa rete appena inizializzata con Xavier: la "
                "varianza delle attivazioni e dei gradienti resta costante da uno strato all'altro."
                "\n\n"
                "Domanda per la classe: con n_in = n_out = 16, quale deviazione standard sceglie "
                "Xavier, rispetto al nostro 0,01?"),
                _init(XAVIER), {"do": "reset"}, _explorer("Tanh", XAVIER)),
        ],
        goals=[
            goal("vanishing", text("The diagnostics flag vanishing gradients",
                                   "La diagnostica segnala gradienti che svaniscono"),
                 verdict="vanishing", present=True, when="by"),
            goal("stuck", text("Training accuracy stays under 60 %",
                               "L'accuratezza sull'addestramento resta sotto il 60 %"),
                 metric="train_acc", op="<", value=0.6, when="always"),
            goal("xavier", text("With Xavier's initialisation lin1's share of the gradient is over "
                                "1000× larger",
                                "Con l'inizializzazione di Xavier la quota di gradiente di lin1 è "
                                "più di 1000 volte più grande"),
                 metric="grad_norm:lin1", relative_to="grad_norm:out", op="<", value=1e-3,
                 when="end", variant={"changes": [_init(XAVIER)]}),
        ],
        panels=["gradflow", "diagnostics", "loss"], speed=20)
    return d.graph


def init_too_large():
    d = _deep("Eight ReLU layers whose weights start large (normal, std 1): the signal grows at every "
              "layer, the gradients explode and training ends in NaN within a few steps.",
              "ReLU", {"name": "normal", "std": 1.0}, 30, 0.01, probe_every=1, eval_every=1)
    d.graph.lesson = lesson(
        "initialization", 3,
        text("Weights too large: the network explodes", "Pesi troppo grandi: la rete esplode"),
        text("Eight ReLU layers with weights of size 1: the signal grows about threefold per layer, "
             "the first gradients are enormous and training breaks down. He's initialisation fixes "
             "it.",
             "Otto strati ReLU con pesi di ampiezza 1: il segnale cresce di circa tre volte per "
             "strato, i primi gradienti sono enormi e l'addestramento si rompe. L'inizializzazione "
             "di He lo risolve."),
        pages=[
            page(text(
                "Now the weights are drawn with standard deviation 1. A ReLU unit sums 16 inputs "
                "times such weights and keeps the positive half: its output is about √8 ≈ 2.8 times "
                "the size of its inputs, so eight layers multiply the signal by about 4000. Press "
                "**Play** and watch the **Diagnostics** and **Loss and metrics** panels: within a "
                "few steps training breaks down.",
                "Ora i pesi sono estratti con deviazione standard 1. Un'unità ReLU somma 16 ingressi "
                "per pesi così e tiene la metà positiva: la sua uscita è circa √8 ≈ 2,8 volte "
                "l'ampiezza dei suoi ingressi, quindi otto strati moltiplicano il segnale per circa "
                "4000. Premi **Avvia** e osserva i pannelli **Diagnostica** e **Loss e metriche**: "
                "in pochi passi l'addestramento si rompe."),
                {"do": "train", "steps": 30}, {"do": "show_panel", "panel": "diagnostics"}),
            page(text(
                "Oss. 5 of the notes (003, section 7.1.2): weights that are too large can make the "
                "network explode. The huge outputs give huge gradients, the first update throws the "
                "weights far away. On most seeds the loss then grows until it becomes NaN and "
                "training stops; on the others the jump leaves every ReLU of a layer off for every "
                "input, the units are dead, and the network is stuck at a coin toss.\n\n"
                "For ReLU, He (Kaiming) initialisation uses Var(W) = 2 / n_in: the factor 2 makes up "
                "for the half of the signal a ReLU cuts off. Choose it with the button, press "
                "**Reset** and **Play**; then open the next lesson. Question for the class: why "
                "would a lower learning rate not be enough here?",
                "Oss. 5 degli appunti (003, sezione 7.1.2): pesi troppo grandi possono far esplodere "
                "la rete. Uscite enormi danno gradienti enormi, il primo aggiornamento lancia i pesi "
                "lontano. Con la maggior parte dei semi la funzione di costo cresce fino a diventare "
                "NaN e l'addestramento si ferma; con gli altri il salto spegne ogni ReLU di uno "
                "strato per ogni ingresso, le unità sono morte e la rete resta ferma al lancio di "
                "una moneta.\n\n"
                "Per la ReLU, l'inizializzazione di He (Kaiming) usa Var(W) = 2 / n_in: il fattore "
                "2 compensa la metà del segnale che una ReLU taglia. Sceglila con il pulsante, premi "
                "**Azzera** e **Avvia**; poi apri la prossima lezione. Domanda per la classe: perché "
                "qui non basterebbe un learning rate più basso?"),
                _init(HE), {"do": "reset"}),
        ],
        goals=[
            goal("exploding", text("The diagnostics flag exploding gradients at the first probe",
                                   "La diagnostica segnala gradienti che esplodono al primo "
                                   "controllo"),
                 verdict="exploding", present=True, when="by", step=1),
            goal("wrecked", text("The network never does better than a coin toss (under 65 % right)",
                                 "La rete non fa mai meglio del lancio di una moneta (meno del 65 % "
                                 "giusto)"),
                 metric="train_acc", op="<", value=0.65, when="always"),
        ],
        panels=["diagnostics", "loss", "gradflow"], speed=2)
    return d.graph


def init_he_relu():
    d = _deep("Eight ReLU layers with He initialisation (Var(W) = 2 / n_in): the signal keeps its size "
              "through every layer and the network trains; with Xavier's variance it shrinks and "
              "trains more slowly.",
              "ReLU", HE, 150, 0.01, probe_every=5, eval_every=10)
    d.graph.lesson = lesson(
        "initialization", 4,
        text("Xavier for tanh, He for ReLU", "Xavier per tanh, He per ReLU"),
        text("Each activation has its initialisation: He's variance 2/n_in keeps a deep ReLU network's "
             "signal alive, Xavier's, made for tanh, lets it fade.",
             "Ogni funzione di attivazione ha la sua inizializzazione: la varianza 2/n_in di He "
             "mantiene vivo il segnale di una rete ReLU profonda, quella di Xavier, pensata per "
             "tanh, lo lascia affievolire."),
        pages=[
            page(text(
                "The ReLU network of the previous lesson, now with He initialisation. Press **Play**: "
                "no alarm in the **Diagnostics**, and the loss falls.\n\n"
                "Xavier's rule (notes 003, section 7.1.3) keeps the variance constant through a "
                "layer whose activation behaves like the identity near 0, as tanh does. A ReLU sets "
                "half of its inputs to zero, so with Xavier's variance the signal halves in power "
                "at every layer; He's variance 2/n_in doubles it back.",
                "La rete ReLU della lezione precedente, ora con l'inizializzazione di He. Premi "
                "**Avvia**: nessun allarme nella **Diagnostica**, e la funzione di costo scende.\n\n"
                "La regola di Xavier (appunti 003, sezione 7.1.3) mantiene costante la varianza "
                "attraverso uno strato la cui attivazione si comporta come l'identità vicino a 0, "
                "come tanh. Una ReLU azzera metà dei suoi ingressi, quindi con la varianza di Xavier "
                "il segnale dimezza la sua potenza a ogni strato; la varianza 2/n_in di He la "
                "raddoppia di nuovo."),
                {"do": "train", "steps": 150}, {"do": "show_panel", "panel": "gradflow"}),
            page(text(
                "Switch to Xavier (button), press **Reset** and **Play**, and compare the loss after "
                "150 steps. The **Initialisation** panel shows why, on a fresh network of the same "
                "depth and width: with Xavier the variance of the activations falls layer after "
                "layer, with He it stays level (its buttons switch between the two). Then try the "
                "other pairs: replace every ReLU with tanh (keep Xavier), and "
                "tanh with He. Question for the class: the notes (Oss. 7) mention a variant of "
                "Xavier with 1 instead of 2 in the numerator. Which of the three variances "
                "1/n_in, 2/(n_in + n_out), 2/n_in suits which activation?",
                "Passa a Xavier (pulsante), premi **Azzera** e **Avvia**, e confronta la funzione di "
                "costo dopo 150 passi. Il pannello **Inizializzazione** mostra il perché, su una rete "
                "appena inizializzata con la stessa profondità e larghezza: con Xavier la varianza "
                "delle attivazioni cala strato dopo strato, con He resta costante (i suoi pulsanti "
                "passano dall'una all'altra). Poi prova le altre coppie: sostituisci ogni ReLU con tanh "
                "(tenendo Xavier), e tanh con He. Domanda per la classe: gli appunti (Oss. 7) citano "
                "una variante di Xavier con 1 invece di 2 al numeratore. Quale delle tre varianze "
                "1/n_in, 2/(n_in + n_out), 2/n_in si addice a quale attivazione?"),
                _init(XAVIER), {"do": "reset"}, _explorer("ReLU", XAVIER),
                _explorer("ReLU", "kaiming_normal")),
        ],
        goals=[
            goal("healthy", text("No exploding gradients flagged",
                                 "Nessun gradiente che esplode segnalato"),
                 verdict="exploding", present=False, when="always"),
            goal("no_vanishing", text("No vanishing gradients flagged",
                                      "Nessun gradiente che svanisce segnalato"),
                 verdict="vanishing", present=False, when="always"),
            goal("faster", text("After 150 steps the loss is under 0.9 times Xavier's",
                                "Dopo 150 passi la funzione di costo è sotto 0,9 volte quella con "
                                "Xavier"),
                 metric="train_loss", op="<", value=0.9, when="end",
                 variant={"changes": [_init(XAVIER)]}),
        ],
        panels=["gradflow", "loss", "diagnostics"], speed=20)
    return d.graph


LESSONS = {"init_symmetry": init_symmetry, "init_too_small": init_too_small,
           "init_too_large": init_too_large, "init_he_relu": init_he_relu}
