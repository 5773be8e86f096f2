"""Chapter 17, generative models (course notes 003, sections 18.5 and 15): flow matching. The
notes' VelocityNet is drawn as a graph and trained on the straight paths from Gaussian noise to
the two moons; the Flow panel integrates the learned field from noise and shows the samples land
on the moons while the loss stays high (the paths cross: the network learns their average).
Then a diffusion model: the same network predicts the noise added to the data (DDPM), and the
panel generates by DDIM steps from noise."""
from _drawing import Drawing, goal, lesson, page, settings, text, train

#: scikit-learn's make_moons, unscaled (x in [-1, 2]), with jitter of standard deviation 0.05
MOONS = {"name": "gen-moons", "n_samples": 1000, "noise": 0.05}
STEPS = 1000
#: the notes' VelocityNet(input_dim=2, h_dim=64)
HIDDEN = 64


#: both lessons' first goal: samples of the learned model land on the data
ON_DATA = goal("on_data", text("The generated samples land on the moons: median distance to the "
                               "nearest data point at most 0.1",
                               "I campioni generati cadono sulle lune: distanza mediana dal punto "
                               "dei dati più vicino al più 0,1"),
               metric="flow_sample_distance", op="<=", value=0.1, when="end")


def _velocity_net(d):
    """cat(x_t, t) -> fc_in -> GELU -> fc2 -> GELU -> fc3 -> GELU -> fc_out, named as in the
    notes' code, on two rows like two lines of it; returns the id of its output."""
    d.node("cat", "Concat", 1, 2)
    places = ((2, 2), (3, 2), (4, 2), (5, 2), (2, 3.5), (3, 3.5))
    prev, width = "cat", 3
    for i, name in enumerate(("fc_in", "fc2", "fc3")):
        (lc, lr), (ac, ar) = places[2 * i], places[2 * i + 1]
        d.node(name, "Linear", lc, lr, in_features=width, out_features=HIDDEN)
        d.node(f"gelu{i + 1}", "GELU", ac, ar)
        d.chain(prev, name, f"gelu{i + 1}")
        prev, width = f"gelu{i + 1}", HIDDEN
    d.node("fc_out", "Linear", 4, 3.5, in_features=HIDDEN, out_features=2)
    d.edge(prev, "fc_out")
    return "fc_out"


def _generative(d, path_type, ports, target):
    """The data, its noise and a time, the path node (``ports``: its data and noise inputs,
    named like the nodes feeding them), and the network on (x_t, t) trained with the mean
    squared error against the path's ``target``."""
    data, noise = ports
    # the sources under one another, the path, then the network on two rows below
    d.node(data, "Input", 0, 0)
    d.node(noise, "RandomNormal", 0, 1)
    d.node("t", "TimeSample", 0, 2)
    d.edge(data, noise, "like")
    d.edge(data, "t", "like")
    d.node("path", path_type, 1, 0)
    d.edge(data, "path", data)
    d.edge(noise, "path", noise)
    d.edge("t", "path", "t")
    out = _velocity_net(d)
    d.edge("path", "cat", "inputs", "x_t")
    d.edge("t", "cat", "inputs")
    d.node("cost", "MSELoss", 5, 3.5)
    d.edge(out, "cost")
    d.edge("path", "cost", "target", target)
    return d.graph


