package sc.fiji.stylecrafter.unet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.UnaryOperator;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.Activations;
import sc.fiji.stylecrafter.nn.Conv2d;
import sc.fiji.stylecrafter.nn.GroupNorm;
import sc.fiji.stylecrafter.nn.Linear;
import sc.fiji.stylecrafter.nn.Scopes;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports {@code UNetModel} (video mode) and {@code UNet2DModel} (image mode) of lvdm/modules/networks/openaimodel3d.py
 * with StyleCrafter's dual cross-attention in the 16 spatial transformers. Frames are folded into the batch
 * ({@code b c t h w -> (b t) c h w}) everywhere except inside the temporal transformers; in image mode the temporal
 * layers, {@code init_attn} included, are not run (and not built when the model is made for images only).
 *
 * <p>Weights: the UNet keys ({@code input_blocks.*}, {@code init_attn.*}, ...) and, for the style branch, the
 * adapter's {@code kv_attn_layers.<path with _>.*}.
 */
public final class UNetModel {

	/** One layer of a {@code TimestepEmbedSequential}. */
	private interface Layer {
		NDArray forward(NDArray h, Step s);
	}

	/** A temporal transformer: skipped in image mode. */
	private record Temporal(TemporalTransformer t) implements Layer {

		@Override
		public NDArray forward(NDArray h, Step s) {
			return s.temporal() ? t.forward(h, s.batch()) : h;
		}
	}

	/** What one call passes to every layer. */
	private record Step(NDArray emb, NDArray context, NDArray scales, float styleWeight, long batch, boolean temporal) {}

	private final UNetConfig config;
	private final boolean video;
	private final Linear timeEmbed0;
	private final Linear timeEmbed2;
	private final List<List<Layer>> inputBlocks = new ArrayList<>();
	private final TemporalTransformer initAttn;
	private final List<Layer> middleBlock = new ArrayList<>();
	private final List<List<Layer>> outputBlocks = new ArrayList<>();
	private final GroupNorm outNorm;
	private final Conv2d outConv;
	private int styleLayers;

	/**
	 * @param w UNet weights (see {@code CheckpointKeyMap.unet})
	 * @param adapter the adapter's weights for the style branch, or {@code null} for a UNet without style
	 * @param video true to build the temporal layers (a video UNet, which can also run in image mode), false for an
	 *          image-only UNet
	 * @param textTokens where the context splits into text and style tokens (77)
	 */
	public UNetModel(Weights w, Weights adapter, UNetConfig c, boolean video, int textTokens) {
		this.config = c;
		this.video = video;
		int mc = c.modelChannels(), emb = c.timeEmbedDim();
		timeEmbed0 = new Linear(w.sub("time_embed.0"), mc, emb, true);
		// time_embed.1 is SiLU
		timeEmbed2 = new Linear(w.sub("time_embed.2"), emb, emb, true);
		Conv2d convIn = new Conv2d(w.sub("input_blocks.0.0"), c.inChannels(), mc, 3, 1, 1);
		inputBlocks.add(List.of((h, s) -> convIn.forward(h)));
		initAttn = video ? new TemporalTransformer(w.sub("init_attn.0"), mc, UNetConfig.INIT_ATTN_HEADS, c.numHeadChannels(), c.temporalLength()) : null;
		Deque<Integer> chans = new ArrayDeque<>();
		chans.push(mc);
		int ch = mc, ds = 1;
		for (int level = 0; level < c.channelMult().size(); level++) {
			int mult = c.channelMult().get(level);
			for (int r = 0; r < c.numResBlocks(); r++) {
				String path = "input_blocks." + inputBlocks.size();
				List<Layer> layers = new ArrayList<>();
				ResBlock res = new ResBlock(w.sub(path + ".0"), ch, (long) mult * mc, emb);
				layers.add((h, s) -> res.forward(h, s.emb()));
				ch = mult * mc;
				if (c.attentionResolutions().contains(ds)) addAttention(w, adapter, path, ch, layers, textTokens);
				inputBlocks.add(layers);
				chans.push(ch);
			}
			if (level != c.channelMult().size() - 1) {
				Conv2d down = new Conv2d(w.sub("input_blocks." + inputBlocks.size() + ".0.op"), ch, ch, 3, 2, 1);
				inputBlocks.add(List.of((h, s) -> down.forward(h)));
				chans.push(ch);
				ds *= 2;
			}
		}
		ResBlock mid0 = new ResBlock(w.sub("middle_block.0"), ch, ch, emb);
		middleBlock.add((h, s) -> mid0.forward(h, s.emb()));
		addAttention(w, adapter, "middle_block", ch, middleBlock, textTokens);
		ResBlock mid3 = new ResBlock(w.sub("middle_block.3"), ch, ch, emb);
		middleBlock.add((h, s) -> mid3.forward(h, s.emb()));
		for (int level = c.channelMult().size() - 1; level >= 0; level--) {
			int mult = c.channelMult().get(level);
			for (int i = 0; i <= c.numResBlocks(); i++) {
				String path = "output_blocks." + outputBlocks.size();
				int ich = chans.pop();
				List<Layer> layers = new ArrayList<>();
				ResBlock res = new ResBlock(w.sub(path + ".0"), ch + ich, (long) mult * mc, emb);
				layers.add((h, s) -> res.forward(h, s.emb()));
				ch = mult * mc;
				boolean attention = c.attentionResolutions().contains(ds);
				if (attention) addAttention(w, adapter, path, ch, layers, textTokens);
				if (level > 0 && i == c.numResBlocks()) {
					// index after ResBlock, spatial and temporal transformer, whether or not the temporal one is built
					Conv2d up = new Conv2d(w.sub(path + "." + (attention ? 3 : 1) + ".conv"), ch, ch, 3, 1, 1);
					layers.add((h, s) -> up.forward(h.repeat(2, 2).repeat(3, 2))); // nearest x2, then conv
					ds /= 2;
				}
				outputBlocks.add(layers);
			}
		}
		outNorm = new GroupNorm(w.sub("out.0"), UNetConfig.GROUPS, ch, 1e-5f, true);
		// out.1 is SiLU
		outConv = new Conv2d(w.sub("out.2"), mc, c.outChannels(), 3, 1, 1);
	}

