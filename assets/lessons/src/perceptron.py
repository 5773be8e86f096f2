"""Chapter 2, Hebb's rule and the perceptron: NOT, AND, OR learned, XOR not, XOR from gates."""
from _drawing import Drawing, goal, lesson, page, settings, text

#: the truth table once, all its rows in one batch: one step is one epoch, a pass over the table
#: (the rule still takes the rows one at a time, in a shuffled order)
REPEAT, BATCH = 1, 4


def _threshold_unit(description, gate, steps, trainer="perceptron", inputs="binary", signed=False):
    """Input -> Linear (w.x + b) -> threshold -> errors against the Target: one unit."""
    data = {"name": "logic", "gate": gate, "repeat": REPEAT, "inputs": inputs}
    d = Drawing(settings(description, data,
                         {"name": "SGD", "lr": 1.0}, steps, batch_size=BATCH, trainer=trainer,
                         probe_every=1, eval_every=1))
    d.node("x", "Input", 0, label="x1, x2")
    d.node("unit", "Linear", 1, label="w·x + b", in_features=2, out_features=1)
    if signed:   # Hebb's rule works with -1/+1 outputs and targets
        d.node("step", "Sign", 2, label="sign")
        d.node("y", "Target", 2, 1, kind="signed")
    else:
        d.node("step", "Heaviside", 2, label="threshold", values=0.0)
        d.node("y", "Target", 2, 1)
    d.node("cost", "MSELoss", 3, label="errors")
    d.chain("x", "unit", "step")
    d.edge("step", "cost")
    d.edge("y", "cost", "target")
    return d


