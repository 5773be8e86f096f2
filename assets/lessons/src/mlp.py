"""Chapter 3, multi-layer perceptrons: the 2-2-1 network on XOR, XOR on the plane, the 3-4-4-2 MLP."""
from _drawing import Drawing, goal, lesson, page, settings, text


def _two_two_one(d, activation, act, label=None):
    """Input -> Linear (2 hidden units) -> ``activation`` (node id ``act``) -> Linear -> BCE."""
    d.node("x", "Input", 0, label=label)
    d.node("hidden", "Linear", 1, label="hidden layer", in_features=2, out_features=2)
    d.node(act, activation, 2)
    d.node("output", "Linear", 3, label="output", in_features=2, out_features=1)
    d.node("y", "Target", 3, 1)
    d.node("cost", "BCEWithLogitsLoss", 4)
    d.chain("x", "hidden", act, "output", "cost")
    d.edge("y", "cost", "target")


def xor_2_2_1():
    d = Drawing(settings(
        "The 2-2-1 network of the course notes on the XOR truth table: two sigmoid hidden units, "
        "trained by backpropagation, find the OR/NAND-like features by themselves.",
        {"name": "logic", "gate": "XOR", "repeat": 1}, {"name": "SGD", "lr": 1.0, "momentum": 0.9},
        300, batch_size=4, eval_every=10))
    _two_two_one(d, "Sigmoid", "sigmoid", label="x1, x2")
    width3 = [{"do": "set_param", "node": "hidden", "param": "out_features", "value": 3},
              {"do": "set_param", "node": "output", "param": "in_features", "value": 3}]
    d.graph.lesson = lesson(
        "mlp", 1,
        text("A hidden layer solves XOR: the 2-2-1 network",
             "Uno strato nascosto risolve XOR: la rete 2-2-1"),
        text("Two hidden sigmoid units and one output, trained by gradient descent, get all four rows "
             "of XOR right: the hidden layer learns its own features.",
             "Due unità nascoste sigmoidi e un'uscita, addestrate con la discesa del gradiente, "
             "azzeccano tutte e quattro le righe di XOR: lo strato nascosto impara le sue "
             "caratteristiche."),
        pages=[
            page(text(
                "In the previous chapter we built XOR by hand from OR and NAND. Here nobody chooses "
                "the hidden units: the network x → 2 hidden units → 1 output (an MLP, notes 001, "
                "\"Multi-layer Perceptron\") learns them. The step function is replaced by the "
                "sigmoid, which has a derivative, so the cost can be minimised by gradient descent "
                "and the gradient reaches the hidden layer by backpropagation (notes 002).\n\n"
                "Press **Play** and watch the **Decision boundary**: a band appears that holds "
                "(0, 1) and (1, 0) and leaves out (0, 0) and (1, 1).",
                "Nel capitolo precedente abbiamo costruito XOR a mano con OR e NAND. Qui nessuno "
                "sceglie le unità nascoste: la rete x → 2 unità nascoste → 1 uscita (un MLP, appunti "
                "001, \"Multi-layer Perceptron\") le impara. Il gradino è sostituito dalla sigmoide, "
                "che ha una derivata: la funzione di costo si può minimizzare con la discesa del "
                "gradiente e il gradiente raggiunge lo strato nascosto per retropropagazione "
                "(appunti 002).\n\n"
                "Premi **Avvia** e osserva la **Frontiera di decisione**: compare una fascia che "
                "contiene "
                "(0, 1) e (1, 0) e lascia fuori (0, 0) e (1, 1)."),
                {"do": "train", "steps": 300}, {"do": "show_panel", "panel": "boundary"}),
            page(text(
                "Open the **Activations** panel: each hidden unit draws one line across the square, "
                "and the output combines the two half-planes, as OR and NAND did. Often one unit "
                "ends up close to OR and the other close to NAND or AND.\n\n"
                "The cost of a network is not convex: some seeds get stuck with 3 rows of 4 right (try "
                "seed 12 in the training settings). A third hidden unit makes such bad valleys rare: "
                "press the two buttons (the hidden layer's outputs and the output layer's inputs must "
                "match), then **Reset** and **Play**. Question for the class: why does a wider hidden layer help gradient "
                "descent even when two units are enough to represent XOR?",
                "Apri il pannello **Attivazioni**: ogni unità nascosta traccia una retta nel "
                "quadrato, e l'uscita combina i due semipiani, come facevano OR e NAND. Spesso "
                "un'unità finisce vicina a OR e l'altra vicina a NAND o AND.\n\n"
                "La funzione di costo di una rete non è convessa: alcuni semi si bloccano con 3 righe "
                "su 4 giuste (prova il seme 12 nelle impostazioni di addestramento). Una terza unità "
                "nascosta rende rare queste valli sbagliate: premi i due pulsanti (le uscite dello "
                "strato nascosto e gli ingressi dello strato d'uscita devono coincidere), poi "
                "**Azzera** e **Avvia**. Domanda per la classe: "
                "perché uno strato nascosto più largo aiuta la discesa del gradiente anche se due "
                "unità bastano a rappresentare XOR?"),
                {"do": "show_panel", "panel": "activations"}, *width3, {"do": "reset"}),
        ],
        goals=[
            goal("solves", text("All four rows of XOR right by the end",
                                "Tutte e quattro le righe di XOR giuste alla fine"),
                 metric="train_acc", op=">=", value=1.0, when="end"),
            goal("confident", text("and the cost below 0.05", "e la funzione di costo sotto 0,05"),
                 metric="train_loss", op="<", value=0.05, when="end"),
        ],
        panels=["boundary", "activations", "loss"], speed=30)
    return d.graph


