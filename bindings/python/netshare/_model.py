# SPDX-License-Identifier: BSD-3-Clause
"""Encoder, Model and Sampler (internal module; use them from the netshare package)."""

import ctypes as _ct

from . import _lib
from ._dataset import Dataset, _path
from ._errors import NetshareError, Status, _check
from ._handle import _Borrowed, _Handle
from ._params import _init, _set
from ._lib import lib as _c

try:
    import numpy as _np
except ImportError:  # numpy is optional: plain lists then
    _np = None

CHUNKS_AUTO = 0  # NETSHARE_CHUNKS_AUTO
AUTO = 0xFFFFFFFF  # NETSHARE_AUTO


def _info(struct, fn, handle):
    info = struct()
    info.struct_size = _ct.sizeof(info)
    _check(fn(handle, _ct.byref(info)))
    return {name: getattr(info, name) for name, _ in struct._fields_ if name != "struct_size"}


class _Progress:
    """Adapts a Python callable(dict) -> bool (True stops) to netshare_progress_fn. An
    exception in the callable stops the work and is raised again afterwards."""

    def __init__(self, fn):
        self.fn, self.error = fn, None
        self.c = _lib.PROGRESS_FN(self._call) if fn else _lib.PROGRESS_FN()

    def _call(self, info, _user):
        p = _ct.cast(info, _ct.POINTER(_lib.Progress)).contents
        try:
            return 1 if self.fn({"stage": p.stage.decode(), "chunk": p.chunk, "done": p.done,
                                 "total": p.total, "elapsed_s": p.elapsed_s,
                                 "loss_d": p.loss_d, "loss_g": p.loss_g,
                                 "wasserstein": p.wasserstein}) else 0
        except BaseException as e:  # noqa: B036 - re-raised by check()
            self.error = e
            return 1

    def check(self, status):
        if self.error is not None:
            raise self.error
        return _check(status)


def _array(ptr, shape, ctype):
    n = 1
    for d in shape:
        n *= d
    if _np is not None:
        if n == 0:
            return _np.zeros(shape, dtype=_np.float32 if ctype is _ct.c_float else _np.uint32)
        return _np.ctypeslib.as_array(ptr, shape=(n,)).reshape(shape).copy()
    flat = [ptr[i] for i in range(n)]
    return flat


class Encoder(_Handle):
    """A fitted encoder (netshare_encoder): a trace's flows as the GAN's tensors.

        enc = netshare.Encoder.fit(ds, chunks=4)
        attributes, features, lengths = enc.encode(ds, chunk=0)   # numpy arrays
    """

    def __init__(self, handle, owned=True, owner=None):
        if owned:
            super().__init__(handle, _c.netshare_encoder_free)
        else:  # borrowed from a model, which it keeps alive
            self._handle, self._keep = handle, (owner,)
            self._users, self._closing = 0, False
            self._fin = _Borrowed(owner)

    @classmethod
    def fit(cls, dataset, chunks="auto", **options):
        """Fit on a Dataset. chunks: a number or "auto" (one per 1000 flows, 1..10);
        other options are netshare_encoder_params fields (max_flow_len, sample_len,
        word2vec_dim, bounds, log1p_fields, seed, ...)."""
        p = _init(_lib.EncoderParams, _c.netshare_encoder_params_init)
        p.chunks = CHUNKS_AUTO if chunks == "auto" else int(chunks)
        _set(p, options, "Encoder.fit")
        h = _lib.ENCODER_P()
        _check(_c.netshare_encoder_fit(_ct.byref(h), dataset._h, _ct.byref(p)))
        return cls(h)

    @property
    def info(self):
        """Shape and facts (netshare_encoder_info) as a dict."""
        return _info(_lib.EncoderInfo, _c.netshare_encoder_info_get, self._h)

    def encode(self, dataset, chunk):
        """(attributes N x A, features N x T x F, lengths N) of one chunk: numpy arrays
        when numpy is installed, flat lists otherwise."""
        e = _lib.ENCODED_P()
        _check(_c.netshare_encoder_encode(_ct.byref(e), self._h, dataset._h, chunk))
        try:
            info = self.info
            n = _c.netshare_encoded_flows(e)
            A, F, T = info["attribute_dim"], info["feature_dim"], info["max_len"]
            return (_array(_c.netshare_encoded_attributes(e), (n, A), _ct.c_float),
                    _array(_c.netshare_encoded_features(e), (n, T, F), _ct.c_float),
                    _array(_c.netshare_encoded_lengths(e), (n,), _ct.c_uint32))
        finally:
            _c.netshare_encoded_free(e)


