"""Chapter "generative", the GAN (course notes 003, section 13): a generator turns noise into
points of the plane, a discriminator scores points as real or fake, and the two train in turns
(settings.scheme, two players) until the generated points cover the 8 modes of a ring."""
from _drawing import Drawing, goal, lesson, page, settings, text, train

RING = {"name": "gen-ring", "n_samples": 2000, "noise": 0.05, "test_fraction": 0.2}
ADAM = {"name": "Adam", "lr": 0.002, "betas": [0.5, 0.999]}
STEPS = 2500
HIDDEN = 64
LATENT = 4


def _network():
    scheme = {"name": "adversarial", "players": [
        {"name": "discriminator", "costs": ["d_real", "d_fake"], "nodes": ["D1", "D2", "D3"],
         "optimizer": ADAM, "steps": 1},
        {"name": "generator", "costs": ["g_cost"], "nodes": ["G1", "G2", "G3"], "optimizer": ADAM,
         "steps": 1}]}
    d = Drawing(settings("A GAN on the 8-Gaussian ring: the generator (top) turns noise into points, "
                         "the discriminator, drawn twice with tied weights, scores the data (middle) and "
                         "the generated points (bottom). The two players train in turns.",
                         RING, ADAM, STEPS, batch_size=64, scheme=scheme, eval_every=100, probe_every=10))
    # the generator: noise shaped like the batch -> 2 hidden ReLU layers -> a point of the plane
    d.node("x", "Input", 0, 1)
    d.node("z", "RandomNormal", 0, 3, features=LATENT)
    d.edge("x", "z", "like")
    d.node("G1", "Linear", 1, 3, in_features=LATENT, out_features=HIDDEN)
    d.node("g_act1", "ReLU", 2, 3)
    d.node("G2", "Linear", 3, 3, in_features=HIDDEN, out_features=HIDDEN)
    d.node("g_act2", "ReLU", 4, 3)
    d.node("G3", "Linear", 5, 3, in_features=HIDDEN, out_features=2)
    d.chain("z", "G1", "g_act1", "G2", "g_act2", "G3")
    # the discriminator, twice: on the data (row 1) and on the generated points (row 5)
    for row, src, suffix in ((1, "x", ""), (5, "G3", "_fake")):
        col = 6 if suffix else 1
        d.node(f"D1{suffix}", "Linear", col, row, tie="D1", in_features=2, out_features=HIDDEN)
        d.node(f"d_act1{suffix}", "LeakyReLU", col + 1, row, negative_slope=0.2)
        d.node(f"D2{suffix}", "Linear", col + 2, row, tie="D2", in_features=HIDDEN, out_features=HIDDEN)
        d.node(f"d_act2{suffix}", "LeakyReLU", col + 3, row, negative_slope=0.2)
        d.node(f"D3{suffix}", "Linear", col + 4, row, tie="D3", in_features=HIDDEN, out_features=1)
        d.chain(src, f"D1{suffix}", f"d_act1{suffix}", f"D2{suffix}", f"d_act2{suffix}", f"D3{suffix}")
    d.node("d_real", "AdversarialLoss", 6, 1, scored_as="real")
    d.node("d_fake", "AdversarialLoss", 11, 5, scored_as="fake")
    d.node("g_cost", "AdversarialLoss", 11, 6, scored_as="real")
    d.edge("D3", "d_real")
    d.edge("D3_fake", "d_fake")
    d.edge("D3_fake", "g_cost")
    return d


