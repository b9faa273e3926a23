# SPDX-License-Identifier: BSD-3-Clause
"""Loading libnetshare and declaring the C prototypes (internal to the package)."""

import ctypes
import glob
import os

SONAME = "libnetshare.so.1"
# The bindings are written for this major version and need at least this version.
SUPPORTED_MAJOR = 1
MIN_VERSION_NUMBER = 10000  # 1.0.0


def _build_tree_candidates():
    """Libraries in build directories of the source tree this package sits in: build/
    first (the README's), then the others by name (build-asan/ holds an instrumented
    library that an uninstrumented Python cannot load)."""
    root = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    found = glob.glob(os.path.join(root, "*", "lib", SONAME))
    return sorted(found, key=lambda p: (os.path.basename(os.path.dirname(os.path.dirname(p)))
                                        != "build", p))


def _candidates():
    env = os.environ.get("NETSHARE_LIBRARY")
    if env:
        # An explicit choice is final: do not silently fall back to another copy.
        return [("NETSHARE_LIBRARY", env)]
    out = [("installed soname", SONAME)]
    out += [("build tree", p) for p in _build_tree_candidates()]
    return out


def load():
    """Load the library: $NETSHARE_LIBRARY, else the installed soname, else a build tree.

    Raises ImportError naming every place tried and why each failed.
    """
    tried = []
    for where, path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s): %s" % (path, where, e))
            continue
        _declare(lib)
        number = lib.netshare_version_number()
        if number // 10000 != SUPPORTED_MAJOR or number < MIN_VERSION_NUMBER:
            tried.append("%s (%s): version %s is not supported by these bindings "
                         "(need %d.x, at least %d)" % (path, where,
                         lib.netshare_version_string().decode(), SUPPORTED_MAJOR,
                         MIN_VERSION_NUMBER))
            continue
        return lib
    raise ImportError("cannot load libnetshare; tried:\n  " + "\n  ".join(tried) +
                      "\nSet NETSHARE_LIBRARY to the path of libnetshare.so.")


LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


class DatasetHandle(ctypes.Structure):
    """Opaque netshare_dataset (typed, so handles of other kinds are refused)."""


class ReportHandle(ctypes.Structure):
    """Opaque netshare_report."""


class EncoderHandle(ctypes.Structure):
    """Opaque netshare_encoder."""


class EncodedHandle(ctypes.Structure):
    """Opaque netshare_encoded."""


class ModelHandle(ctypes.Structure):
    """Opaque netshare_model."""


class SamplerHandle(ctypes.Structure):
    """Opaque netshare_sampler."""


DATASET_P = ctypes.POINTER(DatasetHandle)
REPORT_P = ctypes.POINTER(ReportHandle)
ENCODER_P = ctypes.POINTER(EncoderHandle)
ENCODED_P = ctypes.POINTER(EncodedHandle)
MODEL_P = ctypes.POINTER(ModelHandle)
SAMPLER_P = ctypes.POINTER(SamplerHandle)


class ReadParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("format", ctypes.c_int),
                ("lenient", ctypes.c_int), ("column_map", ctypes.c_char_p),
                ("max_records", ctypes.c_uint64), ("progress", PROGRESS_FN),
                ("progress_user", ctypes.c_void_p), ("extra_columns", ctypes.c_char_p),
                ("label_column", ctypes.c_char_p)]


class WriteParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("format", ctypes.c_int),
                ("link_type", ctypes.c_int), ("nanosecond", ctypes.c_int),
                ("headers_only", ctypes.c_int), ("progress", PROGRESS_FN),
                ("progress_user", ctypes.c_void_p)]


# netshare_format values by the names the CLI uses.
FORMATS = {"auto": 0, "pcap": 1, "netflow-csv": 2, "nfdump-csv": 3, "zeek": 4,
           "mapped-csv": 5, "packet-csv": 6, "pcapng": 7, "zeek-csv": 8}
# netshare_link_type values.
LINK_TYPES = {"ethernet": 1, "raw": 101}


class Record(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("time_ns", ctypes.c_int64),
                ("ip_version", ctypes.c_uint8), ("protocol", ctypes.c_uint8),
                ("src_port", ctypes.c_uint16), ("dst_port", ctypes.c_uint16),
                ("src_ip", ctypes.c_uint32), ("dst_ip", ctypes.c_uint32),
                ("src_ip6", ctypes.c_uint8 * 16), ("dst_ip6", ctypes.c_uint8 * 16),
                ("ip_length", ctypes.c_uint16), ("tos", ctypes.c_uint8),
                ("ttl", ctypes.c_uint8), ("ip_id", ctypes.c_uint16),
                ("ip_flags", ctypes.c_uint8), ("tcp_flags", ctypes.c_uint8),
                ("frag_offset", ctypes.c_uint16), ("duration_ns", ctypes.c_int64),
                ("packets", ctypes.c_uint64), ("bytes", ctypes.c_uint64),
                ("label", ctypes.c_char_p), ("resp_packets", ctypes.c_uint64),
                ("resp_bytes", ctypes.c_uint64)]