def flow_matching_moons():
    d = Drawing(settings(
        "Flow matching on the two moons (notes, section 18.5): noise x0 ~ N(0, 1), a data point "
        "x1 and a time t ~ U(0, 1) give the point x_t = (1 - t) x0 + t x1 on the straight path and "
        "its velocity x1 - x0; the notes' VelocityNet (4 linear layers of 64 units with GELU) "
        "learns to predict that velocity from (x_t, t).",
        MOONS, {"name": "Adam", "lr": 0.003}, STEPS, batch_size=256, eval_every=100))
    graph = _generative(d, "FlowPath", ("x1", "x0"), "velocity")
    graph.lesson = lesson(
        "generative", 4,
        text("Flow matching: from noise to the moons", "Flow matching: dal rumore alle lune"),
        text("A network learns the velocity field that carries Gaussian noise onto the data; "
             "integrating it turns noise into new samples.",
             "Una rete impara il campo di velocità che porta il rumore gaussiano sui dati; "
             "integrandolo, il rumore diventa nuovi campioni."),
        pages=[
            page(text(
                "The data are 800 points on **two moons**. We want a network that turns Gaussian "
                "noise into new points like these.\n\n"
                "Flow matching (notes, section 18.5) pairs each data point **x1** with a noise "
                "point **x0** ~ N(0, 1) and draws a time **t** in [0, 1]. The point that moves at "
                "constant speed from x0 to x1 is at **x_t = (1 - t) x0 + t x1** at time t, with "
                "velocity **x1 - x0** (the FlowPath node). The notes' **VelocityNet** (fc_in, "
                "fc2, fc3, fc_out with GELU) reads (x_t, t) and is trained with the mean squared "
                "error to predict that velocity.\n\n"
                "Press **Train**.",
                "I dati sono 800 punti su **due lune**. Vogliamo una rete che trasformi rumore "
                "gaussiano in nuovi punti come questi.\n\n"
                "Il flow matching (appunti, sezione 18.5) accoppia ogni punto dei dati **x1** con "
                "un punto di rumore **x0** ~ N(0, 1) ed estrae un tempo **t** in [0, 1]. Il punto "
                "che si muove a velocità costante da x0 a x1 al tempo t si trova in "
                "**x_t = (1 - t) x0 + t x1**, con velocità **x1 - x0** (il nodo FlowPath). La "
                "**VelocityNet** degli appunti (fc_in, fc2, fc3, fc_out con GELU) legge (x_t, t) "
                "ed è addestrata con l'errore quadratico medio a predire quella velocità.\n\n"
                "Premi **Addestra**."),
                train(200)),
            page(text(
                "The **Flow** panel starts from 256 fixed noise points and follows the learned "
                "field, dx/dt = v(x, t), from t = 0 to t = 1 in 20 small Euler steps. The dark "
                "points are where they arrive: the generated samples. The grey lines are the "
                "paths of some of them. Before training they stayed where they were, about 0.32 "
                "from the nearest data point.\n\n"
                "Train to the end and watch the samples settle on the moons.",
                "Il pannello **Flusso** parte da 256 punti di rumore fissi e segue il campo "
                "appreso, dx/dt = v(x, t), da t = 0 a t = 1 in 20 piccoli passi di Eulero. I punti "
                "scuri sono dove arrivano: i campioni generati. Le linee grigie sono i percorsi di "
                "alcuni di essi. Prima dell'addestramento restavano dov'erano, a circa 0,32 dal "
                "punto dei dati più vicino.\n\n"
                "Addestra fino alla fine e guarda i campioni posarsi sulle lune."),
                train(STEPS - 200)),
            page(text(
                "The samples lie on the moons, yet the **loss stays near 1**: it never gets close "
                "to zero. The straight paths of different pairs cross, and where they cross the "
                "network is asked for two different velocities at the same (x_t, t): the notes' "
                "*problem of confusion*. It can only learn their average, the \"wind map\" that "
                "moves the whole distribution, and that is exactly what carries noise to data.\n\n"
                "Press the play button in the Flow panel to sweep t from 0 to 1: the noise pours "
                "into the moons. The paths are curved, which is why the integration needs several "
                "steps (Reflow, section 18.5.4, straightens them).\n\n"
                "**Question for the class:** why must the network read t as well as x_t? What "
                "would it learn without it?",
                "I campioni stanno sulle lune, eppure la **loss resta vicina a 1**: non si avvicina "
                "mai a zero. I percorsi rettilinei di coppie diverse si incrociano, e dove si "
                "incrociano alla rete si chiedono due velocità diverse nello stesso (x_t, t): il "
                "*problema della confusione* degli appunti. Può imparare solo la loro media, la "
                "\"mappa del vento\" che sposta l'intera distribuzione, ed è proprio questa che "
                "porta il rumore sui dati.\n\n"
                "Premi il pulsante play nel pannello Flusso per far scorrere t da 0 a 1: il rumore "
                "si riversa nelle lune. I percorsi sono curvi, ed è per questo che l'integrazione "
                "richiede diversi passi (il Reflow, sezione 18.5.4, li raddrizza).\n\n"
                "**Domanda per la classe:** perché la rete deve leggere t oltre a x_t? Che cosa "
                "imparerebbe senza?")),
        ],
        goals=[
            ON_DATA,
            goal("loss_floor", text("... while the loss stays above 0.7: the paths cross, so it "
                                    "cannot reach zero",
                                    "... mentre la loss resta sopra 0,7: i percorsi si incrociano, "
                                    "quindi non può arrivare a zero"),
                 metric="train_loss", op=">=", value=0.7, when="end"),
        ],
        panels=[{"panel": "flow", "options": {"trajectories": True, "time": 1.0}}, "loss"], speed=50)
    return graph


#: the denoising lesson trains longer, its learning rate annealed to 0 (a cosine over the
#: run's epochs: 800 points in batches of 256), so the noise predictor settles
DENOISING_STEPS = 1500
DENOISING_EPOCHS = DENOISING_STEPS * 256 // 800