def hebb_rule():
    d = _threshold_unit(
        "Hebb's rule on the AND gate with bipolar (-1/+1) inputs and targets: w <- w + lr y x. "
        "One pass over the table gives a separating line.", "AND", 10, trainer="hebb",
        inputs="bipolar", signed=True)
    d.graph.lesson = lesson(
        "perceptron", 1,
        text("Hebb's rule: cells that fire together wire together",
             "La regola di Hebb: neuroni che si attivano insieme si collegano"),
        text("The oldest learning rule strengthens a connection whenever its input and the output "
             "agree. With -1/+1 values it learns AND in one pass; with 0/1 values it cannot.",
             "La più antica regola di apprendimento rinforza una connessione ogni volta che il suo "
             "ingresso e l'uscita concordano. Con valori -1/+1 impara AND in una passata; con valori "
             "0/1 non ci riesce."),
        pages=[
            page(text(
                "Hebb's rule (course notes 002): if cell A keeps taking part in firing cell B, the "
                "synapse from A to B is strengthened. For one unit with inputs x and target y it "
                "reads w ← w + η·y·x and b ← b + η·y: each weight grows when its input and the "
                "target have the same sign and shrinks when they differ. There is no error term: "
                "the unit learns even from samples it already gets right.\n\n"
                "The inputs and the target are bipolar, -1 or +1, and the output is sign(w·x + b). "
                "Press **Play**: each step is one epoch, a pass over the four rows of the AND "
                "table.",
                "La regola di Hebb (appunti 002): se la cellula A contribuisce con costanza "
                "all'attività della cellula B, la sinapsi da A verso B viene rinforzata. Per un'unità "
                "con ingressi x e target y diventa w ← w + η·y·x e b ← b + η·y: ogni peso cresce "
                "quando il suo ingresso e il target hanno lo stesso segno e cala quando sono "
                "discordi. Non c'è un termine d'errore: l'unità impara anche dagli esempi che "
                "classifica già bene.\n\n"
                "Ingressi e target sono bipolari, -1 o +1, e l'uscita è sign(w·x + b). Premi "
                "**Avvia**: ogni passo è un'epoca, una passata sulle quattro righe della tabella di "
                "AND."),
                {"do": "train", "steps": 10}, {"do": "show_panel", "panel": "boundary"}),
            page(text(
                "After one epoch the sums are w = (2, 2) and b = -2 (plus the small random start): "
                "the line x1 + x2 = 1 leaves only (+1, +1) on the positive side. That is AND. Later "
                "epochs add the same amounts again, so the line stays where it is while the weights "
                "keep growing. Look at them in the **Weights** panel.\n\n"
                "Now switch the inputs to 0/1 (binary) with the button, press **Reset** and **Play**. "
                "An input of 0 never changes its weight, whatever the target: can the rule still "
                "find the line? Question for the class: why did early neural models prefer -1/+1 "
                "values?",
                "Dopo un'epoca le somme valgono w = (2, 2) e b = -2 (più il piccolo punto di partenza "
                "casuale): la retta x1 + x2 = 1 lascia dal lato positivo solo (+1, +1). È AND. Le "
                "epoche successive aggiungono di nuovo le stesse quantità: la retta resta dov'è "
                "mentre i pesi continuano a crescere. Guardali nel pannello **Pesi**.\n\n"
                "Ora passa agli ingressi 0/1 (binary) con il pulsante, premi **Azzera** e **Avvia**. "
                "Un ingresso pari a 0 non cambia mai il suo peso, qualunque sia il target: la regola "
                "trova ancora la retta? Domanda per la classe: perché i primi modelli neurali "
                "preferivano i valori -1/+1?"),
                {"do": "show_panel", "panel": "weights"},
                {"do": "set_setting", "key": "dataset.inputs", "value": "binary"},
                {"do": "reset"}),
            page(text(
                "Hebb's rule does not look at mistakes, so it cannot correct them. The perceptron "
                "rule of the next lesson updates only when the unit is wrong: that small change "
                "makes it learn any linearly separable table.",
                "La regola di Hebb non guarda gli errori, quindi non li può correggere. La regola del "
                "percettrone della prossima lezione aggiorna i pesi solo quando l'unità sbaglia: "
                "questa piccola modifica le permette di imparare ogni tabella linearmente "
                "separabile.")),
        ],
        goals=[
            goal("learns_and", text("With -1/+1 values, AND is learned within two epochs",
                                    "Con valori -1/+1, AND è imparato entro due epoche"),
                 metric="train_acc", op=">=", value=1.0, when="by", step=2),
            goal("stays", text("and stays learned", "e resta imparato"),
                 metric="train_acc", op=">=", value=1.0, when="end"),
            goal("binary_fails", text("With 0/1 inputs the rule gets at most 3 rows of 4 right",
                                      "Con ingressi 0/1 la regola azzecca al più 3 righe su 4"),
                 metric="train_acc", op=">=", value=1.3, when="end",
                 variant={"changes": [{"do": "set_setting", "key": "dataset.inputs",
                                       "value": "binary"}]}),
        ],
        panels=["boundary", "weights", "loss"], speed=4)
    return d.graph


