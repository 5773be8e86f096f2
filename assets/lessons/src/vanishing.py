"""Chapter 15, vanishing gradients: the same ten-layer net with sigmoids, then ReLU + He."""
from _drawing import Drawing, goal, lesson, page, settings, text

DEEP_LAYERS, DEEP_WIDTH = 10, 16
ACTIVATIONS = [f"act{i}" for i in range(1, DEEP_LAYERS)]
RELU_HE = {"name": "kaiming_normal", "nonlinearity": "relu"}


def deep_net(activation, init, description):
    d = Drawing(settings(description, {"name": "circle", "n_samples": 400, "noise": 0.05},
                         {"name": "SGD", "lr": 0.1}, 300, batch_size=20,
                         **({"init": init} if init else {})))
    prev = d.node("x", "Input", 0)
    width_in = 2
    for i in range(1, DEEP_LAYERS):
        lin = d.node(f"lin{i}", "Linear", i, 0, in_features=width_in, out_features=DEEP_WIDTH)
        act = d.node(f"act{i}", activation, i, 1)
        d.chain(prev, lin, act)
        prev, width_in = act, DEEP_WIDTH
    d.binary_output(prev, width_in, DEEP_LAYERS, id=f"lin{DEEP_LAYERS}", label="output")
    return d


def deep_sigmoid():
    d = deep_net("Sigmoid", None,
                 "Ten layers of sigmoids: the gradient shrinks at every layer (the sigmoid's "
                 "derivative is at most 0.25), so the first layers barely learn. The "
                 "diagnostics flag vanishing gradients.")
    to_relu_he = [{"do": "replace_node", "node": a, "type": "ReLU"} for a in ACTIVATIONS] \
        + [{"do": "set_setting", "key": "init", "value": RELU_HE}]
    d.graph.lesson = lesson(
        "vanishing", 1,
        text("Ten sigmoid layers: the gradient vanishes",
             "Dieci strati di sigmoidi: il gradiente svanisce"),
        text("A deep sigmoid network barely learns: its first layer's gradient is millions of "
             "times smaller than its last one's.",
             "Una rete profonda di sigmoidi quasi non impara: il gradiente del primo strato è "
             "milioni di volte più piccolo di quello dell'ultimo."),
        pages=[
            page(text(
                "Ten Linear layers, each followed by a sigmoid, trained on the circle dataset by "
                "gradient descent. Press **Play** (or the button below) and watch the **Gradient "
                "flow** panel: one bar per layer, from lin1 (next to the input) to lin10 (the "
                "output).\n\n"
                "The loss hardly moves and the boundary stays flat. Which bars are tall, and "
                "which can you not even see?",
                "Dieci strati Linear, ciascuno seguito da una sigmoide, addestrati sul dataset "
                "circle con la discesa del gradiente. Premi **Avvia** (o il pulsante qui sotto) e "
                "osserva il pannello del **flusso del gradiente**: una barra per strato, da lin1 "
                "(vicino all'input) a lin10 (l'uscita).\n\n"
                "La funzione di costo quasi non scende e il confine di decisione resta piatto. "
                "Quali barre sono alte, e quali non si vedono nemmeno?"),
                {"do": "train", "steps": 300}, {"do": "show_panel", "panel": "gradflow"}),
            page(text(
                "Backpropagation multiplies, layer after layer, by the weights and by the "
                "derivative of the activation function. The sigmoid's derivative is at most 0.25, "
                "so nine sigmoids shrink the gradient by at least 0.25^9 ≈ 4·10⁻⁶, and with small "
                "weights by far more. The **Diagnostics** panel names the problem: vanishing "
                "gradients.\n\n"
                "Question for the class: why does the last layer still learn something while "
                "the first ones do not?",
                "La retropropagazione moltiplica, strato dopo strato, per i pesi e per la derivata "
                "della funzione di attivazione. La derivata della sigmoide vale al massimo 0,25: "
                "nove sigmoidi riducono il gradiente di almeno 0,25^9 ≈ 4·10⁻⁶, e con pesi piccoli "
                "molto di più. Il pannello **Diagnostica** dà un nome al problema: gradienti che "
                "svaniscono.\n\n"
                "Domanda per la classe: perché l'ultimo strato impara ancora qualcosa mentre i "
                "primi no?"),
                {"do": "show_panel", "panel": "diagnostics"}),
            page(text(
                "Try a remedy from the course notes, a non-saturating activation function, on one "
                "layer: the button replaces the first sigmoid (act1) with a ReLU. Press **Reset** "
                "and **Play** again. Does one ReLU change the picture? (The gradient that reaches "
                "lin1 still crosses act2 ... act9.) Then open the next lesson, where every "
                "activation is a ReLU and the weights start with He initialisation.",
                "Prova su uno strato un rimedio indicato negli appunti, una funzione di "
                "attivazione che non satura: il pulsante sostituisce la prima sigmoide (act1) con "
                "una ReLU. Premi **Azzera** e di nuovo **Avvia**. Una sola ReLU cambia le cose? (Il "
                "gradiente che arriva a lin1 attraversa ancora act2 ... act9.) Poi apri la "
                "lezione successiva, dove tutte le attivazioni sono ReLU e i pesi partono con "
                "l'inizializzazione di He."),
                {"do": "replace_node", "node": "act1", "type": "ReLU"}, {"do": "reset"},
                {"do": "train", "steps": 300}),
        ],
        goals=[
            goal("flagged", text("The diagnostics flag vanishing gradients",
                                 "La diagnostica segnala gradienti che svaniscono"),
                 verdict="vanishing", present=True, when="by"),
            goal("ratio", text("lin1's gradient stays over 10,000× smaller than lin10's",
                               "Il gradiente di lin1 resta più di 10.000 volte più piccolo di "
                               "quello di lin10"),
                 metric="grad_norm:lin1", relative_to="grad_norm:lin10", op="<", value=1e-4,
                 when="always"),
            goal("stuck", text("Training accuracy never gets past 60 %",
                               "L'accuratezza sull'addestramento non supera mai il 60 %"),
                 metric="train_acc", op="<", value=0.6, when="always"),
            goal("relu_he", text("With ReLU and He initialisation instead, lin1's gradient is "
                                 "over 10,000× larger",
                                 "Con ReLU e inizializzazione di He, invece, il gradiente di lin1 "
                                 "è più di 10.000 volte più grande"),
                 metric="grad_norm:lin1", op="<", value=1e-4, when="end",
                 variant={"changes": to_relu_he}),
        ],
        panels=["gradflow", "diagnostics", "loss"], speed=30)
    return d.graph


