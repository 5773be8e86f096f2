"""Chapter 5, activation functions (course notes 003, section 5): the same network with each
activation, ReLUs that die under a large learning rate, tanh units that saturate."""
from _drawing import Drawing, goal, lesson, page, settings, text, replace_node as _replace

CIRCLE = {"name": "circle", "n_samples": 300}


def _classifier(d, layers, width, activation, **act_params):
    """Input -> (Linear -> activation) x layers -> Linear -> BCEWithLogits against the Target."""
    prev, width_in = d.node("x", "Input", 0), 2
    for i in range(1, layers + 1):
        d.node(f"lin{i}", "Linear", 2 * i - 1, label="hidden layer" if layers == 1 else f"layer {i}",
               in_features=width_in, out_features=width)
        d.node(f"act{i}", activation, 2 * i, **act_params)
        d.chain(prev, f"lin{i}", f"act{i}")
        prev, width_in = f"act{i}", width
    d.binary_output(prev, width_in, 2 * layers + 1)
    return d.graph


def activation_functions():
    d = Drawing(settings(
        "One hidden layer of 8 units on the circle data; swap its activation function and "
        "compare. Without one (Identity) the network is a linear map and cannot draw a circle.",
        CIRCLE, {"name": "SGD", "lr": 0.1, "momentum": 0.9}, 300, batch_size=20))
    graph = _classifier(d, 1, 8, "ReLU")
    graph.lesson = lesson(
        "activations", 1,
        text("The same network, one activation at a time", "La stessa rete, una funzione di "
                                                           "attivazione alla volta"),
        text("Swap the hidden layer's activation: every non-linear one solves the circle, the "
             "identity cannot.",
             "Cambia l'attivazione dello strato nascosto: ogni funzione non lineare risolve il "
             "cerchio, l'identità no."),
        pages=[
            page(text(
                "The points of one class sit inside a disc, those of the other on a ring around it. "
                "The network has one hidden layer of 8 **ReLU** units.\n\n"
                "Press **Train** and watch the decision boundary: it closes around the disc, made of "
                "straight pieces, one kink per ReLU unit.",
                "I punti di una classe stanno dentro un disco, quelli dell'altra su un anello intorno. "
                "La rete ha uno strato nascosto di 8 unità **ReLU**.\n\n"
                "Premi **Addestra** e guarda il confine di decisione: si chiude intorno al disco, fatto "
                "di tratti rettilinei, una piega per ogni unità ReLU."),
                {"do": "train", "steps": 300}),
            page(text(
                "Now try the other activations of section 5 of the notes. Each button swaps the "
                "function, then reset and train again.\n\n"
                "**Tanh** and **Sigmoid** give a smooth boundary; **ELU**, **GELU** and **Leaky ReLU** "
                "behave like ReLU but let a little signal through for negative inputs. In the "
                "Activations panel, compare the histograms: ReLU outputs are never negative, tanh "
                "outputs live in (-1, 1).",
                "Ora prova le altre funzioni di attivazione della sezione 5 degli appunti. Ogni "
                "pulsante cambia la funzione; poi azzera e riaddestra.\n\n"
                "**Tanh** e **Sigmoide** danno un confine morbido; **ELU**, **GELU** e **Leaky ReLU** "
                "si comportano come la ReLU ma lasciano passare un po' di segnale per gli ingressi "
                "negativi. Nel pannello Attivazioni confronta gli istogrammi: le uscite della ReLU non "
                "sono mai negative, quelle della tanh stanno in (-1, 1)."),
                _replace("act1", "Tanh"), _replace("act1", "Sigmoid"), _replace("act1", "ELU"),
                _replace("act1", "GELU"), _replace("act1", "LeakyReLU"), {"do": "reset"},
                {"do": "train", "steps": 300}),
            page(text(
                "Now remove the non-linearity: replace the activation with **Identity** and train.\n\n"
                "The boundary stays a straight line and the accuracy stays far from 100 %. Two linear "
                "layers in a row are one linear map (W2 (W1 x + b1) + b2 = W x + b): as the notes say "
                "at the start of section 5, without activation functions a deep network is equivalent "
                "to a single linear transformation.",
                "Ora togli la non linearità: sostituisci l'attivazione con **Identity** e addestra.\n\n"
                "Il confine resta una retta e l'accuratezza resta lontana dal 100 %. Due strati "
                "lineari di fila sono una sola mappa lineare (W2 (W1 x + b1) + b2 = W x + b): come "
                "dicono gli appunti all'inizio della sezione 5, senza funzioni di attivazione una rete "
                "profonda equivale a una semplice trasformazione lineare."),
                _replace("act1", "Identity"), {"do": "reset"}, {"do": "train", "steps": 300},
                _replace("act1", "ReLU")),
            page(text(
                "**Question for the class:** the sigmoid's derivative is at most 0.25, the ReLU's is "
                "1 for every positive input. With ten hidden layers instead of one, which of the two "
                "would you expect to learn faster, and why? (Chapter 15's lessons show it.)",
                "**Domanda per la classe:** la derivata della sigmoide vale al massimo 0.25, quella "
                "della ReLU vale 1 per ogni ingresso positivo. Con dieci strati nascosti invece di "
                "uno, quale delle due vi aspettate che impari più in fretta, e perché? (Le lezioni del "
                "capitolo 15 lo mostrano.)")),
        ],
        goals=[
            goal("solves", text("With ReLU the network separates the circle (train accuracy at least 95 %)",
                                "Con la ReLU la rete separa il cerchio (accuratezza di "
                                "addestramento almeno 95 %)"),
                 metric="train_acc", op=">=", value=0.95, when="end"),
            goal("identity_is_linear",
                 text("Without an activation (Identity) the same network does much worse: ReLU's "
                      "accuracy is at least 1.3 times the linear network's",
                      "Senza attivazione (Identity) la stessa rete fa molto peggio: l'accuratezza "
                      "con la ReLU è almeno 1.3 volte quella della rete lineare"),
                 metric="train_acc", op=">=", value=1.3, when="end",
                 variant={"changes": [_replace("act1", "Identity")]}),
            goal("tanh_too",
                 text("Tanh solves it as well (ReLU's accuracy is at most 5 % above tanh's)",
                      "Anche la tanh lo risolve (l'accuratezza con la ReLU supera quella con la tanh "
                      "al più del 5 %)"),
                 metric="train_acc", op="<=", value=1.05, when="end",
                 variant={"changes": [_replace("act1", "Tanh")]}),
        ],
        panels=["boundary", "activations", "loss"], speed=30)
    return graph


