"""Chapter 13, modules of the course notes (section 3.1): attention, mixture of experts,
multiplicative module, weight sharing."""
from _drawing import Drawing, goal, lesson, page, settings, text

from engine.graph import ModuleDef, PortRef


def attention():
    d = Drawing(settings(
        "The attention module of the course notes (section 3.1): a controller network scores "
        "three sub-networks, softmax turns the scores into weights w, and the output is "
        "s = sum_j w_j x_j. The attention panel shows w for each sample.",
        {"name": "spiral", "n_samples": 300, "noise": 0.05}, {"name": "Adam", "lr": 0.02}, 400))
    d.node("x", "Input", 0)
    d.node("attn", "AttentionModule", 1, label="attention module", in_features=2, out_features=8,
           num_branches=3, hidden=8)
    d.node("relu", "ReLU", 2)
    d.node("output", "Linear", 3, in_features=8, out_features=1)
    d.node("y", "Target", 3, 1)
    d.node("cost", "BCEWithLogitsLoss", 4)
    d.chain("x", "attn", "relu", "output", "cost")
    d.edge("y", "cost", "target")
    d.graph.lesson = lesson(
        "modules", 1,
        text("The attention module", "Il modulo di attenzione"),
        text("A controller scores three sub-networks and softmax weighs them for each sample: "
             "s = Σ_j w_j x_j.",
             "Un controllore assegna un punteggio a tre sottoreti e la softmax le pesa per ogni "
             "esempio: s = Σ_j w_j x_j."),
        pages=[
            page(text(
                "The attention module of the course notes (section 3.1): three sub-networks each "
                "compute a vector x_j from the input; a controller network gives each a score, "
                "softmax turns the scores into weights w_j that add up to 1, and the output is "
                "s = Σ_j w_j x_j. Press **Play** on the spiral dataset.",
                "Il modulo di attenzione degli appunti (sezione 3.1): tre sottoreti calcolano "
                "ciascuna un vettore x_j dall'input; una rete di controllo assegna a ognuna un "
                "punteggio, la softmax trasforma i punteggi in pesi w_j che sommano a 1, e "
                "l'uscita è s = Σ_j w_j x_j. Premi **Avvia** sul dataset a spirale."),
                {"do": "train", "steps": 400}, {"do": "show_panel", "panel": "attention"}),
            page(text(
                "The **Attention** panel shows w for each sample (rows) and branch (columns). "
                "The weights change from sample to sample: the controller chooses which "
                "sub-network to listen to depending on where the point lies.\n\n"
                "Question for the class: what does the module compute if the controller gives "
                "every branch the same score?",
                "Il pannello **Attenzione** mostra w per ogni esempio (righe) e ramo (colonne). "
                "I pesi cambiano da un esempio all'altro: il controllore sceglie quale sottorete "
                "ascoltare a seconda di dove si trova il punto.\n\n"
                "Domanda per la classe: che cosa calcola il modulo se il controllore dà a ogni "
                "ramo lo stesso punteggio?"),
                {"do": "show_panel", "panel": "boundary"}),
            page(text(
                "With a single branch there is nothing to choose: the button sets num_branches "
                "to 1. Press **Reset** and **Play**: the loss ends higher, as the last goal "
                "measures.",
                "Con un solo ramo non c'è nulla da scegliere: il pulsante porta num_branches a 1. "
                "Premi **Azzera** e **Avvia**: la funzione di costo finisce più in alto, come misura "
                "l'ultimo obiettivo."),
                {"do": "set_param", "node": "attn", "param": "num_branches", "value": 1},
                {"do": "reset"}),
        ],
        goals=[
            goal("learns", text("Training accuracy reaches 72 % on the spiral",
                                "L'accuratezza sull'addestramento raggiunge il 72 % sulla "
                                "spirale"),
                 metric="train_acc", op=">=", value=0.72, when="by"),
            goal("branches_help", text("Three branches end with a lower training loss than one "
                                       "(below 0.85×)",
                                       "Tre rami finiscono con una funzione di costo "
                                       "sull'addestramento più bassa di un ramo solo (sotto "
                                       "0,85×)"),
                 metric="train_loss", op="<", value=0.85, when="end",
                 variant={"changes": [{"do": "set_param", "node": "attn", "param": "num_branches",
                                       "value": 1}]}),
        ],
        panels=["attention", "boundary", "loss"], speed=40)
    return d.graph


