package sc.fiji.stylecrafter.adapter;

/**
 * The style adapter ({@code adapter_config} of configs/inference_video_320_512.yaml).
 *
 * @param styleInDim {@code image_context_config.in_dim}: width of the style image tokens (1280)
 * @param outDim {@code image_context_config.out_dim}: width of the style embeddings, the UNet context width (1024)
 * @param styleHeads {@code image_context_config.num_heads}
 * @param styleTokens {@code image_context_config.num_tokens} (8 learned queries)
 * @param styleLayers {@code image_context_config.n_layers}
 * @param scaleInDim {@code scale_predictor_config.in_dim} (1024)
 * @param scaleHeads {@code scale_predictor_config.num_heads}
 * @param scaleTokens {@code scale_predictor_config.num_tokens}: one scale per dual cross-attention layer (16)
 * @param scaleLayers {@code scale_predictor_config.n_layers}
 */
public record AdapterConfig(int styleInDim, int outDim, int styleHeads, int styleTokens, int styleLayers, int scaleInDim, int scaleHeads,
	int scaleTokens, int scaleLayers)
{

	public static final AdapterConfig FULL_SIZE = new AdapterConfig(1280, 1024, 8, 8, 3, 1024, 8, 16, 2);

	public AdapterConfig {
		if (styleInDim % styleHeads != 0 || scaleInDim % scaleHeads != 0 || styleTokens < 1 || scaleTokens < 1 || styleLayers < 1 || scaleLayers < 1) {
			throw new IllegalArgumentException("invalid adapter config " + this);
		}
	}
}
