package sc.fiji.stylecrafter.clip;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.LayerNorm;
import sc.fiji.stylecrafter.nn.ResidualAttentionBlock;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports {@code FrozenOpenCLIPEmbedder} with {@code layer="penultimate"} (lvdm/modules/encoders/condition.py): token and
 * positional embeddings, the causal transformer without its last block, then {@code ln_final}. Output
 * {@code [B, context, width]}. Weights are the OpenCLIP text tower's keys ({@code token_embedding.weight},
 * {@code positional_embedding}, {@code transformer.resblocks.N.*}, {@code ln_final.*}).
 */
public final class ClipTextEncoder {

	private final ClipTextConfig config;
	private final NDArray tokenEmbedding;
	private final NDArray positionalEmbedding;
	private final List<ResidualAttentionBlock> blocks = new ArrayList<>();
	private final LayerNorm lnFinal;
	private final NDArray causalMask;

	/** The conditioning encoder: the penultimate layer, as StyleCrafter uses it. */
	public ClipTextEncoder(Weights w, ClipTextConfig config) {
		this(w, config, false);
	}

	/**
	 * @param allLayers run every block (OpenCLIP's own text features, for CLIP scores) instead of stopping before the
	 *          last one
	 */
	public ClipTextEncoder(Weights w, ClipTextConfig config, boolean allLayers) {
		this.config = config;
		int width = config.width();
		tokenEmbedding = w.get("token_embedding.weight", config.vocabSize(), width);
		positionalEmbedding = w.get("positional_embedding", config.contextLength(), width);
		for (int i = 0; i < config.layers() - (allLayers ? 0 : 1); i++) { // for conditioning the last block is never run (penultimate output)
			blocks.add(new ResidualAttentionBlock(w.sub("transformer.resblocks").sub(i), width, config.heads()));
		}
		lnFinal = new LayerNorm(w.sub("ln_final"), width);
		int n = config.contextLength();
		float[] mask = new float[n * n];
		for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) mask[i * n + j] = Float.NEGATIVE_INFINITY;
		causalMask = w.manager().create(mask, new Shape(n, n)).toType(w.dtype(), false);
	}

	public ClipTextConfig config() {
		return config;
	}

	/**
	 * @param tokens token ids {@code [B, context]} (int64) on the caller's scope
	 * @return {@code [B, context, width]} on the same scope
	 */
	public NDArray encode(NDArray tokens) {
		NDManager scope = tokens.getManager();
		Shape s = tokens.getShape();
		NDArray x = tokenEmbedding.get(new NDIndex("{}", tokens.reshape(-1))); // [B*L, W] gathered rows
		x.attach(scope);
		x = x.reshape(s.get(0), s.get(1), config.width()).add(positionalEmbedding); // [B, L, W]
		for (ResidualAttentionBlock b : blocks) x = b.forward(x, causalMask);
		return lnFinal.forward(x);
	}

	/** Tokenizes and encodes prompts; the result lives on {@code scope}. */
	public NDArray encode(ClipTokenizer tokenizer, List<String> prompts, NDManager scope) {
		long[] ids = new long[prompts.size() * config.contextLength()];
		for (int i = 0; i < prompts.size(); i++) {
			System.arraycopy(tokenizer.tokenize(prompts.get(i), config.contextLength()), 0, ids, i * config.contextLength(), config.contextLength());
		}
		NDArray tokens = scope.create(ids, new Shape(prompts.size(), config.contextLength())).toDevice(tokenEmbedding.getDevice(), false);
		tokens.attach(scope);
		return encode(tokens.toType(DataType.INT64, false));
	}
}