def mixture_of_experts():
    d = Drawing(settings(
        "A mixture of experts: a gating network (softmax) weighs four small expert networks "
        "for each sample. Watch the gates specialise the experts on parts of the plane.",
        {"name": "moons", "n_samples": 300, "noise": 0.1}, {"name": "Adam", "lr": 0.02}, 400))
    d.node("x", "Input", 0)
    d.node("moe", "MixtureOfExperts", 1, label="mixture of experts", in_features=2, out_features=1,
           num_experts=4, hidden=6)
    d.node("y", "Target", 1, 1)
    d.node("cost", "BCEWithLogitsLoss", 2)
    d.chain("x", "moe", "cost")
    d.edge("y", "cost", "target")
    d.graph.lesson = lesson(
        "modules", 2,
        text("A mixture of experts", "Una miscela di esperti"),
        text("A gating network weighs four small expert networks for each sample; the experts "
             "share the plane between them.",
             "Una rete di gating pesa quattro piccole reti esperte per ogni esempio; gli esperti "
             "si dividono il piano."),
        pages=[
            page(text(
                "Four expert networks (one hidden layer of 6 units each) all see the input; a "
                "gating network turns its scores into softmax weights g_k, and the output is "
                "Σ_k g_k · expert_k(x). Press **Play** on the two moons.",
                "Quattro reti esperte (ciascuna con uno strato nascosto di 6 unità) vedono tutte "
                "l'input; una rete di gating trasforma i suoi punteggi in pesi softmax g_k, e "
                "l'uscita è Σ_k g_k · esperto_k(x). Premi **Avvia** sulle due lune."),
                {"do": "train", "steps": 400}, {"do": "show_panel", "panel": "attention"}),
            page(text(
                "The **Attention** panel shows the gates for each sample (rows) and expert "
                "(columns), and each expert's load. Watch the gates specialise: different "
                "experts take charge of different parts of the plane.\n\n"
                "Question for the class: what would happen to the other experts' gradients if "
                "the gate always chose the same expert?",
                "Il pannello **Attenzione** mostra i gate per ogni esempio (righe) ed esperto "
                "(colonne), e il carico di ciascun esperto. Osserva i gate specializzarsi: "
                "esperti diversi si occupano di parti diverse del piano.\n\n"
                "Domanda per la classe: che cosa succederebbe ai gradienti degli altri esperti se "
                "il gate scegliesse sempre lo stesso esperto?"),
                {"do": "show_panel", "panel": "boundary"}),
            page(text(
                "One expert alone is a plain network with 6 hidden units: the button sets "
                "num_experts to 1. Press **Reset** and **Play**, and compare the final loss.",
                "Un esperto da solo è una semplice rete con 6 unità nascoste: il pulsante porta "
                "num_experts a 1. Premi **Azzera** e **Avvia**, e confronta la funzione di costo "
                "finale."),
                {"do": "set_param", "node": "moe", "param": "num_experts", "value": 1},
                {"do": "reset"}),
        ],
        goals=[
            goal("solves", text("Training accuracy reaches 98 %",
                                "L'accuratezza sull'addestramento raggiunge il 98 %"),
                 metric="train_acc", op=">=", value=0.98, when="by"),
            goal("regions", text("The gate shares the plane: at least two experts are each its "
                                 "clear choice (weight 0.6 or more) on a tenth of the plane",
                                 "Il gate si divide il piano: almeno due esperti sono ciascuno la "
                                 "sua scelta netta (peso almeno 0,6) su un decimo del piano"),
                 metric="experts_used:moe", op=">=", value=2, when="end"),
            goal("experts_help", text("Four experts end with less than a quarter of one expert's "
                                      "training loss",
                                      "Quattro esperti finiscono con meno di un quarto della "
                                      "funzione di costo sull'addestramento di un esperto solo"),
                 metric="train_loss", op="<", value=0.25, when="end",
                 variant={"changes": [{"do": "set_param", "node": "moe", "param": "num_experts",
                                       "value": 1}]}),
        ],
        panels=["attention", "boundary", "loss"], speed=40)
    return d.graph