class Metric(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("name", ctypes.c_char_p),
                ("kind", ctypes.c_char_p), ("unit", ctypes.c_char_p),
                ("group", ctypes.c_char_p), ("value", ctypes.c_double),
                ("note", ctypes.c_char_p)]

class Progress(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("stage", ctypes.c_char_p),
                ("chunk", ctypes.c_int), ("done", ctypes.c_uint64), ("total", ctypes.c_uint64),
                ("elapsed_s", ctypes.c_double), ("loss_d", ctypes.c_double),
                ("loss_aux_d", ctypes.c_double), ("loss_g", ctypes.c_double),
                ("wasserstein", ctypes.c_double)]


# The parameter and info structs mirror include/netshare/*.h field by field; the
# library's *_params_init sets struct_size to its sizeof, which the package checks
# against ctypes.sizeof so that a mismatch fails loudly rather than corrupting memory.
class EncoderParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("chunks", ctypes.c_int),
                ("max_flow_len", ctypes.c_uint32), ("drop_long_flows", ctypes.c_int),
                ("sample_len", ctypes.c_uint32), ("word2vec_dim", ctypes.c_int),
                ("word2vec_window", ctypes.c_int), ("word2vec_negative", ctypes.c_int),
                ("word2vec_epochs", ctypes.c_int), ("word2vec_min_count", ctypes.c_int),
                ("word2vec_skipgram", ctypes.c_int), ("word2vec_sample", ctypes.c_double),
                ("word2vec_corpus", DATASET_P), ("bounds", ctypes.c_char_p),
                ("log1p_fields", ctypes.c_char_p), ("seed", ctypes.c_uint64),
                ("progress", PROGRESS_FN), ("progress_user", ctypes.c_void_p),
                ("port_classes", ctypes.c_int),
                ("length_classes", ctypes.c_int), ("window_start_ns", ctypes.c_int64),
                ("window_end_ns", ctypes.c_int64)]


class ModelParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("iterations", ctypes.c_uint32),
                ("fine_tune_divisor", ctypes.c_uint32), ("batch_size", ctypes.c_int),
                ("d_rounds", ctypes.c_int), ("g_rounds", ctypes.c_int),
                ("attr_noise", ctypes.c_int), ("feat_noise", ctypes.c_int),
                ("attr_layers", ctypes.c_int), ("attr_units", ctypes.c_int),
                ("lstm_units", ctypes.c_int), ("disc_layers", ctypes.c_int),
                ("disc_units", ctypes.c_int), ("aux_disc_layers", ctypes.c_int),
                ("aux_disc_units", ctypes.c_int), ("lr_g", ctypes.c_float),
                ("lr_d", ctypes.c_float), ("lr_aux", ctypes.c_float), ("beta1", ctypes.c_float),
                ("beta2", ctypes.c_float), ("gp_lambda", ctypes.c_double),
                ("aux_gp_lambda", ctypes.c_double), ("aux_weight", ctypes.c_double),
                ("seed", ctypes.c_uint64), ("progress", PROGRESS_FN),
                ("progress_user", ctypes.c_void_p), ("threads", ctypes.c_uint),
                ("checkpoint_path", ctypes.c_char_p), ("checkpoint_every", ctypes.c_uint32),
                ("epsilon", ctypes.c_double), ("delta", ctypes.c_double),
                ("dp_clip", ctypes.c_double), ("public_iterations", ctypes.c_uint32),
                ("disc_embed", ctypes.c_int), ("ema_decay", ctypes.c_double),
                ("feature_condition", ctypes.c_int), ("flow_end", ctypes.c_int),
                ("condition_paths", ctypes.c_int)]


class LoadParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("memory_limit", ctypes.c_uint64)]


class ReportParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("services", ctypes.c_uint),
                ("held_out", DATASET_P)]


class BaselineParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("seed", ctypes.c_uint64),
                ("flows", ctypes.c_uint64)]


class SampleParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("flows", ctypes.c_uint64),
                ("time_scale", ctypes.c_double), ("seed", ctypes.c_uint64),
                ("threads", ctypes.c_uint), ("progress", PROGRESS_FN),
                ("progress_user", ctypes.c_void_p), ("class_temperature", ctypes.c_double),
                ("draw_partner_ports", ctypes.c_int), ("cap_flow_lengths", ctypes.c_int),
                ("payload_floors", ctypes.c_int), ("enforce_flow_counts", ctypes.c_int),
                ("repick_ports", ctypes.c_int), ("where", ctypes.c_char_p),
                ("duration_s", ctypes.c_double), ("flow_rate", ctypes.c_double)]

