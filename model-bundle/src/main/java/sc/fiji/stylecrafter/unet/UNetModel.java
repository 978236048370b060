package sc.fiji.stylecrafter.unet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.Activations;
import sc.fiji.stylecrafter.nn.Conv2d;
import sc.fiji.stylecrafter.nn.GroupNorm;
import sc.fiji.stylecrafter.nn.Linear;
import sc.fiji.stylecrafter.nn.Scope;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports {@code UNetModel} (video mode) and {@code UNet2DModel} (image mode) of lvdm/modules/networks/openaimodel3d.py
 * with StyleCrafter's dual cross-attention in the 16 spatial transformers. Frames are folded into the batch
 * ({@code b c t h w -> (b t) c h w}) everywhere except inside the temporal transformers; in image mode the temporal
 * layers, {@code init_attn} included, are not run (and not built when the model is made for images only).
 *
 * <p>Weights: the UNet keys ({@code input_blocks.*}, {@code init_attn.*}, ...) and, for each style branch, the
 * adapter's weights of that layer, as the loader finds them.
 */
public final class UNetModel {

	private final UNetConfig config;
	/** What was built: {@link Mode#VIDEO} has the temporal layers (and runs either mode), {@link Mode#IMAGE} has none. */
	private final Mode built;
	private final Linear timeEmbed0;
	private final Linear timeEmbed2;
	private final List<TimestepEmbedSequential> inputBlocks = new ArrayList<>();
	private final TemporalTransformer initAttn;
	private final TimestepEmbedSequential middleBlock;
	private final List<TimestepEmbedSequential> outputBlocks = new ArrayList<>();
	private final GroupNorm outNorm;
	private final Conv2d outConv;
	private final int textTokens;
	/** Dual cross-attention layers built so far: the index of the next one's scale. */
	private int styleIndex;

	/**
	 * @param w UNet weights (see {@code CheckpointKeyMap.unet})
	 * @param style the adapter's weights of the style branch of the dual cross-attention whose attention processor has
	 *          the given module path ({@code input_blocks.1.1.transformer_blocks.0.attn2.processor}; the loader knows where
	 *          they are in the adapter's file), or {@code null} for a UNet without style
	 * @param built {@link Mode#VIDEO} to build the temporal layers (a video UNet, which can also run in image mode),
	 *          {@link Mode#IMAGE} for an image-only UNet
	 * @param textTokens how many text tokens the official context starts with (77), for {@link #prepare(NDArray, NDArray, float)}
	 */
	public UNetModel(Weights w, Function<String, Weights> style, UNetConfig c, Mode built, int textTokens) {
		this.config = c;
		this.built = built;
		int mc = c.modelChannels(), emb = c.timeEmbedDim();
		timeEmbed0 = new Linear(w.sub("time_embed.0"), mc, emb, true);
		// time_embed.1 is SiLU
		timeEmbed2 = new Linear(w.sub("time_embed.2"), emb, emb, true);
		this.textTokens = textTokens;
		inputBlocks.add(TimestepEmbedSequential.conv(new Conv2d(w.sub("input_blocks.0.0"), c.inChannels(), mc, 3, 1, 1)));
		initAttn = built == Mode.VIDEO ? new TemporalTransformer(w.sub("init_attn.0"), mc, UNetConfig.INIT_ATTN_HEADS, c.numHeadChannels(), c.temporalLength()) : null;
		Deque<Integer> chans = new ArrayDeque<>();
		chans.push(mc);
		int ch = mc, ds = 1;
		for (int level = 0; level < c.channelMult().size(); level++) {
			int mult = c.channelMult().get(level);
			for (int r = 0; r < c.numResBlocks(); r++) {
				String path = "input_blocks." + inputBlocks.size();
				ResBlock res = new ResBlock(w.sub(path + ".0"), ch, (long) mult * mc, emb);
				ch = mult * mc;
				boolean attention = c.attentionResolutions().contains(ds);
				inputBlocks.add(TimestepEmbedSequential.res(res, attention ? spatial(w, style, path, ch) : null,
					attention ? temporal(w, path, ch) : null, null));
				chans.push(ch);
			}
			if (level != c.channelMult().size() - 1) {
				inputBlocks.add(TimestepEmbedSequential.conv(new Conv2d(w.sub("input_blocks." + inputBlocks.size() + ".0.op"), ch, ch, 3, 2, 1)));
				chans.push(ch);
				ds *= 2;
			}
		}
		middleBlock = TimestepEmbedSequential.middle(new ResBlock(w.sub("middle_block.0"), ch, ch, emb), spatial(w, style, "middle_block", ch),
			temporal(w, "middle_block", ch), new ResBlock(w.sub("middle_block.3"), ch, ch, emb));
		for (int level = c.channelMult().size() - 1; level >= 0; level--) {
			int mult = c.channelMult().get(level);
			for (int i = 0; i <= c.numResBlocks(); i++) {
				String path = "output_blocks." + outputBlocks.size();
				ResBlock res = new ResBlock(w.sub(path + ".0"), ch + chans.pop(), (long) mult * mc, emb);
				ch = mult * mc;
				boolean attention = c.attentionResolutions().contains(ds);
				Conv2d up = null;
				if (level > 0 && i == c.numResBlocks()) {
					// index after ResBlock, spatial and temporal transformer, whether or not the temporal one is built
					up = new Conv2d(w.sub(path + "." + (attention ? 3 : 1) + ".conv"), ch, ch, 3, 1, 1);
					ds /= 2;
				}
				outputBlocks.add(TimestepEmbedSequential.res(res, attention ? spatial(w, style, path, ch) : null, attention ? temporal(w, path, ch) : null, up));
			}
		}
		outNorm = new GroupNorm(w.sub("out.0"), UNetConfig.GROUPS, ch, 1e-5f);
		// out.1 is SiLU
		outConv = new Conv2d(w.sub("out.2"), mc, c.outChannels(), 3, 1, 1);
	}

