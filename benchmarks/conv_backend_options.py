"""Time one epoch of the convolutional autoencoder under CPU back-end options.

    python benchmarks/conv_backend_options.py          # oneDNN as TensorFlow defaults (on)
    TF_ENABLE_ONEDNN_OPTS=0 python benchmarks/conv_backend_options.py

Trains on 11,000 class-profile images after a warm-up batch and scales the time
to one 55,000-image epoch, with and without XLA (jit_compile) at batch 128 and
256. This is the measurement behind leaving oneDNN on in aehelpers.notebook.
"""

from __future__ import annotations

import os
import time

import keras

import aehelpers as ae


def main() -> None:
    ae.setup_notebook(verbose=False)
    x = ae.load_fashion_mnist(profile="class").x_train[:11_000]
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)")
    print("| oneDNN | jit_compile | batch | seconds per 55k-image epoch |\n|---|---|---|---|")
    for jit in (False, True):
        for batch in (128, 256):
            keras.backend.clear_session()
            ae.set_seed(1)
            *_, model = ae.models.build_conv_autoencoder()
            model.compile(loss="mse", optimizer=keras.optimizers.Nadam(3e-3), jit_compile=jit)
            model.fit(x[:batch * 2], x[:batch * 2], batch_size=batch, epochs=1, verbose=0)
            start = time.perf_counter()
            model.fit(x, x, batch_size=batch, epochs=1, verbose=0)
            per_epoch = (time.perf_counter() - start) * 55_000 / len(x)
            print(f"| {onednn} | {jit} | {batch} | {per_epoch:.1f} |", flush=True)


if __name__ == "__main__":
    main()
