"""CPU time of one minibatch (target gather, forward, backward, Adam step) at real ATAC density: the loss before
and after the fused Bernoulli kernel of issue #17; not part of the test suite.

Run: OMP_NUM_THREADS=1 .venv/bin/python nbs/benchmarks/speed_loss.py
Prints and saves nbs/benchmarks/speed_loss.json. Times are CPU seconds of this process, one torch thread.
'before' is the earlier path: dense targets from the gather, the decoder's log rates, `bernoulli_log_likelihood`.
"""
import json, platform, time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch

from multivae.module import FeatureDecoder, MultiVAEModule
from multivae.training import SparseRows

N_CELLS, N_PEAKS, N_GENES, OPEN, BATCH, REPS = 2048, 89000, 4000, 6000, 128, 12


def _old_nll(self, z, batch, inputs):
    "The loss term as it was: the decoded log rates (dense), then the likelihood on the dense target."
    params = {k: v.float() for k, v in self(z, batch, inputs.get('library')).items()}
    return -self.log_likelihood(inputs['dec'], params, inputs.get('dec_nonzero'))


def make_data(rng):
    "Binary peaks with OPEN open per cell on average, Poisson RNA counts, as the minibatch gather sees them."
    nnz = rng.poisson(OPEN, N_CELLS)
    indptr = np.concatenate([[0], np.cumsum(nnz)])
    cols = np.concatenate([np.sort(rng.choice(N_PEAKS, k, replace=False)) for k in nnz]).astype(np.int32)
    atac = sp.csr_matrix((np.ones(len(cols), np.float32), cols, indptr), (N_CELLS, N_PEAKS))
    rna = sp.csr_matrix(rng.poisson(0.3, (N_CELLS, N_GENES)).astype(np.float32))
    return SparseRows(atac), SparseRows(rna)


def minibatch(atac, rna, idx, dense, rng):
    t = torch.as_tensor(idx)
    n = len(idx)
    a = {'enc': torch.randn(n, 50), 'library': torch.rand(n) + 0.5}
    if dense:
        a['dec'], a['dec_nonzero'] = atac.gather(t, idx, positions=True)
    else:
        a['dec_nonzero'], a['dec_values'] = atac.entries(t, idx)
    r = {'enc': torch.randn(n, N_GENES), 'library': torch.full((n,), 1000.)}
    if dense:
        r['dec'], r['dec_nonzero'] = rna.gather(t, idx, positions=True)
    else:
        r['dec_nonzero'], r['dec_values'] = rna.entries(t, idx)
    return {'rna': r, 'atac': a}


def run(dense, atac, rna, seed=0):
    "Mean CPU seconds per minibatch step, and the loss and gradients of the first minibatch."
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    spec = {'rna': dict(n_input=N_GENES, n_output=N_GENES, likelihood='nb'),
            'atac': dict(n_input=50, n_output=N_PEAKS, likelihood='bernoulli')}
    mod = MultiVAEModule(spec, n_latent=32, n_hidden=64, dropout=0.0)
    opt = torch.optim.Adam(mod.parameters(), lr=0.0)  # lr 0: every step sees the same weights
    mask, noise = torch.ones(BATCH, 2), torch.randn(BATCH, 32)
    batches = [np.sort(rng.choice(N_CELLS, BATCH, replace=False)) for _ in range(REPS + 2)]
    times, first = [], None
    for b, idx in enumerate(batches):
        t0 = time.process_time()
        inputs = minibatch(atac, rna, idx, dense, rng)
        out = mod.loss(inputs, mask, mask, noise=noise)
        opt.zero_grad()
        out['loss'].backward()
        opt.step()
        if b >= 2:
            times.append(time.process_time() - t0)
        if first is None:
            first = ({k: float(v.detach()) for k, v in out.items()}, [p.grad.clone() for p in mod.parameters()])
    return float(np.mean(times)), float(np.std(times)), first


def main():
    torch.set_num_threads(1)
    atac, rna = make_data(np.random.default_rng(0))
    info = dict(machine=platform.processor() or platform.machine(), torch=torch.__version__, torch_threads=1,
                cells=N_CELLS, peaks=N_PEAKS, genes=N_GENES, open_per_cell=OPEN, batch=BATCH, reps=REPS,
                n_hidden=64, n_latent=32)
    fused = FeatureDecoder.nll
    FeatureDecoder.nll = _old_nll
    t_old, s_old, (l_old, g_old) = run(True, atac, rna)
    FeatureDecoder.nll = fused
    t_new, s_new, (l_new, g_new) = run(False, atac, rna)
    info.update(before_cpu_s_per_minibatch=t_old, before_sd=s_old, after_cpu_s_per_minibatch=t_new,
                after_sd=s_new, speedup=t_old / t_new,
                loss_before=l_old, loss_after=l_new,
                max_rel_loss_diff=max(abs(l_old[k] - l_new[k]) / abs(l_old[k]) for k in l_old),
                max_rel_grad_diff=max(float((a - b).norm() / a.norm().clamp(min=1e-30)) for a, b in zip(g_old, g_new)))
    info['epoch_estimate_10k_cells_cpu_s'] = dict(before=t_old * 10000 / BATCH, after=t_new * 10000 / BATCH)
    print(json.dumps(info, indent=1))
    Path(__file__).with_name('speed_loss.json').write_text(json.dumps(info, indent=1))


if __name__ == '__main__':
    main()