# The sampling steps that use statistics of the real trace (netshare_sample_params).
SAMPLE_STEPS = ("draw_partner_ports", "cap_flow_lengths", "payload_floors",
                "enforce_flow_counts", "repick_ports")


class EncoderInfo(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("kind", ctypes.c_int),
                ("chunks", ctypes.c_int), ("max_flow_len", ctypes.c_uint32),
                ("sample_len", ctypes.c_uint32), ("max_len", ctypes.c_uint32),
                ("attribute_dim", ctypes.c_size_t), ("feature_dim", ctypes.c_size_t),
                ("attribute_groups", ctypes.c_size_t), ("feature_groups", ctypes.c_size_t),
                ("address_bits", ctypes.c_int), ("port_words", ctypes.c_size_t),
                ("protocol_words", ctypes.c_size_t), ("flows", ctypes.c_uint64),
                ("flows_truncated", ctypes.c_uint64), ("flows_dropped", ctypes.c_uint64),
                ("headers_only", ctypes.c_int)]


class ModelInfo(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("chunks", ctypes.c_int),
                ("iterations_chunk0", ctypes.c_uint64), ("iterations_total", ctypes.c_uint64),
                ("iterations", ctypes.c_uint32), ("fine_tune_divisor", ctypes.c_uint32),
                ("params_generator", ctypes.c_uint64),
                ("params_discriminator", ctypes.c_uint64),
                ("params_aux_discriminator", ctypes.c_uint64), ("loss_d", ctypes.c_double),
                ("loss_aux_d", ctypes.c_double), ("loss_g", ctypes.c_double),
                ("wasserstein", ctypes.c_double), ("privacy", ctypes.c_int),
                ("epsilon", ctypes.c_double), ("epsilon_target", ctypes.c_double),
                ("delta", ctypes.c_double), ("dp_sigma", ctypes.c_double),
                ("dp_clip", ctypes.c_double), ("dp_sampling_rate", ctypes.c_double),
                ("dp_steps", ctypes.c_uint64), ("count_noise_sd", ctypes.c_double),
                ("public_fingerprint", ctypes.c_uint64), ("public_records", ctypes.c_uint64),
                ("public_iterations", ctypes.c_uint64), ("count_epsilon", ctypes.c_double),
                ("disc_embed", ctypes.c_int), ("ema_decay", ctypes.c_double),
                ("feature_condition", ctypes.c_int), ("flow_end", ctypes.c_int),
                ("condition_paths", ctypes.c_int)]


class SampleInfo(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("flows", ctypes.c_uint64),
                ("continuations", ctypes.c_uint64), ("not_started", ctypes.c_uint64),
                ("duplicates", ctypes.c_uint64), ("repicked", ctypes.c_uint64),
                ("records", ctypes.c_uint64), ("where_drawn", ctypes.c_uint64),
                ("where_accepted", ctypes.c_uint64)]


