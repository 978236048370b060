package sc.fiji.stylecrafter.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.GroupNorm;
import sc.fiji.stylecrafter.nn.Linear;
import sc.fiji.stylecrafter.nn.Scope;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports {@code SpatialTransformer} with {@code use_linear=True}, depth 1: GroupNorm (eps 1e-6), {@code proj_in},
 * one {@link BasicTransformerBlock} over the {@code h*w} tokens of each frame, {@code proj_out}, residual.
 */
final class SpatialTransformer {

	private final GroupNorm norm;
	private final Linear projIn;
	private final BasicTransformerBlock block;
	private final Linear projOut;

	SpatialTransformer(Weights w, long channels, int heads, int headDim, long contextDim, Weights style, int layerIndex) {
		long inner = (long) heads * headDim;
		norm = new GroupNorm(w.sub("norm"), UNetConfig.GROUPS, channels, 1e-6f);
		projIn = new Linear(w.sub("proj_in"), channels, inner, true);
		block = BasicTransformerBlock.spatial(w.sub("transformer_blocks.0"), inner, heads, headDim, contextDim, style, layerIndex);
		projOut = new Linear(w.sub("proj_out"), inner, channels, true);
	}

	/** The cross-attention's keys and values of a constant context {@code [b, L, D]}. */
	CrossAttention.KeyValues keyValues(NDArray text, NDArray style, NDArray scales, float styleWeight) {
		return block.keyValues(text, style, scales, styleWeight);
	}

	/** {@code [(b t), C, H, W]} attending to a context prepared for the {@code b} videos -> the same shape. */
	NDArray forward(NDArray x, CrossAttention.KeyValues kv) {
		try (Scope scope = new Scope()) {
			Shape s = x.getShape();
			NDArray h = norm.forward(x).reshape(s.get(0), s.get(1), -1).transpose(0, 2, 1); // b c h w -> b (h w) c
			h = projOut.forward(block.forward(projIn.forward(h), kv));
			return scope.keep(h.transpose(0, 2, 1).reshape(s).add(x)); // b (h w) c -> b c h w
		}
	}
}
