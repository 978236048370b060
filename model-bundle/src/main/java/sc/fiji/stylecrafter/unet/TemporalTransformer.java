package sc.fiji.stylecrafter.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.GroupNorm;
import sc.fiji.stylecrafter.nn.Linear;
import sc.fiji.stylecrafter.nn.Scope;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports {@code TemporalTransformer} (self-attention only, relative positions, no causal mask): GroupNorm (eps 1e-6),
 * {@code (b c t h w) -> ((b h w) t c)}, {@code proj_in}, one temporal {@link BasicTransformerBlock}, {@code proj_out},
 * back, residual. {@code proj_in/proj_out} are Linear ({@code use_linear}) or 1x1 Conv1d ({@code init_attn}); both
 * are read as matrices.
 */
final class TemporalTransformer {

	private final GroupNorm norm;
	private final Linear projIn;
	private final BasicTransformerBlock block;
	private final Linear projOut;

	TemporalTransformer(Weights w, long channels, int heads, int headDim, int temporalLength) {
		long inner = (long) heads * headDim;
		norm = new GroupNorm(w.sub("norm"), UNetConfig.GROUPS, channels, 1e-6f);
		projIn = matrix(w.sub("proj_in"), channels, inner);
		block = BasicTransformerBlock.temporal(w.sub("transformer_blocks.0"), inner, heads, headDim, temporalLength);
		projOut = matrix(w.sub("proj_out"), inner, channels);
	}

	/** Linear {@code [out, in]} or Conv1d {@code [out, in, 1]} weights as a linear layer. */
	private static Linear matrix(Weights w, long in, long out) {
		long[] s = w.shape("weight", out, in);
		NDArray weight = s.length == 3 ? w.get("weight", out, in, 1) : w.get("weight", out, in);
		return new Linear(s.length == 3 ? weight.reshape(out, in) : weight, w.get("bias", out));
	}

	/** {@code [(b t), C, H, W]} with {@code b} videos -> the same shape. */
	NDArray forward(NDArray x, long batch) {
		try (Scope scope = new Scope()) {
			Shape s = x.getShape();
			long t = s.get(0) / batch, c = s.get(1), hw = s.get(2) * s.get(3);
			NDArray v = x.reshape(batch, t, c, s.get(2), s.get(3)).transpose(0, 2, 1, 3, 4); // (b f) c h w -> b c f h w
			NDArray h = norm.forward(v); // GroupNorm over b c t h w
			h = h.reshape(batch, c, t, hw).transpose(0, 3, 2, 1).reshape(batch * hw, t, c); // -> (b h w) t c
			h = projOut.forward(block.forward(projIn.forward(h), null)); // [(b hw), t, c]
			h = h.reshape(batch, hw, t, c).transpose(0, 3, 2, 1).reshape(batch, c, t, s.get(2), s.get(3)); // -> b c t h w
			return scope.keep(h.add(v).transpose(0, 2, 1, 3, 4).reshape(s)); // b c f h w -> (b f) c h w
		}
	}
}
