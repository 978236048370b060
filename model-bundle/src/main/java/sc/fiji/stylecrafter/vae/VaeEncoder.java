package sc.fiji.stylecrafter.vae;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.Activations;
import sc.fiji.stylecrafter.nn.Conv2d;
import sc.fiji.stylecrafter.nn.GroupNorm;
import sc.fiji.stylecrafter.nn.NativeMemory;
import sc.fiji.stylecrafter.nn.Scope;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports the encoding half of {@code AutoencoderKL} ({@code Encoder} of lvdm/modules/networks/ae_modules.py:
 * {@code conv_in}, down levels of ResnetBlocks each but the last ending in a strided convolution, middle
 * ResnetBlock/AttnBlock/ResnetBlock, {@code norm_out}, swish, {@code conv_out} to twice the latent channels; then
 * {@code quant_conv}) and the posterior it defines ({@code DiagonalGaussianDistribution}): mean and log-variance,
 * the latter clamped to [-30, 20] (PITFALLS 24). Restyling encodes a source clip with it, frame by frame as the official video model
 * does. Weights: {@code first_stage_model.*} without the prefix (the encoder has no attention in its down levels: the
 * official {@code attn_resolutions} is empty).
 */
public final class VaeEncoder {

	/** The clamp of the log-variance ({@code DiagonalGaussianDistribution}). */
	public static final float LOGVAR_MIN = -30f;
	public static final float LOGVAR_MAX = 20f;

	/** The posterior of a batch of frames: {@code [N, z, h, w]} each, in the encoder's dtype. */
	public record Posterior(NDArray mean, NDArray logvar) {

		/** A draw {@code mean + exp(logvar / 2) * eps} for a standard normal {@code eps} of the mean's shape. */
		public NDArray sample(NDArray eps) {
			return mean.add(logvar.mul(0.5f).exp().mul(eps));
		}
	}

	private final VaeConfig config;
	private final Conv2d convIn;
	private final List<List<ResnetBlock>> downBlocks = new ArrayList<>();
	/** The strided convolution closing each level but the last ({@code null} there). */
	private final List<Conv2d> downsample = new ArrayList<>();
	private final ResnetBlock midBlock1;
	private final AttnBlock midAttn;
	private final ResnetBlock midBlock2;
	private final GroupNorm normOut;
	private final Conv2d convOut;
	private final Conv2d quantConv;

	/** @param w the autoencoder's weights ({@code first_stage_model.*} without the prefix) */
	public VaeEncoder(Weights w, VaeConfig c) {
		this.config = c;
		int levels = c.chMult().size();
		Weights e = w.sub("encoder");
		convIn = new Conv2d(e.sub("conv_in"), c.outCh(), c.ch(), 3, 1, 1); // in_channels = out_ch = 3 (RGB)
		long blockIn = c.ch();
		for (int level = 0; level < levels; level++) {
			long blockOut = (long) c.ch() * c.chMult().get(level);
			List<ResnetBlock> blocks = new ArrayList<>();
			for (int i = 0; i < c.numResBlocks(); i++) {
				blocks.add(new ResnetBlock(e.sub("down").sub(level).sub("block").sub(i), blockIn, blockOut));
				blockIn = blockOut;
			}
			downBlocks.add(blocks);
			downsample.add(level == levels - 1 ? null : new Conv2d(e.sub("down").sub(level).sub("downsample.conv"), blockIn, blockIn, 3, 2, 0));
		}
		midBlock1 = new ResnetBlock(e.sub("mid.block_1"), blockIn, blockIn);
		midAttn = new AttnBlock(e.sub("mid.attn_1"), blockIn);
		midBlock2 = new ResnetBlock(e.sub("mid.block_2"), blockIn, blockIn);
		normOut = new GroupNorm(e.sub("norm_out"), 32, blockIn, 1e-6f);
		convOut = new Conv2d(e.sub("conv_out"), blockIn, 2L * c.zChannels(), 3, 1, 1); // double_z
		quantConv = new Conv2d(w.sub("quant_conv"), 2L * c.zChannels(), 2L * c.zChannels(), 1, 1, 0);
	}

