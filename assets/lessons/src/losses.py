"""Chapter 6, loss functions (course notes 003, section 6): L2 against L1 and SmoothL1 on data
with outliers; MSE against binary cross-entropy from a saturated start; class weights for
imbalanced classes."""
from _drawing import Drawing, goal, lesson, page, settings, text, replace_node

#: y = 2x + 0.5 with a tenth of the points pulled 6 below the line at the right end
OUTLIER_LINE = {"name": "line", "slope": 2.0, "intercept": 0.5, "noise": 0.05, "outliers": 0.1,
                "outlier_shift": 6.0}


def _replace_cost(new_type):
    return replace_node("cost", new_type)


def l1_vs_l2_outliers():
    d = Drawing(settings(
        "A straight line y = w x + b fitted to points on y = 2x + 0.5, a tenth of them outliers "
        "far below the line at the right end. Least squares (MSE) tilts the line towards them; "
        "L1 and SmoothL1 follow the majority.",
        OUTLIER_LINE, {"name": "SGD", "lr": 0.1}, 400, batch_size=20, task="regression"))
    d.node("x", "Input", 0)
    d.node("lin", "Linear", 1, label="w x + b", in_features=1, out_features=1)
    d.node("y", "Target", 1, 1)
    d.node("cost", "MSELoss", 2)
    d.chain("x", "lin", "cost")
    d.edge("y", "cost", "target")
    graph = d.graph
    slope = "weight:lin.weight[0,0]"
    graph.lesson = lesson(
        "losses", 1,
        text("L1 against L2: outliers", "L1 contro L2: i valori anomali"),
        text("Least squares is pulled by a few outliers; the L1 loss ignores them.",
             "I minimi quadrati si fanno tirare da pochi valori anomali; la loss L1 li ignora."),
        pages=[
            page(text(
                "The points lie on the line y = 2x + 0.5, except a tenth of them: **outliers**, 6 "
                "units below the line at the right end. The model is one Linear unit, y = w x + b, "
                "and the loss is **MSE**, the mean of the squared errors (notes, section 6.1).\n\n"
                "Press **Train** and watch the fitted line and the weight w: it settles near 1, not "
                "2. The line tilts towards the outliers.",
                "I punti stanno sulla retta y = 2x + 0.5, tranne un decimo: i **valori anomali** "
                "(outlier), 6 unità sotto la retta all'estremo destro. Il modello è una sola unità "
                "lineare, y = w x + b, e la funzione di costo è la **MSE**, la media degli errori al "
                "quadrato (appunti, sezione 6.1).\n\n"
                "Premi **Addestra** e guarda la retta e il peso w: si ferma vicino a 1, non a 2. La "
                "retta si inclina verso gli outlier."),
                {"do": "train", "steps": 400}),
            page(text(
                "Why? Squaring makes an error of 6 weigh 36 times as much as an error of 1, so the "
                "few outliers dominate the gradient and pull the line down on their side.\n\n"
                "Now switch the cost to **L1**, the mean absolute error (section 6.2): every point "
                "pulls with the same strength, whatever its distance (the gradient of |e| is ±1). "
                "Reset and train: the slope goes back near 2, the line follows the majority of the "
                "points (section 6.3).",
                "Perché? Il quadrato fa pesare un errore di 6 trentasei volte un errore di 1, quindi "
                "i pochi outlier dominano il gradiente e tirano giù la retta dalla loro parte.\n\n"
                "Ora passa alla loss **L1**, l'errore assoluto medio (sezione 6.2): ogni punto tira "
                "con la stessa forza, qualunque sia la sua distanza (il gradiente di |e| è ±1). "
                "Azzera e addestra: la pendenza torna vicino a 2, la retta segue la maggioranza dei "
                "punti (sezione 6.3)."),
                _replace_cost("L1Loss"), {"do": "reset"}, {"do": "train", "steps": 400}),
            page(text(
                "**SmoothL1** (section 6.4) is quadratic for errors below 1 and linear beyond: smooth "
                "near the line like MSE, robust far from it like L1. Try it.\n\n"
                "**Question for the class:** if the outliers were spread evenly above and below the "
                "line, would MSE's slope still be wrong? What would change?",
                "La **SmoothL1** (sezione 6.4) è quadratica per errori sotto 1 e lineare oltre: "
                "morbida vicino alla retta come la MSE, robusta lontano come la L1. Provala.\n\n"
                "**Domanda per la classe:** se gli outlier fossero sparsi in modo uniforme sopra e "
                "sotto la retta, la pendenza della MSE sarebbe ancora sbagliata? Che cosa cambierebbe?"),
                _replace_cost("SmoothL1Loss"), _replace_cost("MSELoss"), {"do": "reset"},
                {"do": "train", "steps": 400}),
        ],
        goals=[
            goal("mse_tilts", text("With MSE the outliers tilt the line: slope w below 1.4 (the "
                                   "true slope is 2)",
                                   "Con la MSE gli outlier inclinano la retta: pendenza w sotto "
                                   "1.4 (quella vera è 2)"),
                 metric=slope, op="<", value=1.4, when="end"),
            goal("l1_ignores",
                 text("L1 ignores them: MSE's slope is at most 0.6 times L1's",
                      "La L1 li ignora: la pendenza della MSE è al più 0.6 volte quella della L1"),
                 metric=slope, op="<=", value=0.6, when="end",
                 variant={"changes": [_replace_cost("L1Loss")]}),
            goal("smooth_l1_robust",
                 text("SmoothL1 is robust too: MSE's slope is at most 0.65 times SmoothL1's",
                      "Anche la SmoothL1 è robusta: la pendenza della MSE è al più 0.65 volte quella "
                      "della SmoothL1"),
                 metric=slope, op="<=", value=0.65, when="end",
                 variant={"changes": [_replace_cost("SmoothL1Loss")]}),
        ],
        panels=["fit", "weights", "loss"], speed=40)
    return graph