	/** The spatial transformer at {@code <path>.1}, with its style branch from the adapter (its scale is the next one). */
	private SpatialTransformer spatial(Weights w, Function<String, Weights> style, String path, int ch) {
		Weights branch = style == null ? null : style.apply(path + ".1.transformer_blocks.0.attn2.processor");
		return new SpatialTransformer(w.sub(path + ".1"), ch, ch / config.numHeadChannels(), config.numHeadChannels(), config.contextDim(), branch,
			styleIndex++);
	}

	/** The temporal transformer at {@code <path>.2}, built in a video UNet only (in the checkpoint either way). */
	private TemporalTransformer temporal(Weights w, String path, int ch) {
		return built == Mode.VIDEO ? new TemporalTransformer(w.sub(path + ".2"), ch, ch / config.numHeadChannels(), config.numHeadChannels(), config.temporalLength()) : null;
	}

	public UNetConfig config() {
		return config;
	}

	/** The spatial transformers (their cross-attentions are the dual ones), in the order of their scales. */
	private List<SpatialTransformer> spatialLayers() {
		List<SpatialTransformer> layers = new ArrayList<>();
		for (TimestepEmbedSequential b : inputBlocks) if (b.spatial != null) layers.add(b.spatial);
		if (middleBlock.spatial != null) layers.add(middleBlock.spatial);
		for (TimestepEmbedSequential b : outputBlocks) if (b.spatial != null) layers.add(b.spatial);
		return layers;
	}

	/** Number of dual cross-attention layers (16 at full size): the length of the scale vector, counted in the tree. */
	public int styleLayers() {
		return spatialLayers().size();
	}

	/**
	 * A context prepared for {@link #forward(NDArray, float[], Conditioning, Mode)}: every cross-attention layer's keys
	 * and values of it (and of its style tokens, with the layer's style factor), computed once instead of in every
	 * call. The arrays live on the context's manager (the caller's scope, if one is open) and are valid as long as
	 * they are; one conditioning serves any number of calls with the same batch of {@code b} samples, any frame count.
	 */
	public static final class Conditioning {