def gan_ring():
    d = _network()
    covers = goal("covers", text("At the end the generated points cover at least 6 of the ring's 8 modes",
                                 "Alla fine i punti generati coprono almeno 6 degli 8 modi dell'anello"),
                  metric="modes_covered:G3", op=">=", value=6, when="end")
    d.graph.lesson = lesson(
        "generative", 3,
        text("A GAN learns the 8-Gaussian ring", "Una GAN impara l'anello di 8 gaussiane"),
        text("Two networks train against each other in turns: the generator makes points from noise, "
             "the discriminator tells them from the data.",
             "Due reti si addestrano l'una contro l'altra, a turno: il generatore crea punti dal rumore, "
             "il discriminatore li distingue dai dati."),
        pages=[
            page(text(
                "The data are 2000 points from **8 Gaussians on a ring**. The **generator** G (top row) "
                "turns a sample of noise z ~ N(0, I) into a point G(z) of the plane. The **discriminator** "
                "D, drawn twice with tied weights, gives each point a logit: high for \"real\", low for "
                "\"fake\". Nothing here has a label: the only teacher of G is D.\n\n"
                "The GAN panel shows the data (a colour per mode), the generated points (orange) and, as a "
                "green shade, D's probability that a point is real.",
                "I dati sono 2000 punti da **8 gaussiane su un anello**. Il **generatore** G (riga in alto) "
                "trasforma un campione di rumore z ~ N(0, I) in un punto G(z) del piano. Il "
                "**discriminatore** D, disegnato due volte con pesi condivisi, dà a ogni punto un logit: "
                "alto per \"vero\", basso per \"falso\". Qui niente ha un'etichetta: l'unico maestro di G "
                "è D.\n\n"
                "Il pannello GAN mostra i dati (un colore per modo), i punti generati (arancio) e, come "
                "sfumatura verde, la probabilità secondo D che un punto sia vero.")),
            page(text(
                "**Alternating steps.** Each training step has two turns (settings.scheme, two players). "
                "First the discriminator: its costs score the data as real and G(z) as fake, and only D's "
                "weights move. Then the generator: its cost scores G(z) as real, and only G's weights "
                "move. Each player has its own Adam optimizer. The Loss panel shows both losses: they "
                "do not fall to zero, they balance (near log 4 = 1.39 for D and log 2 = 0.69 for G when D "
                "can no longer tell).",
                "**Passi alternati.** Ogni passo di addestramento ha due turni (settings.scheme, due "
                "giocatori). Prima il discriminatore: i suoi costi valutano i dati come veri e G(z) come "
                "falsi, e si muovono solo i pesi di D. Poi il generatore: il suo costo valuta G(z) come "
                "vero, e si muovono solo i pesi di G. Ogni giocatore ha il suo ottimizzatore Adam. Il "
                "pannello Loss mostra le due loss: non scendono a zero, si bilanciano (vicino a log 4 = "
                "1.39 per D e log 2 = 0.69 per G quando D non sa più distinguere)."),
                train(800)),
            page(text(
                "**The non-saturating loss.** The minimax game asks G to *minimise* log(1 - D(G(z))). Early "
                "on D rejects every fake, D(G(z)) is near 0, and that cost is flat: G gets almost no "
                "gradient. So G *maximises* log D(G(z)) instead: the node g_cost scores the fakes as "
                "\"real\". Same fixed point, strong gradients exactly when G is bad.",
                "**La loss non saturante.** Il gioco minimax chiede a G di *minimizzare* log(1 - D(G(z))). "
                "All'inizio D rifiuta ogni falso, D(G(z)) è vicino a 0 e quel costo è piatto: G riceve "
                "quasi nessun gradiente. Così G *massimizza* invece log D(G(z)): il nodo g_cost valuta i "
                "falsi come \"veri\". Stesso punto fisso, gradienti forti proprio quando G è scarso."),
                train(800)),
            page(text(
                "**Mode collapse.** A generator may put all its points on one or two modes that fool D, "
                "then jump to others when D catches up, never covering the ring. Watch whether the orange "
                "points reach all 8 modes. Try a generator learning rate 5 times the discriminator's, or a "
                "discriminator with fewer units, and watch the coverage.",
                "**Collasso dei modi.** Un generatore può mettere tutti i suoi punti su uno o due modi che "
                "ingannano D, poi saltare ad altri quando D se ne accorge, senza mai coprire l'anello. "
                "Guarda se i punti arancio raggiungono tutti gli 8 modi. Prova un learning rate del "
                "generatore 5 volte quello del discriminatore, o un discriminatore con meno unità, e "
                "guarda la copertura."),
                train(900)),
        ],
        goals=[covers],
        panels=["adversarial", "loss"], speed=100)
    return d.graph


LESSONS = {"gan_ring": gan_ring}