def multiplicative():
    d = Drawing(settings(
        "The multiplicative module (section 3.1): s_i = sum_jk u_ijk z_k x_j, so the weights "
        "w_ij = sum_k u_ijk z_k are produced by another network from the context z. A product "
        "of inputs is exactly what XOR needs.",
        {"name": "xor", "n_samples": 200, "noise": 0.0}, {"name": "Adam", "lr": 0.05}, 300))
    d.node("x", "Input", 0)
    d.node("context", "Linear", 1, 1, label="context network", in_features=2, out_features=2)
    d.node("z", "Tanh", 2, 1, label="z")
    d.node("mult", "MultiplicativeModule", 3, label="multiplicative module", in1_features=2,
           in2_features=2, out_features=4)
    d.node("tanh", "Tanh", 4)
    d.node("output", "Linear", 5, in_features=4, out_features=1)
    d.node("y", "Target", 5, 1)
    d.node("cost", "BCEWithLogitsLoss", 6)
    d.edge("x", "mult", "input1")
    d.chain("x", "context", "z")
    d.edge("z", "mult", "input2")
    d.chain("mult", "tanh", "output", "cost")
    d.edge("y", "cost", "target")
    d.graph.lesson = lesson(
        "modules", 3,
        text("The multiplicative module solves XOR", "Il modulo moltiplicativo risolve XOR"),
        text("s_i = Σ_jk u_ijk z_k x_j: a context network makes the weights, and a product of "
             "inputs is what XOR needs.",
             "s_i = Σ_jk u_ijk z_k x_j: una rete di contesto produce i pesi, e un prodotto degli "
             "input è proprio ciò che serve a XOR."),
        pages=[
            page(text(
                "The multiplicative module of the course notes (section 3.1) computes "
                "s_i = Σ_jk u_ijk z_k x_j: its weights w_ij = Σ_k u_ijk z_k are not fixed but made "
                "from a context z, here a small tanh network of the same input. Press **Play** on "
                "XOR.",
                "Il modulo moltiplicativo degli appunti (sezione 3.1) calcola "
                "s_i = Σ_jk u_ijk z_k x_j: i suoi pesi w_ij = Σ_k u_ijk z_k non sono fissi ma "
                "prodotti a partire da un contesto z, qui una piccola rete tanh dello stesso "
                "input. Premi **Avvia** su XOR."),
                {"do": "train", "steps": 300}, {"do": "show_panel", "panel": "boundary"}),
            page(text(
                "XOR is a product in disguise: its sign is the product of the signs of x1 and "
                "x2. A module that multiplies its inputs gets that product in one step, and the "
                "boundary becomes the two crossing lines of XOR.\n\n"
                "Question for the class: if z were constant, what would the module reduce to?",
                "XOR è un prodotto travestito: il suo segno è il prodotto dei segni di x1 e x2. "
                "Un modulo che moltiplica i suoi input ottiene quel prodotto in un passo, e il "
                "confine diventa le due rette incrociate di XOR.\n\n"
                "Domanda per la classe: se z fosse costante, a che cosa si ridurrebbe il modulo?"),
                {"do": "show_panel", "panel": "weights"}),
        ],
        goals=[
            goal("solves", text("Every training point is classified right",
                                "Tutti i punti di addestramento sono classificati correttamente"),
                 metric="train_acc", op=">=", value=1.0, when="by"),
            goal("confident", text("The training loss ends below 0.01",
                                   "La funzione di costo sull'addestramento finisce sotto 0,01"),
                 metric="train_loss", op="<", value=0.01, when="end"),
        ],
        panels=["boundary", "loss"], speed=30)
    return d.graph


