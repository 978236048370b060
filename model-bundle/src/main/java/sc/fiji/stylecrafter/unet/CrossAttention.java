package sc.fiji.stylecrafter.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

import sc.fiji.stylecrafter.nn.Attention;
import sc.fiji.stylecrafter.nn.LayerNorm;
import sc.fiji.stylecrafter.nn.Linear;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports the spatial {@code CrossAttention} on its xformers path (PITFALLS 16) and, where the adapter gives it a style
 * branch, {@code DualCrossAttnProcessorAS.efficient_forward} (PITFALLS 13-15): the context carries the text tokens
 * then the style tokens; text attention as usual; style attention with the same query and the adapter's
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
	private final int textTokens;

	/**
	 * @param style the adapter's {@code kv_attn_layers.<path>} weights, or {@code null} for a plain attention
	 */
	CrossAttention(Weights w, long queryDim, long contextDim, int heads, int headDim, Weights style, int layerIndex, int textTokens) {
		long inner = (long) heads * headDim;
		this.heads = heads;
		this.scale = (float) (1.0 / Math.sqrt(headDim));
		toQ = new Linear(w.sub("to_q"), queryDim, inner, false);
		toK = new Linear(w.sub("to_k"), contextDim, inner, false);
		toV = new Linear(w.sub("to_v"), contextDim, inner, false);
		toOut = new Linear(w.sub("to_out.0"), inner, queryDim, true);
		// to_out.1 is Dropout
		this.layerIndex = layerIndex;
		this.textTokens = textTokens;
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
	 * @param x {@code [N, L, queryDim]}
	 * @param context {@code [N, 77 (+ style tokens), contextDim]}, or {@code null} for self-attention
	 * @param styleScale per-sample factor {@code (1 + s_layer) * style weight} source: the scales {@code [N, 16, 1]},
	 *          or {@code null} (scale 1)
	 * @param styleWeight the adapter's {@code scale}
	 */
	NDArray forward(NDArray x, NDArray context, NDArray scales, float styleWeight) {
		NDArray ctx = context == null ? x : context;
		NDArray styleCtx = null;
		if (context != null && context.getShape().get(1) != textTokens) {
			styleCtx = context.get(new NDIndex(":, {}:, :", textTokens));
			ctx = context.get(new NDIndex(":, :{}, :", textTokens));
		}
		NDArray q = Attention.splitHeads(toQ.forward(x), heads); // [N, H, L, D]
		NDArray k = Attention.splitHeads(toK.forward(ctx), heads);
		NDArray v = Attention.splitHeads(toV.forward(ctx), heads);
		NDArray out = Attention.mergeHeads(Attention.scaledDotProduct(q, k, v, scale, null)); // [N, L, inner]
		if (styleCtx != null) {
			if (toKStyle == null) throw new IllegalStateException("style tokens given to an attention layer without a style branch");
			NDArray ks = Attention.splitHeads(toKStyle.forward(styleCtx), heads);
			NDArray vs = Attention.splitHeads(toVStyle.forward(styleCtx), heads);
			NDArray outStyle = normStyle.forward(Attention.mergeHeads(Attention.scaledDotProduct(q, ks, vs, scale, null)));
			NDArray factor = scales == null ? null : scales.get(new NDIndex(":, {}, :", layerIndex)).add(1f).expandDims(2); // [N, 1, 1]
			if (factor != null) outStyle = outStyle.mul(factor);
			out = out.add(outStyle.mul(styleWeight));
		}
		return toOut.forward(out);
	}
}
