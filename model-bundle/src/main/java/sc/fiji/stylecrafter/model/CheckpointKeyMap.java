package sc.fiji.stylecrafter.model;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.Function;
import java.util.TreeMap;

import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.StoredTensor;
import sc.fiji.stylecrafter.io.TensorMaps;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * The one place that knows where each network's weights lie in the official files and which file wins (PITFALLS
 * 1-5). Each method returns a flat key view relative to the network, in the official loading order: later sources
 * replace earlier ones key by key.
 */
public final class CheckpointKeyMap {

	/** Prefix of the Lightning checkpoint's state dict in {@code model.ckpt}. */
	public static final String STATE_DICT = "state_dict";
	public static final String UNET = STATE_DICT + ".model.diffusion_model";
	public static final String VAE = STATE_DICT + ".first_stage_model";
	public static final String TEXT = STATE_DICT + ".cond_stage_model.model";
	public static final String VISUAL = "visual";
	/** The adapter's style key/value projections, one group per dual cross-attention layer (PITFALLS 4). */
	public static final String KV_ATTN_LAYERS = "kv_attn_layers";

	private CheckpointKeyMap() {}

	/**
	 * The text tower: built from {@code open_clip_pytorch_model.bin} (everything but {@code visual.*}), then
	 * {@code model.ckpt}'s {@code cond_stage_model.model.*} loaded over it (PITFALLS 1).
	 */
	public static SortedMap<String, StoredTensor> textEncoder(Checkpoint openClipBin, Checkpoint modelCkpt) {
		SortedMap<String, StoredTensor> out = new TreeMap<>(clipTextTower(openClipBin));
		out.putAll(TensorMaps.stripPrefix(modelCkpt.tensors(), TEXT));
		return Collections.unmodifiableSortedMap(out);
	}

	/**
	 * OpenCLIP's own text tower, for CLIP scores: everything of {@code open_clip_pytorch_model.bin} but {@code visual.*}
	 * (with {@code text_projection}), not overwritten by {@code model.ckpt}.
	 */
	public static SortedMap<String, StoredTensor> clipTextTower(Checkpoint openClipBin) {
		SortedMap<String, StoredTensor> out = new TreeMap<>();
		for (Map.Entry<String, StoredTensor> e : openClipBin.tensors().entrySet()) {
			if (!e.getKey().startsWith(VISUAL + ".")) out.put(e.getKey(), e.getValue());
		}
		return Collections.unmodifiableSortedMap(out);
	}

	/** The style image encoder: {@code visual.*} of {@code open_clip_pytorch_model.bin} only (PITFALLS 2). */
	public static SortedMap<String, StoredTensor> visionEncoder(Checkpoint openClipBin) {
		return TensorMaps.stripPrefix(openClipBin.tensors(), VISUAL);
	}

	/**
	 * The UNet: {@code model.ckpt}'s {@code model.diffusion_model.*}, then, in video mode, every module of
	 * {@code temporal_v1_1.pth} ({@code <module path> -> <param>}) over it (PITFALLS 3).
	 *
	 * @param temporal the temporal file, or {@code null} in image mode
	 */
	public static SortedMap<String, StoredTensor> unet(Checkpoint modelCkpt, Checkpoint temporal) {
		SortedMap<String, StoredTensor> out = new TreeMap<>(TensorMaps.stripPrefix(modelCkpt.tensors(), UNET));
		if (temporal != null) out.putAll(temporal.tensors()); // keys flatten to "<module path>.<param>"
		return Collections.unmodifiableSortedMap(out);
	}

	/** The autoencoder: {@code model.ckpt}'s {@code first_stage_model.*}. */
	public static SortedMap<String, StoredTensor> vae(Checkpoint modelCkpt) {
		return TensorMaps.stripPrefix(modelCkpt.tensors(), VAE);
	}

	/**
	 * The name of a dual cross-attention layer's group under {@link #KV_ATTN_LAYERS}: its attention processor's module
	 * path with {@code .} written {@code _} (PITFALLS 4).
	 */
	public static String styleProcessor(String processorPath) {
		return processorPath.replace('.', '_');
	}

	/**
	 * The style branches of the UNet's dual cross-attentions in the adapter's view ({@link #adapter}): for an attention
	 * processor's module path, the adapter's weights of that layer (what {@code UNetModel} takes).
	 */
	public static Function<String, Weights> styleBranches(Weights adapter) {
		Weights layers = adapter.sub(KV_ATTN_LAYERS);
		return processorPath -> layers.sub(styleProcessor(processorPath));
	}

	/**
	 * The weights each network's view holds but does not use, as the official code does not either; any other unused
	 * weight means a file of another version, and loading refuses it.
	 * <ul>
	 * <li>text tower: {@code logit_scale}, {@code text_projection} and the last block (the conditioning stops at the
	 * penultimate layer, PITFALLS 1);</li>
	 * <li>image tower: {@code proj} (no projection, PITFALLS 8);</li>
	 * <li>UNet: the style processors {@code *.attn2.processor.*} that {@code model.ckpt} carries, superseded by the
	 * adapter's {@link #KV_ATTN_LAYERS} (PITFALLS 4).</li>
	 * </ul>
	 * The VAE uses all its weights: the decoder to generate, the encoder and {@code quant_conv} to restyle a source.
	 */
	public enum View {
		TEXT, VISION, UNET, VAE, ADAPTER;

		public boolean expectedUnused(String key, ModelConfig config) {
			switch (this) {
				case TEXT:
					return key.equals("logit_scale") || key.equals("text_projection")
						|| key.startsWith("transformer.resblocks." + (config.text().layers() - 1) + ".");
				case VISION: return key.equals("proj");
				case UNET: return key.contains(".attn2.processor.");
				default: return false;
			}
		}
	}

	/** The style adapter: all of {@code adapter_v1.pth} (PITFALLS 4). */
	public static SortedMap<String, StoredTensor> adapter(Checkpoint adapterPth) {
		return adapterPth.tensors();
	}
}
