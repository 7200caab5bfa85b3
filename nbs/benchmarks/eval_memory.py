"""Peak memory of `evaluate` against training's, at a real 10x ATAC density (issue #17, item 4).

Simulates paired cells with about 6 % of the peaks open per cell (as in 10x PBMC 10k), trains one epoch, then
evaluates; a thread samples the process's resident memory every 20 ms. Prints and saves (json) the peak resident
memory of setup + training and of evaluation, and the time of each. Run from the repository root:

    OMP_NUM_THREADS=1 .venv/bin/python nbs/benchmarks/eval_memory.py [--cells 3000 --peaks 60000 --out FILE]
"""
import argparse, json, os, sys, threading, time
from pathlib import Path


def rss_gib() -> float:
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 2**20
    return float('nan')


class PeakRSS:
    "The highest resident memory seen while the block runs."
    def __enter__(self):
        self.peak, self._stop = rss_gib(), False
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._stop:
            self.peak = max(self.peak, rss_gib())
            time.sleep(0.02)

    def __exit__(self, *exc):
        self._stop = True
        self._thread.join()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--cells', type=int, default=3000)
    p.add_argument('--genes', type=int, default=4000)
    p.add_argument('--peaks', type=int, default=60000)
    p.add_argument('--open_fraction', type=float, default=0.06)
    p.add_argument('--out', default='benchmark_results/eval_memory.json')
    a = p.parse_args()
    import torch
    torch.set_num_threads(1)
    import mudata
    mudata.set_options(pull_on_update=False)
    import multivae
    from multivae.datasets import simulate_multiome
    from multivae.evaluation import evaluate
    t0 = time.process_time()
    with PeakRSS() as setup:
        mdata = simulate_multiome(n_cells=a.cells, n_genes=a.genes, n_peaks=a.peaks, seed=0,
                                  atac_fragments_median=a.open_fraction * a.peaks)
        vae = multivae.MultiVAE.from_mudata(mdata, n_top_genes=2000)
        vae.train(max_epochs=1, progress=False)
    t1 = time.process_time()
    with PeakRSS() as scoring:
        evaluate(vae, mdata)
    t2 = time.process_time()
    nnz = mdata['atac'].X.nnz / mdata.n_obs
    out = dict(multivae_version=multivae.__version__, cells=a.cells, genes=a.genes, peaks=a.peaks,
               open_peaks_per_cell=round(nnz), peaks_kept=len(vae.preprocessor.peaks),
               test_cells=len(vae.split['test']), setup_and_training_peak_gib=round(setup.peak, 3),
               evaluation_peak_gib=round(scoring.peak, 3), setup_and_training_cpu_s=round(t1 - t0, 1),
               evaluation_cpu_s=round(t2 - t1, 1))
    print(json.dumps(out, indent=1))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