def denoising_moons():
    d = Drawing(settings(
        "A diffusion model on the two moons (notes, section 15): each data point x0 is noised to "
        "a random level t, x_t = cos(pi t / 2) x0 + sin(pi t / 2) eps, and the network (the "
        "VelocityNet of the flow-matching lesson) learns to predict the noise eps from (x_t, t): "
        "DDPM's L_simple. Generating runs the noising backwards with DDIM steps.",
        MOONS, {"name": "Adam", "lr": 0.003}, DENOISING_STEPS, batch_size=256, eval_every=100,
        schedule={"name": "CosineAnnealingLR", "T_max": DENOISING_EPOCHS}))
    graph = _generative(d, "DiffusionPath", ("x0", "eps"), "noise")
    graph.lesson = lesson(
        "generative", 5,
        text("Diffusion: learning to remove the noise", "Diffusione: imparare a togliere il rumore"),
        text("A noise predictor learns which noise was added to the data; running the noising "
             "backwards from pure noise generates new points.",
             "Un predittore del rumore impara quale rumore è stato aggiunto ai dati; percorrendo "
             "all'indietro l'aggiunta di rumore a partire da rumore puro si generano nuovi punti."),
        pages=[
            page(text(
                "A diffusion model (notes, section 15.4) trains a **noise predictor**: take a data "
                "point **x0**, draw an amount of noise, corrupt the point with it, and train the "
                "network to predict the noise that was added.\n\n"
                "Here the amount is a level **t** in [0, 1] and the DiffusionPath node computes "
                "**x_t = cos(pi t / 2) x0 + sin(pi t / 2) eps**: t = 0 is the data, t = 1 pure "
                "noise. The network is the same as in the flow-matching lesson; the mean squared "
                "error against **eps** is the notes' L_simple (DDPM, eq. 5).\n\n"
                "Press **Train**.",
                "Un modello di diffusione (appunti, sezione 15.4) addestra un **predittore del "
                "rumore**: si prende un punto dei dati **x0**, si estrae una quantità di rumore, si "
                "corrompe il punto con esso e si addestra la rete a predire il rumore aggiunto.\n\n"
                "Qui la quantità è un livello **t** in [0, 1] e il nodo DiffusionPath calcola "
                "**x_t = cos(pi t / 2) x0 + sin(pi t / 2) eps**: t = 0 sono i dati, t = 1 rumore "
                "puro. La rete è la stessa della lezione sul flow matching; l'errore quadratico "
                "medio rispetto a **eps** è la L_simple degli appunti (DDPM, eq. 5).\n\n"
                "Premi **Addestra**."),
                train(300)),
            page(text(
                "To generate, the **Flow** panel starts from 256 fixed noise points at t = 0.97 "
                "and takes 20 **DDIM** steps (notes, eq. 6) down to t = 0: at each level the "
                "predicted noise gives an estimate of the clean point, which is then noised again "
                "to the next, lower level. No new noise is drawn: the steps are deterministic.\n\n"
                "Train to the end; the learning rate decreases to zero meanwhile, so the samples "
                "settle.",
                "Per generare, il pannello **Flusso** parte da 256 punti di rumore fissi a t = 0,97 "
                "e compie 20 passi **DDIM** (appunti, eq. 6) fino a t = 0: a ogni livello il rumore "
                "predetto dà una stima del punto pulito, che viene di nuovo rumorizzata al livello "
                "successivo, più basso. Non si estrae nuovo rumore: i passi sono deterministici.\n\n"
                "Addestra fino alla fine; intanto il learning rate scende a zero, così i campioni "
                "si assestano."),
                train(DENOISING_STEPS - 300)),
            page(text(
                "The samples lie on the moons, while the loss stays well above zero: from a noisy "
                "point alone the network cannot tell exactly which noise was added, only its "
                "average given what it sees, and that average is what the steps need.\n\n"
                "Drag the time slider of the Flow panel: the noise sharpens into the moons only in "
                "the last steps, at low noise levels.\n\n"
                "**Question for the class:** at which noise level is predicting the noise "
                "easiest, near t = 0 or near t = 1? And the clean point?",
                "I campioni stanno sulle lune, mentre la loss resta ben sopra zero: da un punto "
                "rumoroso la rete non può sapere esattamente quale rumore è stato aggiunto, solo "
                "la sua media dato ciò che vede, ed è quella media che serve ai passi.\n\n"
                "Trascina il cursore del tempo nel pannello Flusso: il rumore si condensa nelle "
                "lune solo negli ultimi passi, a bassi livelli di rumore.\n\n"
                "**Domanda per la classe:** a quale livello di rumore è più facile predire il "
                "rumore, vicino a t = 0 o vicino a t = 1? E il punto pulito?")),
        ],
        goals=[
            ON_DATA,
            goal("loss_floor", text("... while the loss stays above 0.2: the added noise cannot be "
                                    "told exactly",
                                    "... mentre la loss resta sopra 0,2: il rumore aggiunto non si "
                                    "può indovinare esattamente"),
                 metric="train_loss", op=">=", value=0.2, when="end"),
        ],
        panels=[{"panel": "flow", "options": {"trajectories": True, "time": 1.0}}, "loss"], speed=60)
    return graph


LESSONS = {"flow_matching_moons": flow_matching_moons, "denoising_moons": denoising_moons}
