"""Ways in from other tools: TensorFlow Playground links (``tfp``) and its random stream
(``seedrandom``); ways out: a PyTorch script (``pytorch``) and an ONNX model (``onnx``)."""
