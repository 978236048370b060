package sc.fiji.stylecrafter.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports the parts of {@code StyleAdapterDualAttnAS} that run before the UNet: the style Q-Former
 * ({@code image_context_model}) and the scale predictor. The per-layer style key/value projections
 * ({@code kv_attn_layers.*}) are taken by the UNet's dual cross-attention layers from the same weights.
 */
public final class StyleAdapter {

	private final StyleTransformer imageContextModel;
	private final ScaleEncoder scalePredictor;
	private final AdapterConfig config;

	public StyleAdapter(Weights adapterWeights, AdapterConfig config) {
		this.config = config;
		this.imageContextModel = new StyleTransformer(adapterWeights.sub("image_context_model"), config);
		this.scalePredictor = new ScaleEncoder(adapterWeights.sub("scale_predictor"), config);
	}

	public AdapterConfig config() {
		return config;
	}

	/** Style embeddings {@code [B, styleTokens, out]} from the (float16-rounded) style image tokens. */
	public NDArray styleEmbeddings(NDArray styleTokens) {
		return imageContextModel.forward(styleTokens);
	}

	/** Scales {@code [B, 16, 1]} from {@code [style embeddings ; text embedding]} concatenated along tokens. */
	public NDArray scales(NDArray styleEmbeddings, NDArray textEmbedding) {
		return scalePredictor.forward(NDArrays.concat(new NDList(styleEmbeddings, textEmbedding), 1));
	}
}