def dead_relu():
    d = Drawing(settings(
        "Two hidden ReLU layers trained with Adam at a far too large learning rate (1.5): the "
        "first steps push the units' biases so negative that they never fire again. Dead units "
        "get no gradient, so they stay dead; Leaky ReLU keeps a small slope and recovers.",
        CIRCLE, {"name": "Adam", "lr": 1.5}, 300, batch_size=20))
    graph = _classifier(d, 2, 8, "ReLU")
    leaky = [_replace("act1", "LeakyReLU"), _replace("act2", "LeakyReLU")]
    graph.lesson = lesson(
        "activations", 2,
        text("Dead ReLUs", "ReLU morte"),
        text("A large learning rate kills ReLU units for good; Leaky ReLU survives the same steps.",
             "Un learning rate troppo grande uccide le unità ReLU per sempre; la Leaky ReLU sopravvive "
             "agli stessi passi."),
        pages=[
            page(text(
                "This network has two hidden layers of 8 ReLU units and learns with Adam at a "
                "learning rate of **1.5**, far too large.\n\n"
                "Press **Train**. Watch the Activations panel and the Diagnostics: after a few steps "
                "the second layer's units output 0 for every sample (they are **dead**), and the "
                "accuracy stays near 50 %: the network answers the same class everywhere.",
                "Questa rete ha due strati nascosti di 8 unità ReLU e impara con Adam con un learning "
                "rate di **1.5**, davvero troppo grande.\n\n"
                "Premi **Addestra**. Guarda il pannello Attivazioni e la Diagnostica: dopo pochi passi "
                "le unità del secondo strato danno 0 per ogni campione (sono **morte**) e "
                "l'accuratezza resta vicino al 50 %: la rete risponde ovunque con la stessa classe."),
                {"do": "train", "steps": 300}),
            page(text(
                "Why do they never come back? A ReLU unit outputs max(0, z). A large step can push "
                "its bias so far down that z < 0 for every input. Then its output is 0 and so is "
                "its derivative: no gradient reaches its weights, and no later step can revive it "
                "(notes, section 5.2: ReLU makes the gradient of all negative values equal, zero).\n\n"
                "**Leaky ReLU** keeps a small slope for z < 0, so a unit that went negative still "
                "gets a gradient. Replace both activations with Leaky ReLU, reset and train with the "
                "same learning rate.",
                "Perché non tornano più? Un'unità ReLU restituisce max(0, z). Un passo grande può "
                "spingere il suo bias così in basso che z < 0 per ogni ingresso. Allora la sua uscita "
                "è 0 e lo è anche la sua derivata: nessun gradiente raggiunge i suoi pesi e nessun "
                "passo successivo può rianimarla (appunti, sezione 5.2: la ReLU rende uguale, nullo, "
                "il gradiente di tutti i valori negativi).\n\n"
                "La **Leaky ReLU** mantiene una piccola pendenza per z < 0, così un'unità finita in "
                "negativo riceve ancora gradiente. Sostituisci entrambe le attivazioni con la Leaky "
                "ReLU, azzera e addestra con lo stesso learning rate."),
                *leaky, {"do": "reset"}, {"do": "train", "steps": 300}),
            page(text(
                "Try also **ELU** and **GELU** (section 5.3): their gradient is not zero for "
                "negative inputs either, but it fades as z goes far below 0, so at this learning rate "
                "they recover on some seeds and not on others. The sure cure is a gentler step: go "
                "back to ReLU with a learning rate of 0.05, and the units do not die in the first "
                "place.\n\n"
                "**Question for the class:** the Activations panel may call some Leaky ReLU units "
                "\"never positive\" too. Why is that not the same as dead?",
                "Prova anche **ELU** e **GELU** (sezione 5.3): nemmeno il loro gradiente è nullo per "
                "gli ingressi negativi, ma si spegne quando z scende molto sotto 0, quindi con questo "
                "learning rate a volte si riprendono e a volte no. La cura sicura è un passo più "
                "delicato: torna alla ReLU con un learning rate di 0.05, e le unità non muoiono "
                "fin dall'inizio.\n\n"
                "**Domanda per la classe:** il pannello Attivazioni può dire \"mai positive\" anche di "
                "alcune unità Leaky ReLU. Perché non è la stessa cosa che essere morte?"),
                _replace("act1", "ELU"), _replace("act2", "ELU"),
                _replace("act1", "ReLU"), _replace("act2", "ReLU"),
                {"do": "set_setting", "key": "optimizer.lr", "value": 0.05}, {"do": "reset"},
                {"do": "train", "steps": 300}),
        ],
        goals=[
            goal("units_die", text("At least 90 % of the second layer's ReLU units die",
                                   "Almeno il 90 % delle unità ReLU del secondo strato muore"),
                 metric="dead:act2", op=">=", value=0.9, when="by"),
            goal("stuck", text("With dead units the accuracy stays at most 70 %",
                               "Con le unità morte l'accuratezza resta al più 70 %"),
                 metric="train_acc", op="<=", value=0.7, when="end"),
            goal("leaky_recovers",
                 text("With Leaky ReLU and the same learning rate the network learns: ReLU's accuracy "
                      "is at most 0.7 times Leaky ReLU's",
                      "Con la Leaky ReLU e lo stesso learning rate la rete impara: l'accuratezza con "
                      "la ReLU è al più 0.7 volte quella con la Leaky ReLU"),
                 metric="train_acc", op="<=", value=0.7, when="end", variant={"changes": leaky}),
            goal("smaller_steps",
                 text("A learning rate of 0.05 keeps the ReLUs alive: the large rate's accuracy is at "
                      "most 0.7 times the small one's",
                      "Un learning rate di 0.05 tiene in vita le ReLU: l'accuratezza con quello grande "
                      "è al più 0.7 volte quella con quello piccolo"),
                 metric="train_acc", op="<=", value=0.7, when="end",
                 variant={"changes": [{"do": "set_setting", "key": "optimizer.lr", "value": 0.05}]}),
        ],
        panels=["activations", "diagnostics", "boundary", "loss"], speed=20)
    return graph


