package sc.fiji.stylecrafter.adapter;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.LayerNorm;
import sc.fiji.stylecrafter.nn.ResidualAttentionBlock;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports {@code StyleTransformer} (lvdm/modules/encoders/adapter.py), the style Q-Former (PITFALLS 11): learned queries
 * {@code style_emb} in front of the image tokens, {@code ln1}, transformer, {@code ln2} on the query outputs, then the
 * matrix {@code proj}. Keys: {@code image_context_model.*}.
 */
public final class StyleTransformer {

	private final NDArray styleEmb;
	private final LayerNorm ln1;
	private final List<ResidualAttentionBlock> blocks = new ArrayList<>();
	private final LayerNorm ln2;
	private final NDArray proj;
	private final AdapterConfig config;

	public StyleTransformer(Weights w, AdapterConfig c) {
		this.config = c;
		styleEmb = w.get("style_emb", 1, c.styleTokens(), c.styleInDim());
		ln1 = new LayerNorm(w.sub("ln1"), c.styleInDim());
		for (int i = 0; i < c.styleLayers(); i++) blocks.add(new ResidualAttentionBlock(w.sub("transformer_blocks.resblocks").sub(i), c.styleInDim(), c.styleHeads()));
		ln2 = new LayerNorm(w.sub("ln2"), c.styleInDim());
		proj = w.get("proj", c.styleInDim(), c.outDim());
	}

	/** {@code [B, n*257, in] -> [B, styleTokens, out]}, on {@code x}'s manager. */
	public NDArray forward(NDArray x) {
		long b = x.getShape().get(0);
		NDArray queries = x.getManager().zeros(new Shape(b, config.styleTokens(), config.styleInDim()), x.getDataType(), x.getDevice()).add(styleEmb);
		NDArray h = ln1.forward(NDArrays.concat(new NDList(queries, x), 1)); // [B, Q + T, in]
		for (ResidualAttentionBlock blk : blocks) h = blk.forward(h, null);
		h = ln2.forward(h.get(new NDIndex(":, :{}, :", config.styleTokens()))); // [B, Q, in]
		return h.matMul(proj); // [B, Q, out]
	}
}
