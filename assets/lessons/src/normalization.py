"""Chapter 9, normalisation (course notes 003, section 8): BatchNorm against no normalisation
on a deep sigmoid network, BatchNorm's two behaviours (batch statistics in training, running
statistics in evaluation), LayerNorm where batches are too small for BatchNorm, and GroupNorm
between LayerNorm and InstanceNorm."""
from _drawing import (Drawing, goal, lesson, page, settings, text, replace_node as _replace,
                      set_param as _set, set_setting as _setting, RESET, train)

CIRCLE = {"name": "circle", "n_samples": 200}
def _train(steps):
    return train(steps)


def _norm_params(norm, width):
    """The parameters that make ``norm`` act on ``width`` features."""
    if norm == "BatchNorm1d":
        return {"num_features": width}
    if norm == "LayerNorm":
        return {"normalized_shape": [width]}
    if norm == "GroupNorm":
        return {"num_channels": width, "num_groups": 4}
    return {}


def _deep(d, layers, width, activation, norm):
    """Input -> (Linear -> norm -> activation) x layers -> Linear -> BCEWithLogits."""
    prev, width_in = d.node("x", "Input", 0), 2
    for i in range(1, layers + 1):
        d.node(f"lin{i}", "Linear", 3 * i - 2, label=f"layer {i}", in_features=width_in,
               out_features=width)
        d.node(f"norm{i}", norm, 3 * i - 1, **_norm_params(norm, width))
        d.node(f"act{i}", activation, 3 * i)
        d.chain(prev, f"lin{i}", f"norm{i}", f"act{i}")
        prev, width_in = f"act{i}", width
    d.binary_output(prev, width_in, 3 * layers + 1)
    return d.graph


