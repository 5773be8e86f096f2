<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it_IT">
<context>
    <name>ActivationsPanel</name>
    <message>
        <source>histogram over time (darker = more values there)</source>
        <translation>istogramma nel tempo (più scuro = più valori lì)</translation>
    </message>
    <message>
        <source>value</source>
        <translation>valore</translation>
    </message>
    <message>
        <source>mean activation per unit</source>
        <translation>attivazione media per unità</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>unità</translation>
    </message>
    <message>
        <source>step</source>
        <translation>passo</translation>
    </message>
    <message>
        <source>mean {mean}  std {std}</source>
        <translation>media {mean}  dev. std. {std}</translation>
    </message>
    <message>
        <source>saturated {n}%</source>
        <translation>sature {n}%</translation>
    </message>
    <message>
        <source>(a saturated node)</source>
        <translation>(un nodo saturo)</translation>
    </message>
    <message>
        <source>dead {n}%</source>
        <translation>morte {n}%</translation>
    </message>
</context>
<context>
    <name>AdversarialPanel</name>
    <message>
        <source>The GAN view is drawn for 2-D generative datasets.</source>
        <translation>La vista GAN si disegna per i dataset generativi 2-D.</translation>
    </message>
    <message>
        <source>discriminator</source>
        <translation>discriminatore</translation>
    </message>
    <message>
        <source>Shade the plane by the discriminator&apos;s probability that a point is real (green) rather than generated (white)</source>
        <translation>Colora il piano secondo la probabilità, data dal discriminatore, che un punto sia reale (verde) anziché generato (bianco)</translation>
    </message>
    <message>
        <source>data</source>
        <translation>dati</translation>
    </message>
    <message>
        <source>generated</source>
        <translation>generati</translation>
    </message>
    <message>
        <source>step</source>
        <translation>passo</translation>
    </message>
    <message>
        <source>no generator: draw a network from a RandomNormal node to a point of the plane</source>
        <translation>nessun generatore: disegna una rete da un nodo RandomNormal a un punto del piano</translation>
    </message>
    <message>
        <source>modes covered: %1 of %2</source>
        <translation>modi coperti: %1 su %2</translation>
    </message>
</context>
<context>
    <name>AttentionPanel</name>
    <message>
        <source>No attention or mixture-of-experts node in this graph.&lt;br&gt;Add an AttentionModule, MultiheadAttention&lt;br&gt;or MixtureOfExperts node to see its weights here.</source>
        <translation>Nessun nodo di attenzione o mixture-of-experts in questo grafo.&lt;br&gt;Aggiungi un nodo AttentionModule, MultiheadAttention&lt;br&gt;o MixtureOfExperts per vederne qui i pesi.</translation>
    </message>
    <message>
        <source>sample × item</source>
        <translation>campione × elemento</translation>
    </message>
    <message>
        <source>query × key</source>
        <translation>query × chiave</translation>
    </message>
    <message>
        <source>{node}: attention per head ({axes}; brightest: the largest weight)</source>
        <translation>{node}: attenzione per testa ({axes}; più chiaro: il peso più grande)</translation>
    </message>
    <message>
        <source>head {k}</source>
        <translation>testa {k}</translation>
    </message>
    <message>
        <source>{node}: attention ({axes})</source>
        <translation>{node}: attenzione ({axes})</translation>
    </message>
    <message>
        <source>{node}: gate weights (sample × expert)</source>
        <translation>{node}: pesi del gate (campione × esperto)</translation>
    </message>
    <message>
        <source>{node}: expert load</source>
        <translation>{node}: carico degli esperti</translation>
    </message>
    <message>
        <source>{node}: the expert the gate picks at each point</source>
        <translation>{node}: l&apos;esperto che il gate sceglie in ogni punto</translation>
    </message>
    <message>
        <source>expert {i}</source>
        <translation>esperto {i}</translation>
    </message>
</context>
<context>
    <name>BoundaryPanel</name>
    <message>
        <source>The decision boundary is drawn for datasets with two input features (points in a plane).</source>
        <translation>La frontiera di decisione si disegna per dataset con due caratteristiche in ingresso (punti in un piano).</translation>
    </message>
    <message>
        <source>discretize</source>
        <translation>discretizza</translation>
    </message>
    <message>
        <source>network output</source>
        <translation>uscita della rete</translation>
    </message>
    <message>
        <source>Show the heatmaps of one node&apos;s neurons (or hover a node on the canvas)</source>
        <translation>Mostra le mappe di calore dei neuroni di un nodo (o passa col mouse su un nodo nel grafo)</translation>
    </message>
    <message>
        <source>click: nothing</source>
        <translation>clic: niente</translation>
    </message>
    <message>
        <source>click adds class 0</source>
        <translation>il clic aggiunge classe 0</translation>
    </message>
    <message>
        <source>click adds class 1</source>
        <translation>il clic aggiunge classe 1</translation>
    </message>
    <message>
        <source>Click on the plot to add training points of a class</source>
        <translation>Fai clic sul grafico per aggiungere punti di addestramento di una classe</translation>
    </message>
    <message>
        <source>New data</source>
        <translation>Nuovi dati</translation>
    </message>
    <message>
        <source>Draw a fresh sample of the same dataset (new seed)</source>
        <translation>Estrai un nuovo campione dello stesso dataset (nuovo seme)</translation>
    </message>
    <message>
        <source>neurons of {node}</source>
        <translation>neuroni di {node}</translation>
    </message>
    <message>
        <source>(first {n} of {units})</source>
        <translation>(primi {n} di {units})</translation>
    </message>
</context>
<context>
    <name>Breadcrumb</name>
    <message>
        <source>Main</source>
        <translation>Principale</translation>
    </message>
    <message>
        <source>go back to this level</source>
        <translation>torna a questo livello</translation>
    </message>
</context>
<context>
    <name>ColourKey</name>
    <message>
        <source>small |g|</source>
        <translation>|g| piccolo</translation>
    </message>
    <message>
        <source>large |g|</source>
        <translation>|g| grande</translation>
    </message>
    <message>
        <source>Node colour: the size of its gradient, on a log scale from the smallest gradient in the graph (no red) to the largest (red)</source>
        <translation>Colore del nodo: la grandezza del suo gradiente, in scala logaritmica dal gradiente più piccolo del grafo (niente rosso) al più grande (rosso)</translation>
    </message>
    <message>
        <source>weights &gt; 0</source>
        <translation>pesi &gt; 0</translation>
    </message>
    <message>
        <source>&lt; 0</source>
        <translation>&lt; 0</translation>
    </message>
    <message>
        <source>mixed</source>
        <translation>misti</translation>
    </message>
    <message>
        <source>thick: large</source>
        <translation>spessi: grandi</translation>
    </message>
    <message>
        <source>Edges into small layers: colour = sign of the layer&apos;s weights (grey when signs are mixed), width = their size, relative to the largest layer</source>
        <translation>Collegamenti verso strati piccoli: colore = segno dei pesi dello strato (grigio se i segni sono misti), spessore = la loro grandezza, rispetto allo strato più grande</translation>
    </message>
</context>
<context>
    <name>ConfusionPanel</name>
    <message>
        <source>true class</source>
        <translation>classe vera</translation>
    </message>
    <message>
        <source>predicted class</source>
        <translation>classe prevista</translation>
    </message>
    <message>
        <source>{name} is a regression task: there are no classes, so no confusion matrix. The loss panel shows how far off the predictions are.</source>
        <translation>{name} è un problema di regressione: non ci sono classi, quindi niente matrice di confusione. Il pannello della loss mostra quanto sono lontane le previsioni.</translation>
    </message>
    <message>
        <source>Waiting for the first evaluation on the test set</source>
        <translation>In attesa della prima valutazione sull&apos;insieme di test</translation>
    </message>
    <message>
        <source>test accuracy {percent}% on {n} samples</source>
        <translation>accuratezza sul test {percent}% su {n} campioni</translation>
    </message>
</context>
<context>
    <name>ControlsPanel</name>
    <message>
        <source>momentum</source>
        <extracomment>hyperparameters offered live, with (minimum, maximum, decimals, step); betas are split the hyperparameters&apos; names as the form shows them</extracomment>
        <translation>momento</translation>
    </message>
    <message>
        <source>alpha</source>
        <translation>alpha</translation>
    </message>
    <message>
        <source>beta1</source>
        <translation>beta1</translation>
    </message>
    <message>
        <source>beta2</source>
        <translation>beta2</translation>
    </message>
    <message>
        <source>weight decay</source>
        <translation>decadimento dei pesi</translation>
    </message>
    <message>
        <source>rho</source>
        <translation>rho</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Avvia</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Passo</translation>
    </message>
    <message>
        <source>One optimisation step (one mini-batch)</source>
        <translation>Un passo di ottimizzazione (un mini-batch)</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>Epoca</translation>
    </message>
    <message>
        <source>Train one pass over the training set, then pause</source>
        <translation>Addestra per un passaggio sull&apos;insieme di addestramento, poi fermati</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Azzera</translation>
    </message>
    <message>
        <source>New weights from the seed; the history is cleared</source>
        <translation>Nuovi pesi dal seme; la cronologia viene cancellata</translation>
    </message>
    <message>
        <source>Training speed in steps per second (right end: as fast as possible)</source>
        <translation>Velocità di addestramento in passi al secondo (a destra: il più veloce possibile)</translation>
    </message>
    <message>
        <source>max</source>
        <extracomment>steps per second training runs at now (0: as fast as possible)</extracomment>
        <translation>max</translation>
    </message>
    <message>
        <source>speed</source>
        <translation>velocità</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>learning rate</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausa</translation>
    </message>
    <message>
        <source>{n} steps/s</source>
        <translation>{n} passi/s</translation>
    </message>
    <message>
        <source>Stopped at step {step}, the file&apos;s step count: press Play to continue beyond it.</source>
        <translation>Fermato al passo {step}, il numero di passi del file: premi Avvia per andare oltre.</translation>
    </message>
    <message>
        <source>Continuing beyond step {step} (Reset brings the limit back).</source>
        <translation>Si continua oltre il passo {step} (Azzera ripristina il limite).</translation>
    </message>
    <message>
        <source>step {step} · epoch {epoch} · lr {lr}</source>
        <translation>passo {step} · epoca {epoch} · lr {lr}</translation>
    </message>
</context>
<context>
    <name>DeviceCombo</name>
    <message>
        <source>no usable GPU</source>
        <translation>nessuna GPU utilizzabile</translation>
    </message>
    <message>
        <source>GPU unavailable: {reason}</source>
        <translation>GPU non disponibile: {reason}</translation>
    </message>
    <message>
        <source>where training runs</source>
        <translation>dove si svolge l&apos;addestramento</translation>
    </message>
