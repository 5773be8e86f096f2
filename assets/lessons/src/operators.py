"""Chapter "operators": the Fourier neural operator (seed slides 000; Li et al., 2021) learns
the solution map of a PDE, u(x, 0) -> u(x, T), from pairs of functions solved by our own
spectral solver (engine.data.pde), and, trained on one grid, predicts on a grid twice as fine."""
from _drawing import Drawing, goal, lesson, page, settings, set_param, text, train

WIDTH = 16
#: the operator metrics run the model on every test function at two resolutions: every 20
#: steps is often enough for the goals and the curves
PROBE_EVERY = 20


def _fno(d, modes, last_activation):
    """Input -> lifting (kernel-1 Conv1d) -> two FNO blocks -> projection -> MSE."""
    d.node("x", "Input", 0)
    d.node("lift", "Conv1d", 1, in_channels=1, out_channels=WIDTH, kernel_size=1)
    d.node("fno1", "FNOBlock", 2, channels=WIDTH, modes=modes, activation="gelu")
    d.node("fno2", "FNOBlock", 3, channels=WIDTH, modes=modes, activation=last_activation)
    d.node("project", "Conv1d", 4, in_channels=WIDTH, out_channels=1, kernel_size=1)
    d.node("y", "Target", 4, 1)
    d.node("cost", "MSELoss", 5)
    d.chain("x", "lift", "fno1", "fno2", "project", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def fno_heat():
    steps = 200
    d = Drawing(settings(
        "A Fourier neural operator learns the heat equation's solution map u(x, 0) -> u(x, 0.5) on "
        "64 grid points, then predicts on 128 points without retraining.",
        {"name": "heat-1d", "resolution": 64, "n_samples": 600}, {"name": "Adam", "lr": 0.005}, steps,
        batch_size=20, probe_every=PROBE_EVERY))
    graph = _fno(d, 8, "none")
    graph.lesson = lesson(
        "operators", 1,
        text("A Fourier neural operator solves the heat equation",
             "Un operatore neurale di Fourier risolve l'equazione del calore"),
        text("An FNO learns the map from the initial temperature u(x, 0) to u(x, T), and the same "
             "trained model works on a grid twice as fine.",
             "Una FNO impara la mappa dalla temperatura iniziale u(x, 0) a u(x, T), e lo stesso "
             "modello addestrato funziona su una griglia due volte più fine."),
        pages=[
            page(text(
                "Each sample is a whole **function**: a random smooth temperature profile u(x, 0) on "
                "a ring of 64 points, and the target is the profile after the heat equation "
                "u_t = ν u_xx has run until T = 0.5. Our solver computes it exactly in Fourier "
                "space: the mode of frequency k fades by exp(−ν (2πk)² T), so the fine wiggles "
                "vanish and the broad ones stay.\n\n"
                "The network is a **Fourier neural operator**: a kernel-1 convolution lifts each "
                "point to 16 channels, two **FNO blocks** each take the FFT, keep the lowest 8 "
                "modes, multiply them by learned complex weights and transform back (plus a "
                "pointwise 1×1 path), and a kernel-1 convolution projects back to one channel. "
                "Press **Train** and watch the **Operator** view: dashed curves are the true "
                "solutions, solid ones the predictions.",
                "Ogni campione è un'intera **funzione**: un profilo di temperatura liscio e casuale "
                "u(x, 0) su un anello di 64 punti, e l'obiettivo è il profilo dopo che l'equazione "
                "del calore u_t = ν u_xx ha agito fino a T = 0,5. Il nostro risolutore lo calcola "
                "esattamente nello spazio di Fourier: il modo di frequenza k si smorza di "
                "exp(−ν (2πk)² T), così le oscillazioni fini svaniscono e quelle ampie restano.\n\n"
                "La rete è un **operatore neurale di Fourier**: una convoluzione con kernel 1 porta "
                "ogni punto a 16 canali, due **blocchi FNO** prendono ciascuno la FFT, tengono gli "
                "8 modi più bassi, li moltiplicano per pesi complessi appresi e tornano indietro "
                "(più un ramo puntuale 1×1), e una convoluzione con kernel 1 riproietta su un "
                "canale. Premi **Addestra** e guarda la vista **Operatore**: le curve tratteggiate "
                "sono le soluzioni vere, quelle continue le previsioni."),
                train(steps)),
            page(text(
                "The right-hand plot evaluates the **same trained model** on the same test "
                "functions sampled at **128 points**, twice as many as it was trained on. Its "
                "error stays close to the error at 64 points: the weights belong to Fourier modes, "
                "not to grid points, so the model has learned a map between functions, not between "
                "vectors of length 64. A Linear layer over the 64 values could not even be fed "
                "128.\n\n"
                "**Question for the class:** the heat equation multiplies each Fourier mode by a "
                "number. How few of the FNO's layers would be enough to represent it exactly?",
                "Il grafico a destra valuta lo **stesso modello addestrato** sulle stesse funzioni "
                "di test campionate su **128 punti**, il doppio di quelli dell'addestramento. Il suo "
                "errore resta vicino a quello su 64 punti: i pesi appartengono ai modi di Fourier, "
                "non ai punti della griglia, quindi il modello ha imparato una mappa tra funzioni, "
                "non tra vettori di lunghezza 64. Uno strato Linear sui 64 valori non potrebbe "
                "nemmeno ricevere 128 valori.\n\n"
                "**Domanda per la classe:** l'equazione del calore moltiplica ogni modo di Fourier "
                "per un numero. Quanti strati della FNO basterebbero a rappresentarla esattamente?")),
            page(text(
                "**Try next:** keep only 2 modes in each block (the button sets both) and train "
                "again from the start: the error cannot fall as far, because the modes 3 to 8 of "
                "the initial condition, which have not all faded by T, can no longer pass.",
                "**Prova poi:** tieni solo 2 modi in ogni blocco (il pulsante li imposta entrambi) "
                "e addestra di nuovo da capo: l'errore non può scendere altrettanto, perché i modi "
                "da 3 a 8 della condizione iniziale, non tutti spenti al tempo T, non possono più "
                "passare."),
                set_param("fno1", "modes", 2), set_param("fno2", "modes", 2), {"do": "reset"},
                train(steps)),
        ],
        goals=[
            goal("accurate", text("The relative L2 error on the test functions is at most 5 %",
                                  "L'errore L2 relativo sulle funzioni di test è al più il 5 %"),
                 metric="operator_error", op="<=", value=0.05, when="end"),
            goal("finer", text("The same model on the grid twice as fine stays within 10 %",
                               "Lo stesso modello sulla griglia due volte più fine resta entro il 10 %"),
                 metric="operator_error_fine", op="<=", value=0.10, when="end"),
        ],
        panels=["operator", "loss"], speed=30)
    return graph


def fno_burgers():
    steps = 200
    d = Drawing(settings(
        "A Fourier neural operator learns the viscous Burgers equation's solution map u(x, 0) -> "
        "u(x, 0.5), a nonlinear one: without the nonlinearity in its blocks it cannot.",
        {"name": "burgers-1d", "resolution": 64, "n_samples": 400}, {"name": "Adam", "lr": 0.01}, steps,
        batch_size=20, probe_every=PROBE_EVERY))
    graph = _fno(d, 12, "gelu")
    linear = [set_param("fno1", "activation", "none"), set_param("fno2", "activation", "none")]
    graph.lesson = lesson(
        "operators", 2,
        text("A Fourier neural operator learns Burgers' equation",
             "Un operatore neurale di Fourier impara l'equazione di Burgers"),
        text("Burgers' equation is nonlinear: fronts steepen. The FNO learns its solution map, and "
             "only thanks to the nonlinearity between its Fourier layers.",
             "L'equazione di Burgers è non lineare: i fronti si irripidiscono. La FNO impara la sua "
             "mappa di soluzione, e solo grazie alla non linearità tra i suoi strati di Fourier."),
        pages=[
            page(text(
                "**Burgers' equation** u_t + u u_x = ν u_xx is the simplest model of a fluid: each "
                "point of the profile moves at its own speed u, so the high parts overtake the low "
                "ones and the fronts steepen, until the viscosity ν = 0.02 rounds them off. Our "
                "solver is pseudo-spectral: it forms u² on the grid, removes the modes that would "
                "alias (the 2/3 rule), integrates the viscous term exactly and the rest with RK4.\n\n"
                "The network is the FNO of the heat lesson with 12 modes and a **GELU** after both "
                "blocks. Press **Train** and compare, in the **Operator** view, the dashed true "
                "solutions with the predictions, at 64 points and at 128.",
                "L'**equazione di Burgers** u_t + u u_x = ν u_xx è il modello più semplice di un "
                "fluido: ogni punto del profilo si muove con la propria velocità u, così le parti "
                "alte sorpassano quelle basse e i fronti si irripidiscono, finché la viscosità "
                "ν = 0,02 non li arrotonda. Il nostro risolutore è pseudo-spettrale: forma u² sulla "
                "griglia, toglie i modi che darebbero aliasing (la regola dei 2/3), integra "
                "esattamente il termine viscoso e il resto con RK4.\n\n"
                "La rete è la FNO della lezione sul calore con 12 modi e una **GELU** dopo entrambi "
                "i blocchi. Premi **Addestra** e confronta, nella vista **Operatore**, le soluzioni "
                "vere tratteggiate con le previsioni, a 64 punti e a 128."),
                train(steps)),
            page(text(
                "Now take the nonlinearity away: the buttons set both blocks' activation to none. "
                "Reset and train again.\n\n"
                "Every node is then linear (the Fourier layers, the 1×1 convolutions), so the whole "
                "network is one linear map. That was enough for the heat equation, which is linear "
                "itself; Burgers' is not, and the error stays many times higher. A neural operator "
                "needs its nonlinearity for the same reason an MLP does.",
                "Ora togli la non linearità: i pulsanti impostano a none l'attivazione di entrambi i "
                "blocchi. Azzera e addestra di nuovo.\n\n"
                "Ogni nodo è allora lineare (gli strati di Fourier, le convoluzioni 1×1), quindi "
                "tutta la rete è una sola mappa lineare. Bastava per l'equazione del calore, che è "
                "lineare anch'essa; quella di Burgers no, e l'errore resta molte volte più alto. Un "
                "operatore neurale ha bisogno della sua non linearità per la stessa ragione di un MLP."),
                *linear, {"do": "reset"}, train(steps)),
        ],
        goals=[
            goal("accurate", text("The relative L2 error on the test functions is at most 8 %",
                                  "L'errore L2 relativo sulle funzioni di test è al più l'8 %"),
                 metric="operator_error", op="<=", value=0.08, when="end"),
            goal("finer", text("The same model on the grid twice as fine stays within 10 %",
                               "Lo stesso modello sulla griglia due volte più fine resta entro il 10 %"),
                 metric="operator_error_fine", op="<=", value=0.10, when="end"),
            goal("nonlinear", text("Without the activations (a linear network) the error is at least "
                                   "4 times higher",
                                   "Senza le attivazioni (una rete lineare) l'errore è almeno 4 volte "
                                   "più alto"),
                 metric="operator_error", op="<=", value=0.25, when="end", variant={"changes": linear}),
        ],
        panels=["operator", "loss"], speed=30)
    return graph


LESSONS = {"fno_heat": fno_heat, "fno_burgers": fno_burgers}