def batchnorm_deep():
    layers = 5
    d = Drawing(settings(
        "Five sigmoid layers of 16 units on the circle data, each with BatchNorm before its "
        "activation. Without BatchNorm (Identity in its place) the same network and learning rate "
        "hardly move in the same steps.",
        CIRCLE, {"name": "SGD", "lr": 0.1, "momentum": 0.9}, 300, batch_size=20))
    graph = _deep(d, layers, 16, "Sigmoid", "BatchNorm1d")
    without = [_replace(f"norm{i}", "Identity") for i in range(1, layers + 1)]
    graph.lesson = lesson(
        "normalization", 1,
        text("BatchNorm makes a deep network train", "La BatchNorm fa addestrare una rete profonda"),
        text("The same deep sigmoid network with and without BatchNorm: with it the loss falls "
             "many times faster.",
             "La stessa rete sigmoide profonda con e senza BatchNorm: con essa la loss scende molto "
             "più in fretta."),
        pages=[
            page(text(
                "Five hidden layers of 16 **sigmoid** units must separate the disc from the ring. "
                "Before each activation a **BatchNorm** node (notes, section 8) takes the layer's "
                "values over the batch, subtracts their mean and divides by their standard "
                "deviation, then scales and shifts them by two learned numbers, gamma and beta.\n\n"
                "Press **Train** and watch the loss and the decision boundary.",
                "Cinque strati nascosti di 16 unità **sigmoide** devono separare il disco "
                "dall'anello. Prima di ogni attivazione un nodo **BatchNorm** (appunti, sezione 8) "
                "prende i valori dello strato sul mini-batch, sottrae la loro media e divide per la "
                "loro deviazione standard, poi li scala e li sposta con due numeri appresi, gamma e "
                "beta.\n\n"
                "Premi **Addestra** e guarda la loss e il confine di decisione."),
                _train(300)),
            page(text(
                "Now take BatchNorm away: the button puts an Identity in place of each BatchNorm. "
                "Reset and train with the same learning rate and steps.\n\n"
                "The loss stays almost flat. Without normalisation the sigmoids' inputs drift away "
                "from zero, where the sigmoid is flat and its derivative is at most 1/4: the "
                "gradient shrinks layer after layer (the vanishing gradient of section 5.1), and "
                "every layer must also chase the changing distribution of the layer below. "
                "BatchNorm keeps each layer's inputs centred with unit spread, in the sigmoid's "
                "steep part. Open the Gradient flow panel to compare the first layers' gradients.",
                "Ora togli la BatchNorm: il pulsante mette un'Identità al posto di ogni BatchNorm. "
                "Azzera e addestra con lo stesso learning rate e gli stessi passi.\n\n"
                "La loss resta quasi piatta. Senza normalizzazione gli ingressi delle sigmoidi si "
                "allontanano da zero, dove la sigmoide è piatta e la sua derivata vale al più 1/4: "
                "il gradiente si riduce strato dopo strato (il gradiente che svanisce della "
                "sezione 5.1), e ogni strato deve anche inseguire la distribuzione che cambia nello "
                "strato sotto. La BatchNorm mantiene gli ingressi di ogni strato centrati e con "
                "dispersione unitaria, nella parte ripida della sigmoide. Apri il pannello del "
                "flusso del gradiente per confrontare i gradienti dei primi strati."),
                *without, RESET, _train(300), {"do": "show_panel", "panel": "gradflow"}),
            page(text(
                "**Try next:** put BatchNorm back in only one layer, or after the activation "
                "instead of before it (the notes discuss both placements).\n\n"
                "**Question for the class:** BatchNorm learns gamma and beta after normalising. "
                "Why give back to the network the power to undo the normalisation?",
                "**Prova poi:** rimetti la BatchNorm in un solo strato, oppure dopo l'attivazione "
                "invece che prima (gli appunti discutono entrambe le posizioni).\n\n"
                "**Domanda per la classe:** la BatchNorm impara gamma e beta dopo aver "
                "normalizzato. Perché restituire alla rete il potere di annullare la "
                "normalizzazione?")),
        ],
        goals=[
            goal("solves", text("With BatchNorm the training accuracy reaches 95 %",
                                "Con la BatchNorm l'accuratezza di addestramento arriva al 95 %"),
                 metric="train_acc", op=">=", value=0.95, when="by"),
            goal("healthy", text("With BatchNorm the diagnostics never flag vanishing gradients "
                                 "(notes §2.7, §8)",
                                 "Con la BatchNorm la diagnostica non segnala mai gradienti che "
                                 "svaniscono (appunti §2.7, §8)"),
                 verdict="vanishing", present=False, when="always"),
            goal("faster", text("Without BatchNorm the loss after 300 steps is at least 4 times "
                                "higher",
                                "Senza BatchNorm la loss dopo 300 passi è almeno 4 volte più alta"),
                 metric="train_loss", op="<=", value=0.25, when="end", variant={"changes": without}),
        ],
        panels=["loss", "boundary", "gradflow"], speed=30)
    return graph


