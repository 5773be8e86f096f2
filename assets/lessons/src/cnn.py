"""Chapter 11, convolutional networks."""
from _drawing import Drawing, goal, lesson, page, settings, text


def digits_cnn():
    d = Drawing(settings(
        "A small convolutional network reads 8x8 handwritten digits: 3x3 filters, ReLU, "
        "max pooling, then a linear classifier over the ten classes.",
        {"name": "digits", "layout": "image"}, {"name": "Adam", "lr": 0.01}, 200, batch_size=32))
    d.node("x", "Input", 0, label="8x8 image")
    d.node("conv", "Conv2d", 1, in_channels=1, out_channels=8, kernel_size=3, padding=1)
    d.node("relu", "ReLU", 2)
    d.node("pool", "MaxPool2d", 3, kernel_size=2)
    d.node("flat", "Flatten", 4)
    d.node("classifier", "Linear", 5, in_features=8 * 4 * 4, out_features=10)
    d.node("y", "Target", 5, 1)
    d.node("cost", "CrossEntropyLoss", 6)
    d.chain("x", "conv", "relu", "pool", "flat", "classifier", "cost")
    d.edge("y", "cost", "target")
    d.graph.lesson = lesson(
        "cnn", 1,
        text("A convolutional network reads digits", "Una rete convoluzionale legge le cifre"),
        text("3×3 filters, a ReLU, max pooling and a linear classifier recognise 8×8 "
             "handwritten digits.",
             "Filtri 3×3, una ReLU, il max pooling e un classificatore lineare riconoscono cifre "
             "scritte a mano di 8×8 pixel."),
        pages=[
            page(text(
                "Each 8×8 image goes through eight 3×3 filters (Conv2d), a ReLU, and a 2×2 max "
                "pooling that halves its width and height; a Linear layer then gives a score to "
                "each of the ten classes. Press **Play** and watch the **Images** panel: the "
                "misclassified digits come first, with their true and predicted labels.",
                "Ogni immagine 8×8 passa per otto filtri 3×3 (Conv2d), una ReLU e un max pooling "
                "2×2 che ne dimezza larghezza e altezza; uno strato Linear assegna poi un "
                "punteggio a ciascuna delle dieci classi. Premi **Avvia** e osserva il pannello "
                "**Immagini**: prima compaiono le cifre classificate male, con l'etichetta vera e "
                "quella prevista."),
                {"do": "train", "steps": 200}, {"do": "show_panel", "panel": "images"}),
            page(text(
                "The **Confusion** matrix shows which digits are taken for which: the errors "
                "that remain are between digits that look alike. The **Images** panel also draws "
                "the first layer's filters: some look like edge detectors.\n\n"
                "Question for the class: how many weights does the convolution have, and how "
                "many would a Linear layer from the 64 pixels to the same 8×8×8 outputs need?",
                "La matrice di **confusione** mostra quali cifre vengono scambiate per quali: gli "
                "errori che restano sono tra cifre che si somigliano. Il pannello **Immagini** "
                "disegna anche i filtri del primo strato: alcuni sembrano rilevatori di bordi.\n\n"
                "Domanda per la classe: quanti pesi ha la convoluzione, e quanti ne servirebbero "
                "a uno strato Linear dai 64 pixel alle stesse 8×8×8 uscite?"),
                {"do": "show_panel", "panel": "confusion"}),
            page(text(
                "Try fewer filters: the buttons set out_channels to 2 and the classifier's "
                "in_features to match (2×4×4 = 32). Press **Reset** and **Play**: how far does "
                "the test accuracy fall?",
                "Prova con meno filtri: i pulsanti portano out_channels a 2 e in_features del "
                "classificatore al valore corrispondente (2×4×4 = 32). Premi **Azzera** e "
                "**Avvia**: di quanto scende l'accuratezza sul test?"),
                {"do": "set_param", "node": "conv", "param": "out_channels", "value": 2},
                {"do": "set_param", "node": "classifier", "param": "in_features", "value": 32},
                {"do": "reset"}),
        ],
        goals=[
            goal("early", text("Test accuracy reaches 90 % within 100 steps",
                               "L'accuratezza sul test raggiunge il 90 % entro 100 passi"),
                 metric="test_acc", op=">=", value=0.9, when="by", step=100),
            goal("final", text("Test accuracy is at least 95 % at the end",
                               "L'accuratezza sul test è almeno del 95 % alla fine"),
                 metric="test_acc", op=">=", value=0.95, when="end"),
        ],
        panels=["images", "confusion", "loss"], speed=20)
    return d.graph


LESSONS = {"digits_cnn": digits_cnn}