	public VaeConfig config() {
		return config;
	}

	/**
	 * The posterior of a batch of images {@code [N, 3, H, W]} in model range ({@code v / 255 * 2 - 1}), H and W
	 * multiples of the downsampling: mean and clamped log-variance {@code [N, z, H/8, W/8]}. Each block's output is freed
	 * once the next has run; only the two results stay on {@code x}'s manager.
	 */
	public Posterior encodeFrames(NDArray x) {
		Shape s = x.getShape();
		int down = config.downsampling();
		if (s.dimension() != 4 || s.get(1) != config.outCh() || s.get(2) % down != 0 || s.get(3) % down != 0) {
			throw new IllegalArgumentException("the VAE encoder takes images [N, " + config.outCh() + ", H, W] with H and W multiples of " + down + ", not " + s);
		}
		try (Scope scope = new Scope()) {
			NDArray h = convIn.forward(x);
			for (int level = 0; level < downBlocks.size(); level++) {
				for (ResnetBlock b : downBlocks.get(level)) h = Scope.replace(h, b.forward(h));
				// Downsample: pad right and bottom by one zero, then the stride-2 convolution without padding
				if (downsample.get(level) != null) {
					NDArray padded = h.pad(new Shape(0, 1, 0, 1), 0);
					h = Scope.replace(h, downsample.get(level).forward(padded));
					padded.close();
				}
			}
			h = Scope.replace(h, midBlock1.forward(h));
			h = Scope.replace(h, midAttn.forward(h));
			h = Scope.replace(h, midBlock2.forward(h));
			NDArray moments = quantConv.forward(convOut.forward(Activations.silu(normOut.forward(h)))); // [N, 2z, h, w]
			long z = config.zChannels();
			NDArray mean = moments.get(":, 0:{}", z);
			NDArray logvar = moments.get(":, {}:", z).clip(LOGVAR_MIN, LOGVAR_MAX);
			return new Posterior(scope.keep(mean), scope.keep(logvar));
		}
	}

	/**
	 * A clip's latents as {@code encode_first_stage} makes them for the video model: each frame encoded on its own, its
	 * latent drawn from its posterior ({@code mean + std * eps}, one draw {@code [1, z, h, w]} per frame, in frame
	 * order) and multiplied by the scale factor. Only one frame's activations exist at a time, so memory does not grow
	 * with the clip's length beyond the latents themselves.
	 *
	 * @param frames the number of frames
	 * @param frame frame {@code i} as {@code [1, 3, H, W]} in model range and the encoder's dtype (closed after use)
	 * @param draw a standard normal float32 draw of the given shape, on the device
	 * @param afterFrame told the number of frames encoded so far after each one (it may throw to stop)
	 * @return float32 latents {@code [1, z, frames, h, w]}
	 */
	public NDArray encode(int frames, IntFunction<NDArray> frame, Function<Shape, NDArray> draw, IntConsumer afterFrame) {
		NDList latents = new NDList();
		try {
			for (int i = 0; i < frames; i++) {
				try (Scope scope = new Scope()) {
					NDArray x = frame.apply(i);
					Posterior p = encodeFrames(x);
					x.close();
					NDArray mean = p.mean().toType(DataType.FLOAT32, false), logvar = p.logvar().toType(DataType.FLOAT32, false);
					NDArray eps = draw.apply(mean.getShape());
					latents.add(scope.keep(new Posterior(mean, logvar).sample(eps).mul(config.scaleFactor())));
				}
				NativeMemory.trim(); // a full-size frame's activations are hundreds of MB
				afterFrame.accept(i + 1);
			}
			return NDArrays.stack(latents, 2); // [1, z, t, h, w]
		}
		finally {
			latents.close();
		}
	}
}