def xor_mlp():
    d = Drawing(settings(
        "The 2-2-1 network of the course notes solves XOR, which no single perceptron can: "
        "two tanh hidden units bend the plane.",
        {"name": "xor", "n_samples": 200, "noise": 0.0}, {"name": "SGD", "lr": 0.1, "momentum": 0.9},
        500, seed=1))
    _two_two_one(d, "Tanh", "tanh")
    width8 = [{"do": "set_param", "node": "hidden", "param": "out_features", "value": 8},
              {"do": "set_param", "node": "output", "param": "in_features", "value": 8}]
    d.graph.lesson = lesson(
        "mlp", 2,
        text("XOR on the whole plane needs more hidden units",
             "XOR su tutto il piano richiede più unità nascoste"),
        text("The same 2-2-1 network on TensorFlow Playground's XOR, points in four quadrants: two "
             "hidden units are no longer enough, eight are.",
             "La stessa rete 2-2-1 sullo XOR di TensorFlow Playground, punti nei quattro quadranti: "
             "due unità nascoste non bastano più, otto sì."),
        pages=[
            page(text(
                "Now the classes fill the plane: class 1 in the quadrants where x1·x2 > 0, class 0 in "
                "the other two. Press **Play** with two tanh hidden units and watch the **Decision "
                "boundary**: it bends, but it does not get all four quadrants right.\n\n"
                "Each hidden unit contributes one smooth step along one direction of the plane. The "
                "four corners of the truth table needed only a band between two lines; four "
                "quadrants meeting at a point need a surface that changes sign along both axes.",
                "Ora le classi riempiono il piano: classe 1 nei quadranti dove x1·x2 > 0, classe 0 "
                "negli altri due. Premi **Avvia** con due unità nascoste tanh e osserva la "
                "**Frontiera di "
                "decisione**: si piega, ma non sistema tutti e quattro i quadranti.\n\n"
                "Ogni unità nascosta contribuisce un gradino morbido lungo una direzione del piano. "
                "I quattro vertici della tabella di verità chiedevano solo una fascia tra due rette; "
                "quattro quadranti che si toccano in un punto chiedono una superficie che cambia "
                "segno lungo entrambi gli assi."),
                {"do": "train", "steps": 500}, {"do": "show_panel", "panel": "boundary"}),
            page(text(
                "Give the hidden layer eight units (both buttons: the output layer must then read "
                "eight inputs), press **Reset** and **Play**. The "
                "boundary now follows both axes. This is the universal approximation theorem of the "
                "next chapter at work: with enough hidden units one hidden layer can draw any "
                "boundary.\n\n"
                "Question for the class: what is the smallest hidden layer that works? Try 3 and 4.",
                "Dai allo strato nascosto otto unità (entrambi i pulsanti: lo strato d'uscita deve "
                "allora leggere otto ingressi), premi **Azzera** e **Avvia**. Ora il "
                "confine segue entrambi gli assi. È il teorema di approssimazione universale del "
                "prossimo capitolo all'opera: con abbastanza unità nascoste un solo strato nascosto "
                "può disegnare qualunque confine.\n\n"
                "Domanda per la classe: qual è lo strato nascosto più piccolo che funziona? Prova "
                "3 e 4."),
                *width8, {"do": "reset"}),
        ],
        goals=[
            goal("short", text("With 2 hidden units, under 95 % of the test points right",
                               "Con 2 unità nascoste, meno del 95 % dei punti di test giusti"),
                 metric="test_acc", op="<", value=0.95, when="end"),
            goal("wider", text("With 8 hidden units, at least 5 % more of the training points right",
                               "Con 8 unità nascoste, almeno il 5 % in più dei punti di "
                               "addestramento giusti"),
                 metric="train_acc", op="<", value=0.95, when="end", variant={"changes": width8}),
        ],
        panels=["boundary", "loss", "activations"], speed=60)
    return d.graph


