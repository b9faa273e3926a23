# SPDX-License-Identifier: BSD-3-Clause
"""Downstream tasks: does synthetic traffic train models that work on real traffic?

NetShare's traffic-type prediction (reference/eval.md 1.8): five classifiers (decision
tree, logistic regression, random forest, gradient boosting, MLP) trained on a flow
trace's records to predict their label, and scored on held-out real records; for each
training trace its accuracies and the Spearman rank correlation of the classifiers'
order with the order they have when trained on real data.

    import netshare, netshare.tasks
    real = netshare.Dataset.read("conn.log")
    a, b = real.split_time(0.5)                    # train on a, test on b
    result = netshare.tasks.traffic_type({"real": a, "synthetic": syn}, b)

Features of a flow record: source and destination port, protocol, and log1p of its
packets, bytes, duration (s) and the responder's packets and bytes. scikit-learn
(Debian: python3-sklearn) is imported only when a task runs; without it a task raises
ImportError saying so. `python3 -m netshare.tasks traffic-type [--holdout F] [--seed S]
REAL SYNTH...` prints the result as JSON; `--label COL` reads every file's column COL
(e.g. IoT-23's detailed-label) as the records' label. From Python, a task's label= may
also name an extra column of the datasets.

Label-conditional fidelity (`conditional`, no scikit-learn needed): for each value of
the label, the Jensen-Shannon divergence (base 2, 0..1) between the real held-out
records with that value and each synthetic trace's records with it, field by field
(protocol, destination port, source port range, and log bins of packets, bytes and
duration), next to the same divergence of the real training part (the noise floor).
It measures what a conditional generator (`generate --where label=...`) keeps.

NetML anomaly detection (`anomaly`, packet traces; eval.md 1.8 and 2): NetML's flow
features (netshare.netml, extraction parameters fitted on the real training part) in
each mode, a one-class SVM (RBF, gamma "scale", nu 0.5, NetML's OCSVM) trained on each
trace's subflows, and the share of the held-out real subflows it flags: the anomaly
ratio. Reported per mode with its relative error against the detector trained on real
data, and Spearman's rho of the modes' order.
"""

import json
import math
import sys

CLASSIFIERS = ("decision_tree", "logistic_regression", "random_forest", "gradient_boosting",
               "mlp")
FEATURES = ("src_port", "dst_port", "protocol", "log_packets", "log_bytes", "log_duration_s",
            "log_resp_packets", "log_resp_bytes")


def _sklearn():
    try:
        import sklearn  # noqa: F401
        from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.tree import DecisionTreeClassifier
    except ImportError as e:
        raise ImportError("netshare.tasks needs scikit-learn, which is not installed "
                          "(Debian: apt install python3-sklearn): %s" % e) from None

    def make(name, seed):
        if name == "decision_tree":
            return DecisionTreeClassifier(random_state=seed)
        if name == "logistic_regression":
            return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        if name == "random_forest":
            return RandomForestClassifier(n_estimators=100, random_state=seed)
        if name == "gradient_boosting":
            return GradientBoostingClassifier(random_state=seed)
        return make_pipeline(StandardScaler(),
                             MLPClassifier(hidden_layer_sizes=(64, 64), max_iter=500,
                                           random_state=seed))
    return make


def labels(dataset, label="label"):
    """The label of every record: the record's own label, or extra column `label`."""
    if label == "label":
        return [r["label"] for r in dataset]
    if label not in dataset.extra_columns:
        raise ValueError("no label column %r (read it with label_column= or as an extra "
                         "column)" % label)
    return dataset.extra(label)


def flow_features(dataset, label="label"):
    """(rows of FEATURES, labels) of a flow dataset's records that have a label."""
    if not dataset.flows:
        raise ValueError("traffic-type needs flow records (NetFlow CSV, Zeek conn.log), "
                         "not packets")
    X, y = [], []
    for r, lab in zip(dataset, labels(dataset, label)):
        if not lab:
            continue
        X.append([r["src_port"], r["dst_port"], r["protocol"], math.log1p(r["packets"]),
                  math.log1p(r["bytes"]), math.log1p(max(r["duration_ns"], 0) / 1e9),
                  math.log1p(r["resp_packets"]), math.log1p(r["resp_bytes"])])
        y.append(lab)
    return X, y