def batchnorm_train_eval():
    d = Drawing(settings(
        "One hidden layer of 16 ReLU units with BatchNorm whose running statistics barely move "
        "(momentum 0.001): training on batch statistics goes well, while the network evaluated "
        "with the running statistics gets worse and worse.",
        CIRCLE, {"name": "SGD", "lr": 0.1, "momentum": 0.9}, 200, batch_size=20))
    graph = _deep(d, 1, 16, "ReLU", "BatchNorm1d")
    graph.set_param("norm1", "momentum", 0.001)
    usual = [_set("norm1", "momentum", 0.1)]
    graph.lesson = lesson(
        "normalization", 2,
        text("BatchNorm in training and in evaluation", "La BatchNorm in addestramento e in "
                                                        "valutazione"),
        text("In training BatchNorm uses the batch's mean and variance, in evaluation its running "
             "averages: when these lag behind, the evaluated network is a different network.",
             "In addestramento la BatchNorm usa media e varianza del mini-batch, in valutazione le "
             "sue medie mobili: quando queste restano indietro, la rete valutata è un'altra rete."),
        pages=[
            page(text(
                "BatchNorm (notes, section 8) behaves in two ways. **In training** it normalises "
                "with the mean and variance of the current batch. **In evaluation** (the training "
                "and test losses and accuracies, the decision boundary) there may be no batch, so it "
                "uses running averages collected during training: running = (1 - momentum) running "
                "+ momentum batch.\n\n"
                "Here the BatchNorm's **momentum is 0.001**: its running averages barely move from "
                "their start (mean 0, variance 1). Press **Train** and compare the **batch loss** "
                "(training mode) with the **training loss** on the whole set (evaluation mode).",
                "La BatchNorm (appunti, sezione 8) si comporta in due modi. **In addestramento** "
                "normalizza con media e varianza del mini-batch corrente. **In valutazione** (le "
                "loss e le accuratezze di addestramento e di test, il confine di decisione) un batch "
                "può non esserci, e usa medie mobili raccolte durante l'addestramento: "
                "mobile = (1 - momentum) mobile + momentum batch.\n\n"
                "Qui il **momentum della BatchNorm è 0.001**: le sue medie mobili si spostano appena "
                "dal loro inizio (media 0, varianza 1). Premi **Addestra** e confronta la **loss del "
                "mini-batch** (modalità addestramento) con la **loss di addestramento** su tutto "
                "l'insieme (modalità valutazione)."),
                _train(200)),
            page(text(
                "The batch loss falls, yet the loss measured in evaluation grows and the boundary is "
                "wrong: the same weights, two different networks. The layer's real mean and variance "
                "moved as the weights learned, and the running averages did not follow.\n\n"
                "Set the momentum back to its usual 0.1, reset and train: now the running averages "
                "track the batches and both losses fall together.",
                "La loss del mini-batch scende, eppure la loss misurata in valutazione cresce e il "
                "confine è sbagliato: stessi pesi, due reti diverse. La vera media e la vera varianza "
                "dello strato si sono spostate mentre i pesi imparavano, e le medie mobili non le "
                "hanno seguite.\n\n"
                "Riporta il momentum al solito 0.1, azzera e addestra: ora le medie mobili seguono i "
                "mini-batch e le due loss scendono insieme."),
                *usual, RESET, _train(200)),
            page(text(
                "**Question for the class:** a network with BatchNorm is trained and then used on "
                "one image at a time. Why must it use the running averages then, and what would go "
                "wrong with the statistics of a batch of one?",
                "**Domanda per la classe:** una rete con BatchNorm viene addestrata e poi usata su "
                "un'immagine alla volta. Perché allora deve usare le medie mobili, e che cosa "
                "andrebbe storto con le statistiche di un batch di un solo esempio?"),
                _set("norm1", "momentum", 0.001), RESET),
        ],
        goals=[
            goal("batch_learns", text("In training mode the batch loss falls below 0.25",
                                      "In modalità addestramento la loss del mini-batch scende sotto "
                                      "0.25"),
                 metric="loss", op="<", value=0.25, when="by"),
            goal("eval_is_wrong", text("... while in evaluation mode the training loss ends above 0.3",
                                       "... mentre in modalità valutazione la loss di addestramento "
                                       "finisce sopra 0.3"),
                 metric="train_loss", op=">", value=0.3, when="end"),
            goal("momentum_fixes",
                 text("With momentum 0.1 the evaluated loss is at least 5 times lower",
                      "Con momentum 0.1 la loss in valutazione è almeno 5 volte più bassa"),
                 metric="train_loss", op=">=", value=5.0, when="end", variant={"changes": usual}),
        ],
        panels=["loss", "boundary"], speed=20)
    return graph


