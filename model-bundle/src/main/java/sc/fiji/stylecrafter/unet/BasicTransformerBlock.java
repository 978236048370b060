package sc.fiji.stylecrafter.unet;

import ai.djl.ndarray.NDArray;

import sc.fiji.stylecrafter.nn.LayerNorm;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports {@code BasicTransformerBlock}: {@code x + attn1(norm1(x))}, {@code x + attn2(norm2(x), context)},
 * {@code x + ff(norm3(x))}. In a spatial transformer attn1 is self-attention and attn2 the (dual) cross-attention;
 * in a temporal transformer both are temporal self-attentions with relative positions.
 */
final class BasicTransformerBlock {

	private final LayerNorm norm1;
	private final LayerNorm norm2;
	private final LayerNorm norm3;
	private final CrossAttention attn1;
	private final CrossAttention attn2;
	private final TemporalAttention tattn1;
	private final TemporalAttention tattn2;
	private final FeedForward ff;

	/** A spatial block; {@code style} holds the adapter's weights for attn2, or is {@code null}. */
	static BasicTransformerBlock spatial(Weights w, long dim, int heads, int headDim, long contextDim, Weights style, int layerIndex) {
		return new BasicTransformerBlock(w, dim, new CrossAttention(w.sub("attn1"), dim, dim, heads, headDim, null, -1),
			new CrossAttention(w.sub("attn2"), dim, contextDim, heads, headDim, style, layerIndex), null, null);
	}

	/** A temporal block (both attentions over frames). */
	static BasicTransformerBlock temporal(Weights w, long dim, int heads, int headDim, int temporalLength) {
		return new BasicTransformerBlock(w, dim, null, null, new TemporalAttention(w.sub("attn1"), dim, heads, headDim, temporalLength),
			new TemporalAttention(w.sub("attn2"), dim, heads, headDim, temporalLength));
	}

	private BasicTransformerBlock(Weights w, long dim, CrossAttention attn1, CrossAttention attn2, TemporalAttention tattn1, TemporalAttention tattn2) {
		norm1 = new LayerNorm(w.sub("norm1"), dim);
		norm2 = new LayerNorm(w.sub("norm2"), dim);
		norm3 = new LayerNorm(w.sub("norm3"), dim);
		this.attn1 = attn1;
		this.attn2 = attn2;
		this.tattn1 = tattn1;
		this.tattn2 = tattn2;
		ff = new FeedForward(w.sub("ff"), dim);
	}

	/** attn2's keys and values of a constant context (a spatial block only). */
	CrossAttention.KeyValues keyValues(NDArray text, NDArray style, NDArray scales, float styleWeight) {
		return attn2.keyValues(text, style, scales, styleWeight);
	}

	/** @param kv attn2's prepared context in a spatial block; {@code null} in a temporal block */
	NDArray forward(NDArray x, CrossAttention.KeyValues kv) {
		if (tattn1 != null) {
			x = tattn1.forward(norm1.forward(x)).add(x);
			x = tattn2.forward(norm2.forward(x)).add(x);
		}
		else {
			x = attn1.forward(norm1.forward(x)).add(x);
			x = attn2.forward(norm2.forward(x), kv).add(x);
		}
		return ff.forward(norm3.forward(x)).add(x);
	}
}