def perceptron_and():
    d = _threshold_unit(
        "A perceptron learns the AND gate with Rosenblatt's rule: w <- w + lr (y - y_hat) x. "
        "AND is linearly separable, so the rule stops making mistakes after a few epochs.", "AND", 20)
    to_not = [{"do": "set_setting", "key": "dataset.gate", "value": "NOT"},
              {"do": "set_param", "node": "unit", "param": "in_features", "value": 1}]
    d.graph.lesson = lesson(
        "perceptron", 2,
        text("The perceptron learns NOT, AND and OR", "Il percettrone impara NOT, AND e OR"),
        text("Rosenblatt's rule corrects the weights only after a mistake, and finds a separating "
             "line for every linearly separable gate.",
             "La regola di Rosenblatt corregge i pesi solo dopo un errore, e trova una retta di "
             "separazione per ogni porta linearmente separabile."),
        pages=[
            page(text(
                "The perceptron of the course notes (001): y = σ(w·x + b) with the step function "
                "σ(z) = 1 for z > 0, else 0. The rule: compute y(x); if it equals the label, do "
                "nothing; if the unit said 1 but the label is 0, subtract η·x from w (and η from b); "
                "if it said 0 but the label is 1, add them. In one line: w ← w + η (ŷ − y) x, where "
                "the error ŷ − y is -1, 0 or +1.\n\n"
                "Press **Play** and watch the line in the **Decision boundary** panel: it jumps "
                "after every mistake and stops once the four points of AND are on the right sides.",
                "Il percettrone degli appunti (001): y = σ(w·x + b) con la funzione gradino "
                "σ(z) = 1 per z > 0, altrimenti 0. La regola: calcola y(x); se coincide con "
                "l'etichetta non fare nulla; se l'unità dice 1 ma l'etichetta è 0, sottrai η·x da w "
                "(e η da b); se dice 0 ma l'etichetta è 1, aggiungili. In una riga: "
                "w ← w + η (ŷ − y) x, dove l'errore ŷ − y vale -1, 0 o +1.\n\n"
                "Premi **Avvia** e osserva la retta nel pannello **Frontiera di decisione**: salta dopo "
                "ogni errore e si ferma quando i quattro punti di AND sono dalla parte giusta."),
                {"do": "train", "steps": 20}, {"do": "show_panel", "panel": "boundary"}),
            page(text(
                "The notes show the perceptron computing negation, conjunction and disjunction. Try "
                "OR with the first button, then NOT with the next two: NOT has a single input, so "
                "the unit also needs a single input weight. Press **Reset** and **Play** after each "
                "change.\n\n"
                "The perceptron convergence theorem guarantees that the rule stops after finitely "
                "many mistakes whenever some line separates the classes. Question for the class: "
                "which line does it find, and is it the only one?",
                "Gli appunti mostrano il percettrone che calcola negazione, congiunzione e "
                "disgiunzione. Prova OR con il primo pulsante, poi NOT con i due successivi: NOT ha "
                "un solo ingresso, quindi anche l'unità deve avere un solo peso d'ingresso. Premi "
                "**Azzera** e **Avvia** dopo ogni cambiamento.\n\n"
                "Il teorema di convergenza del percettrone garantisce che la regola si ferma dopo un "
                "numero finito di errori ogni volta che una retta separa le classi. Domanda per la "
                "classe: quale retta trova, ed è l'unica?"),
                {"do": "set_setting", "key": "dataset.gate", "value": "OR"}, *to_not, {"do": "reset"}),
        ],
        goals=[
            goal("and", text("AND: every row right by the end", "AND: tutte le righe giuste alla fine"),
                 metric="train_acc", op=">=", value=1.0, when="end"),
            goal("or", text("OR is learned too (as well as AND)", "Anche OR è imparato (come AND)"),
                 metric="train_acc", op="<=", value=1.0, when="end",
                 variant={"changes": [{"do": "set_setting", "key": "dataset.gate", "value": "OR"}]}),
            goal("not", text("NOT is learned too, with one input",
                             "Anche NOT è imparato, con un ingresso"),
                 metric="train_acc", op="<=", value=1.0, when="end", variant={"changes": to_not}),
        ],
        panels=["boundary", "weights", "loss"], speed=4)
    return d.graph