</context>
<context>
    <name>DiagnosticsPanel</name>
    <message>
        <source>Vanishing gradients</source>
        <translation>Scomparsa del gradiente</translation>
    </message>
    <message>
        <source>Exploding gradients</source>
        <translation>Esplosione del gradiente</translation>
    </message>
    <message>
        <source>Saturated units</source>
        <translation>Unità sature</translation>
    </message>
    <message>
        <source>Dead units</source>
        <translation>Unità morte</translation>
    </message>
    <message>
        <source>Not a number</source>
        <translation>Non è un numero (NaN)</translation>
    </message>
    <message>
        <source>Not trained yet</source>
        <extracomment>while training runs, a snapshot is judged (its verdicts computed and shown) at most this often: verdicts are read, not watched (one that changed 30 times a second could not be read), and judging costs about a millisecond of the interpreter that training needs. A NaN shows at once, and the newest snapshot is judged when the interval is over.</extracomment>
        <translation>Non ancora addestrata</translation>
    </message>
    <message>
        <source>the diagnoses read the gradients and activations of training steps: press Play or Step.</source>
        <translation>la diagnostica legge i gradienti e le attivazioni dei passi di addestramento: premi Avvia o Passo.</translation>
    </message>
    <message>
        <source>Training stopped at step {step}:</source>
        <translation>Addestramento fermato al passo {step}:</translation>
    </message>
    <message>
        <source>node {node}</source>
        <translation>nodo {node}</translation>
    </message>
    <message>
        <source>What helps:</source>
        <translation>Cosa aiuta:</translation>
    </message>
    <message>
        <source>No problems found</source>
        <translation>Nessun problema</translation>
    </message>
    <message>
        <source>gradients flow, and no node has more than half of its units dead.</source>
        <translation>i gradienti scorrono, e nessun nodo ha più di metà delle sue unità morte.</translation>
    </message>
    <message>
        <source>Saturated: {names} of the outputs. Not reported as a problem while the net has learned (confident outputs saturate) or its loss is still falling.</source>
        <translation>Sature: {names} delle uscite. Non è segnalato come problema finché la rete ha imparato (le uscite sicure saturano) o la sua loss sta ancora scendendo.</translation>
    </message>
    <message>
        <source>highlight nodes</source>
        <translation>evidenzia i nodi</translation>
    </message>
    <message>
        <source>gradient heat on canvas</source>
        <translation>calore del gradiente sul grafo</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <source>NN Playground graphs (*.nnpg);;All files (*)</source>
        <translation>Grafi di NN Playground (*.nnpg);;Tutti i file (*)</translation>
    </message>
    <message>
        <source>Open graph</source>
        <translation>Apri grafo</translation>
    </message>
    <message>
        <source>Save as</source>
        <translation>Salva con nome</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>Modifiche non salvate</translation>
    </message>
    <message>
        <source>Save the changes to {name} before closing?</source>
        <translation>Salvare le modifiche a {name} prima di chiudere?</translation>
    </message>
    <message>
        <source>Recover unsaved work</source>
        <translation>Recupera il lavoro non salvato</translation>
    </message>
    <message>
        <source>NN Playground did not close normally. Recover the work autosaved {when}?</source>
        <translation>NN Playground non si è chiuso normalmente. Recuperare il lavoro salvato automaticamente {when}?</translation>
    </message>
</context>
<context>
    <name>EditorScene</name>
    <message>
        <source>Main</source>
        <extracomment>a one-line message for the status bar the validation problems of the whole document (list of Problem) breadcrumb titles, outermost first every item was re-created from the shown graph (new document, level, or a resync): whatever held on to an item or a node id re-reads the scene label each computed variable (output circle) with its inferred shape returns the dataset shapes validation should assume (set by the window)</extracomment>
        <translation>Principale</translation>
    </message>
    <message>
        <source>{type} is a ready-made block: its inside is shown read-only</source>
        <translation>{type} è un blocco predefinito: il suo interno è mostrato in sola lettura</translation>
    </message>
    <message>
        <source>shapes unknown: {error}</source>
        <translation>forme sconosciute: {error}</translation>
    </message>
    <message>
        <source>input</source>
        <translation>ingresso</translation>
    </message>
    <message>
        <source>computed variable</source>
        <translation>variabile calcolata</translation>
    </message>
    <message>
        <source>output</source>
        <translation>uscita</translation>
    </message>
    <message>
        <source>shape</source>
        <translation>forma</translation>
    </message>
    <message>
        <source>unknown until the graph is valid</source>
        <translation>sconosciuta finché il grafo non è valido</translation>
    </message>
    <message>
        <source>scalar</source>
        <translation>scalare</translation>
    </message>
    <message>
        <source>this is a ready-made block: its inside is read-only</source>
        <translation>questo è un blocco predefinito: il suo interno è di sola lettura</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>Incolla</translation>
    </message>
    <message>
        <source>select the nodes to duplicate first</source>
        <translation>seleziona prima i nodi da duplicare</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Duplica</translation>
    </message>
    <message>
        <source>select one module node to ungroup</source>
        <translation>seleziona un nodo modulo da separare</translation>
    </message>
    <message>
        <source>select one node to place another instance of</source>
        <translation>seleziona un nodo di cui creare un&apos;altra istanza</translation>
    </message>
    <message>
        <source>&apos;{node}&apos; has no free inputs to connect</source>
        <translation>&apos;{node}&apos; non ha ingressi liberi da collegare</translation>
    </message>
    <message>
        <source>&apos;{node}&apos; has no free outputs to connect</source>
        <translation>&apos;{node}&apos; non ha uscite libere da collegare</translation>
    </message>
    <message>
        <source>cannot connect two inputs: drag from an output to an input</source>
        <translation>impossibile collegare due ingressi: trascina da un&apos;uscita a un ingresso</translation>
    </message>
    <message>
        <source>cannot connect two outputs: drag from an output to an input</source>
        <translation>impossibile collegare due uscite: trascina da un&apos;uscita a un ingresso</translation>
    </message>
</context>
<context>
    <name>EditorView</name>
    <message>
        <source>Add {type}</source>
        <extracomment>Tab pressed over the canvas: (scene position) where to add a node</extracomment>
        <translation>Aggiungi {type}</translation>
    </message>
</context>
<context>
    <name>ErrorHandler</name>
    <message>
        <source>A bug in NN Playground</source>
        <translation>Un errore di NN Playground</translation>
    </message>
    <message>
        <source>Your work is still open; it has no unsaved changes.</source>
        <extracomment>(exception type, file, line) -&gt; report path, of each bug reported</extracomment>
        <translation>Il tuo lavoro è ancora aperto; non ha modifiche non salvate.</translation>
    </message>
    <message>
        <source>Your work is still open, and a copy was autosaved.</source>
        <translation>Il tuo lavoro è ancora aperto, e una copia è stata salvata automaticamente.</translation>
    </message>
    <message>
        <source>Your work is still open, but it could not be autosaved: save it now (File &gt; Save As).</source>
        <translation>Il tuo lavoro è ancora aperto, ma non è stato possibile salvarlo automaticamente: salvalo ora (File &gt; Salva con nome).</translation>
    </message>
</context>
<context>
    <name>FitPanel</name>
    <message>
        <source>The function fit is drawn for datasets with one input feature (a function of x).</source>
        <translation>L&apos;adattamento della funzione si disegna per dataset con una sola caratteristica in ingresso (una funzione di x).</translation>
    </message>
    <message>
        <source>hidden units</source>
        <translation>unità nascoste</translation>
    </message>
    <message>
        <source>Each hidden unit&apos;s contribution: its output weight times its activation over x. The prediction is their sum plus the output bias.</source>
        <translation>Il contributo di ogni unità nascosta: il suo peso in uscita per la sua attivazione al variare di x. La previsione è la loro somma più il bias di uscita.</translation>
    </message>
    <message>
        <source>residuals</source>
        <translation>residui</translation>
    </message>
    <message>
        <source>The residuals: each training point&apos;s distance from the prediction</source>
        <translation>I residui: la distanza di ogni punto di addestramento dalla previsione</translation>
    </message>
    <message>
        <source>training data</source>
        <translation>dati di addestramento</translation>
    </message>
    <message>
        <source>test data</source>
        <translation>dati di test</translation>
    </message>
    <message>
        <source>prediction</source>
        <translation>previsione</translation>
    </message>
    <message>
        <source>a line: y = %1 x + %2</source>
        <translation>una retta: y = %1 x + %2</translation>
    </message>
    <message>
        <source>prediction = sum of the %1 units of %2 + bias %3</source>
        <translation>previsione = somma delle %1 unità di %2 + bias %3</translation>
    </message>
</context>
<context>
    <name>FlowPanel</name>
    <message>
        <source>The flow is drawn for datasets of 2-D points.</source>
        <translation>Il flusso si disegna per dataset di punti 2-D.</translation>
    </message>
    <message>
        <source>trajectories</source>
        <translation>traiettorie</translation>
    </message>
    <message>
        <source>The paths of %1 of the points, from the noise to where the model carries them</source>
        <translation>I percorsi di %1 punti, dal rumore fino a dove il modello li porta</translation>
    </message>
    <message>
        <source>data</source>
        <translation>dati</translation>
    </message>
    <message>
        <source>The training points the flow should reproduce</source>
        <translation>I punti di addestramento che il flusso deve riprodurre</translation>
    </message>
    <message>
        <source>Sweep the time from the noise to the samples</source>
        <translation>Fai scorrere il tempo dal rumore ai campioni</translation>
    </message>
    <message>
        <source>The time the cloud is drawn at: at the left the noise, at the right the generated samples</source>
        <translation>Il tempo a cui si disegna la nuvola: a sinistra il rumore, a destra i campioni generati</translation>
    </message>
    <message>
        <source>starting noise</source>
        <translation>rumore iniziale</translation>
    </message>
    <message>
        <source>samples</source>
        <translation>campioni</translation>
    </message>
    <message>
        <source>no flow: draw a FlowPath (or DiffusionPath) whose velocity (noise) a cost compares with a network&apos;s output</source>
        <translation>nessun flusso: disegna un FlowPath (o un DiffusionPath) e un costo che confronti la sua velocità (il suo rumore) con l&apos;uscita di una rete</translation>
    </message>
    <message>
        <source>t = %1 · median distance from a sample to the data: %2</source>
        <translation>t = %1 · distanza mediana da un campione ai dati: %2</translation>
    </message>