		private final UNetModel unet;
		private final long batch;
		private final Map<SpatialTransformer, CrossAttention.KeyValues> layers;

		private Conditioning(UNetModel unet, long batch, Map<SpatialTransformer, CrossAttention.KeyValues> layers) {
			this.unet = unet;
			this.batch = batch;
			this.layers = layers;
		}

		/** The number of samples it conditions. */
		public long batch() {
			return batch;
		}

		CrossAttention.KeyValues of(SpatialTransformer layer) {
			return layers.get(layer);
		}
	}

	/**
	 * Prepares a context that stays the same over many calls (the conditioning of a generation).
	 *
	 * @param text the text tokens {@code [b, 77, contextDim]}
	 * @param style the style tokens {@code [b, n, contextDim]}, or {@code null} for the text alone
	 * @param scales {@code [b, styleLayers, 1]} from the scale predictor, or {@code null}
	 * @param styleWeight the adapter's {@code scale} (style weight, 1.0 by default)
	 */
	public Conditioning prepare(NDArray text, NDArray style, NDArray scales, float styleWeight) {
		Shape ts = text.getShape();
		if (ts.dimension() != 3 || ts.get(2) != config.contextDim()) {
			throw new IllegalArgumentException("context " + ts + " is not allowed; expected [batch, " + textTokens + " text tokens, " + config.contextDim() + "]");
		}
		if (style != null && (style.getShape().dimension() != 3 || style.getShape().get(0) != ts.get(0) || style.getShape().get(2) != config.contextDim())) {
			throw new IllegalArgumentException("style tokens " + style.getShape() + " do not fit; expected [" + ts.get(0) + ", tokens, " + config.contextDim() + "]");
		}
		List<SpatialTransformer> spatial = spatialLayers();
		if (scales != null && !scales.getShape().equals(new Shape(ts.get(0), spatial.size(), 1))) {
			throw new IllegalArgumentException("scales " + scales.getShape() + " do not fit; expected " + new Shape(ts.get(0), spatial.size(), 1));
		}
		Map<SpatialTransformer, CrossAttention.KeyValues> layers = new IdentityHashMap<>();
		try (Scope scope = new Scope()) { // the head splits on the way are freed; the keys and values stay
			for (SpatialTransformer layer : spatial) {
				CrossAttention.KeyValues kv = layer.keyValues(text, style, scales, styleWeight);
				for (NDArray a : new NDArray[] { kv.k(), kv.v(), kv.kStyle(), kv.vStyle(), kv.factor() }) if (a != null) scope.keep(a);
				layers.put(layer, kv);
			}
		}
		return new Conditioning(this, ts.get(0), layers);
	}

	/**
	 * As {@link #prepare(NDArray, NDArray, NDArray, float)} from the official form of the context: the text tokens, then
	 * the style tokens if any, {@code [b, 77 (+ style tokens), contextDim]}, split here once.
	 */
	public Conditioning prepare(NDArray context, NDArray scales, float styleWeight) {
		Shape cs = context.getShape();
		if (cs.dimension() != 3 || cs.get(2) != config.contextDim() || cs.get(1) < textTokens) {
			throw new IllegalArgumentException("context " + cs + " is not allowed; expected [batch, " + textTokens + " text (+ style) tokens, " + config.contextDim() + "]");
		}
		if (cs.get(1) == textTokens) return prepare(context, null, scales, styleWeight);
		try (Scope scope = new Scope()) { // the two slices are views, freed once the keys and values are made
			Conditioning c = prepare(context.get(new NDIndex(":, :{}, :", textTokens)), context.get(new NDIndex(":, {}:, :", textTokens)), scales, styleWeight);
			for (CrossAttention.KeyValues kv : c.layers.values()) {
				for (NDArray a : new NDArray[] { kv.k(), kv.v(), kv.kStyle(), kv.vStyle(), kv.factor() }) if (a != null) scope.keep(a);
			}
			return c;
		}
	}

