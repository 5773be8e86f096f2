"""Chapter "generative", part 1: the autoencoder and the variational autoencoder on digits
(course notes 003, section 12)."""
from _drawing import LABELS_IT, Drawing, goal, lesson, page, set_param, settings, text, train

# the node labels of this chapter, in Italian (name_nodes requires one for every label)
LABELS_IT.update({
    "encoder": "codificatore", "decoder": "decodificatore", "code (8 numbers)": "codice (8 numeri)",
    "reconstruction": "ricostruzione", "μ (2 numbers)": "μ (2 numeri)", "log σ²": "log σ²",
    "z = μ + σ·ε": "z = μ + σ·ε", "KL to N(0, 1)": "KL da N(0, 1)",
    "cross-entropy with the input": "entropia incrociata con l'ingresso",
})

DIGITS = {"name": "digits", "layout": "flat"}


def autoencoder_digits():
    d = Drawing(settings(
        "An autoencoder squeezes each 8x8 digit (64 pixels) into a code of 8 numbers and rebuilds "
        "it; the cost compares the output with the input itself, so no labels are needed.",
        DIGITS, {"name": "Adam", "lr": 0.01}, 1000, batch_size=32))
    d.node("x", "Input", 0, label="8x8 image")
    d.node("enc", "Linear", 1, label="encoder", in_features=64, out_features=32)
    d.node("enc_act", "ELU", 2)
    d.node("code", "Linear", 3, label="code (8 numbers)", in_features=32, out_features=8)
    d.node("dec", "Linear", 4, label="decoder", in_features=8, out_features=32)
    d.node("dec_act", "ELU", 5)
    d.node("out", "Linear", 6, in_features=32, out_features=64)
    d.node("pixels", "Sigmoid", 7, label="reconstruction")
    d.node("cost", "MSELoss", 8, label="mean squared error")
    d.chain("x", "enc", "enc_act", "code", "dec", "dec_act", "out", "pixels", "cost")
    d.edge("x", "cost", "target")
    d.graph.lesson = lesson(
        "generative", 1,
        text("An autoencoder rebuilds digits from 8 numbers",
             "Un autoencoder ricostruisce le cifre da 8 numeri"),
        text("An encoder squeezes each 8×8 digit into a code of 8 numbers, a decoder rebuilds the "
             "image from it; the cost compares the output with the input itself.",
             "Un codificatore comprime ogni cifra 8×8 in un codice di 8 numeri, un decodificatore "
             "ricostruisce l'immagine a partire da quello; il costo confronta l'uscita con l'ingresso "
             "stesso."),
        pages=[
            page(text(
                "The **encoder** turns the 64 pixels of a digit into a **code** of only 8 numbers; "
                "the **decoder** turns those 8 numbers back into 64 pixels. The cost compares the "
                "reconstruction with the input itself: the target is the image, not its label, "
                "so there is no Target node and no accuracy, only a reconstruction error.\n\n"
                "Press **Play** and watch the **Latent space** panel: test digits on top, their "
                "reconstructions below. Its title compares the error with that of the laziest "
                "answer, the mean of all training images.",
                "Il **codificatore** trasforma i 64 pixel di una cifra in un **codice** di soli 8 "
                "numeri; il **decodificatore** trasforma quegli 8 numeri di nuovo in 64 pixel. Il "
                "costo confronta la ricostruzione con l'ingresso stesso: il bersaglio è l'immagine, "
                "non la sua etichetta, quindi non c'è un nodo Target né un'accuratezza, solo un "
                "errore di ricostruzione.\n\n"
                "Premi **Avvia** e osserva il pannello **Spazio latente**: in alto cifre del test, "
                "sotto le loro ricostruzioni. Il titolo confronta l'errore con quello della "
                "risposta più pigra, la media di tutte le immagini di addestramento."),
                train(1000), {"do": "show_panel", "panel": "latent"}),
            page(text(
                "The code is a **bottleneck**: 8 numbers cannot hold 64 free pixels, so the network "
                "must learn what digits have in common (strokes, loops, slants) and keep only how "
                "each digit differs. Nobody told it which digit is which.\n\n"
                "Narrow the bottleneck to 2 numbers (the buttons set the code's out_features and "
                "the decoder's in_features), then **Reset** and **Play**: which digits still come "
                "back recognisable, and how much does the error grow?",
                "Il codice è una **strozzatura**: 8 numeri non possono contenere 64 pixel liberi, "
                "quindi la rete deve imparare ciò che le cifre hanno in comune (tratti, anelli, "
                "inclinazioni) e tenere solo ciò in cui ogni cifra differisce. Nessuno le ha detto "
                "quale cifra è quale.\n\n"
                "Stringi la strozzatura a 2 numeri (i pulsanti impostano out_features del codice e "
                "in_features del decodificatore), poi **Azzera** e **Avvia**: quali cifre tornano "
                "ancora riconoscibili, e di quanto cresce l'errore?"),
                set_param("code", "out_features", 2), set_param("dec", "in_features", 2),
                {"do": "reset"}),
            page(text(
                "Without its nonlinearities (ELU replaced by Identity) an autoencoder with a mean "
                "squared error learns the same subspace as principal component analysis: the best "
                "linear projection onto as many directions as the code has numbers. The "
                "nonlinear one can do better with the same code.\n\n"
                "Question for the class: can this decoder **generate** new digits? Try to imagine "
                "feeding it 8 random numbers: what would come out, and why? The next lesson "
                "answers it.",
                "Senza le sue non linearità (ELU sostituite da Identity) un autoencoder con "
                "l'errore quadratico medio impara lo stesso sottospazio dell'analisi delle "
                "componenti principali: la migliore proiezione lineare su tante direzioni quanti "
                "sono i numeri del codice. Quello non lineare può fare meglio con lo stesso "
                "codice.\n\n"
                "Domanda per la classe: questo decodificatore può **generare** cifre nuove? Prova "
                "a immaginare di dargli 8 numeri a caso: che cosa uscirebbe, e perché? La lezione "
                "successiva risponde."),
                {"do": "replace_node", "node": "enc_act", "type": "Identity"},
                {"do": "replace_node", "node": "dec_act", "type": "Identity"}, {"do": "reset"}),
        ],
        goals=[
            goal("beats_mean", text("By step 400 the test error is below 60 % of the mean image's",
                                    "Entro il passo 400 l'errore sul test è sotto il 60 % di quello "
                                    "dell'immagine media"),
                 metric="reconstruction_vs_mean", op="<=", value=0.6, when="by", step=400),
            goal("final", text("At the end the test reconstruction error is at most 0.02 (the mean "
                               "image's is about 0.06)",
                               "Alla fine l'errore di ricostruzione sul test è al massimo 0,02 (quello "
                               "dell'immagine media è circa 0,06)"),
                 metric="reconstruction_mse", op="<=", value=0.02, when="end"),
        ],
        panels=["latent", "loss"], speed=50)
    return d.graph