</context>
<context>
    <name>Form</name>
    <message>
        <source>Manual</source>
        <translation>Manuale</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>Automatico</translation>
    </message>
    <message>
        <source>Link Axis:</source>
        <translation>Collega l&apos;asse:</translation>
    </message>
    <message>
        <source>Invert Axis</source>
        <translation>Inverti l&apos;asse</translation>
    </message>
    <message>
        <source>Mouse Enabled</source>
        <translation>Mouse attivo</translation>
    </message>
    <message>
        <source>Visible Data Only</source>
        <translation>Solo i dati visibili</translation>
    </message>
    <message>
        <source>Auto Pan Only</source>
        <translation>Solo spostamento automatico</translation>
    </message>
</context>
<context>
    <name>GradFlowPanel</name>
    <message>
        <source>No gradients yet: press Play or Step to train.</source>
        <translation>Ancora nessun gradiente: premi Avvia o Passo per addestrare.</translation>
    </message>
    <message>
        <source>include biases</source>
        <translation>includi i bias</translation>
    </message>
    <message>
        <source>fixed scale</source>
        <translation>scala fissa</translation>
    </message>
    <message>
        <source>The same axis, 1e-8 to 1e2, for every graph: gradients of two lessons can be compared</source>
        <translation>Lo stesso asse, da 1e-8 a 1e2, per ogni grafo: si possono confrontare i gradienti di due lezioni</translation>
    </message>
    <message>
        <source>max |g| (light) and mean |g| (dark)</source>
        <translation>max |g| (chiaro) e media |g| (scuro)</translation>
    </message>
    <message>
        <source>gradient norm over time</source>
        <translation>norma del gradiente nel tempo</translation>
    </message>
    <message>
        <source>step</source>
        <translation>passo</translation>
    </message>
    <message>
        <source>(dark: input side, light: output side)</source>
        <translation>(scuro: lato ingresso, chiaro: lato uscita)</translation>
    </message>
</context>
<context>
    <name>GraphEmbeddingPanel</name>
    <message>
        <source>Node embeddings are drawn for graph datasets (the group Graphs).</source>
        <translation>Gli embedding dei nodi si disegnano per i dataset di grafi (il gruppo Grafi).</translation>
    </message>
    <message>
        <source>The layer whose output places the nodes</source>
        <translation>Lo strato la cui uscita dà la posizione dei nodi</translation>
    </message>
    <message>
        <source>%1 features</source>
        <translation>%1 caratteristiche</translation>
    </message>
    <message>
        <source>%1 features, 2 principal components (%2% of the variance)</source>
        <translation>%1 caratteristiche, 2 componenti principali (%2% della varianza)</translation>
    </message>
    <message>
        <source>unlabelled nodes right: %1% · %2 wrong (red ring) · stars: labelled · %3</source>
        <translation>nodi senza etichetta corretti: %1% · %2 sbagliati (anello rosso) · stelle: con etichetta · %3</translation>
    </message>
</context>
<context>
    <name>GraphicsScene</name>
    <message>
        <source>Export...</source>
        <extracomment>where the strings of each catalog are written (relative to ROOT) declarations whose texts are shown through engine.i18n._ without being marked where they are written (node and dataset help): each a function yielding (text, where) pyqtgraph&apos;s own words on the plots&apos; right-click menus (pyqtgraph translates them through Qt with these contexts): listed here so that the catalogs hold them too</extracomment>
        <translation>Esporta...</translation>
    </message>
</context>
<context>
    <name>ImagesPanel</name>
    <message>
        <source>The image view is drawn for image classification (inputs of shape channels × height × width).</source>
        <translation>La vista delle immagini si disegna per la classificazione di immagini (ingressi di forma canali × altezza × larghezza).</translation>
    </message>
    <message>
        <source>feature maps of</source>
        <translation>mappe di caratteristiche di</translation>
    </message>
    <message>
        <source>The node whose output channels are drawn as feature maps</source>
        <translation>Il nodo i cui canali in uscita sono disegnati come mappe di caratteristiche</translation>
    </message>
    <message>
        <source>Click a sample to see its feature maps</source>
        <translation>Fai clic su un campione per vederne le mappe di caratteristiche</translation>
    </message>
    <message>
        <source>test</source>
        <translation>test</translation>
    </message>
    <message>
        <source>training</source>
        <translation>addestramento</translation>
    </message>
    <message>
        <source>%1 of %2 %3 images wrong, shown first (true → predicted)</source>
        <translation>%1 immagini su %2 (%3) sbagliate, mostrate per prime (vera → prevista)</translation>
    </message>
    <message>
        <source>no convolution: no filters to show</source>
        <translation>nessuna convoluzione: nessun filtro da mostrare</translation>
    </message>
    <message>
        <source> (input channels 1-%1 of %2, one per row)</source>
        <translation> (canali in ingresso 1-%1 di %2, uno per riga)</translation>
    </message>
    <message>
        <source>the %1 filters of %2</source>
        <translation>i %1 filtri di %2</translation>
    </message>
    <message>
        <source>no node with feature maps</source>
        <translation>nessun nodo con mappe di caratteristiche</translation>
    </message>
    <message>
        <source>sample %1 at %2: %3 channels</source>
        <translation>campione %1 in %2: %3 canali</translation>
    </message>
</context>
<context>
    <name>ImportDataDialog</name>
    <message>
        <source>Import Data</source>
        <extracomment>the file dataset&apos;s defaults (engine.data.userdata.file): keys left at them are not written</extracomment>
        <translation>Importa dati</translation>
    </message>
    <message>
        <source>a .csv, .npz or MNIST IDX file</source>
        <extracomment>the document&apos;s folder: a file inside it is stored by its relative path</extracomment>
        <translation>un file .csv, .npz o IDX di MNIST</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Sfoglia…</translation>
    </message>
    <message>
        <source>the last column, or y1…yk</source>
        <translation>l&apos;ultima colonna, o y1…yk</translation>
    </message>
    <message>
        <source>CSV: the target column, by header name or 1-based number</source>
        <translation>CSV: la colonna del target, per nome dell&apos;intestazione o numero a partire da 1</translation>
    </message>
    <message>
        <source>IDX: the labels file beside the images</source>
        <translation>IDX: il file delle etichette accanto alle immagini</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatico</translation>
    </message>
    <message>
        <source>classification</source>
        <translation>classificazione</translation>
    </message>
    <message>
        <source>regression</source>
        <translation>regressione</translation>
    </message>
    <message>
        <source>the share of samples kept for testing (unless the file says which rows test)</source>
        <translation>la quota di campioni tenuta per il test (a meno che il file dica quali righe sono di test)</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>File:</translation>
    </message>
    <message>
        <source>Target column:</source>
        <translation>Colonna del target:</translation>
    </message>
    <message>
        <source>Labels file:</source>
        <translation>File delle etichette:</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>Problema:</translation>
    </message>
    <message>
        <source>Test fraction:</source>
        <translation>Frazione di test:</translation>
    </message>
    <message>
        <source>Data files (*.csv *.tsv *.txt *.npz *-ubyte *-ubyte.gz *.idx *.gz);;All files (*)</source>
        <translation>File di dati (*.csv *.tsv *.txt *.npz *-ubyte *-ubyte.gz *.idx *.gz);;Tutti i file (*)</translation>
    </message>
    <message>
        <source>the labels file</source>
        <translation>il file delle etichette</translation>
    </message>
    <message>
        <source>Choose a file to see what it holds.</source>
        <translation>Scegli un file per vedere che cosa contiene.</translation>
    </message>
    <message>
        <source>classification into {n} classes ({names})</source>
        <translation>classificazione in {n} classi ({names})</translation>
    </message>
    <message>
        <source>regression of {n} value(s)</source>
        <translation>regressione di {n} valore/i</translation>
    </message>
    <message>
        <source>{total} samples ({train} train, {test} test); one sample&apos;s features: {x}; task: {task}</source>
        <translation>{total} campioni ({train} di addestramento, {test} di test); caratteristiche di un campione: {x}; problema: {task}</translation>
    </message>
</context>
<context>
    <name>InitExplorerPanel</name>
    <message>
        <source>standard U(±1/√n)</source>
        <translation>standard U(±1/√n)</translation>
    </message>
    <message>
        <source>Xavier uniform</source>
        <translation>Xavier uniforme</translation>
    </message>
    <message>
        <source>Xavier normal</source>
        <translation>Xavier normale</translation>
    </message>
    <message>
        <source>He (Kaiming) uniform</source>
        <translation>He (Kaiming) uniforme</translation>
    </message>
    <message>
        <source>He (Kaiming) normal</source>
        <translation>He (Kaiming) normale</translation>
    </message>
    <message>
        <source>depth </source>
        <translation>profondità </translation>
    </message>
    <message>
        <source>width </source>
        <translation>larghezza </translation>
    </message>
    <message>
        <source>variance of the activations h_l</source>
        <translation>varianza delle attivazioni h_l</translation>
    </message>
    <message>
        <source>variance of the gradients dL/dh_l</source>
        <translation>varianza dei gradienti dL/dh_l</translation>
    </message>
    <message>
        <source>layer (input side left)</source>
        <translation>strato (lato ingresso a sinistra)</translation>
    </message>
    <message>
        <source>From the last layer to the first the gradients&apos; variance changes {g}×, the activations&apos; {a}× from the first layer to the last. Glorot &amp; Bengio: keep both about constant (Xavier for tanh, He for ReLU).</source>
        <translation>Dall&apos;ultimo strato al primo la varianza dei gradienti cambia di {g}×, quella delle attivazioni di {a}× dal primo strato all&apos;ultimo. Glorot &amp; Bengio: tenetele entrambe circa costanti (Xavier per tanh, He per ReLU).</translation>
    </message>
</context>
<context>
    <name>Inspector</name>
    <message>
        <source>{n} nodes selected.</source>
        <translation>{n} nodi selezionati.</translation>
    </message>
    <message>
        <source>Select a node to see its parameters.</source>
        <translation>Seleziona un nodo per vederne i parametri.</translation>
    </message>
    <message>
        <source>A name shown on the canvas instead of the type</source>
        <translation>Un nome mostrato nel grafo al posto del tipo</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Etichetta</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nessuno</translation>
    </message>
    <message>
        <source>Nodes of the same type with the same group share one set of weights</source>
        <translation>I nodi dello stesso tipo con lo stesso gruppo condividono un unico insieme di pesi</translation>
    </message>
    <message>
        <source>Shared weights</source>
        <translation>Pesi condivisi</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parametri</translation>
    </message>
    <message>
        <source>Open inside</source>
        <translation>Apri l&apos;interno</translation>
    </message>
