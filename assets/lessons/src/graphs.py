"""Chapter "graphs", graph neural networks (course notes 003, section 16): a two-layer GCN
on Zachary's karate club learns which side of the split each member took from four
labelled members, by message passing along the friendships; then graph attention (GAT) on a
citation-style graph, where each paper learns how much to listen to each paper it cites."""
from _drawing import Drawing, goal, lesson, page, settings, text, train

KARATE = {"name": "karate"}
ADAM = {"name": "Adam", "lr": 0.01}
STEPS = 200


def _two_layers(d, layer_type, prefix, first, second):
    """Both lessons' network: the features through two graph layers of ``layer_type`` (ids
    prefix1, prefix2) with a Tanh between, both reading the one Adjacency node, into a
    cross-entropy against the labels."""
    one, two = f"{prefix}1", f"{prefix}2"
    d.node("x", "Input", 0)
    d.node("A", "Adjacency", 0, 1.5)
    d.node(one, layer_type, 1, **first)
    d.node("act", "Tanh", 2)
    d.node(two, layer_type, 3, **second)
    d.node("y", "Target", 3, 1.5)
    d.node("cost", "CrossEntropyLoss", 4)
    d.chain("x", one, "act", two, "cost")
    d.edge("A", one, "adjacency")
    d.edge("A", two, "adjacency")
    d.edge("y", "cost", "target")