def bce_vs_mse():
    d = Drawing(settings(
        "Logistic regression on two Gaussian blobs, started badly: a bias of -8 makes every "
        "output sigmoid(z) nearly 0. With MSE the gradient is multiplied by the sigmoid's "
        "vanishing derivative and training stalls; binary cross-entropy cancels that derivative "
        "and learns at once.",
        {"name": "gauss", "n_samples": 200, "noise": 0.1}, {"name": "SGD", "lr": 0.1}, 150,
        batch_size=20, eval_every=10))
    d.node("x", "Input", 0)
    d.node("lin", "Linear", 1, label="w . x", in_features=2, out_features=1, bias=False)
    d.node("b", "Parameter", 1, 1, label="bias, starts at -8", shape=[1], init="constant", value=-8.0)
    d.node("z", "Add", 2, label="z = w . x + b")
    d.node("sig", "Sigmoid", 3)
    d.node("y", "Target", 3, 1)
    d.node("cost", "MSELoss", 4)
    d.edge("x", "lin")
    d.edge("lin", "z", "inputs")
    d.edge("b", "z", "inputs")
    d.chain("z", "sig", "cost")
    d.edge("y", "cost", "target")
    graph = d.graph
    bce = [_replace_cost("BCELoss")]
    graph.lesson = lesson(
        "losses", 2,
        text("Cross-entropy against MSE from a saturated start", "Entropia incrociata contro MSE "
                                                                 "da una partenza saturata"),
        text("From a saturated sigmoid, MSE barely moves while binary cross-entropy learns at once.",
             "Da una sigmoide saturata la MSE quasi non si muove, mentre l'entropia incrociata "
             "binaria impara subito."),
        pages=[
            page(text(
                "A single unit classifies two blobs: p = sigmoid(w . x + b). The bias **starts at "
                "-8**, so p is almost 0 for every point: the sigmoid is saturated and the network "
                "says \"class 0\" everywhere. The cost is **MSE**, (p - y)^2.\n\n"
                "Press **Train**. The accuracy stays near 50 % and the loss barely moves.",
                "Una sola unità classifica due nuvole di punti: p = sigmoide(w . x + b). Il bias "
                "**parte da -8**, quindi p è quasi 0 per ogni punto: la sigmoide è saturata e la rete "
                "dice \"classe 0\" ovunque. La funzione di costo è la **MSE**, (p - y)^2.\n\n"
                "Premi **Addestra**. L'accuratezza resta vicino al 50 % e la loss quasi non si muove."),
                {"do": "train", "steps": 150}),
            page(text(
                "The chain rule explains it. With MSE, dL/dz = 2 (p - y) p (1 - p): the last factor is "
                "the sigmoid's derivative, about 0.0003 at z = -8. The points of class 1 are badly "
                "wrong, yet they send almost no gradient.\n\n"
                "With **binary cross-entropy** (notes, section 6.8), L = -[y log p + (1 - y) log(1 - p)], "
                "the derivative is dL/dz = p - y: the sigmoid's derivative cancels out, and a wrong, "
                "confident answer gets the largest gradient. Switch the cost, reset and train.",
                "La regola della catena lo spiega. Con la MSE, dL/dz = 2 (p - y) p (1 - p): l'ultimo "
                "fattore è la derivata della sigmoide, circa 0.0003 per z = -8. I punti della classe "
                "1 sono completamente sbagliati, eppure mandano quasi zero gradiente.\n\n"
                "Con l'**entropia incrociata binaria** (BCE, appunti, sezione 6.8), "
                "L = -[y log p + (1 - y) log(1 - p)], la derivata è dL/dz = p - y: la derivata della "
                "sigmoide si semplifica e una risposta sbagliata e sicura riceve il gradiente più "
                "grande. Cambia la funzione di costo, azzera e addestra."),
                *bce, {"do": "reset"}, {"do": "train", "steps": 150}),
            page(text(
                "In practice use **BCEWithLogitsLoss** (section 6.10): the sigmoid and the "
                "cross-entropy in one numerically stable node, fed with z directly.\n\n"
                "**Question for the class:** with MSE, which points get the largest gradient: the "
                "ones that are nearly right, or the ones that are badly wrong? Is that what we want?",
                "In pratica si usa la **BCEWithLogitsLoss** (sezione 6.10): la sigmoide e l'entropia "
                "incrociata in un solo nodo numericamente stabile, che riceve direttamente z.\n\n"
                "**Domanda per la classe:** con la MSE quali punti ricevono il gradiente più grande: "
                "quelli quasi giusti o quelli molto sbagliati? È quello che vogliamo?"),
                _replace_cost("MSELoss"), {"do": "reset"}),
        ],
        goals=[
            goal("saturated_start", text("The sigmoid starts saturated (at least 90 % of its outputs)",
                                         "La sigmoide parte saturata (almeno il 90 % delle uscite)"),
                 metric="saturated:sig", op=">=", value=0.9, when="by", step=20),
            goal("mse_stalls", text("With MSE the accuracy stays at most 60 % for 150 steps",
                                    "Con la MSE l'accuratezza resta al più 60 % per 150 passi"),
                 metric="train_acc", op="<=", value=0.6, when="always"),
            goal("bce_learns",
                 text("Binary cross-entropy learns from the same start: MSE's accuracy is at most "
                      "0.7 times BCE's after 150 steps",
                      "L'entropia incrociata binaria impara dalla stessa partenza: l'accuratezza della "
                      "MSE è al più 0.7 volte quella della BCE dopo 150 passi"),
                 metric="train_acc", op="<=", value=0.7, when="end", variant={"changes": bce}),
        ],
        panels=["boundary", "loss", "activations"], speed=20)
    return graph


