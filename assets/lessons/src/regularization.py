"""Chapter 10, overfitting and regularisation (course notes 003, section 11): a network much
too flexible for 10 noisy samples of a sine learns the noise (the test loss falls, then rises
while the training loss keeps falling), and each remedy of section 11.2 narrows the gap: weight
decay, dropout, noise injection and early stopping."""
from _drawing import (Drawing, goal, lesson, page, settings, text, set_param as _set, set_setting
                      as _setting, RESET, train)

#: 20 samples of sin(pi x) with noise of standard deviation 0.3, half held out for testing
SIN = {"name": "sin", "n_samples": 20, "noise": 0.3, "test_fraction": 0.5}
ADAM = {"name": "Adam", "lr": 0.01}
STEPS = 400
def _train(steps=STEPS):
    return train(steps)


def _net(description, optimizer=ADAM, input_node=None, hidden_node=None, **more):
    """x [-> input_node] -> Linear(1, 64) -> Tanh [-> hidden_node] -> Linear(64, 64) -> Tanh
    [-> hidden_node] -> Linear(64, 1) -> MSE against the Target. ``input_node`` and
    ``hidden_node``: (type, params) of a regulariser drawn there (ids noise, drop1, drop2)."""
    d = Drawing(settings(description, SIN, optimizer, STEPS, batch_size=10, task="regression",
                         eval_every=10, **more))
    prev = d.node("x", "Input", 0)
    if input_node:
        prev = d.node("noise", input_node[0], 1, 1, **input_node[1])
        d.edge("x", prev)
    col, width = 1, 1
    for i in (1, 2):
        d.node(f"lin{i}", "Linear", col, label=f"layer {i}", in_features=width, out_features=64)
        d.node(f"act{i}", "Tanh", col + 1)
        d.chain(prev, f"lin{i}", f"act{i}")
        prev, width, col = f"act{i}", 64, col + 2
        if hidden_node:   # drawn below its activation, one column further on
            prev = d.node(f"drop{i}", hidden_node[0], col - 1, 1, **hidden_node[1])
            d.edge(f"act{i}", prev)
            col += 1
    d.node("output", "Linear", col, in_features=64, out_features=1)
    d.node("y", "Target", col, 1)
    d.node("cost", "MSELoss", col + 1)
    d.chain(prev, "output", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def _gap_goal(most):
    return goal("gap", text(f"At the end the test loss is at most {most} times the training loss",
                            f"Alla fine la loss di test è al più {most} volte la loss di "
                            "addestramento"),
                metric="test_loss", relative_to="train_loss", op="<=", value=most, when="end")


def _narrows(name_en, name_it, most, changes):
    return goal("narrows", text(f"Without {name_en} the test loss at the end is higher: with it, "
                                f"at most {most} times as much",
                                f"Senza {name_it} la loss di test alla fine è più alta: con esso, "
                                f"al più {most} volte tanto"),
                metric="test_loss", op="<=", value=most, when="end", variant={"changes": changes})


def overfitting():
    graph = _net("Two hidden layers of 64 tanh units (more than 4000 weights) for 10 noisy "
                 "samples of a sine: the training loss keeps falling while the test loss, after a "
                 "minimum near step 100, doubles. The network learns the noise.")
    graph.lesson = lesson(
        "regularization", 1,
        text("Overfitting: the test loss rises", "Sovradattamento: la loss di test risale"),
        text("A network with far more weights than data fits the noise: the training loss falls, "
             "the test loss rises.",
             "Una rete con molti più pesi che dati si adatta al rumore: la loss di addestramento "
             "scende, quella di test risale."),
        pages=[
            page(text(
                "The data are **10 training points** of sin(pi x) with noise (standard deviation "
                "0.3), and 10 more points held out as the **test set**, never used for training. "
                "The network has two hidden layers of 64 tanh units: more than 4000 weights for 10 "
                "points.\n\n"
                "Press **Train** and watch both curves in the Loss panel, and the fitted curve in "
                "the Fit panel.",
                "I dati sono **10 punti di addestramento** di sin(pi x) con rumore (deviazione "
                "standard 0.3), più altri 10 punti tenuti da parte come **insieme di test**, mai "
                "usati per l'addestramento. La rete ha due strati nascosti di 64 unità tanh: più di "
                "4000 pesi per 10 punti.\n\n"
                "Premi **Addestra** e guarda le due curve nel pannello della loss e la curva "
                "approssimata nel pannello Fit."),
                _train(100)),
            page(text(
                "Until about step 100 both losses fall: the network is learning the sine. Now go "
                "on training.\n\n"
                "The training loss keeps falling towards zero, but the test loss turns and grows: "
                "the curve bends to pass through every noisy point. This is **overfitting** "
                "(notes, section 11.1): a model powerful enough to explain everything ends up "
                "explaining what is not relevant, the noise.",
                "Fino a circa il passo 100 entrambe le loss scendono: la rete sta imparando il "
                "seno. Ora continua l'addestramento.\n\n"
                "La loss di addestramento continua a scendere verso zero, ma quella di test si gira "
                "e cresce: la curva si piega per passare per ogni punto rumoroso. Questo è il "
                "**sovradattamento** (overfitting, appunti, sezione 11.1): un modello abbastanza "
                "potente da spiegare tutto finisce per spiegare anche ciò che non è rilevante, il "
                "rumore."),
                _train(300)),
            page(text(
                "The remedies of section 11.2 (weight decay, dropout, noise injection, early "
                "stopping) each have a lesson of their own in this chapter.\n\n"
                "**Question for the class:** the notes list three ways to prevent overfitting: "
                "more data, a model of the right capacity, an ensemble. Which one could you try "
                "here by changing only the network?",
                "I rimedi della sezione 11.2 (weight decay, dropout, iniezione di rumore, early "
                "stopping) hanno ciascuno una lezione in questo capitolo.\n\n"
                "**Domanda per la classe:** gli appunti elencano tre modi per prevenire il "
                "sovradattamento: più dati, un modello della capacità giusta, un ensemble. Quale "
                "potreste provare qui cambiando solo la rete?")),
        ],
        goals=[
            goal("test_low", text("Early on the test loss gets below 0.25",
                                  "All'inizio la loss di test scende sotto 0.25"),
                 metric="test_loss", op="<=", value=0.25, when="by", step=150),
            goal("test_rises", text("... and at the end it is back above 0.33",
                                    "... e alla fine è risalita sopra 0.33"),
                 metric="test_loss", op=">=", value=0.33, when="end"),
            goal("train_falls", text("Meanwhile the training loss falls below 0.015",
                                     "Intanto la loss di addestramento scende sotto 0.015"),
                 metric="train_loss", op="<=", value=0.015, when="end"),
            goal("gap", text("At the end the test loss is more than 20 times the training loss",
                             "Alla fine la loss di test è più di 20 volte la loss di "
                             "addestramento"),
                 metric="test_loss", relative_to="train_loss", op=">=", value=20.0, when="end"),
        ],
        panels=["loss", "fit"], speed=40)
    return graph


def weight_decay():
    graph = _net("The overfitting network of the previous lesson trained with weight decay 0.1: "
                 "every step also pulls each weight towards zero, the curve stays smooth and the "
                 "test loss stays low.", optimizer={**ADAM, "weight_decay": 0.1})
    without = [_setting("optimizer.weight_decay", 0.0)]
    graph.lesson = lesson(
        "regularization", 2,
        text("Weight decay", "Weight decay"),
        text("A penalty on large weights keeps the fitted curve smooth: the test loss stays low.",
             "Una penalità sui pesi grandi mantiene liscia la curva: la loss di test resta bassa."),
        pages=[
            page(text(
                "The same 10 noisy points and the same network, now with **weight decay**: the "
                "optimizer adds 0.1 times each weight to its gradient. That is the gradient of the "
                "L2 penalty of the notes (section 11.2.2), L(theta) = loss + lambda sum theta_i^2, "
                "with lambda = 0.05: every step pulls the weights towards zero.\n\n"
                "Press **Train** and compare the curves with the previous lesson.",
                "Gli stessi 10 punti rumorosi e la stessa rete, ora con il **weight decay**: "
                "l'ottimizzatore aggiunge al gradiente 0.1 volte ciascun peso. È il gradiente della "
                "penalità L2 degli appunti (sezione 11.2.2), L(theta) = loss + lambda somma "
                "theta_i^2, con lambda = 0.05: ogni passo tira i pesi verso lo zero.\n\n"
                "Premi **Addestra** e confronta le curve con la lezione precedente."),
                _train()),
            page(text(
                "The training loss no longer goes to zero, and the test loss stays well below the "
                "0.4 it reached without the penalty. Bending the curve through each noisy point "
                "needs large weights, and now large weights cost.\n\n"
                "Set the weight decay to 0, reset and train to see the overfitting again; then try "
                "1.0 (lambda too large: underfitting, the curve is too flat).",
                "La loss di addestramento non va più a zero, e quella di test resta ben sotto lo "
                "0.4 raggiunto senza penalità. Piegare la curva per ogni punto rumoroso richiede pesi "
                "grandi, e ora i pesi grandi costano.\n\n"
                "Porta il weight decay a 0, azzera e addestra per rivedere il sovradattamento; poi "
                "prova 1.0 (lambda troppo grande: sottoadattamento, la curva è troppo piatta)."),
                *without, _setting("optimizer.weight_decay", 1.0),
                _setting("optimizer.weight_decay", 0.1), RESET, _train()),
            page(text(
                "**Question for the class:** the notes say L1 regularisation, lambda sum |theta_i|, "
                "drives many weights exactly to zero while L2 only makes them small. Why? (Compare "
                "the two penalties' gradients near zero.)",
                "**Domanda per la classe:** gli appunti dicono che la regolarizzazione L1, lambda "
                "somma |theta_i|, porta molti pesi esattamente a zero mentre la L2 li rende solo "
                "piccoli. Perché? (Confronta i gradienti delle due penalità vicino allo zero.)")),
        ],
        goals=[
            _narrows("weight decay", "weight decay", 0.8, without),
            _gap_goal(10),
        ],
        panels=["loss", "fit", "weights"], speed=40)
    return graph


def dropout():
    graph = _net("The overfitting network with Dropout (p = 0.1) after each hidden layer: every "
                 "step trains a different random sub-network, and the test loss stays low.",
                 hidden_node=("Dropout", {"p": 0.1}))
    without = [_set("drop1", "p", 0.0), _set("drop2", "p", 0.0)]
    graph.lesson = lesson(
        "regularization", 3,
        text("Dropout", "Dropout"),
        text("Switching off random units at every step stops them from conspiring to fit the "
             "noise.",
             "Spegnere unità a caso a ogni passo impedisce loro di accordarsi per adattarsi al "
             "rumore."),
        pages=[
            page(text(
                "After each hidden layer a **Dropout** node (notes, section 11.2.4) switches off "
                "each unit with probability p = 0.1 at every training step, and scales the others "
                "by 1 / (1 - p). In evaluation (the test loss, the fitted curve) it does nothing.\n\n"
                "Press **Train** and watch the test loss.",
                "Dopo ogni strato nascosto un nodo **Dropout** (appunti, sezione 11.2.4) spegne "
                "ogni unità con probabilità p = 0.1 a ogni passo di addestramento, e scala le altre "
                "di 1 / (1 - p). In valutazione (la loss di test, la curva approssimata) non fa "
                "nulla.\n\n"
                "Premi **Addestra** e guarda la loss di test."),
                _train()),
            page(text(
                "The test loss stays much lower than without dropout. Each step trains a different "
                "sub-network, so no unit can rely on a precise partner to bend the curve through "
                "one noisy point: every unit must be useful on its own. The final network behaves "
                "like the average of many sub-networks sharing their weights, an ensemble for the "
                "price of one.\n\n"
                "Set p = 0 in both Dropout nodes, reset and train to compare.",
                "La loss di test resta molto più bassa che senza dropout. Ogni passo addestra una "
                "sottorete diversa, quindi nessuna unità può contare su un compagno preciso per "
                "piegare la curva su un punto rumoroso: ogni unità deve essere utile da sola. La "
                "rete finale si comporta come la media di tante sottoreti che condividono i pesi, "
                "un ensemble al prezzo di una rete.\n\n"
                "Metti p = 0 in entrambi i nodi Dropout, azzera e addestra per confrontare."),
                *without, RESET, _train()),
            page(text(
                "**Try next:** p = 0.3 and p = 0.5. The batch loss gets noisy: why?\n\n"
                "**Question for the class:** with n units, how many different sub-networks can "
                "dropout pick?",
                "**Prova poi:** p = 0.3 e p = 0.5. La loss del mini-batch diventa rumorosa: "
                "perché?\n\n"
                "**Domanda per la classe:** con n unità, quante sottoreti diverse può scegliere il "
                "dropout?"),
                _set("drop1", "p", 0.1), _set("drop2", "p", 0.1), RESET),
        ],
        goals=[
            _narrows("dropout", "dropout", 0.8, without),
            _gap_goal(25),
        ],
        panels=["loss", "fit"], speed=40)
    return graph


def noise_injection():
    graph = _net("The overfitting network with Gaussian noise (standard deviation 0.1) added to "
                 "its input at every training step: the network never sees the same point twice "
                 "and cannot pin its curve to each one.",
                 input_node=("GaussianNoise", {"std": 0.1}))
    without = [_set("noise", "std", 0.0)]
    graph.lesson = lesson(
        "regularization", 4,
        text("Noise injection", "Iniezione di rumore"),
        text("Adding noise to the inputs during training blurs each point, and the curve stays "
             "smooth.",
             "Aggiungere rumore agli ingressi durante l'addestramento sfuma ogni punto, e la curva "
             "resta liscia."),
        pages=[
            page(text(
                "A **GaussianNoise** node between the Input and the network adds noise to every "
                "x at every training step: x_noisy = x + N(0, sigma^2) with sigma = 0.1 (notes, "
                "section 11.2.3). In evaluation it passes x unchanged.\n\n"
                "Press **Train** and watch the test loss and the fitted curve.",
                "Un nodo **GaussianNoise** tra l'Input e la rete aggiunge rumore a ogni x a ogni "
                "passo di addestramento: x_rumoroso = x + N(0, sigma^2) con sigma = 0.1 (appunti, "
                "sezione 11.2.3). In valutazione lascia passare x invariato.\n\n"
                "Premi **Addestra** e guarda la loss di test e la curva approssimata."),
                _train()),
            page(text(
                "Each training point now stands for a little cloud of points around it, with the "
                "same target. A curve that jumps up and down between neighbouring points pays for "
                "it on the whole cloud, so the network learns a smoother curve. The notes observe "
                "that the noise, amplified by the weights, penalises large weights indirectly: the "
                "effect resembles weight decay.\n\n"
                "Set the noise to 0, reset and train to compare; then try 0.3.",
                "Ogni punto di addestramento ora rappresenta una piccola nuvola di punti intorno a "
                "sé, con lo stesso obiettivo. Una curva che salta su e giù tra punti vicini lo paga "
                "su tutta la nuvola, quindi la rete impara una curva più liscia. Gli appunti "
                "osservano che il rumore, amplificato dai pesi, penalizza indirettamente i pesi "
                "grandi: l'effetto somiglia al weight decay.\n\n"
                "Porta il rumore a 0, azzera e addestra per confrontare; poi prova 0.3."),
                *without, RESET, _train()),
            page(text(
                "**Try next:** move the GaussianNoise node after the first hidden layer (noise on "
                "the activations, the other option of section 11.2.3).\n\n"
                "**Question for the class:** why must the noise be switched off in evaluation?",
                "**Prova poi:** sposta il nodo GaussianNoise dopo il primo strato nascosto (rumore "
                "sulle attivazioni, l'altra possibilità della sezione 11.2.3).\n\n"
                "**Domanda per la classe:** perché il rumore va spento in valutazione?"),
                _set("noise", "std", 0.1), RESET),
        ],
        goals=[
            _narrows("noise", "rumore", 0.85, without),
            _gap_goal(30),
        ],
        panels=["loss", "fit"], speed=40)
    return graph


def early_stopping():
    graph = _net("The overfitting network with early stopping: training stops once the test loss "
                 "has not improved for 10 evaluations (100 steps), and the weights of the best "
                 "evaluation come back.", early_stopping={"patience": 10})
    graph.lesson = lesson(
        "regularization", 5,
        text("Early stopping", "Early stopping"),
        text("Stop training when the test loss stops improving, and keep the best weights.",
             "Fermare l'addestramento quando la loss di test smette di migliorare, e tenere i pesi "
             "migliori."),
        pages=[
            page(text(
                "The same overfitting network, now with **early stopping** (notes, section "
                "11.2.1; in the Training settings): every 10 steps the test loss is measured; when "
                "it has not improved for 10 measurements in a row, training stops and the weights "
                "of the best measurement are put back.\n\n"
                "Press **Train**: training stops by itself long before step 400.",
                "La stessa rete che si sovradatta, ora con l'**early stopping** (appunti, sezione "
                "11.2.1; nelle impostazioni di addestramento): ogni 10 passi si misura la loss di "
                "test; quando non migliora per 10 misure di fila, l'addestramento si ferma e si "
                "rimettono i pesi della misura migliore.\n\n"
                "Premi **Addestra**: l'addestramento si ferma da solo molto prima del passo 400."),
                _train()),
            page(text(
                "Early on the weights are small and the tanh units work in their linear region: the "
                "network is nearly linear, and simple. As training goes on the weights grow, the "
                "units enter their non-linear region and the network becomes powerful enough to "
                "fit the noise. Stopping at the minimum of the test loss keeps the network before "
                "that happens.\n\n"
                "Switch early stopping off, reset and train: the test loss rises again, as in the "
                "first lesson.",
                "All'inizio i pesi sono piccoli e le unità tanh lavorano nella loro regione "
                "lineare: la rete è quasi lineare, e semplice. Con l'addestramento i pesi crescono, "
                "le unità entrano nella regione non lineare e la rete diventa abbastanza potente da "
                "adattarsi al rumore. Fermarsi al minimo della loss di test mantiene la rete com'era "
                "prima che accada.\n\n"
                "Spegni l'early stopping, azzera e addestra: la loss di test risale, come nella "
                "prima lezione."),
                _setting("early_stopping", {}), RESET, _train()),
            page(text(
                "**Question for the class:** here the test set decides when to stop, so it is no "
                "longer unseen data. In practice one keeps a third set, the validation set, for "
                "this. Why?",
                "**Domanda per la classe:** qui è l'insieme di test a decidere quando fermarsi, "
                "quindi non è più un insieme di dati mai visti. In pratica se ne tiene un terzo, "
                "l'insieme di validazione, per questo. Perché?"),
                _setting("early_stopping", {"patience": 10}), RESET),
        ],
        goals=[
            goal("stops", text("Training stops before step 300", "L'addestramento si ferma prima "
                                                                 "del passo 300"),
                 metric="step", op="<", value=300, when="end"),
            goal("best_kept", text("The weights kept have a test loss below 0.26 (without early "
                                   "stopping it ends near 0.4)",
                                   "I pesi tenuti hanno una loss di test sotto 0.26 (senza early "
                                   "stopping finisce vicino a 0.4)"),
                 metric="test_loss", op="<", value=0.26, when="end"),
            _gap_goal(15),
        ],
        panels=["loss", "fit"], speed=40)
    return graph


#: 40 samples of the moons with heavy noise, half held out: 20 points to learn a curved boundary
MOONS = {"name": "moons", "n_samples": 40, "noise": 0.3, "test_fraction": 0.5}
MEMBERS = 4


def ensembling():
    d = Drawing(settings(
        "Four networks of two 32-unit ReLU layers, each trained on its own loss from its own "
        "random start, and their average prediction: every member overfits 20 noisy points in "
        "its own way, and the average is better on the test set than any one of them.",
        MOONS, ADAM, 300, batch_size=10, eval_every=10))
    d.node("x", "Input", 0)
    d.node("y", "Target", 0, 2)
    d.node("stack", "Stack", 7, 0, dim=1)
    d.node("avg", "Mean", 8, 0, label="ensemble", dim=1)
    for k in range(1, MEMBERS + 1):
        prev, width = "x", 2
        for i in (1, 2):
            d.node(f"m{k}_lin{i}", "Linear", 2 * i - 1, k, in_features=width, out_features=32)
            d.node(f"m{k}_relu{i}", "ReLU", 2 * i, k)
            d.chain(prev, f"m{k}_lin{i}", f"m{k}_relu{i}")
            prev, width = f"m{k}_relu{i}", 32
        d.node(f"m{k}_out", "Linear", 5, k, in_features=32, out_features=1)
        d.node(f"m{k}", "Sigmoid", 6, k, label=f"member {k}")
        d.node(f"cost{k}", "BCELoss", 7, k)
        d.chain(prev, f"m{k}_out", f"m{k}", f"cost{k}")
        d.edge("y", f"cost{k}", "target")
        d.edge(f"m{k}", "stack", "inputs")
    d.edge("stack", "avg")
    graph = d.graph
    graph.lesson = lesson(
        "regularization", 6,
        text("Ensembling: the average of several networks", "Ensemble: la media di più reti"),
        text("Four networks overfit the same noisy points, each differently; their average "
             "generalises better than any of them.",
             "Quattro reti si sovradattano agli stessi punti rumorosi, ciascuna a modo suo; la loro "
             "media generalizza meglio di ognuna."),
        pages=[
            page(text(
                "Twenty noisy points of two interleaved moons, and twenty more held out for the "
                "test. Four **members**, the same architecture drawn four times, each start from "
                "their own random weights and learn from their own loss. The node **ensemble** "
                "averages their predicted probabilities; no loss reads it, so it never changes "
                "their training.\n\n"
                "Press **Train**. In the decision-boundary panel, choose a member's node, then the "
                "ensemble node.",
                "Venti punti rumorosi di due lune intrecciate, e altri venti tenuti da parte per il "
                "test. Quattro **membri**, la stessa architettura disegnata quattro volte, partono "
                "ciascuno dai propri pesi casuali e imparano dalla propria loss. Il nodo "
                "**ensemble** fa la media delle loro probabilità previste; nessuna loss lo legge, "
                "quindi non cambia mai il loro addestramento.\n\n"
                "Premi **Addestra**. Nel pannello del confine di decisione scegli il nodo di un "
                "membro, poi il nodo ensemble."),
                {"do": "train", "steps": 300}),
            page(text(
                "Each member draws its own twisted boundary around the noisy points: they agree "
                "where the data are clear and disagree where they are not. Where they disagree, "
                "each is confidently wrong somewhere else, and averaging cancels much of it: the "
                "error of a model is bias^2 + variance + noise (notes, section 11.3), and the "
                "average of independent members keeps the bias but shrinks the variance.\n\n"
                "Dropout (a lesson of this chapter) is an ensemble of sub-networks sharing their "
                "weights; bagging, in the notes, also gives each member its own resampled data.",
                "Ogni membro disegna il proprio confine contorto intorno ai punti rumorosi: sono "
                "d'accordo dove i dati sono chiari e in disaccordo dove non lo sono. Dove non sono "
                "d'accordo, ognuno sbaglia con sicurezza in un punto diverso, e la media ne cancella "
                "buona parte: l'errore di un modello è bias^2 + varianza + rumore (appunti, sezione "
                "11.3), e la media di membri indipendenti tiene il bias ma riduce la varianza.\n\n"
                "Il dropout (una lezione di questo capitolo) è un ensemble di sottoreti che "
                "condividono i pesi; il bagging, negli appunti, dà anche a ogni membro i propri dati "
                "ricampionati.")),
            page(text(
                "**Question for the class:** four copies trained from the same start on the same "
                "batches would be identical. What makes these four members different, and how "
                "could you make them more different?",
                "**Domanda per la classe:** quattro copie addestrate dallo stesso punto di partenza "
                "sugli stessi mini-batch sarebbero identiche. Che cosa rende diversi questi quattro "
                "membri, e come potreste renderli ancora più diversi?")),
        ],
        goals=[
            goal("beats_average",
                 text("The ensemble's test loss is at most 0.85 times the members' average",
                      "La loss di test dell'ensemble è al più 0.85 volte la media dei membri"),
                 # test_loss sums the four members' losses: the members' average is test_loss / 4
                 metric="test_loss_of:avg", relative_to="test_loss", op="<=", value=0.85 / MEMBERS,
                 when="end"),
            *[goal(f"beats_member_{k}",
                   text(f"... and lower than member {k}'s", f"... e più bassa di quella del membro {k}"),
                   metric="test_loss_of:avg", relative_to=f"test_loss_of:m{k}", op="<", value=1.0,
                   when="end") for k in range(1, MEMBERS + 1)],
        ],
        panels=["boundary", "loss"], speed=30)
    return graph


LESSONS = {
    "overfitting": overfitting,
    "weight_decay": weight_decay,
    "dropout": dropout,
    "noise_injection": noise_injection,
    "early_stopping": early_stopping,
    "ensembling": ensembling,
}