	/**
	 * Predicts the noise.
	 *
	 * @param x latents {@code [b, c, t, h, w]} in the model dtype, on the caller's scope
	 * @param timesteps one timestep per sample
	 * @param context {@code [b, 77 (+ style tokens), contextDim]}
	 * @param scales {@code [b, styleLayers, 1]} from the scale predictor, or {@code null}
	 * @param styleWeight the adapter's {@code scale} (style weight, 1.0 by default)
	 * @return {@code [b, outChannels, t, h, w]} on {@code x}'s manager
	 */
	public NDArray forward(NDArray x, float[] timesteps, NDArray context, NDArray scales, float styleWeight) {
		return forward(x, timesteps, context, scales, styleWeight, built);
	}

	/**
	 * As {@link #forward(NDArray, float[], NDArray, NDArray, float)}, choosing the mode: {@link Mode#VIDEO} runs the
	 * video UNet, {@link Mode#IMAGE} the image UNet (same weights, temporal layers skipped, one frame).
	 */
	public NDArray forward(NDArray x, float[] timesteps, NDArray context, NDArray scales, float styleWeight, Mode mode) {
		try (Scope call = new Scope()) {
			return call.keep(forward(x, timesteps, prepare(context, scales, styleWeight), mode));
		}
	}

	/** As {@link #forward(NDArray, float[], NDArray, NDArray, float, Mode)}, with a context prepared once ({@link #prepare}). */
	public NDArray forward(NDArray x, float[] timesteps, Conditioning c, Mode mode) {
		boolean temporal = mode == Mode.VIDEO;
		if (temporal && built != Mode.VIDEO) throw new IllegalStateException("this UNet was built without temporal layers; it cannot run in video mode");
		if (c.unet != this) throw new IllegalArgumentException("the conditioning was prepared by another UNet");
		Shape xs = x.getShape();
		long b = xs.get(0), t = xs.get(2);
		if (timesteps.length != b) throw new IllegalArgumentException(timesteps.length + " timesteps for a batch of " + b);
		if (c.batch() != b) throw new IllegalArgumentException("a conditioning for " + c.batch() + " sample(s) given with a batch of " + b);
		if (!temporal && t != 1) throw new IllegalArgumentException("the image UNet takes one frame, got " + t);
		// every child frees its own intermediates (Scope); this scope frees what the call itself derives
		try (Scope call = new Scope()) { // only the result outlives the call
			NDArray tEmb = TimestepEmbedding.embed(timesteps, config.modelChannels(), x.getManager()).toDevice(x.getDevice(), false).toType(x.getDataType(), false);
			NDArray emb = timeEmbed2.forward(Activations.silu(timeEmbed0.forward(tEmb))).repeat(0, t); // [(b t), E]
			TimestepEmbedSequential.Step s = new TimestepEmbedSequential.Step(emb, c, b, temporal);
			NDArray h = x.transpose(0, 2, 1, 3, 4).reshape(b * t, xs.get(1), xs.get(3), xs.get(4)); // b c t h w -> (b t) c h w
			Deque<NDArray> hs = new ArrayDeque<>(); // the skip connections: only these outputs stay alive
			for (TimestepEmbedSequential block : inputBlocks) {
				h = block.forward(h, s, true); // its input is the previous block's output, kept for a skip
				if (block == inputBlocks.get(0) && initAttn != null && temporal) h = Scope.replace(h, initAttn.forward(h, b));
				hs.push(h);
			}
			h = middleBlock.forward(h, s, true); // its input is the last skip
			for (TimestepEmbedSequential block : outputBlocks) {
				NDArray skip = hs.pop();
				NDArray joined = NDArrays.concat(new NDList(h, skip), 1);
				if (h != skip) h.close();
				skip.close();
				h = block.forward(joined, s, false);
			}
			NDArray y = outConv.forward(Activations.silu(outNorm.forward(h))); // [(b t), c, h, w]
			return call.keep(y.reshape(b, t, config.outChannels(), xs.get(3), xs.get(4)).transpose(0, 2, 1, 3, 4)); // -> b c t h w
		}
	}
}
