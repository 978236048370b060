package sc.fiji.stylecrafter.unet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import ai.djl.ndarray.NDArray;

import sc.fiji.stylecrafter.nn.Conv2d;
import sc.fiji.stylecrafter.nn.Scopes;

/**
 * One block of the UNet's input, middle or output stack, as the official {@code TimestepEmbedSequential}: its named
 * children, run in this order when present: a convolution (the input convolution, or a downsampler), a res block, a
 * spatial transformer, a temporal transformer (video mode only), a second res block (the middle block), an upsampler.
 * Each child runs in its own memory scope; only its output stays.
 */
final class TimestepEmbedSequential {

	/** What one UNet call passes to every block. */
	record Step(NDArray emb, NDArray context, NDArray scales, float styleWeight, long batch, boolean temporal) {

		NDArray[] shared() {
			return new NDArray[] { emb, context, scales };
		}
	}

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
	 * Runs the block on {@code input}.
	 *
	 * @param keepInput leave {@code input} open (a skip connection still needs it); otherwise it is closed too
	 */
	NDArray forward(NDArray input, Step s, boolean keepInput) {
		NDArray h = input;
		for (UnaryOperator<NDArray> child : children(s)) {
			h = h == input && keepInput ? Scopes.run(h, child, s.shared()) : Scopes.chain(h, child, s.shared());
		}
		return h;
	}

	private List<UnaryOperator<NDArray>> children(Step s) {
		List<UnaryOperator<NDArray>> c = new ArrayList<>(6);
		if (conv != null) c.add(conv::forward);
		if (res != null) c.add(h -> res.forward(h, s.emb()));
		if (spatial != null) c.add(h -> spatial.forward(h, s.context(), s.scales(), s.styleWeight()));
		if (temporal != null && s.temporal()) c.add(h -> temporal.forward(h, s.batch()));
		if (res2 != null) c.add(h -> res2.forward(h, s.emb()));
		if (upsample != null) c.add(h -> upsample.forward(h.repeat(2, 2).repeat(3, 2))); // nearest x2, then conv
		return c;
	}
}