def deep_relu_he():
    d = deep_net("ReLU", RELU_HE,
                 "The same ten-layer network with ReLU units and He (Kaiming) initialization: "
                 "the gradient keeps its size from the last layer to the first.")
    d.graph.lesson = lesson(
        "vanishing", 2,
        text("Ten ReLU layers with He initialisation", "Dieci strati ReLU con inizializzazione di He"),
        text("The same deep network with ReLU units and He initialisation: the gradient keeps its "
             "size down to the first layer, and the network learns.",
             "La stessa rete profonda con unità ReLU e inizializzazione di He: il gradiente "
             "mantiene la sua ampiezza fino al primo strato, e la rete impara."),
        pages=[
            page(text(
                "The network of the previous lesson, ten layers deep, with two changes: every "
                "activation is a ReLU, and the weights start with He (Kaiming) initialisation, "
                "whose variance 2/n_in keeps the signal's size from layer to layer. Press "
                "**Play** and compare the **Gradient flow** bars with those of the sigmoid "
                "network.",
                "La rete della lezione precedente, profonda dieci strati, con due cambiamenti: "
                "ogni attivazione è una ReLU e i pesi partono con l'inizializzazione di He "
                "(Kaiming), la cui varianza 2/n_in mantiene l'ampiezza del segnale da uno strato "
                "all'altro. Premi **Avvia** e confronta le barre del **flusso del gradiente** con "
                "quelle della rete di sigmoidi."),
                {"do": "train", "steps": 300}, {"do": "show_panel", "panel": "gradflow"}),
            page(text(
                "The derivative of a ReLU is 1 wherever the unit is active, so backpropagation no "
                "longer shrinks the gradient at every layer. The **Diagnostics** panel stays quiet "
                "and the boundary closes around the circle.\n\n"
                "Question for the class: what can still go wrong with ReLU units? (Look in the "
                "**Activations** panel for units that are never active.)",
                "La derivata di una ReLU vale 1 dove l'unità è attiva, quindi la retropropagazione "
                "non riduce più il gradiente a ogni strato. Il pannello **Diagnostica** non "
                "segnala nulla e il confine di decisione si chiude attorno al cerchio.\n\n"
                "Domanda per la classe: che cosa può ancora andare storto con le unità ReLU? "
                "(Cerca nel pannello **Attivazioni** unità che non si attivano mai.)"),
                {"do": "show_panel", "panel": "activations"}),
            page(text(
                "Undo one change at a time. The first button keeps the ReLUs but goes back to "
                "each layer's default initialisation; the second raises the learning rate to "
                "1.0. Press **Reset** and **Play** after each. Which one hurts more?",
                "Annulla un cambiamento alla volta. Il primo pulsante tiene le ReLU ma torna "
                "all'inizializzazione predefinita di ogni strato; il secondo alza il learning "
                "rate a 1,0. Premi **Azzera** e **Avvia** dopo ciascuno. Quale fa più danni?"),
                {"do": "set_setting", "key": "init", "value": "default"},
                {"do": "set_setting", "key": "optimizer.lr", "value": 1.0}, {"do": "reset"}),
        ],
        goals=[
            goal("no_warning", text("No vanishing-gradient warning, from start to end",
                                    "Nessun avviso di gradienti che svaniscono, dall'inizio alla "
                                    "fine"),
                 verdict="vanishing", present=False, when="always"),
            goal("ratio", text("lin1's gradient stays at least a tenth of lin10's",
                               "Il gradiente di lin1 resta almeno un decimo di quello di lin10"),
                 metric="grad_norm:lin1", relative_to="grad_norm:lin10", op=">=", value=0.1,
                 when="always"),
            goal("learns", text("Training accuracy reaches 95 %",
                                "L'accuratezza sull'addestramento raggiunge il 95 %"),
                 metric="train_acc", op=">=", value=0.95, when="by"),
        ],
        panels=["gradflow", "diagnostics", "boundary"], speed=30)
    return d.graph


LESSONS = {"deep_sigmoid": deep_sigmoid, "deep_relu_he": deep_relu_he}
