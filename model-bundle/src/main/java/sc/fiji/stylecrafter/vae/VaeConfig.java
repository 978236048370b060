package sc.fiji.stylecrafter.vae;

import java.util.List;

/**
 * The autoencoder's decoder ({@code first_stage_config.ddconfig}).
 *
 * @param ch {@code ch} (128)
 * @param chMult {@code ch_mult} (1, 2, 4, 4)
 * @param numResBlocks {@code num_res_blocks} (2)
 * @param zChannels {@code z_channels} (4); {@code embed_dim} is the same
 * @param outCh {@code out_ch} (3)
 * @param scaleFactor {@code scale_factor} (0.18215): latents are divided by it before decoding
 */
public record VaeConfig(int ch, List<Integer> chMult, int numResBlocks, int zChannels, int outCh, float scaleFactor) {

	public static final VaeConfig FULL_SIZE = new VaeConfig(128, List.of(1, 2, 4, 4), 2, 4, 3, 0.18215f);

	public VaeConfig {
		chMult = List.copyOf(chMult);
		if (ch % 32 != 0 || chMult.isEmpty() || numResBlocks < 1 || zChannels < 1) throw new IllegalArgumentException("invalid VAE config " + this);
	}

	/** Spatial upscaling from latent to image: 2^(levels-1) (8). */
	public int downsampling() {
		return 1 << (chMult.size() - 1);
	}
}
