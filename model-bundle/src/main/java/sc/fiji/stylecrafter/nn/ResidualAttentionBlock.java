package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;


/**
 * Ports {@code open_clip.transformer.ResidualAttentionBlock}: {@code x + attn(ln_1(x))}, then
 * {@code x + mlp(ln_2(x))} with {@code mlp = c_fc, GELU (exact), c_proj}; attention is {@code nn.MultiheadAttention}
 * with a fused {@code in_proj}. No layer scale (ViT-H/14 has none). Also the block of StyleCrafter's
 * {@code arch_transformer.Transformer} (the adapter's Q-Former and scale predictor), which has the same keys and maths.
 */
public final class ResidualAttentionBlock {

	private final LayerNorm ln1;
	private final Linear inProj;
	private final Linear outProj;
	private final LayerNorm ln2;
	private final Linear cFc;
	private final Linear cProj;
	private final int heads;
	private final float scale;

	public ResidualAttentionBlock(Weights w, int width, int heads) {
		this.heads = heads;
		this.scale = (float) (1.0 / Math.sqrt(width / heads));
		ln1 = new LayerNorm(w.sub("ln_1"), width);
		Weights attn = w.sub("attn");
		inProj = new Linear(attn.get("in_proj_weight", 3L * width, width), attn.get("in_proj_bias", 3L * width));
		outProj = new Linear(attn.sub("out_proj"), width, width, true);
		ln2 = new LayerNorm(w.sub("ln_2"), width);
		long hidden = w.shape("mlp.c_fc.weight", 4L * width, width)[0]; // OpenCLIP's mlp_ratio 4
		cFc = new Linear(w.sub("mlp").sub("c_fc"), width, hidden, true);
		cProj = new Linear(w.sub("mlp").sub("c_proj"), hidden, width, true);
	}

	/** {@code [B, L, W] -> [B, L, W]}; {@code mask} is additive {@code [L, L]} or {@code null}. */
	public NDArray forward(NDArray x, NDArray mask) {
		NDList qkv = inProj.forward(ln1.forward(x)).split(3, 2); // 3 x [B, L, W]
		NDArray q = Attention.splitHeads(qkv.get(0), heads); // [B, H, L, D]
		NDArray k = Attention.splitHeads(qkv.get(1), heads);
		NDArray v = Attention.splitHeads(qkv.get(2), heads);
		NDArray a = Attention.mergeHeads(Attention.scaledDotProduct(q, k, v, scale, mask)); // [B, L, W]
		x = x.add(outProj.forward(a));
		return x.add(cProj.forward(Activations.gelu(cFc.forward(ln2.forward(x)))));
	}
}