class Model(_Handle):
    """DoppelGANger models of a trace's time chunks (netshare_model).

        model = netshare.Model.train(ds, iterations=400, progress=print)
        model.export("trace.nsm")
        model = netshare.Model.load("trace.nsm")
    """

    @classmethod
    def new(cls, encoder, **options):
        """An untrained model; options are netshare_model_params fields."""
        p = _init(_lib.ModelParams, _c.netshare_model_params_init)
        _set(p, options, "Model.new")
        h = _lib.MODEL_P()
        _check(_c.netshare_model_new(_ct.byref(h), encoder._h, _ct.byref(p)))
        return cls(h, _c.netshare_model_free)

    @classmethod
    def train(cls, dataset, encoder=None, progress=None, chunks="auto", threads=0,
              checkpoint=None, checkpoint_every=0, public=None, window=None, **options):
        """Fit an encoder (unless given), create a model and train it on dataset.
        progress(dict) is called every iteration (from worker threads when chunks train
        side by side, one call at a time); returning True stops with NetshareError
        ECANCELED. Other options are netshare_model_params fields (iterations,
        batch_size, seed, epsilon, delta, ...). Differential privacy: epsilon=E with
        public=DATASET and window=(start_ns, end_ns), the private trace's capture
        window: the encoder is fitted on the public dataset, which the model trains on
        first (pretrain), then on dataset with DP."""
        own = encoder is None
        if own:
            extra = {"seed": options["seed"]} if "seed" in options else {}
            if window is not None:
                extra.update(window_start_ns=int(window[0]), window_end_ns=int(window[1]))
            encoder = Encoder.fit(public if public is not None else dataset, chunks=chunks,
                                  **extra)
        try:
            model = cls.new(encoder, threads=threads, **options)
        finally:
            if own:
                encoder.close()
        if public is not None:
            model.pretrain(public, progress=progress, threads=threads)
        model.resume(dataset, progress=progress, threads=threads, checkpoint=checkpoint,
                     checkpoint_every=checkpoint_every)
        return model

    def pretrain(self, public, progress=None, threads=0):
        """Differential privacy, step 1 (netshare_model_pretrain): train on the public
        dataset the encoder was fitted on; then resume() trains on the private one."""
        pr = _Progress(progress)
        run = _init(_lib.ModelParams, _c.netshare_model_params_init)
        _set(run, {"threads": threads}, "Model.pretrain")
        run.progress = pr.c
        _check(_c.netshare_model_set_training(self._h, _ct.byref(run)))
        try:
            pr.check(_c.netshare_model_pretrain(self._h, public._h))
        finally:
            _c.netshare_model_set_training(self._h, None)

    def resume(self, dataset, progress=None, threads=0, checkpoint=None, checkpoint_every=0):
        """Train the iterations not done yet (a model loaded from a checkpoint continues
        exactly where it stopped)."""
        pr = _Progress(progress)
        path = _path(checkpoint, "Model.resume: checkpoint") if checkpoint else None
        run = _init(_lib.ModelParams, _c.netshare_model_params_init)
        _set(run, {"checkpoint_every": checkpoint_every, "threads": threads}, "Model.resume")
        run.progress = pr.c
        run.checkpoint_path = path
        _check(_c.netshare_model_set_training(self._h, _ct.byref(run)))
        try:
            pr.check(_c.netshare_model_train(self._h, dataset._h))
        finally:
            _c.netshare_model_set_training(self._h, None)

    @classmethod
    def load(cls, path, memory_limit=0):
        """A model file; memory_limit: most bytes the model may take (0: the library's
        bound from the file's size), checked before anything is allocated."""
        p = _init(_lib.LoadParams, _c.netshare_load_params_init)
        _set(p, {"memory_limit": memory_limit}, "Model.load")
        h = _lib.MODEL_P()
        _check(_c.netshare_model_load(_ct.byref(h), _path(path, "Model.load"), _ct.byref(p)))
        return cls(h, _c.netshare_model_free)

    def save(self, path):
        """Everything, training state included (can be trained further)."""
        _check(_c.netshare_model_save(self._h, _path(path, "Model.save")))

    def export(self, path):
        """What generation needs only: a fraction of save()'s size."""
        _check(_c.netshare_model_export(self._h, _path(path, "Model.export")))

    @property
    def info(self):
        return _info(_lib.ModelInfo, _c.netshare_model_info_get, self._h)

    @property
    def encoder(self):
        """The model's encoder (owned by the model)."""
        return Encoder(_c.netshare_model_encoder(self._h), owned=False, owner=self)

    def sampler(self, **options):
        return Sampler(self, **options)