def weight_sharing():
    d = Drawing(settings(
        "Weight sharing (section 3.1): one function G with one set of weights is applied to "
        "each input coordinate; both uses add their gradient to the shared weights. The two "
        "G boxes are instances of one module tied together.",
        {"name": "xor", "n_samples": 200, "noise": 0.0}, {"name": "Adam", "lr": 0.05}, 300))
    inner = Drawing({})
    inner.node("u", "Input", 0, shape=[1])
    inner.node("lin", "Linear", 1, in_features=1, out_features=4)
    inner.node("act", "Tanh", 2)
    inner.chain("u", "lin", "act")
    d.graph.modules["G"] = ModuleDef("G", inner.graph, inputs=[PortRef("input", "u", "out")],
                                     outputs=[PortRef("out", "act", "out")])
    d.node("x", "Input", 0)
    d.node("split", "Split", 1, label="x1 | x2", chunks=2, dim=-1)
    d.node("g1", "Module", 2, -0.5, label="G(x1)", tie="G", module="G")
    d.node("g2", "Module", 2, 0.5, label="G(x2)", tie="G", module="G")
    d.node("product", "Multiply", 3)
    d.node("output", "Linear", 4, in_features=4, out_features=1)
    d.node("y", "Target", 4, 1)
    d.node("cost", "BCEWithLogitsLoss", 5)
    d.edge("x", "split")
    d.edge("split", "g1", "input", "out0")
    d.edge("split", "g2", "input", "out1")
    d.edge("g1", "product", "a")
    d.edge("g2", "product", "b")
    d.chain("product", "output", "cost")
    d.edge("y", "cost", "target")
    d.graph.lesson = lesson(
        "modules", 4,
        text("Weight sharing: one function used twice",
             "Condivisione dei pesi: una funzione usata due volte"),
        text("One module G, with one set of weights, is applied to x1 and to x2; both uses add "
             "their gradient to the shared weights.",
             "Un modulo G, con un solo insieme di pesi, è applicato a x1 e a x2; entrambi gli usi "
             "sommano il loro gradiente ai pesi condivisi."),
        pages=[
            page(text(
                "The input is split into x1 and x2, and the same function G (a Linear layer from "
                "1 to 4 units and a tanh) is applied to each: the two G boxes are instances of "
                "one module tied together, so they have one set of weights. Their outputs are "
                "multiplied and a Linear layer decides. Press **Play** on XOR.",
                "L'input è diviso in x1 e x2, e la stessa funzione G (uno strato Linear da 1 a 4 "
                "unità e una tanh) è applicata a ciascuno: i due riquadri G sono istanze di un "
                "solo modulo legate tra loro, quindi hanno un solo insieme di pesi. Le loro uscite "
                "vengono moltiplicate e uno strato Linear decide. Premi **Avvia** su XOR."),
                {"do": "train", "steps": 300}, {"do": "show_panel", "panel": "boundary"}),
            page(text(
                "In backpropagation each use of G adds its gradient to the shared weights "
                "(course notes, section 3.1): ∂L/∂w = ∂L/∂w through G(x1) + ∂L/∂w through G(x2). "
                "The whole network has 13 parameters.\n\n"
                "Question for the class: how many would it have with two separate copies of G? "
                "When is sharing the right choice?",
                "Nella retropropagazione ogni uso di G somma il suo gradiente ai pesi condivisi "
                "(appunti, sezione 3.1): ∂L/∂w = ∂L/∂w attraverso G(x1) + ∂L/∂w attraverso G(x2). "
                "L'intera rete ha 13 parametri.\n\n"
                "Domanda per la classe: quanti ne avrebbe con due copie separate di G? Quando "
                "conviene condividere?"),
                {"do": "show_panel", "panel": "weights"}),
        ],
        goals=[
            goal("solves", text("XOR solved: at least 99 % of the training points right",
                                "XOR risolto: almeno il 99 % dei punti di addestramento "
                                "corretti"),
                 metric="train_acc", op=">=", value=0.99, when="by"),
            goal("small", text("Challenge: solve XOR with at most 13 parameters",
                               "Sfida: risolvi XOR con al massimo 13 parametri"),
                 metric="train_acc", op=">=", value=0.99, when="by", challenge=True,
                 limits=[{"max_params": 13}]),
        ],
        panels=["boundary", "weights", "loss"], speed=30)
    return d.graph


LESSONS = {
    "attention_module": attention,
    "mixture_of_experts": mixture_of_experts,
    "multiplicative_module": multiplicative,
    "weight_sharing": weight_sharing,
}