def perceptron_xor():
    d = _threshold_unit(
        "The perceptron rule on XOR: no line separates its classes, so the rule makes mistakes in "
        "every epoch and the line moves for ever.", "XOR", 100)
    d.graph.lesson = lesson(
        "perceptron", 3,
        text("The perceptron cannot learn XOR", "Il percettrone non può imparare XOR"),
        text("No line separates the two classes of XOR: the rule keeps making mistakes and the line "
             "never stops moving.",
             "Nessuna retta separa le due classi di XOR: la regola continua a sbagliare e la retta "
             "non smette mai di muoversi."),
        pages=[
            page(text(
                "The same unit and the same rule as before, now on the exclusive or: the label is 1 "
                "when exactly one input is 1. Press **Play** and watch the **Decision boundary**.\n\n"
                "The line jumps after every mistake, as with AND, but it never settles: each position "
                "leaves at least one of the four points on the wrong side, and that point moves it "
                "again.",
                "La stessa unità e la stessa regola di prima, ora sull'or esclusivo: l'etichetta è 1 "
                "quando esattamente un ingresso vale 1. Premi **Avvia** e osserva la **Frontiera di "
                "decisione**.\n\n"
                "La retta salta dopo ogni errore, come con AND, ma non si ferma mai: ogni posizione "
                "lascia almeno uno dei quattro punti dalla parte sbagliata, e quel punto la sposta "
                "di nuovo."),
                {"do": "train", "steps": 100}, {"do": "show_panel", "panel": "boundary"}),
            page(text(
                "\"Ma non si può rappresentare la disgiunzione esclusiva (XOR)\" (notes 001). XOR's "
                "classes are not linearly separable (notes 003, section 4.1): (0, 1) and (1, 0) sit "
                "on one diagonal of the square, (0, 0) and (1, 1) on the other, and any line that "
                "puts both points of one diagonal on its positive side puts one of the other "
                "diagonal's points there too. At most 3 rows of 4 can be right.\n\n"
                "Question for the class: the convergence theorem promised that the rule stops. Why "
                "does it not apply here? The next lesson builds XOR from gates a perceptron can "
                "learn.",
                "\"Ma non si può rappresentare la disgiunzione esclusiva (XOR)\" (appunti 001). Le "
                "classi di XOR non sono linearmente separabili (appunti 003, sezione 4.1): (0, 1) e "
                "(1, 0) stanno su una diagonale del quadrato, (0, 0) e (1, 1) sull'altra, e ogni "
                "retta che mette dal lato positivo entrambi i punti di una diagonale vi mette anche "
                "uno dei punti dell'altra. Al più 3 righe su 4 possono essere giuste.\n\n"
                "Domanda per la classe: il teorema di convergenza prometteva che la regola si ferma. "
                "Perché qui non vale? La prossima lezione costruisce XOR con porte che un percettrone "
                "sa imparare.")),
        ],
        goals=[
            goal("never", text("The unit never gets all four rows right",
                               "L'unità non azzecca mai tutte e quattro le righe"),
                 metric="train_acc", op="<", value=1.0, when="always"),
            goal("three", text("At most 3 rows of 4 are ever right at once",
                               "Al più 3 righe su 4 sono giuste nello stesso momento"),
                 metric="train_acc", op="<=", value=0.75, when="always"),
        ],
        panels=["boundary", "weights", "loss"], speed=8)
    return d.graph


