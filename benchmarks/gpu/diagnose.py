"""Why the natives deviate on CUDA: each finding of the ci run on an H200, narrowed to one framework call."""
import numpy as np, torch, torch.nn.functional as F, jax, jax.numpy as jnp
jax.config.update("jax_enable_x64", True)
g = torch.Generator().manual_seed(0)
def rn(*s, dt=torch.float64): return torch.randn(*s, generator=g, dtype=torch.float64).to(dt)
def run(name, f):
    try: print(name, f())
    except Exception as e: print(name, "RAISES", type(e).__name__, str(e)[:160])
# (a) TransformerEncoderLayer in float64 on CUDA: fast path or not, against the same layer on the CPU
torch.manual_seed(0)
layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=True, dtype=torch.float64).eval()
x = rn(2, 4, 8)
with torch.no_grad(): ref = layer(x)
for fast in (True, False):
    torch.backends.mha.set_fastpath_enabled(fast)
    with torch.no_grad(): out = layer.to("cuda")(x.cuda()).cpu()
    print("a TEL f64 cuda fastpath", fast, "max|cuda-cpu|", (out - ref).abs().max().item())
torch.backends.mha.set_fastpath_enabled(True)
q, k, v = rn(2, 2, 4, 4), rn(2, 2, 4, 4), rn(2, 2, 4, 4)
print("a sdpa f64 max|cuda-cpu|", (F.scaled_dot_product_attention(q.cuda(), k.cuda(), v.cuda()).cpu() - F.scaled_dot_product_attention(q, k, v)).abs().max().item())
w = rn(8, 8); print("a linear f64 max|cuda-cpu|", (F.linear(x.cuda(), w.cuda()).cpu() - F.linear(x, w)).abs().max().item())
print("a matmul tf32 flags", torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32, torch.get_float32_matmul_precision())
# (b) SDPA with a fully masked query row, per backend, in half and float32
from torch.nn.attention import sdpa_kernel, SDPBackend
q, k, v = rn(1, 2, 3, 8), rn(1, 2, 5, 8), rn(1, 2, 5, 8) * 10
mask = torch.ones(1, 1, 3, 5, dtype=torch.bool); mask[..., 0, :] = False
exp = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
for dt in (torch.float16, torch.bfloat16, torch.float32):
    for b in (None, SDPBackend.MATH, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.FLASH_ATTENTION, SDPBackend.CUDNN_ATTENTION):
        def f():
            a = [t.to(dt).cuda() for t in (q, k, v)]
            if b is None: o = F.scaled_dot_product_attention(*a, attn_mask=mask.cuda())
            else:
                with sdpa_kernel(b): o = F.scaled_dot_product_attention(*a, attn_mask=mask.cuda())
            o = o.double().cpu()
            return f"masked row max|out| {o[..., 0, :].abs().max().item():.4g}  other rows max err {(o - exp)[..., 1:, :].abs().max().item():.3g}"
        run(f"b sdpa {dt} backend {b}", f)
# (c) jax.nn.dot_product_attention on GPU: float32 precision, float64 GQA
qj, kj, vj = (np.random.default_rng(i).standard_normal((2, 4, 4, 8)) for i in range(3))  # (B, T, N, H)
def ref_attn(q, k, v):
    s = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(q.shape[-1]); p = np.exp(s - s.max(-1, keepdims=True)); p /= p.sum(-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", p, v)
r = ref_attn(qj, kj, vj)
for prec in ("default", "highest"):
    with jax.default_matmul_precision(prec):
        o = np.asarray(jax.nn.dot_product_attention(*(jnp.asarray(t, jnp.float32) for t in (qj, kj, vj))))
    print("c jax sdpa f32 precision", prec, "max err", np.abs(o - r).max())
kv2 = [t[:, :, :2] for t in (kj, vj)]
r2 = ref_attn(qj, *(np.repeat(t, 2, axis=2) for t in kv2))
o = np.asarray(jax.nn.dot_product_attention(jnp.asarray(qj), *(jnp.asarray(t) for t in kv2)))
print("c jax sdpa f64 GQA max err", np.abs(o - r2).max(), "dtype", o.dtype)
o = np.asarray(jax.nn.dot_product_attention(jnp.asarray(qj), jnp.asarray(kj), jnp.asarray(vj)))
print("c jax sdpa f64 MHA max err", np.abs(o - r).max())
# (d) jax.nn.standardize in float32 on offset data, GPU
xs = np.random.default_rng(5).standard_normal((4, 64)) * 0.5 + 40
ex = (xs - xs.mean(-1, keepdims=True)) / np.sqrt(xs.var(-1, keepdims=True) + 1e-5)
print("d standardize f32 offset 40 max err", np.abs(np.asarray(jax.nn.standardize(jnp.asarray(xs, jnp.float32), -1, epsilon=1e-5)) - ex).max())
# (e) instance_norm and batch_norm gradients on CUDA (weight omitted / given)
for name, fn in (("instance_norm", lambda x, w, b: F.instance_norm(x, weight=w, bias=b, use_input_stats=True)),
                 ("batch_norm", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True))):
    for dt in (torch.float32, torch.float64):
        for with_w in (False, True):
            def f():
                xx = rn(2, 3, 5, dt=dt).cuda().requires_grad_(True)
                w = rn(3, dt=dt).cuda().requires_grad_(True) if with_w else None
                b = rn(3, dt=dt).cuda().requires_grad_(True) if with_w else None
                leaves = [t for t in (xx, w, b) if t is not None]
                y = fn(xx, w, b); gr = torch.autograd.grad(y, leaves, torch.ones_like(y), allow_unused=True)
                return "ok " + str([None if t is None else tuple(t.shape) for t in gr])
            run(f"e {name} {dt} weight={with_w}", f)
print("versions torch", torch.__version__, "cudnn", torch.backends.cudnn.version(), "jax", jax.__version__)
