"""Chapter 16, a paper's figure: Glorot & Bengio (2010), "Understanding the difficulty of
training deep feedforward neural networks", Figure 2. With the standard initialisation
W ~ U[-1/sqrt(n), 1/sqrt(n)] (torch's default for Linear), the top hidden layer of a
4-hidden-layer sigmoid network saturates near 0 early in training, while the lower layers stay
near 0.5; it desaturates later, when the network starts to learn. Reproduced here on a small
two-class problem, so that the whole curve fits in a few hundred steps."""
from _drawing import Drawing, goal, lesson, page, settings, text

GAUSS = {"name": "gauss", "n_samples": 400}
STEPS = 800
LAYERS = 4


def glorot_bengio_figure2():
    d = Drawing(settings(
        "Four hidden layers of 32 sigmoid units with the standard initialisation, trained by SGD: "
        "the top hidden layer's mean activation falls from 0.5 towards 0 in the first 100 steps, "
        "the lower layers stay near 0.5, and the top layer recovers when the network starts to "
        "learn (Glorot & Bengio 2010, Figure 2).",
        GAUSS, {"name": "SGD", "lr": 1.0}, STEPS, batch_size=10, eval_every=10))
    prev, width = d.node("x", "Input", 0), 2
    for i in range(1, LAYERS + 1):
        d.node(f"lin{i}", "Linear", 2 * i - 1, label=f"layer {i}", in_features=width, out_features=32)
        d.node(f"sig{i}", "Sigmoid", 2 * i, label=f"hidden {i}")
        d.chain(prev, f"lin{i}", f"sig{i}")
        prev, width = f"sig{i}", 32
    col = 2 * LAYERS + 1
    d.node("output", "Linear", col, in_features=32, out_features=2)
    d.node("y", "Target", col, 1)
    d.node("cost", "CrossEntropyLoss", col + 1, label="softmax + log-loss")
    d.chain(prev, "output", "cost")
    d.edge("y", "cost", "target")
    graph = d.graph
    graph.lesson = lesson(
        "papers", 1,
        text("Glorot & Bengio 2010, Figure 2: the top layer saturates",
             "Glorot e Bengio 2010, Figura 2: l'ultimo strato satura"),
        text("With the standard initialisation the top sigmoid layer of a deep network is driven "
             "to 0 early in training, and recovers only later.",
             "Con l'inizializzazione standard l'ultimo strato sigmoide di una rete profonda viene "
             "spinto a 0 all'inizio dell'addestramento, e si riprende solo più tardi."),
        pages=[
            page(text(
                "In 2010 Xavier Glorot and Yoshua Bengio asked why deep networks trained badly "
                "from a random start. Their Figure 2 follows the **mean activation of each hidden "
                "layer** of a network with 4 sigmoid hidden layers, initialised the standard way: "
                "W ~ U[-1/sqrt(n), 1/sqrt(n)] (the default of our Linear nodes, as in torch).\n\n"
                "This network is the same, smaller. Press **Train** for 150 steps and watch the "
                "Activations panel: the mean of hidden 1, 2, 3 and 4.",
                "Nel 2010 Xavier Glorot e Yoshua Bengio si chiesero perché le reti profonde si "
                "addestrassero male partendo da pesi casuali. La loro Figura 2 segue la **media "
                "delle attivazioni di ogni strato nascosto** di una rete con 4 strati nascosti "
                "sigmoide, inizializzata nel modo standard: W ~ U[-1/sqrt(n), 1/sqrt(n)] (il "
                "predefinito dei nostri nodi Linear, come in torch).\n\n"
                "Questa rete è la stessa, più piccola. Premi **Addestra** per 150 passi e guarda il "
                "pannello delle attivazioni: la media di hidden 1, 2, 3 e 4."),
                {"do": "train", "steps": 150}),
            page(text(
                "The lower layers stay near 0.5, the sigmoid's steep middle. The **top hidden "
                "layer** falls towards **0**, where the sigmoid is flat: it is saturated, its "
                "gradient is tiny and learning slows down (the accuracy stays at chance).\n\n"
                "The paper's explanation: at the start the top layer's output is noise to the "
                "softmax, which does better by relying on its biases alone, so the gradient pushes "
                "the top activations down to 0 to silence them (notes, sections 5.1 and 7.1.2 on "
                "saturation and initialisation).\n\n"
                "Train on: after a while the network finds the useful direction, the top layer "
                "desaturates and the accuracy jumps.",
                "Gli strati bassi restano vicino a 0.5, la parte ripida della sigmoide. L'**ultimo "
                "strato nascosto** scende verso **0**, dove la sigmoide è piatta: è saturo, il suo "
                "gradiente è minuscolo e l'apprendimento rallenta (l'accuratezza resta al livello "
                "del caso).\n\n"
                "La spiegazione dell'articolo: all'inizio l'uscita dell'ultimo strato è rumore per "
                "la softmax, che fa meglio affidandosi solo ai suoi bias, quindi il gradiente spinge "
                "le attivazioni in alto verso 0 per zittirle (appunti, sezioni 5.1 e 7.1.2 su "
                "saturazione e inizializzazione).\n\n"
                "Continua l'addestramento: dopo un po' la rete trova la direzione utile, l'ultimo "
                "strato si desatura e l'accuratezza sale di colpo."),
                {"do": "train", "steps": STEPS - 150}),
            page(text(
                "In the paper (1000 units per layer, harder data) the top layer stayed saturated "
                "for about 100 epochs. Their remedy was the **normalised initialisation** "
                "(Xavier), now a standard, and activations symmetric around 0 such as tanh.\n\n"
                "**Try next:** set the initialisation to xavier_uniform in the Training settings, "
                "or replace the sigmoids with Tanh, and compare the curves.\n\n"
                "**Question for the class:** why is a sigmoid unit stuck at 0 worse than a tanh "
                "unit stuck at 0?",
                "Nell'articolo (1000 unità per strato, dati più difficili) l'ultimo strato restò "
                "saturo per circa 100 epoche. Il loro rimedio fu l'**inizializzazione "
                "normalizzata** (Xavier), oggi uno standard, e attivazioni simmetriche intorno a 0 "
                "come la tanh.\n\n"
                "**Prova poi:** imposta l'inizializzazione a xavier_uniform nelle impostazioni di "
                "addestramento, oppure sostituisci le sigmoidi con Tanh, e confronta le curve.\n\n"
                "**Domanda per la classe:** perché un'unità sigmoide ferma a 0 è peggio di "
                "un'unità tanh ferma a 0?"),
                {"do": "reset"}),
        ],
        goals=[
            goal("top_saturates", text("Within 200 steps the top hidden layer's mean activation "
                                       "falls below 0.12 (from 0.5)",
                                       "Entro 200 passi la media delle attivazioni dell'ultimo "
                                       "strato nascosto scende sotto 0.12 (da 0.5)"),
                 metric="activation_mean:sig4", op="<=", value=0.12, when="by", step=200),
            goal("lower_layers_do_not",
                 text("... while the first hidden layer's stays above 0.4 all along",
                      "... mentre quella del primo strato nascosto resta sempre sopra 0.4"),
                 metric="activation_mean:sig1", op=">=", value=0.4, when="always"),
            goal("stalls", text("Meanwhile, at step 100, the accuracy is still at chance (below 60 %)",
                                "Intanto, al passo 100, l'accuratezza è ancora al livello del caso "
                                "(sotto il 60 %)"),
                 metric="train_acc", op="<", value=0.6, when="end", step=100),
            goal("recovers", text("Later the top layer desaturates: its mean ends above 0.14",
                                  "Più tardi l'ultimo strato si desatura: la sua media finisce "
                                  "sopra 0.14"),
                 metric="activation_mean:sig4", op=">=", value=0.14, when="end"),
            goal("learns", text("... and the network separates the classes (accuracy at least 95 %)",
                                "... e la rete separa le classi (accuratezza almeno 95 %)"),
                 metric="train_acc", op=">=", value=0.95, when="end"),
        ],
        panels=["activations", "loss", "boundary"], speed=30)
    return graph


LESSONS = {
    "glorot_bengio_figure2": glorot_bengio_figure2,
}