def layernorm_small_batches():
    d = Drawing(settings(
        "Two hidden layers of 16 ReLU units with LayerNorm, trained on batches of 2 samples: "
        "LayerNorm normalises each sample on its own, so the tiny batches do not matter. "
        "BatchNorm in its place fails.",
        CIRCLE, {"name": "Adam", "lr": 0.01}, 300, batch_size=2))
    graph = _deep(d, 2, 16, "ReLU", "LayerNorm")
    batchnorm = [change for i in (1, 2) for change in (_replace(f"norm{i}", "BatchNorm1d"),
                                                      _set(f"norm{i}", "num_features", 16))]
    graph.lesson = lesson(
        "normalization", 3,
        text("LayerNorm: one sample at a time", "LayerNorm: un esempio alla volta"),
        text("With batches of two samples BatchNorm's statistics are noise; LayerNorm normalises "
             "each sample over its features and trains well.",
             "Con mini-batch di due esempi le statistiche della BatchNorm sono rumore; la LayerNorm "
             "normalizza ogni esempio sulle sue caratteristiche e si addestra bene."),
        pages=[
            page(text(
                "This network learns from **batches of 2 samples**. Its normalisation is "
                "**LayerNorm** (notes, section 8): for each sample it takes the mean and variance "
                "over the 16 units of the layer, not over the batch. Every sample is normalised on "
                "its own, in training and in evaluation alike.\n\n"
                "Press **Train**: the boundary closes around the disc.",
                "Questa rete impara da **mini-batch di 2 esempi**. La sua normalizzazione è la "
                "**LayerNorm** (appunti, sezione 8): per ogni esempio prende media e varianza sulle "
                "16 unità dello strato, non sul batch. Ogni esempio è normalizzato da solo, in "
                "addestramento come in valutazione.\n\n"
                "Premi **Addestra**: il confine si chiude intorno al disco."),
                _train(300)),
            page(text(
                "Now put **BatchNorm** in place of each LayerNorm, reset and train. With two samples "
                "a unit's batch mean is the middle of two numbers and each of them is normalised to "
                "about -1 or +1: what reaches the next layer says little more than which of the two "
                "was larger. The loss stays near 0.69, chance level.\n\n"
                "This is why Transformers and recurrent networks use LayerNorm: their batches are "
                "small or their sequences of different length.",
                "Ora metti la **BatchNorm** al posto di ogni LayerNorm, azzera e addestra. Con due "
                "esempi la media di un'unità sul batch è il punto medio di due numeri, e ciascuno "
                "viene normalizzato a circa -1 o +1: ciò che arriva allo strato successivo dice poco "
                "più di quale dei due fosse più grande. La loss resta vicino a 0.69, il livello del "
                "caso.\n\n"
                "Per questo Transformer e reti ricorrenti usano la LayerNorm: i loro batch sono "
                "piccoli o le loro sequenze di lunghezza diversa."),
                *batchnorm, RESET, _train(300)),
            page(text(
                "**Try next:** set the batch size to 50 (Training settings) and try BatchNorm "
                "again.\n\n"
                "**Question for the class:** LayerNorm gives the same output in training and in "
                "evaluation. Does BatchNorm? (See the previous lesson.)",
                "**Prova poi:** porta la dimensione del mini-batch a 50 (impostazioni di "
                "addestramento) e riprova la BatchNorm.\n\n"
                "**Domanda per la classe:** la LayerNorm dà la stessa uscita in addestramento e in "
                "valutazione. E la BatchNorm? (Vedi la lezione precedente.)"),
                _setting("batch_size", 50)),
        ],
        goals=[
            goal("solves", text("With LayerNorm the training accuracy ends at least at 95 %",
                                "Con la LayerNorm l'accuratezza di addestramento finisce almeno al "
                                "95 %"),
                 metric="train_acc", op=">=", value=0.95, when="end"),
            goal("batchnorm_fails",
                 text("With BatchNorm on the same batches of 2 the loss is at least 5 times higher",
                      "Con la BatchNorm sugli stessi mini-batch di 2 la loss è almeno 5 volte più "
                      "alta"),
                 metric="train_loss", op="<=", value=0.2, when="end", variant={"changes": batchnorm}),
        ],
        panels=["loss", "boundary"], speed=30)
    return graph


