"""Chapter 12, recurrent networks: an LSTM predicting a sine wave, an LSTM remembering a number."""
import math

from _drawing import Drawing, goal, lesson, page, settings, text


def lstm_sequence():
    d = Drawing(settings(
        "An LSTM reads a window of a noisy sine wave and predicts the next value. Its final "
        "hidden state h_n summarises the whole sequence.",
        {"name": "sine-sequence", "n_samples": 300, "window": 12, "noise": 0.02},
        {"name": "Adam", "lr": 0.02}, 300, batch_size=16, task="regression"))
    graph = _lstm_regression(d, "sequence", input_size=1, hidden_size=12)
    graph.lesson = lesson(
        "rnn", 1,
        text("An LSTM predicts a sine wave", "Una LSTM prevede una sinusoide"),
        text("An LSTM reads twelve noisy samples of a sine wave and predicts the next value.",
             "Una LSTM legge dodici campioni rumorosi di una sinusoide e prevede il valore "
             "successivo."),
        pages=[
            page(text(
                "Each sample is a window of 12 noisy values of a sine wave (its frequency and "
                "phase change from sample to sample); the target is the next value, without "
                "noise. The LSTM reads the window one value at a time; its last hidden state h_n "
                "goes to a Linear layer that makes the prediction. Press **Play** and watch the "
                "loss fall.",
                "Ogni esempio è una finestra di 12 valori rumorosi di una sinusoide (frequenza e "
                "fase cambiano da un esempio all'altro); l'obiettivo è il valore successivo, senza "
                "rumore. La LSTM legge la finestra un valore alla volta; il suo ultimo stato "
                "nascosto h_n va a uno strato Linear che fa la previsione. Premi **Avvia** e "
                "osserva la funzione di costo scendere."),
                {"do": "train", "steps": 300}, {"do": "show_panel", "panel": "loss"}),
            page(text(
                "The **Predictions** panel plots each prediction against its target: the points "
                "gather on the diagonal. The whole window is summed up in h_n, 12 numbers.\n\n"
                "Question for the class: why can a network that sees only the last value not do "
                "this? How many past values would a plain Linear layer need?",
                "Il pannello **Previsioni** mette ogni previsione a confronto con il suo "
                "obiettivo: i punti si raccolgono sulla diagonale. L'intera finestra è riassunta "
                "in h_n, 12 numeri.\n\n"
                "Domanda per la classe: perché una rete che vede solo l'ultimo valore non ci "
                "riesce? Quanti valori passati servirebbero a un semplice strato Linear?"),
                {"do": "show_panel", "panel": "predictions"}),
            page(text(
                "Make the memory smaller: the buttons set the LSTM's hidden_size to 2 and the "
                "output layer's in_features to match. Press **Reset** and **Play**: does the "
                "loss still fall as far?",
                "Rimpicciolisci la memoria: i pulsanti portano hidden_size della LSTM a 2 e "
                "in_features dello strato di uscita al valore corrispondente. Premi **Azzera** e "
                "**Avvia**: la funzione di costo scende ancora altrettanto?"),
                {"do": "set_param", "node": "lstm", "param": "hidden_size", "value": 2},
                {"do": "set_param", "node": "output", "param": "in_features", "value": 2},
                {"do": "reset"}),
        ],
        goals=[
            goal("learns", text("The training loss falls below 0.01",
                                "La funzione di costo sull'addestramento scende sotto 0,01"),
                 metric="train_loss", op="<", value=0.01, when="by"),
            goal("predicts", text("The test loss is below 0.01 at the end",
                                  "La funzione di costo sul test è sotto 0,01 alla fine"),
                 metric="test_loss", op="<", value=0.01, when="end"),
        ],
        panels=["sequence", "loss", "predictions"], speed=30)
    return graph


