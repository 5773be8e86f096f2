"""Chapter 12, recurrent networks (course notes 003, section 10), continued: a GRU remembers a
number across 20 distracting steps where a plain RNN cannot (and an LSTM with its forget gates
open can), and a bidirectional LSTM, whose backward reading ends on the number, does not even
need to remember."""
import math

from _drawing import (Drawing, goal, lesson, page, settings, text, replace_node as _replace,
                      set_param as _set, RESET)

DELAY = 20


def _delay_net(description, cell, hidden, optimizer, steps, batch_size, bidirectional=False, **cell_params):
    """The delay-copy task: x (N, 21, 2) -> a recurrent node "rnn" -> its final hidden state
    h_n (both directions, when bidirectional) -> Linear -> MSE against the marked number."""
    d = Drawing(settings(description, {"name": "delay-copy", "n_samples": 512, "delay": DELAY,
                                       "distractors": True},
                         optimizer, steps, batch_size=batch_size, task="regression", clip_grad_norm=1.0))
    d.node("x", "Input", 0, label="number, marker")
    d.node("rnn", cell, 1, input_size=2, hidden_size=hidden, batch_first=True,
           bidirectional=bidirectional, **cell_params)
    d.node("last", "Transpose", 2, label="h_n, batch first", dim0=0, dim1=1)
    d.node("flat", "Flatten", 3)
    d.node("output", "Linear", 4, in_features=hidden * (2 if bidirectional else 1), out_features=1)
    d.node("y", "Target", 4, 1)
    d.node("cost", "MSELoss", 5)
    d.edge("x", "rnn")
    d.edge("rnn", "last", "input", "h_n")
    d.chain("last", "flat", "output", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def gru_vs_rnn():
    steps = 250
    graph = _delay_net(
        "Remember the number marked at the first step through 20 random distractors. A GRU "
        "(8 units) learns it; a plain RNN of the same size, trained the same way, does not; an "
        "LSTM does, once its forget gates start open.", "GRU", 8, {"name": "Adam", "lr": 0.03},
        steps, 32)
    to_rnn = [_replace("rnn", "RNN")]
    to_lstm = [_replace("rnn", "LSTM"), _set("rnn", "forget_bias", round(math.log(DELAY), 3))]
    graph.lesson = lesson(
        "rnn", 3,
        text("RNN, LSTM and GRU: remembering for 20 steps",
             "RNN, LSTM e GRU: ricordare per 20 passi"),
        text("The gated cells carry a number across 20 distracting steps; the plain RNN loses it.",
             "Le celle con porte portano un numero attraverso 20 passi di disturbo; la RNN semplice "
             "lo perde."),
        pages=[
            page(text(
                "Each sequence has 21 steps. At the first step the network sees a number with a "
                "marker; then come 20 random numbers that mean nothing. At the end it must say the "
                "first number. Predicting 0 every time scores a loss of 0.33.\n\n"
                "The cell is a **GRU** (notes, section 10): an update gate z decides, at every step, "
                "how much of the old state to keep, h = (1 - z) h_new + z h_old. Press **Train**.",
                "Ogni sequenza ha 21 passi. Al primo passo la rete vede un numero con un "
                "segnalatore; poi vengono 20 numeri casuali che non significano nulla. Alla fine "
                "deve dire il primo numero. Predire sempre 0 vale una loss di 0.33.\n\n"
                "La cella è una **GRU** (appunti, sezione 10): una porta di aggiornamento z decide, "
                "a ogni passo, quanto dello stato vecchio tenere, h = (1 - z) h_nuovo + z h_vecchio. "
                "Premi **Addestra**."),
                {"do": "train", "steps": steps}, {"do": "show_panel", "panel": "loss"}),
            page(text(
                "The GRU learns to close its update gate after the marker: z near 1 copies the state "
                "forward unchanged, and the gradient flows back through the 20 steps without "
                "shrinking.\n\n"
                "Now replace the cell with a plain **RNN**, h = tanh(W x + U h_old), reset and "
                "train. Every step rewrites the whole state through a tanh; backpropagation through "
                "time multiplies 20 Jacobians and the gradient that would teach it to keep the "
                "number vanishes (section 10, BPTT). Its loss stays near 0.3.",
                "La GRU impara a chiudere la porta di aggiornamento dopo il segnalatore: z vicino a "
                "1 copia lo stato in avanti invariato, e il gradiente torna indietro attraverso i 20 "
                "passi senza ridursi.\n\n"
                "Ora sostituisci la cella con una **RNN** semplice, h = tanh(W x + U h_vecchio), "
                "azzera e addestra. Ogni passo riscrive tutto lo stato attraverso una tanh; la "
                "retropropagazione nel tempo moltiplica 20 jacobiane e il gradiente che le "
                "insegnerebbe a tenere il numero svanisce (sezione 10, BPTT). La sua loss resta "
                "vicino a 0.3."),
                *to_rnn, RESET, {"do": "train", "steps": steps}),
            page(text(
                "Last, an **LSTM** with its forget gates starting open (forget_bias = ln 20): its "
                "cell state c = f c + i g keeps the number as long as f stays near 1. It learns "
                "too.\n\n"
                "**Try next:** the RNN with a delay of 5 (the dataset's settings): short memories "
                "are within its reach.\n\n"
                "**Question for the class:** the GRU has 3 groups of weights per unit, the LSTM 4, "
                "the RNN 1. What does each extra group buy?",
                "Infine una **LSTM** con le porte di dimenticanza che partono aperte (forget_bias = "
                "ln 20): il suo stato di cella c = f c + i g tiene il numero finché f resta vicino "
                "a 1. Impara anche lei.\n\n"
                "**Prova poi:** la RNN con un ritardo di 5 (nelle impostazioni del dataset): le "
                "memorie brevi sono alla sua portata.\n\n"
                "**Domanda per la classe:** la GRU ha 3 gruppi di pesi per unità, la LSTM 4, la "
                "RNN 1. Che cosa compra ogni gruppo in più?"),
                *to_lstm, RESET, {"do": "train", "steps": steps}),
        ],
        goals=[
            goal("gru_remembers", text("The GRU's test loss ends below 0.02",
                                       "La loss di test della GRU finisce sotto 0.02"),
                 metric="test_loss", op="<", value=0.02, when="end"),
            goal("rnn_forgets", text("A plain RNN in its place ends at least 20 times higher",
                                     "Una RNN semplice al suo posto finisce almeno 20 volte più in "
                                     "alto"),
                 metric="test_loss", op="<=", value=0.05, when="end", variant={"changes": to_rnn}),
            goal("lstm_remembers", text("An LSTM with open forget gates ends within 10 times the "
                                        "GRU's loss or below it",
                                        "Una LSTM con le porte di dimenticanza aperte finisce entro "
                                        "10 volte la loss della GRU o sotto"),
                 metric="test_loss", op="<=", value=10.0, when="end", variant={"changes": to_lstm}),
        ],
        panels=["sequence", "loss", "predictions"], speed=30)
    return graph


def bidirectional_lstm():
    steps = 150
    graph = _delay_net(
        "The same memory task for a bidirectional LSTM (8 units each way, torch's default "
        "initialisation): the backward reading ends on the marked number, so its final state holds "
        "it without any memory. One direction alone fails.", "LSTM", 8, {"name": "Adam", "lr": 0.01},
        steps, 16, bidirectional=True)
    one_way = [_set("rnn", "bidirectional", False), _set("output", "in_features", 8)]
    graph.lesson = lesson(
        "rnn", 4,
        text("A bidirectional LSTM reads both ways", "Una LSTM bidirezionale legge nei due versi"),
        text("Two LSTMs, one reading forwards and one backwards: the backward one ends where the "
             "answer is.",
             "Due LSTM, una che legge in avanti e una all'indietro: quella all'indietro finisce dove "
             "sta la risposta."),
        pages=[
            page(text(
                "The task of the previous lesson: say the number shown at the first of 21 steps. "
                "The LSTM is now **bidirectional** (notes, section 10, Bi-LSTM; Schuster and "
                "Paliwal 1997): one LSTM reads the sequence from the first step to the last, a "
                "second one from the last to the first, and the output layer gets both final "
                "states.\n\n"
                "Its forget gates have torch's default start (no forget_bias). Press **Train**.",
                "Il compito della lezione precedente: dire il numero mostrato al primo di 21 passi. "
                "La LSTM ora è **bidirezionale** (appunti, sezione 10, Bi-LSTM; Schuster e Paliwal "
                "1997): una LSTM legge la sequenza dal primo passo all'ultimo, una seconda "
                "dall'ultimo al primo, e lo strato di uscita riceve entrambi gli stati finali.\n\n"
                "Le sue porte di dimenticanza partono come in torch (senza forget_bias). Premi "
                "**Addestra**."),
                {"do": "train", "steps": steps}),
            page(text(
                "Solved in a few steps. The backward LSTM reads the number **last**: its final "
                "state holds it without having to carry it across 20 steps.\n\n"
                "Now make the LSTM one-way (bidirectional off, and the output layer's in_features "
                "back to 8), reset and train: with the default forget gates the forward LSTM loses "
                "the number, like the RNN, and its loss stays near 0.3.",
                "Risolto in pochi passi. La LSTM all'indietro legge il numero per **ultimo**: il suo "
                "stato finale lo contiene senza doverlo portare attraverso 20 passi.\n\n"
                "Ora rendi la LSTM a senso unico (bidirectional spento, e in_features dello strato "
                "di uscita di nuovo a 8), azzera e addestra: con le porte di dimenticanza "
                "predefinite la LSTM in avanti perde il numero, come la RNN, e la sua loss resta "
                "vicino a 0.3."),
                *one_way, RESET, {"do": "train", "steps": steps}),
            page(text(
                "**Question for the class:** a bidirectional network needs the whole sequence "
                "before it answers. For which tasks is that fine (tagging the words of a sentence) "
                "and for which is it impossible (predicting the next word as it is typed)?",
                "**Domanda per la classe:** una rete bidirezionale ha bisogno di tutta la sequenza "
                "prima di rispondere. Per quali compiti va bene (etichettare le parole di una "
                "frase) e per quali è impossibile (prevedere la parola successiva mentre la si "
                "scrive)?")),
        ],
        goals=[
            goal("solves", text("The bidirectional LSTM's test loss ends below 0.01",
                                "La loss di test della LSTM bidirezionale finisce sotto 0.01"),
                 metric="test_loss", op="<", value=0.01, when="end"),
            goal("one_way_fails", text("One direction alone ends at least 20 times higher",
                                       "Una sola direzione finisce almeno 20 volte più in alto"),
                 metric="test_loss", op="<=", value=0.05, when="end", variant={"changes": one_way}),
        ],
        panels=["sequence", "loss", "predictions"], speed=30)
    return graph


LESSONS = {
    "gru_vs_rnn": gru_vs_rnn,
    "bidirectional_lstm": bidirectional_lstm,
}