def xor_from_gates():
    d = Drawing(settings(
        "XOR = (x1 OR x2) AND NOT (x1 AND x2): the OR and NAND units are drawn with fixed weights, "
        "and a perceptron learns the AND of their outputs.",
        {"name": "logic", "gate": "XOR", "repeat": REPEAT}, {"name": "SGD", "lr": 1.0}, 20,
        batch_size=BATCH, trainer="perceptron", probe_every=1, eval_every=1))
    d.node("x", "Input", 0, label="x1, x2")
    d.node("sum", "Sum", 1, label="x1 + x2", dim=-1, keepdim=True)
    d.node("half", "Constant", 1, 1, label="0.5", value=0.5)
    d.node("one_and_half", "Constant", 1, -1, label="1.5", value=1.5)
    d.node("or_in", "Subtract", 2, -0.5, label="x1 + x2 − 0.5")
    d.node("nand_in", "Subtract", 2, 0.5, label="1.5 − x1 − x2")
    d.node("or", "Heaviside", 3, -0.5, label="OR", values=0.0)
    d.node("nand", "Heaviside", 3, 0.5, label="NAND", values=0.0)
    d.node("both", "Concat", 4, label="OR, NAND", dim=-1)
    d.node("unit", "Linear", 5, label="AND unit: w·h + b", in_features=2, out_features=1)
    d.node("step", "Heaviside", 6, label="threshold", values=0.0)
    d.node("y", "Target", 6, 1)
    d.node("cost", "MSELoss", 7, label="errors")
    d.edge("x", "sum")
    d.edge("sum", "or_in", "a")
    d.edge("half", "or_in", "b")
    d.edge("one_and_half", "nand_in", "a")
    d.edge("sum", "nand_in", "b")
    d.edge("or_in", "or")
    d.edge("nand_in", "nand")
    d.edge("or", "both", "inputs")
    d.edge("nand", "both", "inputs")
    d.chain("both", "unit", "step")
    d.edge("step", "cost")
    d.edge("y", "cost", "target")
    d.graph.lesson = lesson(
        "perceptron", 4,
        text("XOR from OR, NAND and AND", "XOR da OR, NAND e AND"),
        text("Two gates a perceptron can compute, OR and NAND, turn XOR into a linearly separable "
             "problem: a perceptron on their outputs learns it.",
             "Due porte che un percettrone sa calcolare, OR e NAND, rendono XOR un problema "
             "linearmente separabile: un percettrone sulle loro uscite lo impara."),
        pages=[
            page(text(
                "The notes (001) write XOR with the gates a perceptron can represent: "
                "x1 XOR x2 = (x1 ∨ x2) ∧ ¬(x1 ∧ x2), that is OR and NAND, joined by AND. The graph "
                "draws it. On the left, two threshold units with fixed weights: OR fires when "
                "x1 + x2 − 0.5 > 0, NAND when 1.5 − x1 − x2 > 0. On the right, one perceptron, the "
                "only node with weights, reads their two outputs.\n\n"
                "Press **Play**. The perceptron rule trains the last unit only, on the features "
                "h = (OR, NAND).",
                "Gli appunti (001) scrivono XOR con le porte che un percettrone sa rappresentare: "
                "x1 XOR x2 = (x1 ∨ x2) ∧ ¬(x1 ∧ x2), cioè OR e NAND, uniti da AND. Il grafo lo "
                "disegna. A sinistra due unità a soglia con pesi fissi: OR si attiva quando "
                "x1 + x2 − 0,5 > 0, NAND quando 1,5 − x1 − x2 > 0. A destra un percettrone, l'unico "
                "nodo con dei pesi, legge le loro due uscite.\n\n"
                "Premi **Avvia**. La regola del percettrone addestra solo l'ultima unità, sulle "
                "caratteristiche h = (OR, NAND)."),
                {"do": "train", "steps": 20}, {"do": "show_panel", "panel": "boundary"}),
            page(text(
                "In the plane of (OR, NAND) the four rows land on three points: (0, 1) for (0, 0), "
                "(1, 1) for (0, 1) and (1, 0), (1, 0) for (1, 1). Only (1, 1) has label 1, and a line "
                "separates it: the AND gate. The hidden layer changed the representation until the "
                "problem became linearly separable (notes 003, sections 4.1.1 and 4.2).\n\n"
                "Question for the class: here we chose OR and NAND by hand. What would a network "
                "have to do to find such hidden units by itself? The next chapter trains the "
                "hidden layer too, with gradient descent.",
                "Nel piano di (OR, NAND) le quattro righe cadono su tre punti: (0, 1) per (0, 0), "
                "(1, 1) per (0, 1) e (1, 0), (1, 0) per (1, 1). Solo (1, 1) ha etichetta 1, e una "
                "retta lo separa: la porta AND. Lo strato nascosto ha cambiato la rappresentazione "
                "finché il problema è diventato linearmente separabile (appunti 003, sezioni 4.1.1 "
                "e 4.2).\n\n"
                "Domanda per la classe: qui OR e NAND li abbiamo scelti a mano. Che cosa dovrebbe "
                "fare una rete per trovare da sola unità nascoste così? Il prossimo capitolo "
                "addestra anche lo strato nascosto, con la discesa del gradiente.")),
        ],
        goals=[
            goal("solves", text("XOR: every row right by the end",
                                "XOR: tutte le righe giuste alla fine"),
                 metric="train_acc", op=">=", value=1.0, when="end"),
        ],
        panels=["boundary", "weights", "loss"], speed=4)
    return d.graph


LESSONS = {"hebb_rule": hebb_rule, "perceptron_and": perceptron_and,
           "perceptron_xor": perceptron_xor, "xor_from_gates": xor_from_gates}
