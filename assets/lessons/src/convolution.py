"""Chapter 11, convolutional networks (course notes 003, section 9), continued: how stride,
padding and pooling change the size of the feature maps, and the 1x1 convolution that mixes
channels with few weights. Sizes and weight counts are goals (metrics output_size and
param_count), and each network still learns the digits."""
from _drawing import Drawing, goal, lesson, page, settings, text, set_param as _set, RESET, train

DIGITS = {"name": "digits", "layout": "image"}
ADAM = {"name": "Adam", "lr": 0.01}
STEPS = 150
#: shape goals look at the graph right after the start (their variants need not train)
AT_START = 10
def _train(steps=STEPS):
    return train(steps)


def _learns():
    return goal("learns", text("The network learns the digits: test accuracy at least 90 %",
                               "La rete impara le cifre: accuratezza di test almeno 90 %"),
                metric="test_acc", op=">=", value=0.9, when="by")


def stride_padding_pooling():
    d = Drawing(settings(
        "8x8 digits through eight 3x3 filters without padding (6x6 maps), ReLU, 2x2 max pooling "
        "(3x3 maps) and a linear classifier. Padding 1 keeps the maps 8x8; stride 2 makes them "
        "3x3 directly.", DIGITS, ADAM, STEPS, batch_size=32))
    d.node("x", "Input", 0, label="image 1x8x8")
    d.node("conv", "Conv2d", 1, in_channels=1, out_channels=8, kernel_size=3, padding=0, stride=1)
    d.node("relu", "ReLU", 2)
    d.node("pool", "MaxPool2d", 3, kernel_size=2)
    d.node("flat", "Flatten", 4)
    d.node("classifier", "Linear", 5, in_features=72, out_features=10)
    d.node("y", "Target", 5, 1)
    d.node("cost", "CrossEntropyLoss", 6)
    d.chain("x", "conv", "relu", "pool", "flat", "classifier", "cost")
    d.edge("y", "cost", "target")
    graph = d.graph
    padded = [_set("conv", "padding", 1), _set("classifier", "in_features", 128)]
    strided = [_set("conv", "stride", 2), _set("classifier", "in_features", 8)]
    graph.lesson = lesson(
        "cnn", 3,
        text("Stride, padding and pooling", "Stride, padding e pooling"),
        text("How big is a feature map? H_out = (H + 2 padding - kernel) / stride + 1, and pooling "
             "divides it again.",
             "Quanto è grande una mappa di caratteristiche? H_out = (H + 2 padding - kernel) / "
             "stride + 1, e il pooling la divide ancora."),
        pages=[
            page(text(
                "A 3x3 filter slides over the 8x8 image (notes, section 9). **Without padding** it "
                "fits in 8 - 3 + 1 = **6** positions per row: eight filters give 8 maps of 6x6, "
                "288 values. **Max pooling** 2x2 keeps the largest of each 2x2 block: 8 maps of "
                "3x3, 72 values for the classifier.\n\n"
                "Select the nodes to see their output shapes, then press **Train**.",
                "Un filtro 3x3 scorre sull'immagine 8x8 (appunti, sezione 9). **Senza padding** "
                "entra in 8 - 3 + 1 = **6** posizioni per riga: otto filtri danno 8 mappe 6x6, 288 "
                "valori. Il **max pooling** 2x2 tiene il più grande di ogni blocco 2x2: 8 mappe "
                "3x3, 72 valori per il classificatore.\n\n"
                "Seleziona i nodi per vedere le forme delle loro uscite, poi premi **Addestra**."),
                _train()),
            page(text(
                "**Padding 1** adds a border of zeros: the filter now fits in 8 + 2 - 3 + 1 = 8 "
                "positions and the maps keep the image's size (the classifier then needs 128 "
                "inputs). **Stride 2** moves the filter two pixels at a time: (8 - 3) / 2 + 1 = 3 "
                "positions, a quarter of the values, with no pooling needed to shrink.\n\n"
                "Each button changes the convolution and the classifier together; reset and train "
                "after each, and compare the accuracy.",
                "Il **padding 1** aggiunge un bordo di zeri: il filtro entra ora in "
                "8 + 2 - 3 + 1 = 8 posizioni e le mappe mantengono la dimensione dell'immagine (il "
                "classificatore ha allora bisogno di 128 ingressi). Lo **stride 2** sposta il "
                "filtro di due pixel alla volta: (8 - 3) / 2 + 1 = 3 posizioni, un quarto dei "
                "valori, senza bisogno di pooling per rimpicciolire.\n\n"
                "Ogni pulsante cambia insieme la convoluzione e il classificatore; azzera e "
                "addestra dopo ciascuno, e confronta l'accuratezza."),
                *padded, _set("conv", "padding", 0), _set("classifier", "in_features", 72),
                *strided, RESET, _train()),
            page(text(
                "**Question for the class:** a network for 224x224 photos uses several stride-2 "
                "convolutions or poolings in a row. After five of them, how big is each map? Why "
                "does each later filter then see a larger part of the photo (its receptive "
                "field)?",
                "**Domanda per la classe:** una rete per foto 224x224 usa di seguito diverse "
                "convoluzioni con stride 2 o pooling. Dopo cinque di esse, quanto è grande ogni "
                "mappa? Perché ogni filtro successivo vede allora una parte più grande della foto "
                "(il suo campo recettivo)?"),
                _set("conv", "stride", 1), _set("classifier", "in_features", 72), RESET),
        ],
        goals=[
            goal("pool_quarters", text("Pooling 2x2 keeps a quarter of the values (288 -> 72)",
                                       "Il pooling 2x2 tiene un quarto dei valori (288 -> 72)"),
                 metric="output_size:pool", relative_to="output_size:conv", op="<=", value=0.25,
                 when="end", step=AT_START),
            goal("padding_keeps_size",
                 text("With padding 1 the convolution outputs 8x8 maps: 512 values, not 288",
                      "Con padding 1 la convoluzione produce mappe 8x8: 512 valori, non 288"),
                 metric="output_size:conv", op="<=", value=288 / 512, when="end", step=AT_START,
                 variant={"changes": padded}),
            goal("stride_quarters",
                 text("With stride 2 it outputs 3x3 maps: 72 values, a quarter",
                      "Con stride 2 produce mappe 3x3: 72 valori, un quarto"),
                 metric="output_size:conv", op=">=", value=4.0, when="end", step=AT_START,
                 variant={"changes": strided}),
            _learns(),
        ],
        panels=["loss", "images", "confusion"], speed=30)
    return graph


