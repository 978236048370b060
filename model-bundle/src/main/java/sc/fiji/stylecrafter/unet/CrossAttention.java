package sc.fiji.stylecrafter.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.Attention;
import sc.fiji.stylecrafter.nn.LayerNorm;
import sc.fiji.stylecrafter.nn.Linear;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports the spatial {@code CrossAttention} on its xformers path (PITFALLS 16) and, where the adapter gives it a style
 * branch, {@code DualCrossAttnProcessorAS.efficient_forward} (PITFALLS 13-15): the official context carries the text
 * tokens then the style tokens, which arrive here apart; text attention as usual; style attention with the same query and the adapter's
 * {@code to_k_style}/{@code to_v_style}, scaled by 1/sqrt(head dim), through {@code norm_style}, times
 * {@code (1 + s_layer)} and the style weight, added before the shared {@code to_out}.
 */
final class CrossAttention {

	private final Linear toQ;
	private final Linear toK;
	private final Linear toV;
	private final Linear toOut;
	private final int heads;
	private final float scale;
	/** Style branch, or {@code null} for self-attention. */
	private final Linear toKStyle;
	private final Linear toVStyle;
	private final LayerNorm normStyle;
	private final int layerIndex;

	/**
	 * @param style the adapter's {@code kv_attn_layers.<path>} weights, or {@code null} for a plain attention
	 */
	CrossAttention(Weights w, long queryDim, long contextDim, int heads, int headDim, Weights style, int layerIndex) {
		long inner = (long) heads * headDim;
		this.heads = heads;
		this.scale = (float) (1.0 / Math.sqrt(headDim));
		toQ = new Linear(w.sub("to_q"), queryDim, inner, false);
		toK = new Linear(w.sub("to_k"), contextDim, inner, false);
		toV = new Linear(w.sub("to_v"), contextDim, inner, false);
		toOut = new Linear(w.sub("to_out.0"), inner, queryDim, true);
		// to_out.1 is Dropout
		this.layerIndex = layerIndex;
		if (style != null) {
			toKStyle = new Linear(style.sub("to_k_style"), contextDim, inner, false);
			toVStyle = new Linear(style.sub("to_v_style"), contextDim, inner, false);
			normStyle = new LayerNorm(style.sub("norm_style"), inner);
		}
		else {
			toKStyle = toVStyle = null;
			normStyle = null;
		}
	}

	/**
	 * What this layer's cross-attention takes from one constant context, made once per generation instead of in every
	 * step ({@link UNetModel#prepare}): the text keys and values, and where the context carries style tokens the style
	 * keys and values and the per-sample factor {@code (1 + s_layer)}. One entry per video (not per frame): the frames of
	 * a video share their context.
	 *
	 * @param kStyle {@code null} when the context has only text tokens
	 * @param factor {@code [b, 1, 1]}, or {@code null} (factor 1: no scales given)
	 */
	record KeyValues(NDArray k, NDArray v, NDArray kStyle, NDArray vStyle, NDArray factor, float styleWeight) {

		long batch() {
			return k.getShape().get(0);
		}
	}

	/**
	 * @param text the text tokens {@code [b, 77, contextDim]}
	 * @param style the style tokens {@code [b, n, contextDim]}, or {@code null} (no style branch this time)
	 * @param scales the scales {@code [b, 16, 1]}, or {@code null} (factor 1)
	 * @param styleWeight the adapter's {@code scale}
	 * @return arrays created in the caller's scope
	 */
	KeyValues keyValues(NDArray text, NDArray style, NDArray scales, float styleWeight) {
		if (style != null && toKStyle == null) throw new IllegalStateException("style tokens given to an attention layer without a style branch");
		NDArray k = Attention.splitHeads(toK.forward(text), heads);
		NDArray v = Attention.splitHeads(toV.forward(text), heads);
		if (style == null) return new KeyValues(k, v, null, null, null, styleWeight);
		NDArray ks = Attention.splitHeads(toKStyle.forward(style), heads);
		NDArray vs = Attention.splitHeads(toVStyle.forward(style), heads);
		NDArray factor = scales == null ? null : scales.get(new NDIndex(":, {}, :", layerIndex)).add(1f).expandDims(2); // [b, 1, 1]
		return new KeyValues(k, v, ks, vs, factor, styleWeight);
	}

	/** Self-attention: {@code [N, L, queryDim]} -> the same shape. */
	NDArray forward(NDArray x) {
		NDArray q = Attention.splitHeads(toQ.forward(x), heads); // [N, H, L, D]
		NDArray k = Attention.splitHeads(toK.forward(x), heads);
		NDArray v = Attention.splitHeads(toV.forward(x), heads);
		return toOut.forward(Attention.mergeHeads(Attention.scaledDotProduct(q, k, v, scale, null)));
	}

	/**
	 * Cross-attention to a prepared context. The frames of a video share their context, so they are folded into the
	 * query length ({@code [(b t), L, C] -> [b, t*L, C]}, a view): each query row sees the same keys and values as when
	 * the context is repeated per frame (the official code), without repeating it or its keys and values.
	 *
	 * @param x {@code [(b t), L, queryDim]} with {@code b = kv.batch()}
	 */
	NDArray forward(NDArray x, KeyValues kv) {
		Shape s = x.getShape();
		NDArray q = Attention.splitHeads(toQ.forward(x.reshape(kv.batch(), -1, s.get(2))), heads); // [b, H, t*L, D]
		NDArray out = Attention.mergeHeads(Attention.scaledDotProduct(q, kv.k(), kv.v(), scale, null)); // [b, t*L, inner]
		if (kv.kStyle() != null) {
			NDArray outStyle = normStyle.forward(Attention.mergeHeads(Attention.scaledDotProduct(q, kv.kStyle(), kv.vStyle(), scale, null)));
			if (kv.factor() != null) outStyle = outStyle.mul(kv.factor());
			out = out.add(outStyle.mul(kv.styleWeight()));
		}
		return toOut.forward(out).reshape(s.get(0), s.get(1), -1);
	}
}