def groupnorm():
    d = Drawing(settings(
        "Two hidden layers of 16 ReLU units with GroupNorm in 4 groups of 4 units: each sample's "
        "units are normalised group by group. With 16 groups every group holds one value and "
        "normalises it to zero: the network learns nothing.",
        CIRCLE, {"name": "SGD", "lr": 0.05, "momentum": 0.9}, 300, batch_size=10))
    graph = _deep(d, 2, 16, "ReLU", "GroupNorm")
    one_per_group = [_set(f"norm{i}", "num_groups", 16) for i in (1, 2)]
    graph.lesson = lesson(
        "normalization", 4,
        text("GroupNorm: between LayerNorm and InstanceNorm", "GroupNorm: tra LayerNorm e "
                                                              "InstanceNorm"),
        text("GroupNorm splits a sample's channels into groups and normalises each group; one "
             "group is LayerNorm, one channel per group is InstanceNorm.",
             "La GroupNorm divide i canali di un esempio in gruppi e normalizza ciascun gruppo; un "
             "solo gruppo è la LayerNorm, un canale per gruppo è la InstanceNorm."),
        pages=[
            page(text(
                "**GroupNorm** (notes, section 8) splits the 16 units of each layer into "
                "**4 groups of 4** and, for each sample, normalises each group with its own mean and "
                "variance. Like LayerNorm it never looks at the other samples of the batch.\n\n"
                "Press **Train**.",
                "La **GroupNorm** (appunti, sezione 8) divide le 16 unità di ogni strato in "
                "**4 gruppi da 4** e, per ogni esempio, normalizza ciascun gruppo con la sua media e "
                "la sua varianza. Come la LayerNorm non guarda mai gli altri esempi del batch.\n\n"
                "Premi **Addestra**."),
                _train(300)),
            page(text(
                "With **1 group** GroupNorm is LayerNorm. With **as many groups as channels** it is "
                "InstanceNorm: each channel normalised on its own. On images a channel holds a whole "
                "feature map, many values. Here a channel is **one number**: its mean is itself and "
                "(x - mean) is zero. Every unit outputs only its learned shift beta, whatever the "
                "input.\n\n"
                "Set 16 groups, reset and train: the loss stays at 0.69, the boundary never forms.",
                "Con **1 gruppo** la GroupNorm è la LayerNorm. Con **tanti gruppi quanti canali** è "
                "la InstanceNorm: ogni canale normalizzato da solo. Sulle immagini un canale contiene "
                "un'intera mappa di caratteristiche, molti valori. Qui un canale è **un solo "
                "numero**: la sua media è lui stesso e (x - media) è zero. Ogni unità restituisce "
                "solo il suo spostamento appreso beta, qualunque sia l'ingresso.\n\n"
                "Imposta 16 gruppi, azzera e addestra: la loss resta a 0.69, il confine non si forma "
                "mai."),
                *one_per_group, RESET, _train(300)),
            page(text(
                "**Try next:** 1, 2 and 8 groups.\n\n"
                "**Question for the class:** a group normalises over its channels and, on an image, "
                "over all the pixels. Which of BatchNorm, LayerNorm, InstanceNorm and GroupNorm "
                "depend on the batch size?",
                "**Prova poi:** 1, 2 e 8 gruppi.\n\n"
                "**Domanda per la classe:** un gruppo normalizza sui suoi canali e, su un'immagine, "
                "su tutti i pixel. Quali tra BatchNorm, LayerNorm, InstanceNorm e GroupNorm "
                "dipendono dalla dimensione del mini-batch?"),
                *[_set(f"norm{i}", "num_groups", 4) for i in (1, 2)], RESET),
        ],
        goals=[
            goal("solves", text("With 4 groups the training accuracy reaches 90 %",
                                "Con 4 gruppi l'accuratezza di addestramento arriva al 90 %"),
                 metric="train_acc", op=">=", value=0.9, when="by"),
            goal("one_value_groups_fail",
                 text("With one unit per group the loss is at least 5 times higher",
                      "Con un'unità per gruppo la loss è almeno 5 volte più alta"),
                 metric="train_loss", op="<=", value=0.2, when="end",
                 variant={"changes": one_per_group}),
        ],
        panels=["loss", "boundary"], speed=30)
    return graph


LESSONS = {
    "batchnorm_deep": batchnorm_deep,
    "batchnorm_train_eval": batchnorm_train_eval,
    "layernorm_small_batches": layernorm_small_batches,
    "groupnorm": groupnorm,
}