</context>
<context>
    <name>LatentPanel</name>
    <message>
        <source>The latent-space view is drawn for an autoencoder on images: a graph whose cost compares its output with its own input (no Target node).</source>
        <translation>La vista dello spazio latente si disegna per un autoencoder su immagini: un grafo il cui costo confronta la sua uscita con il suo stesso ingresso (nessun nodo Target).</translation>
    </message>
    <message>
        <source>test</source>
        <translation>test</translation>
    </message>
    <message>
        <source>training</source>
        <translation>addestramento</translation>
    </message>
    <message>
        <source>%1 images, below them their reconstructions: error %2, mean image %3</source>
        <translation>immagini di %1 e, sotto, le loro ricostruzioni: errore %2, immagine media %3</translation>
    </message>
    <message>
        <source>a VAE with a 2-D latent (a Reparameterize node) would show its latent plane here</source>
        <translation>un VAE con uno spazio latente 2-D (un nodo Reparameterize) mostrerebbe qui il suo piano latente</translation>
    </message>
    <message>
        <source>latent means (%1), by class</source>
        <translation>medie latenti (%1), per classe</translation>
    </message>
    <message>
        <source>decoded from a %1×%1 grid</source>
        <translation>immagini decodificate da una griglia %1×%1</translation>
    </message>
</context>
<context>
    <name>LessonPane</name>
    <message>
        <source>Lesson</source>
        <extracomment>its key in ``window.docks`` whatever the language (as the panels&apos; ``title``)</extracomment>
        <translation>Lezione</translation>
    </message>
    <message>
        <source>◀ Previous</source>
        <translation>◀ Indietro</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>Avanti ▶</translation>
    </message>
    <message>
        <source>Goals</source>
        <translation>Obiettivi</translation>
    </message>
    <message>
        <source>page {page} of {pages}</source>
        <translation>pagina {page} di {pages}</translation>
    </message>
    <message>
        <source>▶ Train {n} steps</source>
        <translation>▶ Addestra {n} passi</translation>
    </message>
    <message>
        <source>Set {param} of {node} to {value}</source>
        <translation>Imposta {param} di {node} a {value}</translation>
    </message>
    <message>
        <source>Change {node} to {type}</source>
        <translation>Cambia {node} in {type}</translation>
    </message>
    <message>
        <source>Set {key} to {value}</source>
        <translation>Imposta {key} a {value}</translation>
    </message>
    <message>
        <source>Show {panel}</source>
        <translation>Mostra {panel}</translation>
    </message>
    <message>
        <source>there is no panel &apos;{panel}&apos;</source>
        <translation>non esiste il pannello &apos;{panel}&apos;</translation>
    </message>
    <message>
        <source>this version cannot do &apos;{do}&apos;</source>
        <translation>questa versione non sa fare &apos;{do}&apos;</translation>
    </message>
    <message>
        <source>Lesson: {problem}</source>
        <translation>Lezione: {problem}</translation>
    </message>
    <message>
        <source>the graph has no node &apos;{node}&apos;</source>
        <translation>il grafo non ha il nodo &apos;{node}&apos;</translation>
    </message>
    <message>
        <source>Challenge</source>
        <translation>Sfida</translation>
    </message>
    <message>
        <source>Chapter {n} · {title}</source>
        <translation>Capitolo {n} · {title}</translation>
    </message>
    <message>
        <source>Reset the weights</source>
        <translation>Azzera i pesi</translation>
    </message>
    <message>
        <source>the options of panel &apos;{panel}&apos;: {problem}</source>
        <extracomment>classroom speed (steps per second) of a lesson that names none (LESSON_FORMAT: 30) the lesson pane&apos;s width when a lesson opens (pixels; the user may resize it)</extracomment>
        <translation>le opzioni del pannello &apos;{panel}&apos;: {problem}</translation>
    </message>
    <message>
        <source>This lesson asks for panels this version does not have: {panels}</source>
        <translation>Questa lezione chiede pannelli che questa versione non ha: {panels}</translation>
    </message>
    <message>
        <source>met</source>
        <translation>raggiunto</translation>
    </message>
    <message>
        <source>not met</source>
        <translation>non raggiunto</translation>
    </message>
    <message>
        <source>pending: decided while training</source>
        <translation>in attesa: si decide durante l&apos;addestramento</translation>
    </message>
    <message>
        <source>★ Challenge solved! ★</source>
        <translation>★ Sfida risolta! ★</translation>
    </message>
