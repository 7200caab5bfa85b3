"""Time and accuracy of the LSI fit (issue #17, item 2) at real ATAC density; not part of the test suite.

Run: OMP_NUM_THREADS=1 .venv/bin/python nbs/benchmarks/speed_lsi.py [n_cells] [n_peaks]
Prints and saves nbs/benchmarks/speed_lsi.json. Times are CPU seconds of this process (one thread).
The reference is the current fit: TruncatedSVD(algorithm='randomized', n_iter=7) on the TF-IDF matrix.
"""
import json, platform, resource, sys, time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.linalg import subspace_angles
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import adjusted_rand_score
from sklearn.cluster import KMeans
from sklearn.neighbors import NearestNeighbors

from multivae.datasets import simulate_multiome
from multivae.preprocessing import tfidf, _csr

K = 50  # n_lsi_components default


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(f):
    t = cpu()
    out = f()
    return out, cpu() - t


def real_density(n_cells: int, n_peaks: int):
    "Simulated ATAC at ~6-7% open peaks per cell, TF-IDF as the preprocessor makes it, and the cell types."
    md = simulate_multiome(n_cells=n_cells, n_genes=100, n_peaks=n_peaks, frac_low_quality=0.0,
                           atac_fragments_median=0.11 * n_peaks, seed=0)
    x = _csr(md['atac'].X)
    open_in = np.bincount(x.indices[x.data > 0], minlength=x.shape[1])
    keep = np.flatnonzero(open_in >= 5)
    x = x[:, keep]
    idf = (n_cells / (1 + open_in[keep])).astype(np.float32)
    return tfidf(x, idf), md['atac'].obs['cell_type'].to_numpy()


def fit(tf, n_iter, oversamples=10, dtype=np.float32, subsample=None, seed=0):
    "(embedding of all cells, components) of one variant; `subsample`: fit on that many cells, project all."
    x = tf.astype(dtype) if tf.dtype != dtype else tf
    svd = TruncatedSVD(K, algorithm='randomized', n_iter=n_iter, n_oversamples=oversamples, random_state=seed)
    if subsample is None:
        lsi = svd.fit_transform(x)
    else:
        rows = np.random.default_rng(seed).choice(x.shape[0], subsample, replace=False)
        svd.fit(x[np.sort(rows)])
        lsi = np.asarray(x @ svd.components_.T)
    return lsi, svd.components_


def knn_overlap(a, b, k=15):
    "Mean fraction of each cell's k nearest neighbours (standardised LSI, first component dropped) shared."
    std = lambda e: (e[:, 1:] - e[:, 1:].mean(0)) / e[:, 1:].std(0)
    na = NearestNeighbors(n_neighbors=k + 1).fit(std(a)).kneighbors(std(a), return_distance=False)
    nb = NearestNeighbors(n_neighbors=k + 1).fit(std(b)).kneighbors(std(b), return_distance=False)
    return float(np.mean([len(set(p) & set(q)) - 1 for p, q in zip(na, nb)]) / k)


def compare(ref, new, types):
    (lr, cr), (ln, cn) = ref, new
    angles = np.degrees(subspace_angles(cr.T.astype(np.float64), cn.T.astype(np.float64)))
    corr = [abs(np.corrcoef(lr[:, j], ln[:, j])[0, 1]) for j in range(K)]
    km = lambda e: KMeans(len(set(types)), n_init=3, random_state=0).fit_predict(e[:, 1:11])
    return dict(max_angle_deg=float(angles.max()), median_angle_deg=float(np.median(angles)),
                angle_first10_max_deg=float(np.sort(angles)[:10].max()),
                min_abs_corr_first10=float(min(corr[:10])), min_abs_corr=float(min(corr)),
                knn15_overlap=knn_overlap(lr, ln), kmeans_ari_vs_truth=float(adjusted_rand_score(types, km(ln))))


def main(n_cells=6000, n_peaks=80000):
    import threadpoolctl
    threadpoolctl.threadpool_limits(1)
    (tf, types), t_sim = timed(lambda: real_density(n_cells, n_peaks))
    info = dict(machine=platform.processor() or platform.machine(), threads=1, n_cells=tf.shape[0],
                n_peaks_kept=tf.shape[1], density=tf.nnz / np.prod(tf.shape), tfidf_dtype=str(tf.dtype),
                simulate_cpu_s=t_sim)
    print(info, flush=True)
    variants = {'ref n_iter=7 float64': dict(n_iter=7, dtype=np.float64),
                'n_iter=7 float32 (what the fit does: tfidf is float32)': dict(n_iter=7),
                'n_iter=4 float32': dict(n_iter=4),
                'n_iter=2 oversamples=30 float32': dict(n_iter=2, oversamples=30),
                'n_iter=7 float32 subsample 2000': dict(n_iter=7, subsample=2000),
                'n_iter=4 float32 subsample 3000': dict(n_iter=4, subsample=3000),
                'truth n_iter=20 float64': dict(n_iter=20, dtype=np.float64)}
    res = {}
    for name, kw in variants.items():
        res[name], t = timed(lambda: fit(tf, **kw))
        info[name] = {'fit_cpu_s': t}
        print(name, f'{t:.1f} s', flush=True)
    truth, ref = res['truth n_iter=20 float64'], res['ref n_iter=7 float64']
    for name in variants:
        info[name]['vs_ref'] = compare(ref, res[name], types)
        info[name]['vs_truth'] = compare(truth, res[name], types)
        print(name, info[name], flush=True)
    _, t = timed(lambda: np.asarray(tf @ ref[1].T.astype(np.float32)))
    info['transform_projection_cpu_s'] = t
    out = Path(__file__).with_name('speed_lsi.json')
    out.write_text(json.dumps(info, indent=1))
    print('saved', out)


if __name__ == '__main__':
    main(*map(int, sys.argv[1:]))