def _ranks(values):
    """Ranks 1..n, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a, b):
    """Spearman's rank correlation of two equally long sequences (None if either is
    constant: no order to compare)."""
    ra, rb = _ranks(list(a)), _ranks(list(b))
    n = len(ra)
    ma, mb = sum(ra) / n, sum(rb) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    saa = sum((x - ma) ** 2 for x in ra)
    sbb = sum((y - mb) ** 2 for y in rb)
    if saa == 0 or sbb == 0:
        return None
    return sab / math.sqrt(saa * sbb)


def traffic_type(train_sets, test, seed=1, reference="real", label="label"):
    """Train every classifier on each dataset of train_sets (name -> Dataset) and score
    it on test's records. Returns {"classifiers": [...], "test_records": n, "accuracy":
    {name: {classifier: accuracy}}, "spearman": {name: rho against `reference`}}. A
    training set with one label only predicts it everywhere."""
    make = _sklearn()
    Xt, yt = flow_features(test, label)
    if not yt:
        raise ValueError("the test dataset has no labelled records")
    accuracy = {}
    for name, ds in train_sets.items():
        X, y = flow_features(ds, label)
        accuracy[name] = {}
        for clf in CLASSIFIERS:
            if not y:
                acc = 0.0
            elif len(set(y)) == 1:
                acc = sum(1 for t in yt if t == y[0]) / len(yt)
            else:
                model = make(clf, seed).fit(X, y)
                pred = model.predict(Xt)
                acc = sum(1 for p, t in zip(pred, yt) if p == t) / len(yt)
            accuracy[name][clf] = acc
    rho = {}
    if reference in accuracy:
        ref = [accuracy[reference][c] for c in CLASSIFIERS]
        for name in accuracy:
            rho[name] = spearman([accuracy[name][c] for c in CLASSIFIERS], ref)
    return {"classifiers": list(CLASSIFIERS), "test_records": len(yt), "accuracy": accuracy,
            "spearman": rho}


# Fields compared by the conditional task: name -> value of a record (a bin for counts
# and times: half-units of log1p, so that a factor of about 1.6 is one bin).
CONDITIONAL_FIELDS = {
    "protocol": lambda r: r["protocol"],
    "dst_port": lambda r: r["dst_port"],
    "src_port_range": lambda r: 0 if r["src_port"] < 1024 else 1 if r["src_port"] < 49152 else 2,
    "packets": lambda r: int(2 * math.log1p(r["packets"])),
    "bytes": lambda r: int(2 * math.log1p(r["bytes"])),
    "duration": lambda r: int(2 * math.log1p(max(r["duration_ns"], 0) / 1e6)),  # ms
}


def jsd(p, q):
    """Jensen-Shannon divergence, base 2, of two histograms (dicts value -> count)."""
    np_, nq = sum(p.values()), sum(q.values())
    if not np_ or not nq:
        return 1.0
    out = 0.0
    for k in set(p) | set(q):
        a, b = p.get(k, 0) / np_, q.get(k, 0) / nq
        m = (a + b) / 2
        if a:
            out += a / 2 * math.log2(a / m)
        if b:
            out += b / 2 * math.log2(b / m)
    return max(0.0, min(1.0, out))


def _histograms(dataset, label):
    """{label value: {field: {bin: count}}} and the records per value."""
    hist, count = {}, {}
    for r, lab in zip(dataset, labels(dataset, label)):
        if not lab:
            continue
        count[lab] = count.get(lab, 0) + 1
        h = hist.setdefault(lab, {f: {} for f in CONDITIONAL_FIELDS})
        for f, value in CONDITIONAL_FIELDS.items():
            v = value(r)
            h[f][v] = h[f].get(v, 0) + 1
    return hist, count


def conditional(sets, test, label="label"):
    """For each label value of `test` (the held-out real records), each dataset of
    sets's share of records with that value and the JSD of every field of
    CONDITIONAL_FIELDS between its records with that value and test's, with their mean.
    A dataset without a value scores 1 on every field of it. Returns {"label": label,
    "fields": [...], "values": {value: {"test_records": n, "test_share": s, "sets":
    {name: {"share": s, "records": n, "jsd": {field: d}, "mean_jsd": m}}}}}."""
    if not test.flows:
        raise ValueError("the conditional task needs flow records, not packets")
    th, tc = _histograms(test, label)
    if not tc:
        raise ValueError("the test dataset has no records with a %s" % label)
    total = sum(tc.values())
    per_set = {name: _histograms(ds, label) for name, ds in sets.items()}
    values = {}
    for v in sorted(tc, key=lambda x: -tc[x]):
        out = {"test_records": tc[v], "test_share": tc[v] / total, "sets": {}}
        for name, (h, c) in per_set.items():
            n = sum(c.values())
            d = {f: jsd(h[v][f], th[v][f]) if v in h else 1.0 for f in CONDITIONAL_FIELDS}
            out["sets"][name] = {"records": c.get(v, 0), "share": c.get(v, 0) / n if n else 0,
                                 "jsd": d, "mean_jsd": sum(d.values()) / len(d)}
        values[v] = out
    return {"label": label, "fields": list(CONDITIONAL_FIELDS), "values": values}


# Subflows an OCSVM trains on at most (a seeded sample beyond): its cost grows with the
# square of the count.
ANOMALY_MAX_TRAIN = 3000


def anomaly(train_sets, test, seed=1, reference="real"):
    """NetML anomaly detection: for every mode, an OCSVM trained on each dataset of
    train_sets (name -> packet Dataset), scored by the share of test's subflows it
    flags. Returns {"modes": [...], "test_subflows": {mode: n}, "anomaly_ratio": {name:
    {mode: r or None}}, "relative_error": {name: {mode: |r - r_ref| / r_ref or None}},
    "spearman": {name: rho of the modes' ratios against reference's}, "params": the
    extraction parameters}."""
    import random
    from . import netml
    try:
        from sklearn.svm import OneClassSVM
    except ImportError as e:
        raise ImportError("netshare.tasks needs scikit-learn, which is not installed "
                          "(Debian: apt install python3-sklearn): %s" % e) from None
    params = netml.fit(train_sets[reference])
    ratio, n_test = {}, {}
    for mode in netml.MODES:
        Xt = netml.features(test, mode, params)
        n_test[mode] = len(Xt)
        if not Xt:
            raise ValueError("the test trace has no subflows for NetML's %s mode" % mode)
        for name, ds in train_sets.items():
            X = netml.features(ds, mode, params)
            if len(X) > ANOMALY_MAX_TRAIN:
                X = random.Random(seed).sample(X, ANOMALY_MAX_TRAIN)
            r = None
            if len(X) >= 2:
                model = OneClassSVM(kernel="rbf", gamma="scale", nu=0.5).fit(X)
                r = sum(1 for p in model.predict(Xt) if p == -1) / len(Xt)
            ratio.setdefault(name, {})[mode] = r
    rel, rho = {}, {}
    ref = ratio.get(reference, {})
    for name, rs in ratio.items():
        rel[name] = {m: (abs(r - ref[m]) / ref[m] if r is not None and ref.get(m) else None)
                     for m, r in rs.items()}
        if all(r is not None for r in rs.values()) and all(ref.get(m) is not None
                                                            for m in netml.MODES):
            rho[name] = spearman([rs[m] for m in netml.MODES], [ref[m] for m in netml.MODES])
        else:
            rho[name] = None
    return {"modes": list(netml.MODES), "test_subflows": n_test, "anomaly_ratio": ratio,
            "relative_error": rel, "spearman": rho, "params": params}


def main(argv):
    import argparse
    import os

    ap = argparse.ArgumentParser(prog="python3 -m netshare.tasks")
    ap.add_argument("task", choices=["traffic-type", "conditional", "anomaly"])
    ap.add_argument("real")
    ap.add_argument("synthetic", nargs="*")
    ap.add_argument("--holdout", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--label", default="label")
    args = ap.parse_args(argv)
    if args.task != "conditional":
        _sklearn()  # before the library loads: the message does not need it
    import netshare
    # Another label column is read as the records' label (netshare_read_params).
    column = None if args.label == "label" else args.label
    with netshare.Dataset.read(args.real, label_column=column) as real:
        a, b = real.split_time(args.holdout)
        sets = {"real": a}
        for path in args.synthetic:
            sets[os.path.basename(path)] = netshare.Dataset.read(path, label_column=column)
        try:
            if args.task == "traffic-type":
                result = traffic_type(sets, b, seed=args.seed)
            elif args.task == "anomaly":
                result = anomaly(sets, b, seed=args.seed)
            else:
                result = conditional(sets, b)
                result["label"] = args.label
        finally:
            for ds in sets.values():
                ds.close()
            b.close()
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (ImportError, ValueError) as e:  # one line, as every netshare error
        print("netshare eval: %s" % e, file=sys.stderr)
        sys.exit(1)
    except Exception as e:
        if type(e).__name__ != "NetshareError":
            raise
        print("netshare: %s" % e, file=sys.stderr)
        sys.exit(1)