def saturation():
    d = Drawing(settings(
        "One hidden tanh layer whose weights start 8 times larger than Xavier's: most units sit "
        "at -1 or +1, where the derivative of tanh is nearly zero, and they stay there.",
        CIRCLE, {"name": "SGD", "lr": 0.1}, 300, batch_size=20,
        init={"name": "xavier_normal", "gain": 8.0}))
    graph = _classifier(d, 1, 8, "Tanh")
    xavier = {"do": "set_setting", "key": "init", "value": {"name": "xavier_normal", "gain": 1.0}}
    graph.lesson = lesson(
        "activations", 3,
        text("Saturated tanh units", "Unità tanh saturate"),
        text("Large weights push tanh units to ±1, where their derivative vanishes; Xavier's scale "
             "keeps them in the middle.",
             "Pesi grandi spingono le unità tanh a ±1, dove la derivata svanisce; la scala di "
             "Xavier le tiene al centro."),
        pages=[
            page(text(
                "The hidden layer has 8 **tanh** units, and its weights start 8 times larger than "
                "Xavier's initialisation (the setting init, gain 8). The inputs reach ±5, so each "
                "unit's input z is large.\n\n"
                "Press **Train** and open the Activations panel: the histogram of the tanh outputs "
                "piles up at -1 and +1. Those units are **saturated**.",
                "Lo strato nascosto ha 8 unità **tanh** e i suoi pesi partono 8 volte più grandi "
                "dell'inizializzazione di Xavier (l'impostazione init, gain 8). Gli ingressi arrivano "
                "a ±5, quindi l'ingresso z di ogni unità è grande.\n\n"
                "Premi **Addestra** e apri il pannello Attivazioni: l'istogramma delle uscite della "
                "tanh si ammassa a -1 e +1. Quelle unità sono **saturate**."),
                {"do": "train", "steps": 300}),
            page(text(
                "Why does it matter? The derivative of tanh is 1 - tanh(z)^2: at an output of ±0.99 "
                "it is about 0.02. Backpropagation multiplies the gradient by this derivative, so a "
                "saturated unit passes almost no gradient to its weights and learns very slowly: the "
                "vanishing gradient problem of section 5.1 of the notes, in one layer. The sigmoid has "
                "the same flat ends (its derivative is at most 0.25).\n\n"
                "Now start from Xavier's scale (gain 1), reset and train: the outputs spread over "
                "(-1, 1) instead.",
                "Perché conta? La derivata della tanh è 1 - tanh(z)^2: per un'uscita di ±0.99 vale "
                "circa 0.02. La retropropagazione moltiplica il gradiente per questa derivata, quindi "
                "un'unità saturata passa pochissimo gradiente ai suoi pesi e impara molto lentamente: "
                "il problema del gradiente che svanisce della sezione 5.1 degli appunti, in un solo "
                "strato. La sigmoide ha le stesse code piatte (la sua derivata vale al più 0.25).\n\n"
                "Ora parti dalla scala di Xavier (gain 1), azzera e addestra: le uscite si "
                "distribuiscono invece su (-1, 1)."),
                xavier, {"do": "reset"}, {"do": "train", "steps": 300}),
            page(text(
                "Try the **Sigmoid** with the large weights too, or a **ReLU**, which does not "
                "saturate for positive inputs (section 5.2).\n\n"
                "**Question for the class:** a well-trained classifier is confident, so its last "
                "sigmoid is often saturated on purpose. Why is saturation a problem in the hidden "
                "layers but not necessarily at the output?",
                "Prova anche la **Sigmoide** con i pesi grandi, oppure una **ReLU**, che non satura "
                "per gli ingressi positivi (sezione 5.2).\n\n"
                "**Domanda per la classe:** un classificatore ben addestrato è sicuro di sé, quindi "
                "la sua ultima sigmoide è spesso saturata di proposito. Perché la saturazione è un "
                "problema negli strati nascosti ma non necessariamente in uscita?"),
                {"do": "set_setting", "key": "init", "value": {"name": "xavier_normal", "gain": 8.0}},
                _replace("act1", "Sigmoid"), _replace("act1", "ReLU"), {"do": "reset"},
                {"do": "train", "steps": 300}),
        ],
        goals=[
            goal("saturates", text("At least 60 % of the tanh outputs are saturated",
                                   "Almeno il 60 % delle uscite della tanh è saturato"),
                 metric="saturated:act1", op=">=", value=0.6, when="by"),
            goal("stays_saturated", text("Training does not cure it: at the end at least half are "
                                         "still saturated",
                                         "L'addestramento non la cura: alla fine almeno metà è "
                                         "ancora saturata"),
                 metric="saturated:act1", op=">=", value=0.5, when="end"),
            goal("xavier_unsaturated",
                 text("Starting from Xavier's scale far fewer units saturate: the large weights' "
                      "saturated fraction is at least 1.6 times Xavier's",
                      "Partendo dalla scala di Xavier saturano molte meno unità: la frazione saturata "
                      "con i pesi grandi è almeno 1.6 volte quella con Xavier"),
                 metric="saturated:act1", op=">=", value=1.6, when="end", variant={"changes": [xavier]}),
        ],
        panels=["activations", "boundary", "diagnostics", "loss"], speed=30)
    return graph


LESSONS = {"activation_functions": activation_functions, "dead_relu": dead_relu,
           "saturation": saturation}