class Sampler(_Handle):
    """Synthetic traces from a model (netshare_sampler).

        with netshare.Sampler(model, seed=7) as s:
            synthetic = s.generate()        # a Dataset, in time order
            s.write("synthetic.pcap")
    """

    def __init__(self, model, flows=0, time_scale=1.0, seed=1, threads=0,
                 class_temperature=None, raw=False, where=None, duration_s=0.0,
                 flow_rate=0.0, **steps):
        """raw=True turns off every sampling step that uses statistics of the real
        trace (GAN-only); steps such as repick_ports=False turn off one (the names:
        netshare._lib.SAMPLE_STEPS). where="label=Malicious,proto=UDP" keeps only the
        flows with those attributes (sample and reject; info gives where_drawn and
        where_accepted). duration_s= spans that many seconds (the model's window drawn
        again past its end), flow_rate= flows per second instead of flows=."""
        p = _init(_lib.SampleParams, _c.netshare_sample_params_init)
        p.flows, p.time_scale, p.seed, p.threads = flows, time_scale, seed, threads
        p.duration_s, p.flow_rate = duration_s, flow_rate
        if where is not None:
            p.where = where.encode()
        if class_temperature is not None:  # else the library's default
            p.class_temperature = class_temperature
        if raw:
            _c.netshare_sample_params_raw(_ct.byref(p))
        for name, on in steps.items():
            if name not in _lib.SAMPLE_STEPS:
                raise TypeError(f"Sampler: unknown option {name!r} (sampling steps: "
                                f"{', '.join(_lib.SAMPLE_STEPS)})")
            setattr(p, name, 1 if on else 0)
        h = _lib.SAMPLER_P()
        _check(_c.netshare_sampler_new(_ct.byref(h), model._h, _ct.byref(p)))
        super().__init__(h, _c.netshare_sampler_free, model)

    def _model_h(self):
        """This sampler's handle, once its model is known to be open (the sampler reads
        the model's weights: a closed model would be freed memory)."""
        if self._keep[0].closed:
            raise ValueError("Sampler: its Model is closed")
        return self._h

    def generate(self):
        h = _lib.DATASET_P()
        _check(_c.netshare_sampler_generate(_ct.byref(h), self._model_h()))
        return Dataset(h)

    def write(self, path):
        """Generate and write (.pcap, .csv, .log), atomically."""
        _check(_c.netshare_sampler_write(self._model_h(), _path(path, "Sampler.write"),
                                         None))

    @property
    def info(self):
        """What the last generation did (flows, continuations, not_started, duplicates,
        repicked, records, where_drawn, where_accepted)."""
        return _info(_lib.SampleInfo, _c.netshare_sampler_info_get, self._h)


__all__ = ["Encoder", "Model", "Sampler", "NetshareError", "Status"]
