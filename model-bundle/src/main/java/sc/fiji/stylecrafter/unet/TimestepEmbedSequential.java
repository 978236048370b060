package sc.fiji.stylecrafter.unet;

import ai.djl.ndarray.NDArray;

import sc.fiji.stylecrafter.nn.Conv2d;
import sc.fiji.stylecrafter.nn.Scope;

/**
 * One block of the UNet's input, middle or output stack, as the official {@code TimestepEmbedSequential}: its named
 * children, run in this order when present: a convolution (the input convolution, or a downsampler), a res block, a
 * spatial transformer, a temporal transformer (video mode only), a second res block (the middle block), an upsampler.
 * Each child frees its intermediates itself; only its output stays.
 */
final class TimestepEmbedSequential {

	/** What one UNet call passes to every block. */
	record Step(NDArray emb, UNetModel.Conditioning conditioning, long batch, boolean temporal) {}

	final Conv2d conv;
	final ResBlock res;
	final SpatialTransformer spatial;
	final TemporalTransformer temporal;
	final ResBlock res2;
	final Conv2d upsample;

	private TimestepEmbedSequential(Conv2d conv, ResBlock res, SpatialTransformer spatial, TemporalTransformer temporal, ResBlock res2, Conv2d upsample) {
		this.conv = conv;
		this.res = res;
		this.spatial = spatial;
		this.temporal = temporal;
		this.res2 = res2;
		this.upsample = upsample;
	}

	/** A block of one convolution (the input convolution, or a downsampler). */
	static TimestepEmbedSequential conv(Conv2d conv) {
		return new TimestepEmbedSequential(conv, null, null, null, null, null);
	}

	/** A res block, its attention (spatial, and temporal if built) if any, and an upsampler if any. */
	static TimestepEmbedSequential res(ResBlock res, SpatialTransformer spatial, TemporalTransformer temporal, Conv2d upsample) {
		return new TimestepEmbedSequential(null, res, spatial, temporal, null, upsample);
	}

	/** The middle block: res, spatial, temporal, res. */
	static TimestepEmbedSequential middle(ResBlock res, SpatialTransformer spatial, TemporalTransformer temporal, ResBlock res2) {
		return new TimestepEmbedSequential(null, res, spatial, temporal, res2, null);
	}

	/**
	 * Runs the block's children on {@code input}, top to bottom. Each child frees its own intermediates ({@link Scope});
	 * each activation is closed as soon as the next one exists.
	 *
	 * @param keepInput leave {@code input} open (a skip connection still needs it); otherwise it is closed too
	 */
	NDArray forward(NDArray input, Step s, boolean keepInput) {
		NDArray h = input;
		if (conv != null) h = next(h, conv.forward(h), input, keepInput);
		if (res != null) h = next(h, res.forward(h, s.emb()), input, keepInput);
		if (spatial != null) h = next(h, spatial.forward(h, s.conditioning().of(spatial)), input, keepInput);
		if (temporal != null && s.temporal()) h = next(h, temporal.forward(h, s.batch()), input, keepInput);
		if (res2 != null) h = next(h, res2.forward(h, s.emb()), input, keepInput);
		if (upsample != null) h = next(h, upsample.forwardUpsampled(h), input, keepInput);
		return h;
	}

	/** {@code next}, closing {@code previous} unless it is the block's input and a skip connection still needs it. */
	private static NDArray next(NDArray previous, NDArray next, NDArray input, boolean keepInput) {
		return previous == input && keepInput ? next : Scope.replace(previous, next);
	}
}
