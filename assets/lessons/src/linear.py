"""Chapter 1, linear regression: y = w x + b found by gradient descent."""
from _drawing import Drawing, goal, lesson, page, settings, text

#: the training set is 80 % of 200 points: one batch holds all of it (plain gradient descent)
N_SAMPLES, N_TRAIN = 200, 160


def linear_regression():
    d = Drawing(settings(
        "Linear regression by gradient descent: one Linear node (y = w x + b) and the mean squared "
        "error. Gradient descent walks w and b to the least-squares line of the data.",
        {"name": "line", "n_samples": N_SAMPLES, "noise": 0.3, "slope": 2.0, "intercept": 0.5},
        {"name": "SGD", "lr": 0.1}, 120, batch_size=N_TRAIN, task="regression", eval_every=5,
        probe_every=5))
    d.node("x", "Input", 0, label="x")
    d.node("line", "Linear", 1, label="w·x + b", in_features=1, out_features=1)
    d.node("y", "Target", 1, 1, label="y")
    d.node("cost", "MSELoss", 2, label="mean squared error")
    d.chain("x", "line", "cost")
    d.edge("y", "cost", "target")
    d.graph.lesson = lesson(
        "linear", 1,
        text("Linear regression by gradient descent",
             "Regressione lineare con la discesa del gradiente"),
        text("One Linear node, y = w·x + b, and the mean squared error: gradient descent finds the "
             "least-squares line.",
             "Un solo nodo Linear, y = w·x + b, e l'errore quadratico medio: la discesa del gradiente "
             "trova la retta dei minimi quadrati."),
        pages=[
            page(text(
                "The points {(x_i, y_i)} lie around a line, with noise. We look for the line "
                "y = w·x + b that best approximates them (course notes 000 and 001, \"Regressione "
                "lineare\"). The graph is the whole model: the input x, one Linear node holding w "
                "and b, and the cost, the mean squared error between w·x_i + b and y_i.\n\n"
                "Press **Play**. Watch the line in the **Function fit** panel turn towards the "
                "points, and "
                "the loss fall in the **Loss and metrics** panel.",
                "I punti {(x_i, y_i)} stanno attorno a una retta, con del rumore. Cerchiamo la retta "
                "y = w·x + b che li approssima meglio (appunti 000 e 001, \"Regressione lineare\"). "
                "Il grafo è tutto il modello: l'ingresso x, un nodo Linear che contiene w e b, e la "
                "funzione di costo, l'errore quadratico medio tra w·x_i + b e y_i.\n\n"
                "Premi **Avvia**. Osserva la retta nel pannello **Adattamento della funzione** che "
                "ruota "
                "verso i punti e la funzione di costo che scende nel pannello **Loss e metriche**."),
                {"do": "train", "steps": 120}, {"do": "show_panel", "panel": "fit"}),
            page(text(
                "Every step is one step of the gradient method of the notes (001, \"metodo del "
                "gradiente\"): p ← p − η ∇C(p), with p = (w, b) and the learning rate η = 0.1. The "
                "batch holds the whole training set, so this is plain gradient descent, not its "
                "stochastic version. The **Loss landscape and trajectory** panel draws the path "
                "of (w, b): it runs "
                "straight down the valley of the cost.\n\n"
                "For a line the best (w, b) also has a closed form, the least-squares solution. The "
                "goal below checks that gradient descent gets within 1 % of it. Note that it is the "
                "line of *these* points: the noise moves it away from the line the data were drawn "
                "from (slope 2, intercept 0.5).",
                "Ogni passo è un passo del metodo del gradiente degli appunti (001): p ← p − η ∇C(p), "
                "con p = (w, b) e learning rate η = 0,1. Il batch contiene tutto l'insieme di "
                "addestramento, quindi è la discesa del gradiente classica, non la sua versione "
                "stocastica. Il pannello **Paesaggio della loss e traiettoria** disegna il "
                "cammino di (w, b): scende dritto "
                "lungo la valle della funzione di costo.\n\n"
                "Per una retta il miglior (w, b) ha anche una forma chiusa, la soluzione ai minimi "
                "quadrati. L'obiettivo qui sotto controlla che la discesa del gradiente arrivi entro "
                "l'1 % da essa. È la retta di *questi* punti: il rumore la sposta dalla retta da cui "
                "i dati sono stati generati (pendenza 2, intercetta 0,5)."),
                {"do": "show_panel", "panel": "trajectory"}),
            page(text(
                "Now change the learning rate (course notes 003, section 7.1.1). With η = 0.02 the "
                "steps are five times shorter: after 120 steps the line is still far from the "
                "points. With η = 1.1 each step overshoots the bottom of the valley, lands higher on "
                "the other side, and the loss explodes.\n\n"
                "Question for the class: the cost is a parabola in b with second derivative 2. Why "
                "does any η above 1 make b diverge?",
                "Ora cambia il learning rate (appunti 003, sezione 7.1.1). Con η = 0,02 i passi sono "
                "cinque volte più corti: dopo 120 passi la retta è ancora lontana dai punti. Con "
                "η = 1,1 ogni passo supera il fondo della valle, atterra più in alto dall'altra "
                "parte, e la funzione di costo esplode.\n\n"
                "Domanda per la classe: la funzione di costo è una parabola in b con derivata seconda "
                "2. Perché ogni η maggiore di 1 fa divergere b?"),
                {"do": "set_setting", "key": "optimizer.lr", "value": 0.02},
                {"do": "set_setting", "key": "optimizer.lr", "value": 1.1},
                {"do": "set_setting", "key": "optimizer.lr", "value": 0.1},
                {"do": "reset"}),
        ],
        goals=[
            goal("closed_form", text("w and b end within 1 % of the least-squares solution",
                                     "w e b finiscono entro l'1 % dalla soluzione ai minimi quadrati"),
                 metric="lstsq_error:line", op="<", value=0.01, when="end"),
            goal("slow", text("With η = 0.02 they are still over 10 times farther from it after "
                              "120 steps",
                              "Con η = 0,02 dopo 120 passi ne sono ancora più di 10 volte più "
                              "lontani"),
                 metric="lstsq_error:line", op="<", value=0.1, when="end",
                 variant={"changes": [{"do": "set_setting", "key": "optimizer.lr", "value": 0.02}]}),
        ],
        panels=["fit", "loss", "trajectory"], speed=20)
    return d.graph


LESSONS = {"linear_regression": linear_regression}