def mlp_3_4_4_2():
    d = Drawing(settings(
        "The MLP of the course notes' slides: 3 inputs, two hidden layers of 4 units, 2 outputs. "
        "It learns the parity of three bits (XOR of three inputs), one class score per output.",
        {"name": "logic", "gate": "XOR3", "repeat": 1}, {"name": "Adam", "lr": 0.05}, 400,
        batch_size=8, eval_every=10))
    d.node("x", "Input", 0, label="x⁰ ∈ ℝ³")
    d.node("layer1", "Linear", 1, label="W₁ x⁰ + b₁ (4×3)", in_features=3, out_features=4)
    d.node("sigma1", "Tanh", 2, label="x¹ = σ(·) ∈ ℝ⁴")
    d.node("layer2", "Linear", 3, label="W₂ x¹ + b₂ (4×4)", in_features=4, out_features=4)
    d.node("sigma2", "Tanh", 4, label="x² = σ(·) ∈ ℝ⁴")
    d.node("layer3", "Linear", 5, label="W₃ x² + b₃ (2×4)", in_features=4, out_features=2)
    d.node("y", "Target", 5, 1)
    d.node("cost", "CrossEntropyLoss", 6)
    d.chain("x", "layer1", "sigma1", "layer2", "sigma2", "layer3", "cost")
    d.edge("y", "cost", "target")
    d.graph.lesson = lesson(
        "mlp", 3,
        text("The 3-4-4-2 MLP of the slides", "L'MLP 3-4-4-2 delle slide"),
        text("Three inputs, two hidden layers of four units, two outputs: the network of the notes, "
             "layer by layer, learning the parity of three bits.",
             "Tre ingressi, due strati nascosti da quattro unità, due uscite: la rete degli appunti, "
             "strato per strato, che impara la parità di tre bit."),
        pages=[
            page(text(
                "The slides (notes 001) build an MLP with 3 input neurons, 4 in the first hidden "
                "layer, 4 in the second and 2 outputs: x¹ = σ(W₁x⁰ + b₁) ∈ ℝ⁴ with W₁ ∈ ℝ^{4×3}, "
                "x² = σ(W₂x¹ + b₂) ∈ ℝ⁴ with W₂ ∈ ℝ^{4×4}, then W₃ ∈ ℝ^{2×4}. Each Linear node of the "
                "graph is one W and one b; each Tanh node applies σ to every component. Click a "
                "Linear node to see its weights.\n\n"
                "The task: three bits in, and the class is their parity (1 when an odd number of "
                "bits is 1, a three-input XOR). The two outputs are the scores of class 0 and "
                "class 1. Press **Play**.",
                "Le slide (appunti 001) costruiscono un MLP con 3 neuroni d'ingresso, 4 nel primo "
                "strato nascosto, 4 nel secondo e 2 uscite: x¹ = σ(W₁x⁰ + b₁) ∈ ℝ⁴ con "
                "W₁ ∈ ℝ^{4×3}, x² = σ(W₂x¹ + b₂) ∈ ℝ⁴ con W₂ ∈ ℝ^{4×4}, poi W₃ ∈ ℝ^{2×4}. Ogni nodo "
                "Linear del grafo è una W e una b; ogni nodo Tanh applica σ a ogni componente. Fai "
                "clic su un nodo Linear per vederne i pesi.\n\n"
                "Il compito: tre bit in ingresso, e la classe è la loro parità (1 quando un numero "
                "dispari di bit vale 1, uno XOR a tre ingressi). Le due uscite sono i punteggi della "
                "classe 0 e della classe 1. Premi **Avvia**."),
                {"do": "train", "steps": 400}, {"do": "show_panel", "panel": "weights"}),
            page(text(
                "Count the parameters: 4·3 + 4 + 4·4 + 4 + 2·4 + 2 = 46. The **Gradient flow** panel "
                "shows how the gradient of the cost reaches each W, from layer3 back to layer1, by "
                "the chain rule.\n\n"
                "Question for the class: the parity of three bits is not linearly separable. Which "
                "layer could compute x1 XOR x2, and which one the XOR of that with x3?",
                "Conta i parametri: 4·3 + 4 + 4·4 + 4 + 2·4 + 2 = 46. Il pannello **Flusso del "
                "gradiente** "
                "mostra come il gradiente della funzione di costo raggiunge ogni W, da layer3 "
                "indietro fino a layer1, con la regola della catena.\n\n"
                "Domanda per la classe: la parità di tre bit non è linearmente separabile. Quale "
                "strato potrebbe calcolare x1 XOR x2, e quale lo XOR di quel risultato con x3?"),
                {"do": "show_panel", "panel": "gradflow"}),
        ],
        goals=[
            goal("parity", text("All eight rows of the three-bit parity right by the end",
                                "Tutte e otto le righe della parità a tre bit giuste alla fine"),
                 metric="train_acc", op=">=", value=1.0, when="end"),
            goal("confident", text("and the cost below 0.1", "e la funzione di costo sotto 0,1"),
                 metric="train_loss", op="<", value=0.1, when="end"),
        ],
        panels=["weights", "loss", "gradflow"], speed=30)
    return d.graph


LESSONS = {"xor_2_2_1": xor_2_2_1, "xor_mlp": xor_mlp, "mlp_3_4_4_2": mlp_3_4_4_2}