def class_weights():
    d = Drawing(settings(
        "Two overlapping Gaussian blobs, only a tenth of the points in class 1. A linear "
        "classifier trained with plain cross-entropy scores 97 % by favouring the majority and "
        "misses a third of the rare class; weighting class 1 nine times in the loss recovers it.",
        {"name": "gauss", "n_samples": 1000, "noise": 0.5, "class1_fraction": 0.1},
        {"name": "SGD", "lr": 0.1}, 300, batch_size=20))
    d.node("x", "Input", 0)
    d.node("lin", "Linear", 1, label="class scores", in_features=2, out_features=2)
    d.node("y", "Target", 1, 1)
    d.node("cost", "CrossEntropyLoss", 2)
    d.chain("x", "lin", "cost")
    d.edge("y", "cost", "target")
    graph = d.graph
    weighted = {"do": "set_param", "node": "cost", "param": "weight", "value": [1.0, 9.0]}
    graph.lesson = lesson(
        "losses", 3,
        text("Imbalanced classes and class weights", "Classi sbilanciate e pesi per classe"),
        text("With 90 % of one class, accuracy looks great while the rare class is missed; class "
             "weights fix it.",
             "Con il 90 % di una classe l'accuratezza sembra ottima mentre la classe rara viene "
             "persa; i pesi per classe la recuperano."),
        pages=[
            page(text(
                "Only **one point in ten** belongs to class 1, and the two blobs overlap. A linear "
                "classifier is trained with **cross-entropy** (notes, sections 6.5 and 6.6).\n\n"
                "Press **Train**. The accuracy climbs to about 97 %: it looks excellent. Now look at "
                "the confusion matrix: about a third of the class 1 points are called class 0.",
                "Solo **un punto su dieci** appartiene alla classe 1, e le due nuvole si "
                "sovrappongono. Un classificatore lineare viene addestrato con l'**entropia "
                "incrociata** (appunti, sezioni 6.5 e 6.6).\n\n"
                "Premi **Addestra**. L'accuratezza sale a circa il 97 %: sembra ottima. Ora guarda "
                "la matrice di confusione: circa un terzo dei punti della classe 1 viene assegnato "
                "alla classe 0."),
                {"do": "train", "steps": 300}),
            page(text(
                "Why? The loss is an average over the points, and nine in ten are class 0: moving the "
                "boundary into the rare class costs a few class 1 points and saves many class 0 "
                "points in the overlap. The model minimises the loss by favouring the frequent "
                "class, exactly the problem of section 6.5.1.\n\n"
                "The notes' remedy: a weight per class in the loss, L = -(1/N) sum w_y log P(y|x). Give "
                "class 1 the weight 9 (the inverse of its frequency), reset and train. The boundary "
                "moves towards class 0 and the rare class is found; the accuracy drops a little.",
                "Perché? La loss è una media sui punti, e nove su dieci sono della classe 0: spostare "
                "il confine dentro la classe rara costa pochi punti della classe 1 e ne salva molti "
                "della classe 0 nella zona di sovrapposizione. Il modello minimizza la loss favorendo "
                "la classe frequente, proprio il problema della sezione 6.5.1.\n\n"
                "Il rimedio degli appunti: un peso per classe nella loss, "
                "L = -(1/N) sum w_y log P(y|x). Dai alla classe 1 il peso 9 (l'inverso della sua "
                "frequenza), azzera e addestra. Il confine si sposta verso la classe 0 e la classe "
                "rara viene trovata; l'accuratezza scende di poco."),
                weighted, {"do": "reset"}, {"do": "train", "steps": 300}),
            page(text(
                "**Question for the class:** a test for a rare disease is right 99 % of the time by "
                "always answering \"healthy\". Is it a good test? Which number would you look at "
                "instead of the accuracy? The notes add that a balanced dataset is better still than "
                "weights: why?",
                "**Domanda per la classe:** un test per una malattia rara ha ragione il 99 % delle "
                "volte rispondendo sempre \"sano\". È un buon test? Quale numero guardereste al posto "
                "dell'accuratezza? Gli appunti aggiungono che un dataset bilanciato è meglio ancora "
                "dei pesi: perché?"),
                {"do": "set_param", "node": "cost", "param": "weight", "value": None}, {"do": "reset"}),
        ],
        goals=[
            goal("looks_good", text("The accuracy looks excellent: at least 93 %",
                                    "L'accuratezza sembra ottima: almeno il 93 %"),
                 metric="train_acc", op=">=", value=0.93, when="end"),
            goal("misses_rare", text("... yet at most 80 % of the class 1 points are recognised (recall)",
                                     "... eppure al più l'80 % dei punti della classe 1 viene "
                                     "riconosciuto (richiamo)"),
                 metric="recall:1", op="<=", value=0.8, when="end"),
            goal("weights_find_it",
                 text("With class weights [1, 9] the recall of class 1 rises: without them it is at most "
                      "0.8 times as high",
                      "Con i pesi per classe [1, 9] il richiamo della classe 1 sale: senza è al più 0.8 "
                      "volte tanto"),
                 metric="recall:1", op="<=", value=0.8, when="end", variant={"changes": [weighted]}),
        ],
        panels=["confusion", "boundary", "loss"], speed=40)
    return graph


LESSONS = {"l1_vs_l2_outliers": l1_vs_l2_outliers, "bce_vs_mse": bce_vs_mse,
           "class_weights": class_weights}