def gcn_karate():
    d = Drawing(settings("A two-layer graph convolutional network (GCN) on Zachary's karate club: "
                         "34 members, 4 of them labelled. Every member's features go through the "
                         "network at once; the adjacency decides who passes messages to whom.",
                         KARATE, ADAM, STEPS, batch_size=34, eval_every=10))
    _two_layers(d, "GCNConv", "gcn", {"in_features": 34, "out_features": 2},
                {"in_features": 2, "out_features": 2})
    d.graph.lesson = lesson(
        "graphs", 1,
        text("A graph network on the karate club", "Una rete su grafo sul club di karate"),
        text("A GCN learns both sides of a club's split from 4 labelled members, by passing "
             "messages along the friendships.",
             "Una GCN impara le due fazioni di un club da 4 membri etichettati, passando messaggi "
             "lungo le amicizie."),
        pages=[
            page(text(
                "In the 1970s Zachary watched a **karate club** of 34 members split in two, after a "
                "quarrel between the instructor (**Mr. Hi**, member 0) and the administrator "
                "(**the Officer**, member 33). The data are one **graph**: a node per member, an "
                "edge per friendship outside the club.\n\n"
                "We know the side of only **4 members** (the two leaders and one friend of each: "
                "the stars in the Node embeddings panel). The task is to guess the side of the "
                "other 30. The features tell nothing: each member's input is a one-hot vector, "
                "its own name. What the network can use is **who is friends with whom**.",
                "Negli anni '70 Zachary osservò un **club di karate** di 34 membri dividersi in "
                "due, dopo una lite tra l'istruttore (**Mr. Hi**, membro 0) e l'amministratore "
                "(**l'Officer**, membro 33). I dati sono un unico **grafo**: un nodo per membro, un "
                "arco per ogni amicizia fuori dal club.\n\n"
                "Conosciamo la fazione di soli **4 membri** (i due capi e un amico di ciascuno: le "
                "stelle nel pannello Node embeddings). Il compito è indovinare la fazione degli "
                "altri 30. Le feature non dicono nulla: l'ingresso di ogni membro è un vettore "
                "one-hot, il suo nome. Quello che la rete può usare è **chi è amico di chi**.")),
            page(text(
                "A **graph convolution** (GCN) updates every node at once: H' = Â H W + b. "
                "H has one row per node; W transforms each row, the same W for all nodes; then "
                "Â **mixes each node with its neighbours**. This is **message passing**: every "
                "node sends its features along its edges, and every node averages what it "
                "receives.\n\n"
                "Â is the **normalised adjacency** D^-1/2 (A + I) D^-1/2. A has a 1 for each "
                "friendship; adding I lets a node keep its own features; dividing by the square "
                "roots of the degrees D keeps the well-connected members (the leaders have 16 "
                "and 17 friends) from swamping the others. The Adjacency node takes it from the "
                "data: it is a constant, not a weight.\n\n"
                "Two GCN layers: after them each member has heard from its friends' friends. "
                "Press **Train**.",
                "Una **convoluzione su grafo** (GCN) aggiorna tutti i nodi insieme: H' = Â H W + b. "
                "H ha una riga per nodo; W trasforma ogni riga, la stessa W per tutti i nodi; poi "
                "Â **mescola ogni nodo con i suoi vicini**. È il **message passing**: ogni nodo "
                "manda le sue feature lungo i suoi archi, e ogni nodo fa la media di quello che "
                "riceve.\n\n"
                "Â è l'**adiacenza normalizzata** D^-1/2 (A + I) D^-1/2. A ha un 1 per ogni "
                "amicizia; aggiungere I fa sì che un nodo tenga le proprie feature; dividere per "
                "le radici dei gradi D impedisce ai membri molto connessi (i capi hanno 16 e 17 "
                "amici) di sommergere gli altri. Il nodo Adjacency la prende dai dati: è una "
                "costante, non un peso.\n\n"
                "Due strati GCN: dopo di essi ogni membro ha sentito gli amici dei suoi amici. "
                "Premi **Addestra**."),
                train(100)),
            page(text(
                "The Node embeddings panel puts every member at its **hidden representation**, "
                "the 2 numbers the first layer gives it, with the friendships drawn between them. "
                "The loss counts only the 4 stars, yet the two sides drift apart: friends are "
                "pulled along with the labelled members they are connected to. The test accuracy "
                "(on the 30 unlabelled members) passes 90 %.\n\n"
                "A red ring marks a member the network gets wrong. Member 8 is the classic one: "
                "friends with both leaders' circles, he followed Mr. Hi although most of his "
                "friends went with the Officer.",
                "Il pannello Node embeddings mette ogni membro nella sua **rappresentazione "
                "nascosta**, i 2 numeri che gli dà il primo strato, con le amicizie disegnate tra "
                "loro. La loss conta solo le 4 stelle, eppure le due fazioni si separano: gli amici "
                "sono trascinati insieme ai membri etichettati a cui sono collegati. "
                "L'accuratezza di test (sui 30 membri non etichettati) supera il 90 %.\n\n"
                "Un anello rosso segna un membro che la rete sbaglia. Il membro 8 è il caso "
                "classico: amico delle cerchie di entrambi i capi, seguì Mr. Hi benché la maggior "
                "parte dei suoi amici sia andata con l'Officer."),
                train(100)),
            page(text(
                "**Question for the class:** an ordinary network (Linear layers, no adjacency) on "
                "the same one-hot features would learn the 4 stars perfectly. What would it "
                "answer for the other 30, and why? What does the adjacency add?",
                "**Domanda per la classe:** una rete ordinaria (strati Linear, senza adiacenza) "
                "sulle stesse feature one-hot imparerebbe perfettamente le 4 stelle. Che cosa "
                "risponderebbe per gli altri 30, e perché? Che cosa aggiunge l'adiacenza?")),
        ],
        goals=[goal("labelled", text("The 4 labelled members are classified right",
                                     "I 4 membri etichettati sono classificati correttamente"),
                    metric="train_acc", op=">=", value=1.0, when="end"),
               goal("unlabelled", text("At least 90 % of the 30 unlabelled members are on the right side",
                                       "Almeno il 90 % dei 30 membri non etichettati è nella fazione giusta"),
                    metric="test_acc", op=">=", value=0.9, when="end")],
        panels=["graph_embedding", "loss"], speed=20)
    return d.graph


#: 150 papers of 3 topics, 5 labelled per topic (engine.data.graphs.citation's defaults)
CITATION = {"name": "citation"}
#: the GAT overfits its 15 labels soon after (the lesson's last page shows it)
GAT_STEPS = 80


