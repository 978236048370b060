package sc.fiji.stylecrafter.adapter;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import sc.fiji.stylecrafter.nn.Activations;

import sc.fiji.stylecrafter.nn.LayerNorm;
import sc.fiji.stylecrafter.nn.Linear;
import sc.fiji.stylecrafter.nn.ResidualAttentionBlock;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports {@code ScaleEncoder} (lvdm/modules/encoders/adapter.py), the scale predictor (PITFALLS 12): learned queries
 * {@code scale_emb} in front of {@code [style embeddings ; text embedding]}, {@code ln1}, transformer, {@code ln2} on
 * the queries, then {@code out = Linear, GELU, Linear, tanh}: one scale per dual cross-attention layer. Keys:
 * {@code scale_predictor.*}.
 */
public final class ScaleEncoder {

	private final NDArray scaleEmb;
	private final LayerNorm ln1;
	private final List<ResidualAttentionBlock> blocks = new ArrayList<>();
	private final LayerNorm ln2;
	private final Linear out0;
	private final Linear out2;
	private final AdapterConfig config;

	public ScaleEncoder(Weights w, AdapterConfig c) {
		this.config = c;
		scaleEmb = w.get("scale_emb", 1, c.scaleTokens(), c.scaleInDim());
		ln1 = new LayerNorm(w.sub("ln1"), c.scaleInDim());
		for (int i = 0; i < c.scaleLayers(); i++) blocks.add(new ResidualAttentionBlock(w.sub("transformer_blocks.resblocks").sub(i), c.scaleInDim(), c.scaleHeads()));
		ln2 = new LayerNorm(w.sub("ln2"), c.scaleInDim());
		long hidden = w.shape("out.0.weight", 32, c.scaleInDim())[0]; // 32 in the official adapter
		out0 = new Linear(w.sub("out.0"), c.scaleInDim(), hidden, true);
		// out.1 is GELU (no parameters)
		out2 = new Linear(w.sub("out.2"), hidden, 1, true);
		// out.3 is tanh (no parameters)
	}

	/** {@code [B, L, in] -> [B, scaleTokens, 1]}, on {@code x}'s manager. */
	public NDArray forward(NDArray x) {
		long b = x.getShape().get(0);
		NDArray queries = x.getManager().zeros(new Shape(b, config.scaleTokens(), config.scaleInDim()), x.getDataType(), x.getDevice()).add(scaleEmb);
		NDArray h = ln1.forward(NDArrays.concat(new NDList(queries, x), 1));
		for (ResidualAttentionBlock blk : blocks) h = blk.forward(h, null);
		h = ln2.forward(h.get(new NDIndex(":, :{}, :", config.scaleTokens())));
		return Activation.tanh(out2.forward(Activations.gelu(out0.forward(h))));
	}
}
