"""GPU check for issue #7: CUDA training throughput fp32 vs bf16 at 10k and 100k cells; training from a file on disk to the GPU.
DRY=1 runs tiny sizes on the CPU to check the script."""
import json, os, sys, time
sys.path.insert(0, os.getcwd())
import torch
from multivae.benchmark import gpu_worker, stream_worker
from multivae.data import simulate_10x_h5
dry = os.environ.get('DRY') == '1'
dev = 'cpu' if dry else 'cuda'
out_dir = os.environ.get('OUT', '.')
res = {'torch': torch.__version__, 'gpu': None if dry else torch.cuda.get_device_name(), 'cpu_threads': torch.get_num_threads()}
def dump(): json.dump(res, open(os.path.join(out_dir, 'gpu_scale.json'), 'w'), indent=1)
t = time.time()
sizes = [(600, 2000)] if dry else [(10_000, 20_000), (100_000, 20_000)]
res['throughput'] = gpu_worker(dict(sizes=sizes, batch_sizes=[128, 1024] if not dry else [64], max_batches=3 if dry else 60,
                                    n_genes=800 if dry else 5000, device=dev))
res['throughput_seconds'] = time.time() - t; dump()
t = time.time()
n = 1500 if dry else 60_000
f = simulate_10x_h5('/tmp/stream_gpu.h5', n_cells=n, cells_per_chunk=n // 2, n_genes=800 if dry else 5000, n_peaks=3000 if dry else 20_000,
                    progress=False, overwrite=True)
res['sim_seconds'] = time.time() - t
for bs in [128, 1024]:
    r = stream_worker(dict(path=str(f), block_size=256 if dry else 4096, blocks_in_memory=2 if dry else 8, n_fit_cells=500 if dry else 20_000,
                           windows=1, batch_size=bs, n_top_genes=300 if dry else 2000, device=dev))
    res.setdefault('stream', []).append(r); print({k: r[k] for k in ('batch_size', 'train_cells_per_s', 'waiting_for_blocks_share', 'val_cells_per_s')}, flush=True); dump()
res['total_seconds'] = time.time() - t
dump()
print('done')