</context>
<context>
    <name>LossPanel</name>
    <message>
        <source>batch loss</source>
        <translation>loss del batch</translation>
    </message>
    <message>
        <source>train loss</source>
        <translation>loss di addestramento</translation>
    </message>
    <message>
        <source>test loss</source>
        <translation>loss sul test</translation>
    </message>
    <message>
        <source>train accuracy</source>
        <extracomment>the snapshot&apos;s metric keys as the legend and the status line name them</extracomment>
        <translation>accuratezza di addestramento</translation>
    </message>
    <message>
        <source>test accuracy</source>
        <translation>accuratezza sul test</translation>
    </message>
    <message>
        <source>log scale</source>
        <translation>scala logaritmica</translation>
    </message>
    <message>
        <source>Export the training history (every probe) as CSV</source>
        <translation>Esporta la cronologia dell&apos;addestramento (ogni misura) come CSV</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>loss</translation>
    </message>
    <message>
        <source>metric</source>
        <translation>metrica</translation>
    </message>
    <message>
        <source>step</source>
        <translation>passo</translation>
    </message>
    <message>
        <source>No training yet: press Play or Step.</source>
        <translation>Nessun addestramento ancora: premi Avvia o Passo.</translation>
    </message>
    <message>
        <source>no accuracy for a regression task: the loss is the measure</source>
        <translation>nessuna accuratezza per un problema di regressione: la misura è la loss</translation>
    </message>
    <message>
        <source>step {n}</source>
        <translation>passo {n}</translation>
    </message>
    <message>
        <source>epoch {n}</source>
        <translation>epoca {n}</translation>
    </message>
    <message>
        <source>loss {n}</source>
        <translation>loss {n}</translation>
    </message>
    <message>
        <source>test loss {n}</source>
        <translation>loss sul test {n}</translation>
    </message>
    <message>
        <source>Export history</source>
        <translation>Esporta la cronologia</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Undo / Redo</source>
        <extracomment>the dock property holding its untranslated title (its key in MainWindow.docks) (what, keys), both translated when shown (the keys&apos; words too: &quot;or&quot;, &quot;wheel&quot;, &quot;drag&quot;...)</extracomment>
        <translation>Annulla / Ripeti</translation>
    </message>
    <message>
        <source>Ctrl+Z / Ctrl+Shift+Z or Ctrl+Y</source>
        <translation>Ctrl+Z / Ctrl+Shift+Z o Ctrl+Y</translation>
    </message>
    <message>
        <source>Cut / Copy / Paste</source>
        <translation>Taglia / Copia / Incolla</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Duplica</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Elimina</translation>
    </message>
    <message>
        <source>Delete or Backspace</source>
        <translation>Canc o Backspace</translation>
    </message>
    <message>
        <source>Select all</source>
        <translation>Seleziona tutto</translation>
    </message>
    <message>
        <source>Add a node at the cursor (quick search)</source>
        <translation>Aggiungi un nodo al cursore (ricerca rapida)</translation>
    </message>
    <message>
        <source>Fit the graph in view</source>
        <translation>Adatta il grafo alla vista</translation>
    </message>
    <message>
        <source>Auto-layout</source>
        <translation>Disposizione automatica</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>Zoom</translation>
    </message>
    <message>
        <source>wheel, Ctrl++ / Ctrl+-</source>
        <translation>rotellina, Ctrl++ / Ctrl+-</translation>
    </message>
    <message>
        <source>Pan</source>
        <translation>Sposta la vista</translation>
    </message>
    <message>
        <source>middle or right drag, or Space+drag</source>
        <translation>trascina col tasto centrale o destro, o Spazio+trascina</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Collega</translation>
    </message>
    <message>
        <source>drag from an output port to an input port</source>
        <translation>trascina da una porta di uscita a una porta di ingresso</translation>
    </message>
    <message>
        <source>Insert a node into a link</source>
        <translation>Inserisci un nodo in un collegamento</translation>
    </message>
    <message>
        <source>drop it onto the link</source>
        <translation>rilascialo sul collegamento</translation>
    </message>
    <message>
        <source>Group into a module / Ungroup</source>
        <translation>Raggruppa in un modulo / Separa</translation>
    </message>
    <message>
        <source>Open a module&apos;s inside</source>
        <translation>Apri l&apos;interno di un modulo</translation>
    </message>
    <message>
        <source>double-click; Alt+Up goes back</source>
        <translation>doppio clic; Alt+Su torna indietro</translation>
    </message>
    <message>
        <source>New / Open / Save / Save As</source>
        <translation>Nuovo / Apri / Salva / Salva con nome</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <extracomment>emitted after File &gt; New / Open / recovery replaced the document&apos;s content the bundled example the document was opened from: examples are templates, so Save asks for a new name instead of writing into the installed app one line per document observer that raised (see _observer_failed); tests check it the lesson browser shown over the canvas and docks (see show_start_page)</extracomment>
        <translation>&amp;Nuovo</translation>
    </message>
    <message>
        <source>Start a new graph</source>
        <translation>Inizia un nuovo grafo</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>&amp;Apri…</translation>
    </message>
    <message>
        <source>Open a .nnpg graph</source>
        <translation>Apri un grafo .nnpg</translation>
    </message>
    <message>
        <source>Open TensorFlow Playground &amp;Link…</source>
        <translation>Apri un &amp;link di TensorFlow Playground…</translation>
    </message>
    <message>
        <source>Open a playground.tensorflow.org link: the same network, points and initial weights</source>
        <translation>Apri un link di playground.tensorflow.org: la stessa rete, gli stessi punti e pesi iniziali</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Salva</translation>
    </message>
    <message>
        <source>Save the graph</source>
        <translation>Salva il grafo</translation>
    </message>
    <message>
        <source>Save &amp;As…</source>
        <translation>Salva &amp;con nome…</translation>
    </message>
    <message>
        <source>Save the graph under a new name</source>
        <translation>Salva il grafo con un nuovo nome</translation>
    </message>
    <message>
        <source>Save with &amp;Weights</source>
        <translation>Salva con i &amp;pesi</translation>
    </message>
    <message>
        <source>Save the graph and, beside it, the trained weights shown (.npz): opening the file again restores the same predictions</source>
        <translation>Salva il grafo e, accanto, i pesi addestrati mostrati (.npz): riaprendo il file si ritrovano le stesse previsioni</translation>
    </message>
    <message>
        <source>&amp;Export Image…</source>
        <translation>&amp;Esporta immagine…</translation>
    </message>
    <message>
        <source>Export the canvas as PNG or SVG</source>
        <translation>Esporta il grafo come PNG o SVG</translation>
    </message>
    <message>
        <source>Export PyTorch &amp;Script…</source>
        <translation>Esporta script &amp;PyTorch…</translation>
    </message>
    <message>
        <source>Write the graph, its data, settings and the weights shown as a PyTorch script</source>
        <translation>Scrivi il grafo, i suoi dati, le impostazioni e i pesi mostrati come script PyTorch</translation>
    </message>
    <message>
        <source>Import &amp;Data…</source>
        <translation>Importa &amp;dati…</translation>
    </message>
    <message>
        <source>Use a .csv, .npz or MNIST IDX file as the dataset, after a preview</source>
        <translation>Usa un file .csv, .npz o IDX di MNIST come dataset, dopo un&apos;anteprima</translation>
    </message>
    <message>
        <source>Export &amp;ONNX Model…</source>
        <translation>Esporta modello &amp;ONNX…</translation>
    </message>
    <message>
        <source>Write the network with the weights shown as an ONNX model, for other runtimes</source>
        <translation>Scrivi la rete con i pesi mostrati come modello ONNX, per altri runtime</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Esci</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Annulla</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Ripeti</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>&amp;Taglia</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copia</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>I&amp;ncolla</translation>
    </message>
    <message>
        <source>&amp;Duplicate</source>
        <translation>&amp;Duplica</translation>
    </message>
    <message>
        <source>De&amp;lete</source>
        <translation>&amp;Elimina</translation>
    </message>
    <message>
        <source>Select &amp;All</source>
        <translation>Seleziona t&amp;utto</translation>
    </message>
    <message>
        <source>Add Node…</source>
        <translation>Aggiungi nodo…</translation>
    </message>
    <message>
        <source>Search the node types and add one at the cursor (Tab over the canvas)</source>
        <translation>Cerca tra i tipi di nodo e aggiungine uno al cursore (Tab sul grafo)</translation>
    </message>
    <message>
        <source>&amp;Group into Module</source>
        <translation>&amp;Raggruppa in un modulo</translation>
    </message>
    <message>
        <source>&amp;Ungroup Module</source>
        <translation>&amp;Separa il modulo</translation>
    </message>
    <message>
        <source>&amp;Open Module Inside</source>
        <translation>&amp;Apri l&apos;interno del modulo</translation>
    </message>
    <message>
        <source>Show the inside of the selected module or ready-made block</source>
        <translation>Mostra l&apos;interno del modulo o del blocco predefinito selezionato</translation>
    </message>
    <message>
        <source>Go &amp;Up</source>
        <translation>Torna &amp;su</translation>
    </message>
    <message>
        <source>New Instance (&amp;Shared Weights)</source>
        <translation>Nuova istanza (pesi &amp;condivisi)</translation>
    </message>
    <message>
        <source>New Instance (&amp;Independent Weights)</source>
        <translation>Nuova istanza (pesi &amp;indipendenti)</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>&amp;Ingrandisci</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>&amp;Rimpicciolisci</translation>
    </message>
    <message>
        <source>&amp;Fit</source>
        <translation>&amp;Adatta</translation>
    </message>
    <message>
        <source>Fit the whole graph in view</source>
        <translation>Adatta tutto il grafo alla vista</translation>
    </message>
    <message>
        <source>Auto-&amp;Layout</source>
        <translation>&amp;Disposizione automatica</translation>
    </message>
    <message>
        <source>Arrange by topological layers</source>
        <translation>Disponi per livelli topologici</translation>
    </message>
    <message>
        <source>&amp;Snap to Grid</source>
        <translation>Aggancia alla &amp;griglia</translation>
    </message>
    <message>
        <source>Show Tensor &amp;Shapes</source>
        <translation>Mostra le &amp;forme dei tensori</translation>
    </message>
    <message>
        <source>Label each computed variable (open circle) with its inferred shape</source>
        <translation>Indica accanto a ogni variabile calcolata (cerchio vuoto) la forma ricavata</translation>
    </message>
    <message>
        <source>&amp;Minimap</source>
        <translation>&amp;Minimappa</translation>
    </message>
    <message>
        <source>&amp;Presentation Mode</source>
        <translation>Modalità &amp;presentazione</translation>
    </message>
    <message>
        <source>Presentation mode (Esc leaves it)</source>
        <translation>Modalità presentazione (Esc per uscire)</translation>
    </message>
    <message>
        <source>Full screen for a projector: the canvas, the lesson and its panels, everything larger; Esc leaves it</source>
        <translation>Schermo intero per il proiettore: il grafo, la lezione e i suoi pannelli, tutto più grande; Esc per uscire</translation>
    </message>
    <message>
        <source>Leave Presentation Mode</source>
        <translation>Esci dalla modalità presentazione</translation>
    </message>
    <message>
        <source>Export &amp;Plot…</source>
        <translation>Esporta &amp;grafico…</translation>
    </message>
    <message>
        <source>Export the plot of the panel in front alone, as PNG or SVG, at a width you choose</source>
        <translation>Esporta solo il grafico del pannello in primo piano, come PNG o SVG, alla larghezza che scegli</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Avvia</translation>
    </message>
    <message>
        <source>Train continuously</source>
        <translation>Addestra di continuo</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausa</translation>
    </message>
    <message>
        <source>Pause training</source>
        <translation>Metti in pausa l&apos;addestramento</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Passo</translation>
    </message>
    <message>
        <source>Train one step</source>
        <translation>Addestra un passo</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Azzera</translation>
    </message>
    <message>
        <source>Re-initialise the weights</source>
        <translation>Reinizializza i pesi</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>&amp;Scorciatoie da tastiera</translation>
    </message>
    <message>
        <source>&amp;About NN Playground</source>
        <translation>&amp;Informazioni su NN Playground</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>Apri &amp;recenti</translation>
    </message>
    <message>
        <source>&amp;Lessons</source>
        <translation>&amp;Lezioni</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Modifica</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Visualizza</translation>
    </message>
    <message>
        <source>&amp;Hide in Presentation Mode</source>
        <translation>&amp;Nascondi in modalità presentazione</translation>
    </message>
    <message>
        <source>&amp;Panels</source>
        <translation>&amp;Pannelli</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Addestramento</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aiuto</translation>
    </message>
    <message>
        <source>&amp;Colour Scheme</source>
        <translation>Schema dei &amp;colori</translation>
    </message>
    <message>
        <source>Standard</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>Projector and colour-blind safe</source>
        <translation>Adatto al proiettore e ai daltonici</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Lingua</translation>
    </message>
    <message>
        <source>(takes effect when the app is restarted)</source>
        <translation>(ha effetto al riavvio dell&apos;app)</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Lingua del sistema</translation>
    </message>
    <message>
        <source>The new language is used when the app is restarted.</source>
        <translation>La nuova lingua sarà usata al riavvio dell&apos;app.</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Addestramento</translation>
    </message>
    <message>
        <source> Device: </source>
        <translation> Dispositivo: </translation>
    </message>
    <message>
        <source>Palette</source>
        <translation>Tavolozza</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>Ispettore</translation>
    </message>
    <message>
        <source>Training settings</source>
        <translation>Impostazioni di addestramento</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Problemi</translation>
    </message>
    <message>
        <source>{name} (example)</source>
        <translation>{name} (esempio)</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>Senza titolo</translation>
    </message>
    <message>
        <source>{nodes} nodes, {links} links </source>
        <translation>{nodes} nodi, {links} collegamenti </translation>
    </message>
    <message>
        <source>zoom {percent}% </source>
        <translation>zoom {percent}% </translation>
    </message>
    <message>
        <source>Problems ({n})</source>
        <translation>Problemi ({n})</translation>
    </message>
    <message>
        <source>empty graph</source>
        <translation>grafo vuoto</translation>
    </message>
    <message>
        <source>Add nodes from the palette (or press Tab over the canvas)</source>
        <translation>Aggiungi nodi dalla tavolozza (o premi Tab sul grafo)</translation>
    </message>
    <message>
        <source>{n} errors</source>
        <translation>{n} errori</translation>
    </message>
    <message>
        <source>1 error</source>
        <translation>1 errore</translation>
    </message>
    <message>
        <source>{n} warnings</source>
        <translation>{n} avvisi</translation>
    </message>
    <message>
        <source>1 warning</source>
        <translation>1 avviso</translation>
    </message>
    <message>
        <source>graph is valid</source>
        <translation>il grafo è valido</translation>
    </message>
    <message>
        <source>({n} warnings)</source>
        <translation>({n} avvisi)</translation>
    </message>
    <message>
        <source>(1 warning)</source>
        <translation>(1 avviso)</translation>
    </message>
    <message>
        <source>No problems found</source>
        <translation>Nessun problema</translation>
    </message>
    <message>
        <source>Internal error (a bug): {who} failed to follow an edit ({error}); the traceback is in {path}</source>
        <translation>Errore interno (un bug): {who} non ha seguito una modifica ({error}); il traceback è in {path}</translation>
    </message>
    <message>
        <source>dataset: {error}</source>
        <translation>dataset: {error}</translation>
    </message>
    <message>
        <source>select one module or ready-made block to open</source>
        <translation>seleziona un modulo o un blocco predefinito da aprire</translation>
    </message>
    <message>
        <source>select the nodes to copy first</source>
        <translation>seleziona prima i nodi da copiare</translation>
    </message>
    <message>
        <source>the clipboard holds no nodes to paste</source>
        <translation>gli appunti non contengono nodi da incollare</translation>
    </message>
    <message>
        <source>Cannot open the file</source>
        <translation>Impossibile aprire il file</translation>
    </message>
    <message>
        <source>Opened {path}</source>
        <translation>Aperto {path}</translation>
    </message>
    <message>
        <source>Open TensorFlow Playground Link</source>
        <translation>Apri un link di TensorFlow Playground</translation>
    </message>
    <message>
        <source>Paste the link (playground.tensorflow.org/#…):</source>
        <translation>Incolla il link (playground.tensorflow.org/#…):</translation>
    </message>
    <message>
        <source>Cannot open the link</source>
        <translation>Impossibile aprire il link</translation>
    </message>
    <message>
        <source>Opened TensorFlow Playground&apos;s {dataset} (seed {seed})</source>
        <translation>Aperto {dataset} di TensorFlow Playground (seme {seed})</translation>
    </message>
    <message>
        <source>Opened {path} with its trained weights ({npz})</source>
        <translation>Aperto {path} con i suoi pesi addestrati ({npz})</translation>
    </message>
    <message>
        <source>the trained weights</source>
        <translation>i pesi addestrati</translation>
    </message>
    <message>
        <source>There are no trained weights to save: the graph cannot be trained yet (the Problems list says why)</source>
        <translation>Non ci sono pesi addestrati da salvare: il grafo non si può ancora addestrare (l&apos;elenco Problemi dice perché)</translation>
    </message>
    <message>
        <source>Cannot save the weights</source>
        <translation>Impossibile salvare i pesi</translation>
    </message>
    <message>
        <source>Cannot save</source>
        <translation>Impossibile salvare</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>Salvato {path}</translation>
    </message>
    <message>
        <source>Saved {path} with the trained weights</source>
        <translation>Salvato {path} con i pesi addestrati</translation>
    </message>
    <message>
        <source>Your work is still open, and a copy was autosaved.</source>
        <translation>Il tuo lavoro è ancora aperto, e una copia è stata salvata automaticamente.</translation>
    </message>
    <message>
        <source>Your work is still open.</source>
        <translation>Il tuo lavoro è ancora aperto.</translation>
    </message>
    <message>
        <source>Cannot close</source>
        <translation>Impossibile chiudere</translation>
    </message>
    <message>
        <source>closing the window</source>
        <translation>chiusura della finestra</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(nessuno)</translation>
    </message>
    <message>
        <source>Clear List</source>
        <translation>Svuota l&apos;elenco</translation>
    </message>
    <message>
        <source>&amp;Browse Lessons…</source>
        <translation>&amp;Sfoglia le lezioni…</translation>
    </message>
    <message>
        <source>Show the start page: every lesson, grouped by chapter</source>
        <translation>Mostra la pagina iniziale: tutte le lezioni, raggruppate per capitolo</translation>
    </message>
    <message>
        <source>Other examples</source>
        <translation>Altri esempi</translation>
    </message>
    <message>
        <source>(no lessons found)</source>
        <translation>(nessuna lezione trovata)</translation>
    </message>
    <message>
        <source>autosave failed: </source>
        <translation>salvataggio automatico non riuscito: </translation>
    </message>
    <message>
        <source>Autosave is off: {folder}: {error}</source>
        <translation>Il salvataggio automatico è disattivato: {folder}: {error}</translation>
    </message>
    <message>
        <source>kept as {path}</source>
        <translation>conservato come {path}</translation>
    </message>
    <message>
        <source>it could not be kept</source>
        <translation>non è stato possibile conservarlo</translation>
    </message>
    <message>
        <source>Cannot recover</source>
        <translation>Impossibile recuperare</translation>
    </message>
    <message>
        <source>Recovered the autosaved work: save it to keep it</source>
        <translation>Recuperato il lavoro salvato automaticamente: salvalo per conservarlo</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG image (*.svg)</source>
        <translation>Immagine PNG (*.png);;Immagine SVG (*.svg)</translation>
    </message>
    <message>
        <source>Exported {path}</source>
        <translation>Esportato {path}</translation>
    </message>
    <message>
        <source>Could not write {path}</source>
        <translation>Impossibile scrivere {path}</translation>
    </message>
    <message>
        <source>Python script (*.py)</source>
        <translation>Script Python (*.py)</translation>
    </message>
    <message>
        <source>Cannot export to PyTorch</source>
        <translation>Impossibile esportare in PyTorch</translation>
    </message>
    <message>
        <source>Dataset: {path}</source>
        <translation>Dataset: {path}</translation>
    </message>
    <message>
        <source>Cannot export to ONNX</source>
        <translation>Impossibile esportare in ONNX</translation>
    </message>
    <message>
        <source>The ONNX export needs the &apos;onnx&apos; package: pip install onnx</source>
        <translation>L&apos;esportazione ONNX richiede il pacchetto &apos;onnx&apos;: pip install onnx</translation>
    </message>
    <message>
        <source>ONNX model (*.onnx)</source>
        <translation>Modello ONNX (*.onnx)</translation>
    </message>
    <message>
        <source>the weights shown</source>
        <translation>i pesi mostrati</translation>
    </message>
    <message>
        <source>No panel with a plot is shown</source>
        <translation>Non è visibile nessun pannello con un grafico</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Scorciatoie da tastiera</translation>
    </message>
    <message>
        <source>About {app}</source>
        <translation>Informazioni su {app}</translation>
    </message>
    <message>
        <source>Draw neural networks as computational graphs, train them, and watch what happens inside.</source>
        <translation>Disegna reti neurali come grafi computazionali, addestrale e guarda cosa succede dentro.</translation>
    </message>
</context>
<context>
    <name>MiniMap</name>
    <message>
        <source>Minimap (click to open)</source>
        <translation>Minimappa (fai clic per aprirla)</translation>
    </message>
    <message>
        <source>Minimap: click to move the view; the corner box hides it</source>
        <translation>Minimappa: fai clic per spostare la vista; il riquadro nell&apos;angolo la nasconde</translation>
    </message>
</context>
<context>
    <name>NodeItem</name>
    <message>
        <source>module (double-click to open)</source>
        <extracomment>a title&apos;s smallest height on screen, in pixels, however far the view is zoomed out: the 10-layer lessons open fitted at about 25 % and must still be readable from the back row a node&apos;s fill at the largest gradient of the graph (gradient heat; the key: panels/legends.py) drawn as a computed variable (open circle): outputs of functions, costs, modules</extracomment>
        <translation>modulo (doppio clic per aprirlo)</translation>
    </message>
    <message>
        <source>unknown node type &apos;{type}&apos;</source>
        <translation>tipo di nodo sconosciuto &apos;{type}&apos;</translation>
    </message>
    <message>
        <source>shares weights with group &apos;{group}&apos;</source>
        <translation>condivide i pesi con il gruppo &apos;{group}&apos;</translation>
    </message>
    <message>
        <source>module</source>
        <translation>modulo</translation>
    </message>
</context>
<context>
    <name>OperatorPanel</name>
    <message>
        <source>The operator view is drawn for PDE data (functions sampled on a grid).</source>
        <translation>La vista dell&apos;operatore si disegna per dati di EDP (funzioni campionate su una griglia).</translation>
    </message>
    <message>
        <source>The mean relative L2 error ||predicted - true|| / ||true|| over the test functions, at the training resolution and, with the same trained model, at twice it. In the plots: dashed, the true solution u(x, T); solid, the prediction; dotted, the initial condition u(x, 0).</source>
        <translation>L&apos;errore L2 relativo medio ||previsto - vero|| / ||vero|| sulle funzioni di test, alla risoluzione di addestramento e, con lo stesso modello addestrato, a risoluzione doppia. Nei grafici: tratteggiata, la soluzione vera u(x, T); continua, la previsione; punteggiata, la condizione iniziale u(x, 0).</translation>
    </message>
    <message>
        <source>sample {i}: {err}</source>
        <translation>campione {i}: {err}</translation>
    </message>
    <message>
        <source>No prediction of the solution&apos;s shape yet: the model&apos;s output must have the target&apos;s shape (batch, 1, L).</source>
        <translation>Ancora nessuna previsione con la forma della soluzione: l&apos;uscita del modello deve avere la forma del target (batch, 1, L).</translation>
    </message>
    <message>
        <source>training grid, {n} points</source>
        <translation>griglia di addestramento, {n} punti</translation>
    </message>
    <message>
        <source>same model, {n} points</source>
        <translation>stesso modello, {n} punti</translation>
    </message>
    <message>
        <source>test error ({n} functions): {err}; this model cannot run on {fine} points (it depends on the grid size)</source>
        <translation>errore sul test ({n} funzioni): {err}; questo modello non può girare su {fine} punti (dipende dal numero di punti della griglia)</translation>
    </message>
    <message>
        <source>test error ({n} functions): {err} at {points} points, {err_fine} at {fine}</source>
        <translation>errore sul test ({n} funzioni): {err} con {points} punti, {err_fine} con {fine}</translation>
    </message>
</context>
<context>
    <name>Palette</name>
    <message>
        <source>Search nodes…</source>
        <extracomment>a node type chosen by double-click or Enter</extracomment>
        <translation>Cerca nodi…</translation>
    </message>
</context>
<context>
    <name>Panel</name>
    <message>
        <source>Activations</source>
        <translation>Attivazioni</translation>
    </message>
    <message>
        <source>Attention / MoE</source>
        <translation>Attenzione / MoE</translation>
    </message>
    <message>
        <source>Export</source>
        <extracomment>TensorFlow Playground&apos;s colours: orange for negative / class 0, blue for positive / class 1 the colour scheme&apos;s classes and series (see playground.theme.SCHEMES): changed in place by ``use_scheme``, since the panels import them by name False for a panel that shows no training run (its own demo): it keeps its plots when the document changes</extracomment>
        <translation>Esporta</translation>
    </message>
    <message>
        <source>Export this panel&apos;s plot alone as a PNG or SVG image, at a width you choose</source>
        <translation>Esporta solo il grafico di questo pannello come immagine PNG o SVG, alla larghezza che scegli</translation>
    </message>
    <message>
        <source>Export Plot…</source>
        <translation>Esporta grafico…</translation>
    </message>
    <message>
        <source>Export {panel}</source>
        <translation>Esporta {panel}</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG image (*.svg)</source>
        <translation>Immagine PNG (*.png);;Immagine SVG (*.svg)</translation>
    </message>
    <message>
        <source>Width in pixels:</source>
        <translation>Larghezza in pixel:</translation>
    </message>
    <message>
        <source>Cannot export</source>
        <translation>Impossibile esportare</translation>
    </message>
    <message>
        <source>The width must be a whole number of pixels from 16 to 20000, not &apos;{text}&apos;.</source>
        <translation>La larghezza deve essere un numero intero di pixel da 16 a 20000, non &apos;{text}&apos;.</translation>
    </message>
    <message>
        <source>Could not write {path}</source>
        <translation>Impossibile scrivere {path}</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>Immagine PNG (*.png)</translation>
    </message>
    <message>
        <source>Decision boundary</source>
        <translation>Frontiera di decisione</translation>
    </message>
    <message>
        <source>Confusion</source>
        <translation>Confusione</translation>
    </message>
    <message>
        <source>Training</source>
        <extracomment>steps per second a file without a lesson starts at: slow enough to watch a small network learn (a lesson sets its own classroom speed; the slider goes up to &quot;max&quot;)</extracomment>
        <translation>Addestramento</translation>
    </message>
    <message>
        <source>Diagnostics</source>
        <translation>Diagnostica</translation>
    </message>
    <message>
        <source>Function fit</source>
        <extracomment>how far the y range reaches beyond the data (units may leave it: they are clipped)</extracomment>
        <translation>Adattamento della funzione</translation>
    </message>
    <message>
        <source>Gradient flow</source>
        <extracomment>the fixed scale (log10 |g|, option scale: fixed): the same axis in every lesson, so two of them can be compared; a bar outside it is drawn at its edge with a marker</extracomment>
        <translation>Flusso del gradiente</translation>
    </message>
    <message>
        <source>Images</source>
        <extracomment>tiles per row of the sample mosaic (and at most, of the filters&apos; and feature maps&apos;) input channels of the filters drawn (one row each) the labels under each sample tile take this many tile heights</extracomment>
        <translation>Immagini</translation>
    </message>
    <message>
        <source>Loss and metrics</source>
        <translation>Loss e metriche</translation>
    </message>
    <message>
        <source>Optimizer paths</source>
        <translation>Percorsi degli ottimizzatori</translation>
    </message>
    <message>
        <source>Predictions</source>
        <extracomment>the fallback&apos;s score: any data, below every view made for it</extracomment>
        <translation>Previsioni</translation>
    </message>
    <message>
        <source>Step through</source>
        <translation>Passo passo</translation>
    </message>
    <message>
        <source>Loss landscape and trajectory</source>
        <translation>Paesaggio della loss e traiettoria</translation>
    </message>
    <message>
        <source>Weights</source>
        <extracomment>an edge&apos;s colour when its layer&apos;s weights have mixed signs (the key: panels/legends.py) layers with at most this many weights get their edges styled on the canvas</extracomment>
        <translation>Pesi</translation>
    </message>
    <message>
        <source>Sequence</source>
        <extracomment>the gates&apos; colours, fixed per name so that &quot;forget&quot; is the same colour in every lesson</extracomment>
        <translation>Sequenza</translation>
    </message>
    <message>
        <source>Initialisation</source>
        <translation>Inizializzazione</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Cronologia</translation>
    </message>
    <message>
        <source>GAN</source>
        <extracomment>the shade of the discriminator&apos;s P(real): white (fake, 0) to green (real, 1) the suffix of a player&apos;s loss in the history (engine.graph.scheme.loss_key)</extracomment>
        <translation>GAN</translation>
    </message>
    <message>
        <source>Flow</source>
        <extracomment>trajectories drawn as lines (a few dozen: more would be a tangle) the noise&apos;s reach (most of N(0, 1)), which the plot always shows besides the data milliseconds between frames of the sweep from the noise to the samples</extracomment>
        <translation>Flusso</translation>
    </message>
    <message>
        <source>Node embeddings</source>
        <extracomment>a node whose class training sees is drawn larger, as a star ring around an unlabelled node the network gets wrong</extracomment>
        <translation>Embedding dei nodi</translation>
    </message>
    <message>
        <source>Latent space</source>
        <extracomment>above the Images view (1.0), which draws image classification, when the graph is an autoencoder</extracomment>
        <translation>Spazio latente</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operatore</translation>
    </message>
</context>
<context>
    <name>ParamForm</name>
    <message>
        <source>none</source>
        <translation>nessuno</translation>
    </message>
    <message>
        <source>(range {low} … {high})</source>
        <translation>(intervallo {low} … {high})</translation>
    </message>
</context>
<context>
    <name>PathsPanel</name>
    <message>
        <source>momentum β={b}</source>
        <translation>momento β={b}</translation>
    </message>
    <message>
        <source>constant</source>
        <translation>costante</translation>
    </message>
    <message>
        <source>StepLR (halve every 10)</source>
        <translation>StepLR (dimezza ogni 10)</translation>
    </message>
    <message>
        <source>gradient descent</source>
        <translation>discesa del gradiente</translation>
    </message>
    <message>
        <source>conjugate gradient</source>
        <translation>gradiente coniugato</translation>
    </message>
    <message>
        <source>Momentum, several β</source>
        <extracomment>name -&gt; (racers(knobs), surface maker, default knobs); the course figures</extracomment>
        <translation>Momento, diversi β</translation>
    </message>
    <message>
        <source>Momentum vs Nesterov</source>
        <translation>Momento contro Nesterov</translation>
    </message>
    <message>
        <source>SGD vs RMSprop vs Adam</source>
        <translation>SGD contro RMSprop contro Adam</translation>
    </message>
    <message>
        <source>Learning-rate decay</source>
        <translation>Decadimento del learning rate</translation>
    </message>
    <message>
        <source>Newton and conjugate gradient</source>
        <translation>Newton e gradiente coniugato</translation>
    </message>
    <message>
        <source>quadratic</source>
        <extracomment>the engine&apos;s test surfaces as the list names them (Rosenbrock, Beale... are names)</extracomment>
        <translation>quadratica</translation>
    </message>
    <message>
        <source>saddle</source>
        <translation>sella</translation>
    </message>
    <message>
        <source>six-hump camel</source>
        <translation>cammello a sei gobbe</translation>
    </message>
    <message>
        <source>Surface (a preset picks its own; change it here)</source>
        <translation>Superficie (ogni preset sceglie la sua; cambiala qui)</translation>
    </message>
    <message>
        <source>steps </source>
        <translation>passi </translation>
    </message>
</context>
<context>
    <name>PredictionsPanel</name>
    <message>
        <source>test</source>
        <translation>test</translation>
    </message>
    <message>
        <source>training</source>
        <translation>addestramento</translation>
    </message>
    <message>
        <source>true class</source>
        <translation>classe vera</translation>
    </message>
    <message>
        <source>fraction predicted right</source>
        <translation>frazione prevista correttamente</translation>
    </message>
    <message>
        <source>target</source>
        <translation>target</translation>
    </message>
    <message>
        <source>prediction</source>
        <translation>previsione</translation>
    </message>
    <message>
        <source>accuracy %1 % on %2 %3 samples</source>
        <translation>accuratezza %1 % su %2 campioni (%3)</translation>
    </message>
    <message>
        <source>%1 %2 samples</source>
        <translation>%1 campioni (%2)</translation>
    </message>
    <message>
        <source>R² = %1 on %2 %3 samples</source>
        <translation>R² = %1 su %2 campioni (%3)</translation>
    </message>
</context>
<context>
    <name>ProblemsList</name>
    <message>
        <source>No problems found.</source>
        <extracomment>a problem&apos;s node was clicked: (node id, the module whose inside holds it or &quot;&quot;)</extracomment>
        <translation>Nessun problema.</translation>
    </message>
</context>
<context>
    <name>QuickSearch</name>
    <message>
        <source>Add node…</source>
        <extracomment>(type name, scene position)</extracomment>
        <translation>Aggiungi nodo…</translation>
    </message>
</context>
<context>
    <name>SequencePanel</name>
    <message>
        <source>The sequence view is drawn for sequence data (samples of several time steps).</source>
        <translation>La vista delle sequenze si disegna per dati in sequenza (campioni di più passi temporali).</translation>
    </message>
    <message>
        <source>The recurrent node whose gates and states are shown</source>
        <translation>Il nodo ricorrente di cui si mostrano gate e stati</translation>
    </message>
    <message>
        <source>sample </source>
        <translation>campione </translation>
    </message>
    <message>
        <source>One of the first training samples (the same ones at every probe)</source>
        <translation>Uno dei primi campioni di addestramento (gli stessi a ogni misura)</translation>
    </message>
    <message>
        <source>cell state per unit</source>
        <translation>stato di cella per unità</translation>
    </message>
    <message>
        <source>input, target, prediction</source>
        <translation>ingresso, target, previsione</translation>
    </message>
    <message>
        <source>gates (mean over units)</source>
        <translation>gate (media sulle unità)</translation>
    </message>
    <message>
        <source>BPTT: |dL/dh_t| per step</source>
        <translation>BPTT: |dL/dh_t| per passo</translation>
    </message>
    <message>
        <source>time step</source>
        <translation>passo temporale</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>unità</translation>
    </message>
    <message>
        <source>No recurrent node (RNN, LSTM, GRU) in this graph: its states and gates over time are drawn here once there is one.</source>
        <translation>Nessun nodo ricorrente (RNN, LSTM, GRU) in questo grafo: quando ce n&apos;è uno, qui si disegnano i suoi stati e gate nel tempo.</translation>
    </message>
    <message>
        <source>step {step}: |dL/dh| at the first step is {ratio} of the last&apos;s</source>
        <translation>passo {step}: |dL/dh| al primo passo è {ratio} di quello all&apos;ultimo</translation>
    </message>
    <message>
        <source>input {c}</source>
        <translation>ingresso {c}</translation>
    </message>
    <message>
        <source>target</source>
        <translation>target</translation>
    </message>
    <message>
        <source>prediction</source>
        <translation>previsione</translation>
    </message>
    <message>
        <source>no gates (a plain RNN)</source>
        <translation>nessun gate (una RNN semplice)</translation>
    </message>
    <message>
        <source>forget</source>
        <translation>forget (dimentica)</translation>
    </message>
    <message>
        <source>input</source>
        <translation>ingresso</translation>
    </message>
    <message>
        <source>output</source>
        <translation>uscita</translation>
    </message>
    <message>
        <source>cell candidate</source>
        <translation>candidato di cella</translation>
    </message>
    <message>
        <source>update</source>
        <translation>update (aggiorna)</translation>
    </message>
    <message>
        <source>reset</source>
        <translation>reset (azzera)</translation>
    </message>
    <message>
        <source>candidate</source>
        <translation>candidato</translation>
    </message>
    <message>
        <source>cell state c per unit</source>
        <translation>stato di cella c per unità</translation>
    </message>
    <message>
        <source>hidden state h per unit</source>
        <translation>stato nascosto h per unità</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <source>NN Playground</source>
        <extracomment>(path, modification time, size) -&gt; QPixmap of the graph</extracomment>
        <translation>NN Playground</translation>
    </message>
    <message>
        <source>Choose a lesson, or start with an empty canvas.</source>
        <translation>Scegli una lezione, o inizia con un grafo vuoto.</translation>
    </message>
    <message>
        <source>◀ Back to the canvas</source>
        <translation>◀ Torna al grafo</translation>
    </message>
    <message>
        <source>New graph</source>
        <translation>Nuovo grafo</translation>
    </message>
    <message>
        <source>Open a file…</source>
        <translation>Apri un file…</translation>
    </message>
    <message>
        <source>Recent:</source>
        <translation>Recenti:</translation>
    </message>
    <message>
        <source>No lessons found in this installation.</source>
        <translation>Nessuna lezione trovata in questa installazione.</translation>
    </message>
    <message>
        <source>Other examples</source>
        <translation>Altri esempi</translation>
    </message>
</context>
<context>
    <name>StepThroughPanel</name>
    <message>
        <source>&lt;p style=&apos;color:#666&apos;&gt;&lt;b&gt;Start&lt;/b&gt; pauses training and sends a few samples through the network. &lt;b&gt;▶&lt;/b&gt; walks the forward pass node by node (the edges show the values), then the backward pass: each edge shows the gradient arriving × the local derivative = the gradient passed on. &lt;b&gt;Check gradient&lt;/b&gt; compares autograd with a finite difference.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#666&apos;&gt;&lt;b&gt;Inizia&lt;/b&gt; mette in pausa l&apos;addestramento e manda alcuni campioni attraverso la rete. &lt;b&gt;▶&lt;/b&gt; percorre il passaggio in avanti nodo per nodo (i collegamenti mostrano i valori), poi la retropropagazione: ogni collegamento mostra il gradiente in arrivo × la derivata locale = il gradiente passato indietro. &lt;b&gt;Verifica il gradiente&lt;/b&gt; confronta l&apos;autograd con una differenza finita.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>forward</source>
        <extracomment>the trace&apos;s phases as the header names them</extracomment>
        <translation>in avanti</translation>
    </message>
    <message>
        <source>backward</source>
        <translation>all&apos;indietro</translation>
    </message>
    <message>
        <source>samples </source>
        <translation>campioni </translation>
    </message>
    <message>
        <source>How many training samples go through the network</source>
        <translation>Quanti campioni di addestramento attraversano la rete</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Inizia</translation>
    </message>
    <message>
        <source>Pause training and trace one forward and backward pass</source>
        <translation>Metti in pausa l&apos;addestramento e traccia un passaggio in avanti e uno all&apos;indietro</translation>
    </message>
    <message>
        <source>Check gradient</source>
        <translation>Verifica il gradiente</translation>
    </message>
    <message>
        <source>Compare autograd with a finite difference for this node</source>
        <translation>Confronta l&apos;autograd con una differenza finita per questo nodo</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fine</translation>
    </message>
    <message>
        <source>in &lt;b&gt;{port}&lt;/b&gt; (from {node})</source>
        <translation>ingresso &lt;b&gt;{port}&lt;/b&gt; (da {node})</translation>
    </message>
    <message>
        <source>out &lt;b&gt;{port}&lt;/b&gt;</source>
        <translation>uscita &lt;b&gt;{port}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Forward&lt;/b&gt; through &lt;b&gt;{node}&lt;/b&gt;</source>
        <translation>&lt;b&gt;In avanti&lt;/b&gt; attraverso &lt;b&gt;{node}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>(arriving)</source>
        <translation>(in arrivo)</translation>
    </message>
    <message>
        <source>local derivative ∂out/∂in</source>
        <translation>derivata locale ∂out/∂in</translation>
    </message>
    <message>
        <source>product (to {node})</source>
        <translation>prodotto (verso {node})</translation>
    </message>
    <message>
        <source>&lt;b&gt;Backward&lt;/b&gt; through &lt;b&gt;{node}&lt;/b&gt;</source>
        <translation>&lt;b&gt;All&apos;indietro&lt;/b&gt; attraverso &lt;b&gt;{node}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>agrees</source>
        <translation>coincide</translation>
    </message>
    <message>
        <source>DIFFERS</source>
        <translation>DIVERSO</translation>
    </message>
    <message>
        <source>gradient check</source>
        <translation>verifica del gradiente</translation>
    </message>
    <message>
        <source>max |autograd − finite difference| = {value} ({verdict})</source>
        <translation>max |autograd − differenza finita| = {value} ({verdict})</translation>
    </message>
    <message>
        <source>loss = {value}</source>
        <translation>loss = {value}</translation>
    </message>
</context>
<context>
    <name>TimelinePanel</name>
    <message>
        <source>Drag back to see an earlier moment of training in every panel; the right end is now</source>
        <translation>Trascina indietro per vedere in ogni pannello un momento precedente dell&apos;addestramento; l&apos;estremo destro è adesso</translation>
    </message>
    <message>
        <source>step %1 of %2</source>
        <translation>passo %1 di %2</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Adesso</translation>
    </message>
    <message>
        <source>Show the latest moment again</source>
        <translation>Mostra di nuovo il momento più recente</translation>
    </message>
    <message>
        <source>Resume from here</source>
        <translation>Riprendi da qui</translation>
    </message>
    <message>
        <source>Train on from the moment shown; what came after it is dropped</source>
        <translation>Continua ad addestrare dal momento mostrato; quel che veniva dopo si scarta</translation>
    </message>
    <message>
        <source>no training yet</source>
        <translation>nessun addestramento ancora</translation>
    </message>
    <message>
        <source>step %1 (now)</source>
        <translation>passo %1 (adesso)</translation>
    </message>
</context>
<context>
    <name>TrainingPanel</name>
    <message>
        <source>Dataset</source>
        <translation>Dataset</translation>
    </message>
    <message>
        <source>classification</source>
        <translation>classificazione</translation>
    </message>
    <message>
        <source>regression</source>
        <translation>regressione</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Problema</translation>
    </message>
    <message>
        <source>samples per gradient step</source>
        <translation>campioni per passo del gradiente</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Dimensione del batch</translation>
    </message>
    <message>
        <source>Optimizer</source>
        <translation>Ottimizzatore</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nessuno</translation>
    </message>
    <message>
        <source>LR schedule</source>
        <translation>Andamento del learning rate</translation>
    </message>
    <message>
        <source>off</source>
        <translation>spento</translation>
    </message>
    <message>
        <source>rescale the gradients when their total norm exceeds this (a remedy for exploding gradients); off = no clipping</source>
        <translation>riscala i gradienti quando la loro norma totale supera questo valore (un rimedio all&apos;esplosione del gradiente); spento = nessun clipping</translation>
    </message>
    <message>
        <source>Clip grad norm</source>
        <translation>Limite della norma del gradiente</translation>
    </message>
    <message>
        <source>early stopping: stop when the test loss has not improved for this many evaluations, and keep the best weights; off = train every step</source>
        <translation>arresto anticipato: fermati quando la loss sul test non migliora da questo numero di valutazioni, e tieni i pesi migliori; spento = addestra tutti i passi</translation>
    </message>
    <message>
        <source>Early stopping</source>
        <translation>Arresto anticipato</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Esecuzione</translation>
    </message>
    <message>
        <source>the same seed gives the same initial weights and batches</source>
        <translation>lo stesso seme dà gli stessi pesi iniziali e gli stessi batch</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seme</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Dispositivo</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Passi</translation>
    </message>
    <message>
        <source>gradient</source>
        <translation>gradiente</translation>
    </message>
    <message>
        <source>perceptron rule</source>
        <translation>regola del percettrone</translation>
    </message>
    <message>
        <source>Hebb&apos;s rule</source>
        <translation>regola di Hebb</translation>
    </message>
    <message>
        <source>Trainer</source>
        <translation>Metodo di addestramento</translation>
    </message>
    <message>
        <source>default (each layer&apos;s own)</source>
        <translation>predefinita (quella di ogni strato)</translation>
    </message>
    <message>
        <source>Xavier / Glorot, uniform</source>
        <translation>Xavier / Glorot, uniforme</translation>
    </message>
    <message>
        <source>Xavier / Glorot, normal</source>
        <translation>Xavier / Glorot, normale</translation>
    </message>
    <message>
        <source>He / Kaiming, uniform</source>
        <translation>He / Kaiming, uniforme</translation>
    </message>
    <message>
        <source>He / Kaiming, normal</source>
        <translation>He / Kaiming, normale</translation>
    </message>
    <message>
        <source>normal, chosen std</source>
        <translation>normale, dev. std. scelta</translation>
    </message>
    <message>
        <source>zeros</source>
        <translation>zeri</translation>
    </message>
    <message>
        <source>how every Linear and convolution weight starts; biases then start at 0 (course notes 003, section 7.1.2)</source>
        <translation>come partono i pesi di ogni strato Linear e di convoluzione; i bias partono da 0 (dispense 003, sezione 7.1.2)</translation>
    </message>
    <message>
        <source>Initial weights</source>
        <translation>Pesi iniziali</translation>
    </message>
    <message>
        <source>standard deviation of the weights</source>
        <translation>deviazione standard dei pesi</translation>
    </message>
    <message>
        <source>gain: multiplies Xavier&apos;s scale</source>
        <translation>guadagno: moltiplica la scala di Xavier</translation>
    </message>
    <message>
        <source>Std</source>
        <translation>Dev. std.</translation>
    </message>
    <message>
        <source>Gain</source>
        <translation>Guadagno</translation>
    </message>
    <message>
        <source>the activation that follows: it sets He&apos;s gain</source>
        <translation>la funzione di attivazione che segue: fissa il guadagno di He</translation>
    </message>
    <message>
        <source>Nonlinearity</source>
        <translation>Non linearità</translation>
    </message>
</context>
<context>
    <name>TrajectoryPanel</name>
    <message>
        <source>Train a few steps: the path needs three parameter snapshots.</source>
        <translation>Addestra qualche passo: il percorso richiede tre istantanee dei parametri.</translation>
    </message>
    <message>
        <source>grid </source>
        <translation>griglia </translation>
    </message>
    <message>
        <source>Grid points per side of the loss landscape (more is slower)</source>
        <translation>Punti della griglia per lato del paesaggio della loss (di più è più lento)</translation>
    </message>
    <message>
        <source>PC 1</source>
        <translation>CP 1</translation>
    </message>
    <message>
        <source>PC 2</source>
        <translation>CP 2</translation>
    </message>
    <message>
        <source>{n} points</source>
        <translation>{n} punti</translation>
    </message>
    <message>
        <source>; the plane explains {n}% of the movement</source>
        <translation>; il piano spiega il {n}% dello spostamento</translation>
    </message>
</context>
<context>
    <name>ViewBox</name>
    <message>
        <source>View All</source>
        <translation>Mostra tutto</translation>
    </message>
    <message>
        <source>ViewBox options</source>
        <translation>Opzioni della vista</translation>
    </message>
    <message>
        <source>Mouse Mode</source>
        <translation>Modalità del mouse</translation>
    </message>
    <message>
        <source>3 button</source>
        <translation>3 pulsanti</translation>
    </message>
    <message>
        <source>1 button</source>
        <translation>1 pulsante</translation>
    </message>
</context>
<context>
    <name>ViewPanel</name>
    <message>
        <source>{what}
{data} has inputs of shape {shape}.</source>
        <extracomment>the ViewChooser that listens for explicit raises (set by the chooser)</extracomment>
        <translation>{what}
{data} ha ingressi di forma {shape}.</translation>
    </message>
    <message>
        <source>The “{view}” view shows it.</source>
        <translation>La vista «{view}» lo mostra.</translation>
    </message>
</context>
<context>
    <name>WeightsPanel</name>
    <message>
        <source>style canvas edges</source>
        <translation>colora i collegamenti nel grafo</translation>
    </message>
    <message>
        <source>Edges into small layers take the sign (colour) and size (width) of the layer&apos;s weights</source>
        <translation>I collegamenti verso strati piccoli prendono il segno (colore) e la grandezza (spessore) dei pesi dello strato</translation>
    </message>
    <message>
        <source>biases</source>
        <translation>bias</translation>
    </message>
</context>
</TS>
