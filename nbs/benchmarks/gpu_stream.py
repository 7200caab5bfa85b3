"""GPU check for issue #7: training from a file on disk to the GPU, with 0, 2 and 6 reader processes. DRY=1: tiny, on the CPU."""
import json, os, sys, time
sys.path.insert(0, os.getcwd())
import torch
from multivae.benchmark import stream_worker
from multivae.data import simulate_10x_h5
dry = os.environ.get('DRY') == '1'
res = {'torch': torch.__version__, 'gpu': None if dry else torch.cuda.get_device_name(), 'cpus': os.cpu_count()}
out = os.path.join(os.environ.get('OUT', '.'), 'gpu_stream.json')
t = time.time()
n = 1500 if dry else 60_000
f = simulate_10x_h5('/tmp/stream_gpu.h5', n_cells=n, cells_per_chunk=n // 2, n_genes=800 if dry else 5000,
                    n_peaks=3000 if dry else 20_000, progress=False, overwrite=True)
res['sim_seconds'] = time.time() - t
for workers in [0, 2, 6]:
    r = stream_worker(dict(path=str(f), block_size=256 if dry else 4096, blocks_in_memory=2 if dry else 8, read_workers=workers,
                           n_fit_cells=500 if dry else 20_000, windows=1, batch_size=1024, n_top_genes=300 if dry else 2000,
                           device='cpu' if dry else 'cuda', threads=1 if dry else 8))
    res.setdefault('stream', []).append(r)
    print({k: r.get(k) for k in ('read_workers', 'train_cells_per_s', 'waiting_for_blocks_share', 'read_val_seconds', 'val_seconds_per_epoch', 'peak_rss_gib')}, flush=True)
    json.dump(res, open(out, 'w'), indent=1)
print('done', time.time() - t)