def gat_citation():
    d = Drawing(settings("Graph attention (GAT) on a synthetic citation graph: 150 papers of 3 "
                         "topics with bag-of-words features, 5 papers per topic labelled. Each "
                         "paper mixes the papers it is linked to with weights it learns.",
                         CITATION, {"name": "Adam", "lr": 0.005}, GAT_STEPS, batch_size=150,
                         eval_every=10))
    _two_layers(d, "GATConv", "gat", {"in_features": 40, "out_features": 4, "heads": 2},
                {"in_features": 8, "out_features": 3})
    d.graph.lesson = lesson(
        "graphs", 2,
        text("Graph attention on a citation graph", "Attenzione su grafo in un grafo di citazioni"),
        text("A GAT learns how much each paper should listen to each paper it is linked to, and "
             "finds the topic of 135 papers from 15 labelled ones.",
             "Una GAT impara quanto ogni articolo deve ascoltare ciascun articolo a cui è "
             "collegato, e trova l'argomento di 135 articoli a partire da 15 etichettati."),
        pages=[
            page(text(
                "The data are a **citation graph** like Cora's, made up: 150 papers on 3 topics. "
                "Each paper is a node; its features are a **bag of words** (which of 40 words it "
                "contains; each topic has its favourite words, but papers also use words of other "
                "topics). Papers cite papers of their own topic more often, though not only.\n\n"
                "Only **5 papers per topic** are labelled. The others must be guessed from their "
                "words and from the papers they are linked to.",
                "I dati sono un **grafo di citazioni** come Cora, inventato: 150 articoli su 3 "
                "argomenti. Ogni articolo è un nodo; le sue feature sono un **bag of words** (quali "
                "di 40 parole contiene; ogni argomento ha le sue parole preferite, ma gli articoli "
                "usano anche parole di altri argomenti). Gli articoli citano più spesso articoli "
                "del proprio argomento, ma non solo.\n\n"
                "Solo **5 articoli per argomento** sono etichettati. Gli altri vanno indovinati "
                "dalle loro parole e dagli articoli a cui sono collegati.")),
            page(text(
                "A GCN mixes a node with its neighbours with **fixed** weights, set by the "
                "degrees. A **graph attention** layer (GAT) **learns** them: for a paper i and "
                "each paper j it is linked to, a score e_ij = LeakyReLU(a . [W x_i, W x_j]), then "
                "a softmax over i's neighbours gives the weights. It is the attention of the "
                "Transformer, restricted to the edges of the graph: the adjacency only says who "
                "may attend to whom. Two **heads** learn two different ways to listen.\n\n"
                "Press **Train** and watch the Node embeddings panel: the hidden layer has 8 "
                "numbers per paper (2 heads x 4), drawn through its first two principal components.",
                "Una GCN mescola un nodo con i suoi vicini con pesi **fissi**, dati dai gradi. Uno "
                "strato di **attenzione su grafo** (GAT) li **impara**: per un articolo i e ogni "
                "articolo j a cui è collegato, un punteggio e_ij = LeakyReLU(a . [W x_i, W x_j]), "
                "poi una softmax sui vicini di i dà i pesi. È l'attenzione del Transformer, "
                "ristretta agli archi del grafo: l'adiacenza dice solo chi può prestare "
                "attenzione a chi. Due **teste** imparano due modi diversi di ascoltare.\n\n"
                "Premi **Addestra** e guarda il pannello Node embeddings: lo strato nascosto ha 8 "
                "numeri per articolo (2 teste x 4), disegnati tramite le sue prime due componenti "
                "principali."),
                train(GAT_STEPS)),
            page(text(
                "The three topics separate, and the test accuracy on the 135 unlabelled papers "
                "passes 85 %.\n\n"
                "Now train 150 steps more and watch the test accuracy in the Loss panel. It "
                "falls, while the labelled papers are learned ever better: more than 300 weights "
                "for 15 labels, and the network starts to learn the labelled papers' accidents. "
                "That is "
                "overfitting, on a graph; the chapter on regularisation has the remedies (weight "
                "decay, dropout, early stopping).",
                "I tre argomenti si separano, e l'accuratezza di test sui 135 articoli non "
                "etichettati supera l'85 %.\n\n"
                "Ora addestra altri 150 passi e guarda l'accuratezza di test nel pannello della "
                "loss. Scende, mentre gli articoli etichettati sono imparati sempre meglio: più "
                "di 300 pesi per 15 etichette, e la rete comincia a imparare i casi particolari degli articoli "
                "etichettati. È il sovradattamento, su un grafo; il capitolo sulla "
                "regolarizzazione ha i rimedi (weight decay, dropout, early stopping)."),
                train(150)),
            page(text(
                "**Question for the class:** replace the GATConv nodes with GCNConv nodes (same "
                "features in and out; the second layer then takes 4 features, not 8). Is the "
                "accuracy different? On which graphs would learned weights matter more than here?",
                "**Domanda per la classe:** sostituite i nodi GATConv con nodi GCNConv (stesse "
                "feature in ingresso e in uscita; il secondo strato prende allora 4 feature, non "
                "8). L'accuratezza cambia? Su quali grafi i pesi imparati conterebbero più che "
                "qui?")),
        ],
        goals=[goal("unlabelled", text("At least 85 % of the 135 unlabelled papers get their topic",
                                       "Almeno l'85 % dei 135 articoli non etichettati ha l'argomento giusto"),
                    metric="test_acc", op=">=", value=0.85, when="end")],
        panels=["graph_embedding", "loss"], speed=20)
    return d.graph


LESSONS = {"gcn_karate": gcn_karate, "gat_citation": gat_citation}
