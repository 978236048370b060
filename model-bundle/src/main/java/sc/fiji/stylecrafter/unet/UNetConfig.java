package sc.fiji.stylecrafter.unet;

import java.util.List;

/**
 * The VideoCrafter1 UNet ({@code unet_config} of configs/inference_video_320_512.yaml). Fixed by that config and
 * not configurable here: {@code use_linear: true}, transformer depth 1, no temporal convolution, temporal self-attention
 * only with relative positions and no causal mask, and the extra temporal attention {@code init_attn} (8 heads).
 *
 * @param inChannels {@code in_channels} (4)
 * @param outChannels {@code out_channels} (4)
 * @param modelChannels {@code model_channels} (320)
 * @param channelMult {@code channel_mult} (1, 2, 4, 4)
 * @param numResBlocks {@code num_res_blocks} (2)
 * @param attentionResolutions {@code attention_resolutions} (4, 2, 1): downsampling rates with attention
 * @param numHeadChannels {@code num_head_channels} (64)
 * @param contextDim {@code context_dim} (1024)
 * @param temporalLength {@code temporal_length} (16): range of the relative position tables
 */
public record UNetConfig(int inChannels, int outChannels, int modelChannels, List<Integer> channelMult, int numResBlocks,
	List<Integer> attentionResolutions, int numHeadChannels, int contextDim, int temporalLength)
{

	public static final UNetConfig FULL_SIZE = new UNetConfig(4, 4, 320, List.of(1, 2, 4, 4), 2, List.of(4, 2, 1), 64, 1024, 16);

	/** Heads of {@code init_attn}, fixed in the official code. */
	public static final int INIT_ATTN_HEADS = 8;

	/** Groups of every GroupNorm. */
	public static final int GROUPS = 32;

	public UNetConfig {
		channelMult = List.copyOf(channelMult);
		attentionResolutions = List.copyOf(attentionResolutions);
		if (modelChannels % GROUPS != 0 || numHeadChannels < 1 || channelMult.isEmpty() || numResBlocks < 1 || temporalLength < 1) {
			throw new IllegalArgumentException("invalid UNet config " + this);
		}
		for (int m : channelMult) {
			if ((m * modelChannels) % numHeadChannels != 0) throw new IllegalArgumentException("channels " + m * modelChannels + " not divisible by head width " + numHeadChannels);
		}
	}

	/** {@code model_channels * 4}: width of the timestep embedding. */
	public int timeEmbedDim() {
		return modelChannels * 4;
	}
}
