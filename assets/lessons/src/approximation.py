"""Chapter 4, universal approximation: one hidden layer of sigmoids fits sin, better as it widens."""
from _drawing import Drawing, goal, lesson, page, settings, text

WIDTH, STEPS = 8, 600


def _width(n):
    """The changes that give the hidden layer ``n`` units."""
    return [{"do": "set_param", "node": "hidden", "param": "out_features", "value": n},
            {"do": "set_param", "node": "output", "param": "in_features", "value": n}]


def universal_approximation():
    d = Drawing(settings(
        "One hidden layer of sigmoids approximates sin(pi x) on [-1, 1], that is sin on [-pi, pi]: "
        "the universal approximation theorem. The error falls as the layer widens (2, 8, 32 units).",
        {"name": "sin", "n_samples": 200, "noise": 0.0, "frequency": 1.0},
        {"name": "Adam", "lr": 0.02},
        STEPS, batch_size=32, task="regression", eval_every=50))
    d.node("x", "Input", 0, label="x (angle / π)")
    d.node("hidden", "Linear", 1, label="hidden layer", in_features=1, out_features=WIDTH)
    d.node("sigma", "Sigmoid", 2, label="σ")
    d.node("output", "Linear", 3, label="Σ cᵢ σ(wᵢx + bᵢ) + c₀", in_features=WIDTH, out_features=1)
    d.node("y", "Target", 3, 1, label="sin(πx)")
    d.node("cost", "MSELoss", 4)
    d.chain("x", "hidden", "sigma", "output", "cost")
    d.edge("y", "cost", "target")
    d.graph.lesson = lesson(
        "approximation", 1,
        text("One hidden layer approximates any function",
             "Un solo strato nascosto approssima ogni funzione"),
        text("A sum of sigmoids, one per hidden unit, fits sin on [-π, π]; the more units, the "
             "smaller the error.",
             "Una somma di sigmoidi, una per unità nascosta, approssima il seno su [-π, π]; più unità, "
             "errore più piccolo."),
        pages=[
            page(text(
                "The theorem in the notes (001; 003, section 4.3): if σ is sigmoidal (it goes from 0 "
                "at -∞ to 1 at +∞), networks with one hidden layer are dense in the continuous "
                "functions on a closed and bounded set: for every continuous f and every ε > 0 some "
                "network f_θ has ‖f − f_θ‖∞ < ε.\n\n"
                "The network here is exactly such a sum: f_θ(x) = c₀ + Σᵢ cᵢ σ(wᵢx + bᵢ) with "
                f"{WIDTH} hidden units. The target is sin(πx) for x in [-1, 1], which is sin on "
                "[-π, π]. Press **Play** and watch the curve in the **Function fit** panel.",
                "Il teorema degli appunti (001; 003, sezione 4.3): se σ è sigmoidale (va da 0 a -∞ "
                "a 1 a +∞), le reti con un solo strato nascosto sono dense nelle funzioni continue "
                "su un insieme chiuso e limitato: per ogni f continua e ogni ε > 0 esiste una rete "
                "f_θ con ‖f − f_θ‖∞ < ε.\n\n"
                "La rete qui è proprio una somma così: f_θ(x) = c₀ + Σᵢ cᵢ σ(wᵢx + bᵢ) con "
                f"{WIDTH} unità nascoste. Il target è sin(πx) per x in [-1, 1], cioè il seno su "
                "[-π, π]. Premi **Avvia** e osserva la curva nel pannello **Adattamento della "
                "funzione**."),
                {"do": "train", "steps": STEPS}, {"do": "show_panel", "panel": "fit"}),
            page(text(
                "Each hidden unit adds one smooth step σ(wᵢx + bᵢ), placed at x = −bᵢ/wᵢ with "
                "steepness wᵢ, and the output weights cᵢ stack the steps into the curve. With two "
                "units the network can make only two bends: try it with the first two buttons (the "
                "hidden layer's outputs and the output layer's inputs must match), press **Reset** "
                "and **Play**. Then try 32 units with the next two.\n\n"
                f"The goals compare the test error after {STEPS} steps for 2, 8 and 32 hidden units. "
                "Question for the class: the theorem says a network exists for every ε. Does it say "
                "how many units it needs, or that gradient descent will find it?",
                "Ogni unità nascosta aggiunge un gradino morbido σ(wᵢx + bᵢ), posto in x = −bᵢ/wᵢ e "
                "ripido quanto wᵢ, e i pesi d'uscita cᵢ impilano i gradini fino a formare la curva. "
                "Con due unità la rete può fare solo due curve: provalo con i primi due pulsanti (le "
                "uscite dello strato nascosto e gli ingressi dello strato d'uscita devono coincidere), "
                "premi **Azzera** e **Avvia**. Poi prova 32 unità con i due successivi.\n\n"
                f"Gli obiettivi confrontano l'errore di test dopo {STEPS} passi con 2, 8 e 32 unità "
                "nascoste. Domanda per la classe: il teorema dice che per ogni ε una rete esiste. "
                "Dice quante unità servono, o che la discesa del gradiente la troverà?"),
                *_width(2), *_width(32), {"do": "reset"}),
        ],
        goals=[
            goal("fits", text(f"{WIDTH} units fit the sine: test error below 0.08",
                              f"{WIDTH} unità approssimano il seno: errore di test sotto 0,08"),
                 metric="test_loss", op="<", value=0.08, when="end"),
            goal("beats_2", text(f"{WIDTH} units end with under 0.7 times the error of 2 units",
                                 f"{WIDTH} unità finiscono con meno di 0,7 volte l'errore di 2 unità"),
                 metric="test_loss", op="<", value=0.7, when="end", variant={"changes": _width(2)}),
            goal("beaten_by_32", text(f"32 units end with under 1/1.3 of the error of {WIDTH} units",
                                      f"32 unità finiscono con meno di 1/1,3 dell'errore di {WIDTH} "
                                      "unità"),
                 metric="test_loss", op=">", value=1.3, when="end", variant={"changes": _width(32)}),
        ],
        panels=["fit", "loss", "activations"], speed=100)
    return d.graph


LESSONS = {"universal_approximation": universal_approximation}