def _lstm_regression(d, input_label, hidden_size, **lstm_params):
    """Input -> LSTM -> its final hidden state h_n -> Linear -> MSE against the Target."""
    d.node("x", "Input", 0, label=input_label)
    d.node("lstm", "LSTM", 1, hidden_size=hidden_size, batch_first=True, **lstm_params)
    d.node("last", "Transpose", 2, label="h_n, batch first", dim0=0, dim1=1)
    d.node("flat", "Flatten", 3)
    d.node("output", "Linear", 4, in_features=hidden_size, out_features=1)
    d.node("y", "Target", 4, 1)
    d.node("cost", "MSELoss", 5)
    d.edge("x", "lstm")
    d.edge("lstm", "last", "input", "h_n")
    d.chain("last", "flat", "output", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def lstm_delay_copy():
    d = Drawing(settings(
        "Remember one number for 30 steps: the first step shows a number (with a marker), then 30 "
        "random distractors follow, and the target is the first number. The LSTM's forget gates "
        "start nearly shut (forget_bias = ln 30), so its cell state carries the number to the end "
        "and the loss drops far below 0.33 (what predicting 0 scores). Replace the LSTM with an "
        "RNN (keep h_n) and train again: its gradients vanish over the 30 steps and it stays "
        "near 0.33.",
        {"name": "delay-copy", "n_samples": 512, "delay": 30, "distractors": True},
        {"name": "Adam", "lr": 0.01}, 200, batch_size=16, task="regression", clip_grad_norm=1.0))
    graph = _lstm_regression(d, "value, then 30 distractors", input_size=2, hidden_size=16,
                             forget_bias=round(math.log(30), 3))
    graph.lesson = lesson(
        "rnn", 2,
        text("Remembering a number for 30 steps: LSTM against RNN",
             "Ricordare un numero per 30 passi: LSTM contro RNN"),
        text("An LSTM whose forget gates start nearly shut carries a number across 30 "
             "distracting steps; a plain RNN cannot.",
             "Una LSTM con i gate di dimenticanza quasi chiusi all'inizio porta un numero "
             "attraverso 30 passi di distrazione; una RNN semplice non ci riesce."),
        pages=[
            page(text(
                "Each sequence starts with a number and a marker; then 30 random distractors "
                "follow in the same channel. The target is the first number. Predicting 0 every "
                "time scores a loss of about 0.33. Press **Play**: the LSTM's loss drops far "
                "below that.",
                "Ogni sequenza inizia con un numero e un marcatore; seguono 30 distrattori "
                "casuali nello stesso canale. L'obiettivo è il primo numero. Prevedere sempre 0 "
                "dà una funzione di costo di circa 0,33. Premi **Avvia**: la funzione di costo "
                "della LSTM scende molto più in basso."),
                {"do": "train", "steps": 200}, {"do": "show_panel", "panel": "loss"}),
            page(text(
                "How: the LSTM's cell state is updated as c ← f·c + i·g. The forget gates f "
                "start close to 1 (forget_bias = ln 30 ≈ 3.4), so the cell keeps what it stored "
                "and the gradient flows back through the 30 steps almost unchanged. The input "
                "gate learns to open only on the marker.\n\n"
                "Question for the class: what would a forget gate of 0.5 do to a value kept for "
                "30 steps? (0.5^30 ≈ 10⁻⁹)",
                "Come: lo stato della cella della LSTM si aggiorna come c ← f·c + i·g. I gate di "
                "dimenticanza f partono vicini a 1 (forget_bias = ln 30 ≈ 3,4), quindi la cella "
                "conserva ciò che ha memorizzato e il gradiente torna indietro per i 30 passi "
                "quasi invariato. Il gate di ingresso impara ad aprirsi solo sul marcatore.\n\n"
                "Domanda per la classe: che cosa farebbe un gate di dimenticanza a 0,5 a un "
                "valore tenuto per 30 passi? (0,5^30 ≈ 10⁻⁹)"),
                {"do": "show_panel", "panel": "gradflow"}),
            page(text(
                "Now replace the LSTM with a plain RNN (the button keeps the h_n connection), "
                "then press **Reset** and **Play**. A tanh rewrites the RNN's state at every "
                "step; the gradient that would teach it to keep the number vanishes over the 30 "
                "steps, and its loss stays near 0.33.",
                "Ora sostituisci la LSTM con una RNN semplice (il pulsante mantiene il "
                "collegamento di h_n), poi premi **Azzera** e **Avvia**. Una tanh riscrive lo stato "
                "della RNN a ogni passo; il gradiente che le insegnerebbe a conservare il numero "
                "svanisce lungo i 30 passi, e la sua funzione di costo resta vicina a 0,33."),
                {"do": "replace_node", "node": "lstm", "type": "RNN"}, {"do": "reset"},
                {"do": "train", "steps": 200}),
        ],
        goals=[
            goal("remembers", text("The LSTM's test loss ends below 0.02 (predicting 0 scores "
                                   "0.33)",
                                   "La funzione di costo sul test della LSTM finisce sotto 0,02 "
                                   "(prevedere 0 dà 0,33)"),
                 metric="test_loss", op="<", value=0.02, when="end"),
            goal("beats_rnn", text("A plain RNN in its place ends with a test loss over 10× "
                                   "higher",
                                   "Una RNN semplice al suo posto finisce con una funzione di "
                                   "costo sul test più di 10 volte più alta"),
                 metric="test_loss", op="<", value=0.1, when="end",
                 variant={"changes": [{"do": "replace_node", "node": "lstm", "type": "RNN"}]}),
        ],
        panels=["sequence", "loss", "gradflow"], speed=10)
    return graph


LESSONS = {"lstm_sequence": lstm_sequence, "lstm_delay_copy": lstm_delay_copy}