def one_by_one_convolution():
    d = Drawing(settings(
        "Eight 3x3 filters (8x8 maps, padding 1), then a 1x1 convolution that mixes the 8 "
        "channels into 4 at every pixel, with 36 weights; pooling and a linear classifier.",
        DIGITS, ADAM, STEPS, batch_size=32))
    d.node("x", "Input", 0, label="image 1x8x8")
    d.node("conv", "Conv2d", 1, in_channels=1, out_channels=8, kernel_size=3, padding=1)
    d.node("relu", "ReLU", 2)
    d.node("mix", "Conv2d", 3, label="1x1 convolution", in_channels=8, out_channels=4,
           kernel_size=1)
    d.node("relu2", "ReLU", 4)
    d.node("pool", "MaxPool2d", 5, kernel_size=2)
    d.node("flat", "Flatten", 6)
    d.node("classifier", "Linear", 7, in_features=64, out_features=10)
    d.node("y", "Target", 7, 1)
    d.node("cost", "CrossEntropyLoss", 8)
    d.chain("x", "conv", "relu", "mix", "relu2", "pool", "flat", "classifier", "cost")
    d.edge("y", "cost", "target")
    graph = d.graph
    three_by_three = [_set("mix", "kernel_size", 3), _set("mix", "padding", 1)]
    graph.lesson = lesson(
        "cnn", 4,
        text("The 1x1 convolution", "La convoluzione 1x1"),
        text("A 1x1 filter looks at one pixel across all channels: it mixes channels, keeps the "
             "map size, and costs few weights.",
             "Un filtro 1x1 guarda un pixel attraverso tutti i canali: mescola i canali, mantiene "
             "la dimensione delle mappe e costa pochi pesi."),
        pages=[
            page(text(
                "After the first convolution each pixel has 8 values, one per channel. The "
                "**1x1 convolution** (notes, section 9, 1x1 filters) computes, at every pixel, 4 "
                "weighted sums of those 8 values: a small Linear layer applied at each position. "
                "The maps stay 8x8; the channels go from 8 to 4; the weights are 8 x 4 + 4 = 36.\n\n"
                "Press **Train**.",
                "Dopo la prima convoluzione ogni pixel ha 8 valori, uno per canale. La "
                "**convoluzione 1x1** (appunti, sezione 9, filtri 1x1) calcola, in ogni pixel, 4 "
                "somme pesate di quegli 8 valori: un piccolo strato Linear applicato in ogni "
                "posizione. Le mappe restano 8x8; i canali passano da 8 a 4; i pesi sono "
                "8 x 4 + 4 = 36.\n\n"
                "Premi **Addestra**."),
                _train()),
            page(text(
                "A 3x3 filter in its place (padding 1 keeps the size) would need 8 x 4 x 9 + 4 = "
                "292 weights for the same output shape. Networks such as Inception and ResNet use "
                "1x1 convolutions to shrink the channels cheaply before an expensive 3x3 one.\n\n"
                "Try the 3x3 version (the button sets kernel 3 and padding 1), reset and train: is "
                "it more accurate here?",
                "Un filtro 3x3 al suo posto (il padding 1 mantiene la dimensione) richiederebbe "
                "8 x 4 x 9 + 4 = 292 pesi per la stessa forma di uscita. Reti come Inception e "
                "ResNet usano le convoluzioni 1x1 per ridurre i canali a basso costo prima di una "
                "3x3 costosa.\n\n"
                "Prova la versione 3x3 (il pulsante imposta kernel 3 e padding 1), azzera e "
                "addestra: qui è più accurata?"),
                *three_by_three, RESET, _train()),
            page(text(
                "**Question for the class:** a 1x1 convolution from C_in to C_out channels is the "
                "same as which layer applied to every pixel? How many weights does it have?",
                "**Domanda per la classe:** una convoluzione 1x1 da C_in a C_out canali equivale a "
                "quale strato applicato a ogni pixel? Quanti pesi ha?"),
                _set("mix", "kernel_size", 1), _set("mix", "padding", 0), RESET),
        ],
        goals=[
            goal("mixes_channels", text("It keeps the 8x8 maps and halves the channels (512 -> 256 "
                                        "values)",
                                        "Mantiene le mappe 8x8 e dimezza i canali (512 -> 256 "
                                        "valori)"),
                 metric="output_size:mix", relative_to="output_size:conv", op="<=", value=0.5,
                 when="end", step=AT_START),
            goal("few_weights", text("It has 36 weights, 8 times fewer than a 3x3 filter bank "
                                     "(292)",
                                     "Ha 36 pesi, 8 volte meno di un banco di filtri 3x3 (292)"),
                 metric="param_count:mix", op="<=", value=36 / 292, when="end", step=AT_START,
                 variant={"changes": three_by_three}),
            _learns(),
        ],
        panels=["loss", "images", "confusion"], speed=30)
    return graph


LESSONS = {
    "stride_padding_pooling": stride_padding_pooling,
    "one_by_one_convolution": one_by_one_convolution,
}