	/** A spatial transformer (layer 1) and, in video mode, a temporal transformer (layer 2) at {@code path}. */
	private void addAttention(Weights w, Weights adapter, String path, int ch, List<Layer> layers, int textTokens) {
		int heads = ch / config.numHeadChannels();
		String processor = path + ".1.transformer_blocks.0.attn2.processor";
		Weights style = adapter == null ? null : adapter.sub("kv_attn_layers").sub(processor.replace('.', '_'));
		SpatialTransformer st = new SpatialTransformer(w.sub(path + ".1"), ch, heads, config.numHeadChannels(), config.contextDim(), style,
			styleLayers++, textTokens);
		layers.add((h, s) -> st.forward(h, s.context(), s.scales(), s.styleWeight()));
		if (video) layers.add(new Temporal(new TemporalTransformer(w.sub(path + ".2"), ch, heads, config.numHeadChannels(), config.temporalLength())));
		// image mode: the temporal transformer at "<path>.2" is in the checkpoint but is neither built nor run
	}

	public UNetConfig config() {
		return config;
	}

	public boolean isVideo() {
		return video;
	}

	/** Number of dual cross-attention layers (16 at full size): the length of the scale vector. */
	public int styleLayers() {
		return styleLayers;
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
		return forward(x, timesteps, context, scales, styleWeight, video);
	}

	/**
	 * As {@link #forward(NDArray, float[], NDArray, NDArray, float)}, choosing the mode: {@code temporal} true runs the
	 * video UNet, false the image UNet (same weights, temporal layers skipped, one frame).
	 */
	public NDArray forward(NDArray x, float[] timesteps, NDArray context, NDArray scales, float styleWeight, boolean temporal) {
		if (temporal && !video) throw new IllegalStateException("this UNet was built without temporal layers; it cannot run in video mode");
		Shape xs = x.getShape();
		long b = xs.get(0), t = xs.get(2);
		if (timesteps.length != b) throw new IllegalArgumentException(timesteps.length + " timesteps for a batch of " + b);
		if (!temporal && t != 1) throw new IllegalArgumentException("the image UNet takes one frame, got " + t);
		// one scope for the whole call: only the result reaches the caller's manager
		return Scopes.run(x, in -> forwardScoped(in, timesteps, context, scales, styleWeight, temporal), context, scales);
	}

	private NDArray forwardScoped(NDArray x, float[] timesteps, NDArray context, NDArray scales, float styleWeight, boolean temporal) {
		NDManager scope = x.getManager();
		Shape xs = x.getShape();
		long b = xs.get(0), t = xs.get(2);
		NDArray tEmb = TimestepEmbedding.embed(timesteps, config.modelChannels(), scope).toDevice(x.getDevice(), false).toType(x.getDataType(), false);
		NDArray emb = timeEmbed2.forward(Activations.silu(timeEmbed0.forward(tEmb))).repeat(0, t); // [(b t), E]
		NDArray ctx = context.repeat(0, t); // [(b t), L, D]
		NDArray sc = scales == null ? null : scales.repeat(0, t);
		Step s = new Step(emb, ctx, sc, styleWeight, b, temporal);
		NDArray h = x.transpose(0, 2, 1, 3, 4).reshape(b * t, xs.get(1), xs.get(3), xs.get(4)); // b c t h w -> (b t) c h w
		Deque<NDArray> hs = new ArrayDeque<>();
		// every layer runs in its own scope and every activation is closed once nothing needs it: only the outputs
		// the skip connections will take stay alive
		for (int id = 0; id < inputBlocks.size(); id++) {
			h = block(h, inputBlocks.get(id), s, true); // its input is the previous block's output, kept for a skip
			if (id == 0 && initAttn != null && temporal) h = Scopes.chain(h, in -> initAttn.forward(in, b));
			hs.push(h);
		}
		h = block(h, middleBlock, s, true); // its input is the last skip
		for (List<Layer> layers : outputBlocks) {
			NDArray skip = hs.pop();
			NDArray joined = NDArrays.concat(new NDList(h, skip), 1);
			if (h != skip) h.close();
			skip.close();
			h = block(joined, layers, s, false);
		}
		NDArray y = Scopes.chain(h, in -> outConv.forward(Activations.silu(outNorm.forward(in)))); // [(b t), c, h, w]
		return y.reshape(b, t, config.outChannels(), xs.get(3), xs.get(4)).transpose(0, 2, 1, 3, 4); // -> b c t h w
	}

	/**
	 * Runs the layers of one block on {@code input}; its intermediates, and what each layer derives from the step's
	 * embedding, context and scales, are closed as it goes.
	 *
	 * @param keepInput leave {@code input} open (a skip connection still needs it); otherwise it is closed too
	 */
	private static NDArray block(NDArray input, List<Layer> layers, Step s, boolean keepInput) {
		NDArray[] shared = { s.emb(), s.context(), s.scales() };
		NDArray h = input;
		for (Layer l : layers) {
			UnaryOperator<NDArray> f = in -> l.forward(in, s);
			h = h == input && keepInput ? Scopes.run(h, f, shared) : Scopes.chain(h, f, shared);
		}
		return h;
	}
}
