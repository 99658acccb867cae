"""How a forward pass runs: one module per backend.

* :mod:`.torch` -- the exact reference: pads a batch and runs the PyTorch model in fp32
  or under bf16 autocast, with decoder position ids and attention masks;
* :mod:`.onnx` -- the model exported once to an ONNX graph that returns every layer's
  hidden states, run on ONNX Runtime in fp32 or dynamically quantized to int8.

``EncodeOptions.backend`` picks one; the encoder pads every batch with
:func:`.torch.pad` and hands it to the backend, so pooling, layers, ``encode_layers``
and the sweeps read the same hidden states whichever backend computed them.
"""
