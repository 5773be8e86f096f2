"""Chapter 14, the Transformer (course notes 003, section 14): scaled dot-product attention with
positional encoding learns to reverse a sequence (its attention map becomes the anti-diagonal,
and without positions it cannot), then a whole encoder layer with two heads, residual
connections and LayerNorm does the same."""
from _drawing import Drawing, goal, lesson, page, settings, text, set_param as _set, train

LENGTH = 6
REVERSE = {"name": "reverse", "n_samples": 1000, "length": LENGTH}
ADAM = {"name": "Adam", "lr": 0.01}
D_MODEL = 16
RESET = {"do": "reset"}
NO_POSITIONS = [{"do": "replace_node", "node": "pos", "type": "Identity"}]


def _train(steps):
    return train(steps)


def _sequence_net(description, steps, attention_type, **attention):
    """x (N, L, 1) -> Linear(1, 16) embedding -> PositionalEncoding -> the attention node
    "attn" -> Linear(16, 1) -> MSE against the reversed sequence."""
    d = Drawing(settings(description, REVERSE, ADAM, steps, batch_size=32, task="regression"))
    d.node("x", "Input", 0)
    d.node("embed", "Linear", 1, label="embedding", in_features=1, out_features=D_MODEL)
    d.node("pos", "PositionalEncoding", 2, label="positional encoding", d_model=D_MODEL,
           batch_first=True)
    d.node("attn", attention_type, 3, batch_first=True, **attention)
    d.node("output", "Linear", 4, in_features=D_MODEL, out_features=1)
    d.node("y", "Target", 4, 1)
    d.node("cost", "MSELoss", 5)
    d.chain("x", "embed", "pos")
    d.edge("pos", "attn", "query" if attention_type == "MultiheadAttention" else "input")
    d.chain("attn", "output", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def _goals(steps_solved, pattern):
    return [
        goal("solved", text("The test loss falls below 0.01 (predicting 0 everywhere scores 0.33)",
                            "La loss di test scende sotto 0.01 (predire sempre 0 vale 0.33)"),
             metric="test_loss", op="<", value=0.01, when="by", step=steps_solved),
        goal("pattern", text(f"Output i attends to input {LENGTH}-1-i: at least {pattern:.0%} of "
                             "the attention lies on the anti-diagonal",
                             f"L'uscita i presta attenzione all'ingresso {LENGTH}-1-i: almeno il "
                             f"{pattern:.0%} dell'attenzione sta sull'antidiagonale"),
             metric="attention_reversed:attn", op=">=", value=pattern, when="end"),
        goal("needs_positions",
             text("Without positional encoding the test loss at step 150 is at least 5 times "
                  "higher",
                  "Senza codifica posizionale la loss di test al passo 150 è almeno 5 volte più "
                  "alta"),
             metric="test_loss", op="<=", value=0.2, when="end", step=150,
             variant={"changes": NO_POSITIONS}),
    ]


def attention_reverse():
    graph = _sequence_net(
        "Scaled dot-product attention (one head) with positional encoding learns to reverse "
        "sequences of 6 numbers: output i reads input 5 - i, and the attention map becomes the "
        "anti-diagonal.", 300, "MultiheadAttention", embed_dim=D_MODEL, num_heads=1)
    graph.lesson = lesson(
        "transformer", 1,
        text("Attention learns to reverse a sequence", "L'attenzione impara a invertire una "
                                                       "sequenza"),
        text("Scaled dot-product attention with positional encoding: each output learns which "
             "input to read, and the attention map shows it.",
             "Attenzione scaled dot-product con codifica posizionale: ogni uscita impara quale "
             "ingresso leggere, e la mappa dell'attenzione lo mostra."),
        pages=[
            page(text(
                "Each sample is a sequence of 6 numbers; the target is the same sequence "
                "**reversed**. Each number becomes a vector of 16 (the embedding), to which the "
                "**positional encoding** adds sine and cosine waves of its position (notes, "
                "section 14.6). Then **self-attention** (section 14.4): from each vector it makes a "
                "query Q, a key K and a value V, and every output is\n\n"
                "Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V,\n\n"
                "a weighted average of the values, weighted by how well its query matches each "
                "key.\n\n"
                "Press **Train** and open the Attention panel.",
                "Ogni esempio è una sequenza di 6 numeri; l'obiettivo è la stessa sequenza "
                "**invertita**. Ogni numero diventa un vettore di 16 (l'embedding), a cui la "
                "**codifica posizionale** somma onde seno e coseno della sua posizione (appunti, "
                "sezione 14.6). Poi la **self-attention** (sezione 14.4): da ogni vettore costruisce "
                "una query Q, una key K e un value V, e ogni uscita è\n\n"
                "Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V,\n\n"
                "una media dei value, pesata da quanto la sua query somiglia a ogni key.\n\n"
                "Premi **Addestra** e apri il pannello dell'attenzione."),
                _train(300), {"do": "show_panel", "panel": "attention"}),
            page(text(
                "The map is the softmax matrix: row i says how much output i reads from each "
                "input. At the start it is blurred; after training it is the **anti-diagonal**: "
                "output 0 reads input 5, output 1 reads input 4, and so on. Nobody told the network "
                "which input to read: the queries and keys learned it from the positions.\n\n"
                "Now replace the positional encoding with an Identity, reset and train. Without "
                "positions attention sees a bag of numbers with no order: it cannot tell the first "
                "from the last, and the loss stays high.",
                "La mappa è la matrice della softmax: la riga i dice quanto l'uscita i legge da "
                "ogni ingresso. All'inizio è sfocata; dopo l'addestramento è l'**antidiagonale**: "
                "l'uscita 0 legge l'ingresso 5, l'uscita 1 l'ingresso 4, e così via. Nessuno ha "
                "detto alla rete quale ingresso leggere: query e key lo hanno imparato dalle "
                "posizioni.\n\n"
                "Ora sostituisci la codifica posizionale con un'Identità, azzera e addestra. Senza "
                "posizioni l'attenzione vede un sacchetto di numeri senza ordine: non distingue il "
                "primo dall'ultimo, e la loss resta alta."),
                *NO_POSITIONS, RESET, _train(300)),
            page(text(
                "**Try next:** 2 or 4 heads (num_heads): each head makes its own map (section "
                "14.5); do they split the work?\n\n"
                "**Question for the class:** the notes say the encoding of position pos + k is a "
                "linear function of the encoding of pos. Why does that help a query at position i "
                "find the key at position 5 - i?",
                "**Prova poi:** 2 o 4 teste (num_heads): ogni testa fa la sua mappa (sezione "
                "14.5); si dividono il lavoro?\n\n"
                "**Domanda per la classe:** gli appunti dicono che la codifica della posizione "
                "pos + k è una funzione lineare della codifica di pos. Perché questo aiuta una query "
                "in posizione i a trovare la key in posizione 5 - i?"),
                {"do": "replace_node", "node": "pos", "type": "PositionalEncoding"},
                _set("pos", "d_model", D_MODEL), _set("pos", "batch_first", True),
                _set("attn", "num_heads", 2), RESET),
        ],
        goals=_goals(300, 0.8),
        panels=["attention", "loss"], speed=30)
    return graph


def transformer_block():
    graph = _sequence_net(
        "A whole Transformer encoder layer (two attention heads, a feed-forward network, "
        "residual connections and LayerNorm) with positional encoding reverses sequences of 6 "
        "numbers.", 300, "TransformerBlock", d_model=D_MODEL, nhead=2, dim_feedforward=32,
        dropout=0.0)
    graph.lesson = lesson(
        "transformer", 2,
        text("A Transformer encoder layer", "Uno strato encoder del Transformer"),
        text("Multi-head attention, a feed-forward network, residual connections and LayerNorm: "
             "the encoder layer of the notes on the same reversal task.",
             "Attenzione multi-testa, rete feed-forward, connessioni residue e LayerNorm: lo "
             "strato encoder degli appunti sullo stesso compito di inversione."),
        pages=[
            page(text(
                "The attention node is now a whole **encoder layer** (open it in the editor to see "
                "inside): multi-head self-attention with **2 heads** (notes, section 14.5), then a "
                "feed-forward network applied to each position; each of the two is wrapped in "
                "**Add & Norm**, a residual connection output = F(x) + x followed by LayerNorm "
                "(section 14.7).\n\n"
                "Press **Train** and look at each head's map in the Attention panel.",
                "Il nodo di attenzione ora è un intero **strato encoder** (aprilo nell'editor per "
                "vederne l'interno): self-attention multi-testa con **2 teste** (appunti, sezione "
                "14.5), poi una rete feed-forward applicata a ogni posizione; ciascuno dei due è "
                "avvolto in un **Add & Norm**, una connessione residua uscita = F(x) + x seguita da "
                "una LayerNorm (sezione 14.7).\n\n"
                "Premi **Addestra** e guarda la mappa di ogni testa nel pannello dell'attenzione."),
                _train(300)),
            page(text(
                "The layer solves the reversal too. The heads need not agree: often one holds the "
                "sharp anti-diagonal while the other looks elsewhere, and the projection W_o "
                "combines them. The residual connection lets each position keep its own "
                "information while attention brings in its mirror's.\n\n"
                "As before, take away the positional encoding: the layer is as blind to order as "
                "the bare attention.",
                "Anche lo strato risolve l'inversione. Le teste non devono per forza essere "
                "d'accordo: spesso una tiene l'antidiagonale netta mentre l'altra guarda altrove, e "
                "la proiezione W_o le combina. La connessione residua permette a ogni posizione di "
                "tenere la propria informazione mentre l'attenzione porta quella della posizione "
                "speculare.\n\n"
                "Come prima, togli la codifica posizionale: lo strato è cieco all'ordine quanto "
                "l'attenzione da sola."),
                *NO_POSITIONS, RESET, _train(300)),
            page(text(
                "**Question for the class:** a Transformer for text stacks 6 or 12 of these "
                "layers. What do the residual connections do for the gradient on its way down "
                "through all of them? (See the lesson on vanishing gradients.)",
                "**Domanda per la classe:** un Transformer per il testo impila 6 o 12 di questi "
                "strati. Che cosa fanno le connessioni residue per il gradiente che li attraversa "
                "tutti all'indietro? (Vedi la lezione sui gradienti che svaniscono.)")),
        ],
        goals=_goals(300, 0.5),
        panels=["attention", "loss"], speed=30)
    return graph


LESSONS = {
    "attention_reverse": attention_reverse,
    "transformer_block": transformer_block,
}