# (name, argtypes, restype): one table, applied once at load time.
_PROTOTYPES = [
    ("netshare_strerror", [ctypes.c_int], ctypes.c_char_p),
    ("netshare_status_name", [ctypes.c_int], ctypes.c_char_p),
    ("netshare_last_error", [], ctypes.c_char_p),
    ("netshare_clear_error", [], None),
    ("netshare_version_number", [], ctypes.c_uint),
    ("netshare_version_string", [], ctypes.c_char_p),
    ("netshare_log_set", [LOG_FN, ctypes.c_int, ctypes.c_void_p], ctypes.c_int),
    ("netshare_read_params_init", [ctypes.POINTER(ReadParams)], None),
    ("netshare_dataset_read", [ctypes.POINTER(DATASET_P), ctypes.c_char_p,
                               ctypes.POINTER(ReadParams)], ctypes.c_int),
    ("netshare_dataset_free", [DATASET_P], None),
    ("netshare_dataset_kind", [DATASET_P], ctypes.c_int),
    ("netshare_dataset_count", [DATASET_P], ctypes.c_size_t),
    ("netshare_dataset_extra_count", [DATASET_P], ctypes.c_size_t),
    ("netshare_dataset_extra_name", [DATASET_P, ctypes.c_size_t], ctypes.c_char_p),
    ("netshare_dataset_extra_is_categorical", [DATASET_P, ctypes.c_size_t], ctypes.c_int),
    ("netshare_dataset_extra_get", [DATASET_P, ctypes.c_size_t, ctypes.c_size_t,
                                    ctypes.POINTER(ctypes.c_double),
                                    ctypes.POINTER(ctypes.c_char_p)], ctypes.c_int),
    ("netshare_record_init", [ctypes.POINTER(Record)], None),
    ("netshare_dataset_get", [DATASET_P, ctypes.c_size_t, ctypes.POINTER(Record)], ctypes.c_int),
    ("netshare_dataset_write", [DATASET_P, ctypes.c_char_p, ctypes.POINTER(WriteParams)],
     ctypes.c_int),
    ("netshare_write_params_init", [ctypes.POINTER(WriteParams)], None),
    ("netshare_report_params_init", [ctypes.POINTER(ReportParams)], None),
    ("netshare_report_new", [ctypes.POINTER(REPORT_P), DATASET_P, DATASET_P,
                             ctypes.POINTER(ReportParams)], ctypes.c_int),
    ("netshare_report_count", [REPORT_P], ctypes.c_size_t),
    ("netshare_report_get", [REPORT_P, ctypes.c_size_t, ctypes.POINTER(Metric)], ctypes.c_int),
    ("netshare_report_free", [REPORT_P], None),
    ("netshare_baseline_params_init", [ctypes.POINTER(BaselineParams)], None),
    ("netshare_baseline_marginal", [ctypes.POINTER(DATASET_P), DATASET_P,
                                    ctypes.POINTER(BaselineParams)], ctypes.c_int),
    ("netshare_baseline_service_marginal", [ctypes.POINTER(DATASET_P), DATASET_P,
                                            ctypes.POINTER(BaselineParams)], ctypes.c_int),
    ("netshare_dataset_split_time", [DATASET_P, ctypes.c_double, ctypes.POINTER(DATASET_P),
                                     ctypes.POINTER(DATASET_P)], ctypes.c_int),
    ("netshare_encoder_params_init", [ctypes.POINTER(EncoderParams)], None),
    ("netshare_encoder_fit", [ctypes.POINTER(ENCODER_P), DATASET_P,
                              ctypes.POINTER(EncoderParams)], ctypes.c_int),
    ("netshare_encoder_free", [ENCODER_P], None),
    ("netshare_encoder_info_get", [ENCODER_P, ctypes.POINTER(EncoderInfo)], ctypes.c_int),
    ("netshare_encoder_encode", [ctypes.POINTER(ENCODED_P), ENCODER_P, DATASET_P, ctypes.c_int],
     ctypes.c_int),
    ("netshare_encoded_flows", [ENCODED_P], ctypes.c_size_t),
    ("netshare_encoded_attributes", [ENCODED_P], ctypes.POINTER(ctypes.c_float)),
    ("netshare_encoded_features", [ENCODED_P], ctypes.POINTER(ctypes.c_float)),
    ("netshare_encoded_lengths", [ENCODED_P], ctypes.POINTER(ctypes.c_uint32)),
    ("netshare_encoded_free", [ENCODED_P], None),
    ("netshare_model_params_init", [ctypes.POINTER(ModelParams)], None),
    ("netshare_model_new", [ctypes.POINTER(MODEL_P), ENCODER_P, ctypes.POINTER(ModelParams)],
     ctypes.c_int),
    ("netshare_model_train", [MODEL_P, DATASET_P], ctypes.c_int),
    ("netshare_model_pretrain", [MODEL_P, DATASET_P], ctypes.c_int),
    ("netshare_model_free", [MODEL_P], None),
    ("netshare_model_encoder", [MODEL_P], ENCODER_P),
    ("netshare_model_info_get", [MODEL_P, ctypes.POINTER(ModelInfo)], ctypes.c_int),
    ("netshare_model_save", [MODEL_P, ctypes.c_char_p], ctypes.c_int),
    ("netshare_model_export", [MODEL_P, ctypes.c_char_p], ctypes.c_int),
    ("netshare_load_params_init", [ctypes.POINTER(LoadParams)], None),
    ("netshare_model_load", [ctypes.POINTER(MODEL_P), ctypes.c_char_p,
                             ctypes.POINTER(LoadParams)], ctypes.c_int),
    ("netshare_model_set_training", [MODEL_P, ctypes.POINTER(ModelParams)], ctypes.c_int),
    ("netshare_sample_params_init", [ctypes.POINTER(SampleParams)], None),
    ("netshare_sample_params_raw", [ctypes.POINTER(SampleParams)], None),
    ("netshare_sampler_new", [ctypes.POINTER(SAMPLER_P), MODEL_P, ctypes.POINTER(SampleParams)],
     ctypes.c_int),
    ("netshare_sampler_free", [SAMPLER_P], None),
    ("netshare_sampler_generate", [ctypes.POINTER(DATASET_P), SAMPLER_P], ctypes.c_int),
    ("netshare_sampler_write", [SAMPLER_P, ctypes.c_char_p, ctypes.c_void_p], ctypes.c_int),
    ("netshare_sampler_info_get", [SAMPLER_P, ctypes.POINTER(SampleInfo)], ctypes.c_int),
]


def _declare(lib):
    for name, argtypes, restype in _PROTOTYPES:
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        fn.restype = restype


lib = load()