#: the reconstruction cost is a mean over 64 pixels, the ELBO a sum: beta = 1/64 weighs the
#: KL term as the ELBO does (per image)
BETA = round(1 / 64, 4)


def vae_latent():
    d = Drawing(settings(
        "A variational autoencoder on digits with a 2-D latent space: the encoder gives a mean and a "
        "log-variance per image, z = mu + sigma * eps is decoded, and the cost is the reconstruction "
        "error plus beta times the KL divergence from N(0, 1).",
        DIGITS, {"name": "Adam", "lr": 0.005}, 1000, batch_size=64))
    d.node("x", "Input", 0, label="8x8 image")
    d.node("enc", "Linear", 1, label="encoder", in_features=64, out_features=64)
    d.node("enc_act", "ELU", 2)
    d.node("mu", "Linear", 3, -0.6, label="μ (2 numbers)", in_features=64, out_features=2)
    d.node("logvar", "Linear", 3, 0.6, label="log σ²", in_features=64, out_features=2)
    d.node("z", "Reparameterize", 4, label="z = μ + σ·ε")
    d.node("dec", "Linear", 5, label="decoder", in_features=2, out_features=64)
    d.node("dec_act", "ELU", 6)
    d.node("out", "Linear", 7, label="reconstruction", in_features=64, out_features=64)
    d.node("recon", "BCEWithLogitsLoss", 8, label="cross-entropy with the input")
    d.node("kl", "KLNormal", 8, 1.4, label="KL to N(0, 1)", beta=BETA)
    d.chain("x", "enc", "enc_act", "mu")
    d.edge("enc_act", "logvar")
    for port in ("mu", "logvar"):
        d.edge(port, "z", port)
        d.edge(port, "kl", port)
    d.chain("z", "dec", "dec_act", "out", "recon")
    d.edge("x", "recon", "target")
    d.graph.lesson = lesson(
        "generative", 2,
        text("A VAE orders the digits in a plane", "Un VAE ordina le cifre in un piano"),
        text("A variational autoencoder with a 2-D latent space: the reparameterisation trick, the KL "
             "term and its weight β, and digits decoded from every point of the plane.",
             "Un autoencoder variazionale con uno spazio latente 2-D: il trucco della "
             "riparametrizzazione, il termine KL e il suo peso β, e cifre decodificate da ogni punto "
             "del piano."),
        pages=[
            page(text(
                "The encoder no longer gives one code per image but a distribution: a mean **μ** "
                "and a log-variance **log σ²** for each of the 2 latent numbers. The decoder "
                "rebuilds the image from a sample **z** of N(μ, σ²).\n\n"
                "Sampling is not differentiable, so the **Reparameterize** node uses the "
                "**reparameterisation trick** (notes 003, §12): z = μ + σ·ε with ε drawn from "
                "N(0, 1). The randomness is in ε, beside the path, so the gradient reaches μ and "
                "σ through an ordinary sum and product. In evaluation the node gives μ itself.\n\n"
                "Press **Play**.",
                "Il codificatore non dà più un codice per immagine ma una distribuzione: una media "
                "**μ** e una log-varianza **log σ²** per ciascuno dei 2 numeri latenti. Il "
                "decodificatore ricostruisce l'immagine da un campione **z** di N(μ, σ²).\n\n"
                "Il campionamento non è derivabile, perciò il nodo **Reparameterize** usa il "
                "**trucco della riparametrizzazione** (note 003, §12): z = μ + σ·ε con ε estratto "
                "da N(0, 1). La casualità sta in ε, a lato del percorso, così il gradiente arriva "
                "a μ e a σ attraverso una normale somma e un prodotto. In valutazione il nodo dà "
                "μ stesso.\n\n"
                "Premi **Avvia**."),
                train(1000), {"do": "show_panel", "panel": "latent"}),
            page(text(
                "The **Latent space** panel draws each test digit at its mean μ, coloured by the "
                "digit it is (the network never saw the labels), and on the right the images the "
                "decoder makes from a grid of points over the same square. The digits gather in "
                "regions, and between two regions the decoded images morph from one digit into "
                "the other: every point of the plane decodes to something digit-like, so the "
                "decoder can **generate**.\n\n"
                "The graph adds its two costs: the reconstruction error and the **KL** divergence "
                "of N(μ, σ²) from N(0, 1), which pulls every code towards the origin and keeps σ "
                "from shrinking to 0. That is what fills the plane without gaps.",
                "Il pannello **Spazio latente** disegna ogni cifra del test nella sua media μ, "
                "colorata secondo la cifra che è (la rete non ha mai visto le etichette), e a "
                "destra le immagini che il decodificatore produce da una griglia di punti sullo "
                "stesso quadrato. Le cifre si raccolgono in regioni, e tra due regioni le immagini "
                "decodificate si trasformano da una cifra nell'altra: ogni punto del piano si "
                "decodifica in qualcosa di simile a una cifra, quindi il decodificatore può "
                "**generare**.\n\n"
                "Il grafo somma i suoi due costi: l'errore di ricostruzione e la divergenza **KL** "
                "di N(μ, σ²) da N(0, 1), che tira ogni codice verso l'origine e impedisce a σ di "
                "ridursi a 0. È questo che riempie il piano senza buchi."),
                {"do": "show_panel", "panel": "latent"}),
            page(text(
                "**β** weighs the KL term. The reconstruction cost here is a mean over the 64 "
                "pixels, so β = 1/64 ≈ 0.016 weighs the two terms as the evidence lower bound "
                "(ELBO) does for each image.\n\n"
                "Set β = 0.2 and press **Reset** and **Play**: the KL term wins, every μ collapses "
                "to the origin, and the decoder draws one blurry average digit everywhere. Then "
                "set β = 0 (a plain autoencoder with noise): the reconstructions improve, but the "
                "codes spread far apart and the grid decodes shapeless images in the gaps.",
                "**β** pesa il termine KL. Qui il costo di ricostruzione è una media sui 64 pixel, "
                "perciò β = 1/64 ≈ 0,016 pesa i due termini come fa il limite inferiore "
                "dell'evidenza (ELBO) per ogni immagine.\n\n"
                "Imposta β = 0,2 e premi **Azzera** e **Avvia**: vince il termine KL, ogni μ "
                "collassa nell'origine e il decodificatore disegna ovunque una sola cifra media e "
                "sfocata. Poi imposta β = 0 (un autoencoder qualsiasi, con rumore): le "
                "ricostruzioni migliorano, ma i codici si allontanano molto tra loro e la griglia "
                "decodifica immagini informi nei buchi."),
                set_param("kl", "beta", 0.2), set_param("kl", "beta", 0.0), set_param("kl", "beta", BETA),
                {"do": "reset"}),
        ],
        goals=[
            goal("organised", text("The latent means tell the digits apart: a 5-nearest-neighbour vote "
                                   "in the plane gets at least 60 % of the test digits right (chance: 10 %)",
                                   "Le medie latenti distinguono le cifre: un voto dei 5 vicini più "
                                   "prossimi nel piano indovina almeno il 60 % delle cifre del test "
                                   "(a caso: 10 %)"),
                 metric="latent_knn_acc", op=">=", value=0.6, when="end"),
            goal("reconstructs", text("Through 2 numbers, the test error is below 80 % of the mean "
                                      "image's",
                                      "Attraverso 2 numeri, l'errore sul test è sotto l'80 % di quello "
                                      "dell'immagine media"),
                 metric="reconstruction_vs_mean", op="<=", value=0.8, when="end"),
        ],
        panels=["latent", "loss"], speed=50)
    return d.graph


LESSONS = {"autoencoder_digits": autoencoder_digits, "vae_latent": vae_latent}
