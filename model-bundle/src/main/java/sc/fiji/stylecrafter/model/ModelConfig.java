package sc.fiji.stylecrafter.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import sc.fiji.stylecrafter.clip.ClipTextConfig;
import sc.fiji.stylecrafter.clip.ClipVisionConfig;
import sc.fiji.stylecrafter.adapter.AdapterConfig;
import sc.fiji.stylecrafter.unet.UNetConfig;
import sc.fiji.stylecrafter.vae.VaeConfig;

/**
 * Architecture sizes of the whole model: the official full sizes by default, or those of a {@code config.json} in the
 * format of the golden folders (keys {@code open_clip_arch.text_cfg}, {@code open_clip_arch.vision_cfg}, ...). A
 * missing key keeps its full-size value.
 */
public record ModelConfig(ClipTextConfig text, ClipVisionConfig vision, UNetConfig unet, AdapterConfig adapter, VaeConfig vae) {

	/** The largest size {@code config.json} may give (a width, a count, a vocabulary). */
	static final int MAX_SIZE = 1 << 20;

	/** The optional architecture file of a model folder. */
	public static final String FILE_NAME = "config.json";

	public static final ModelConfig FULL_SIZE = new ModelConfig(ClipTextConfig.VIT_H_14, ClipVisionConfig.VIT_H_14, UNetConfig.FULL_SIZE,
		AdapterConfig.FULL_SIZE, VaeConfig.FULL_SIZE);

	/** Reads {@code config.json}; the full-size config when the file does not exist. */
	public static ModelConfig read(Path configJson) throws IOException {
		if (!Files.exists(configJson)) return FULL_SIZE;
		JsonObject root;
		try {
			root = JsonParser.parseString(Files.readString(configJson, StandardCharsets.UTF_8)).getAsJsonObject();
			if (root == null) throw new IllegalStateException("not a JSON object");
		}
		catch (JsonParseException | IllegalStateException e) {
			throw new IOException(configJson + " is not valid JSON: " + e.getMessage(), e);
		}
		try {
			JsonObject arch = obj(root, "open_clip_arch");
			JsonObject t = obj(arch, "text_cfg"), v = obj(arch, "vision_cfg");
			ClipTextConfig dt = ClipTextConfig.VIT_H_14;
			ClipTextConfig text = new ClipTextConfig(i(t, "vocab_size", dt.vocabSize()), i(t, "context_length", dt.contextLength()),
				i(t, "width", dt.width()), i(t, "heads", dt.heads()), i(t, "layers", dt.layers()));
			ClipVisionConfig dv = ClipVisionConfig.VIT_H_14;
			ClipVisionConfig vision = new ClipVisionConfig(i(v, "image_size", dv.imageSize()), i(v, "patch_size", dv.patchSize()),
				i(v, "width", dv.width()), i(v, "layers", dv.layers()), i(v, "head_width", dv.headWidth()));
			JsonObject u = obj(root, "unet");
			UNetConfig du = UNetConfig.FULL_SIZE;
			UNetConfig unet = new UNetConfig(i(u, "in_channels", du.inChannels()), i(u, "out_channels", du.outChannels()),
				i(u, "model_channels", du.modelChannels()), ints(u, "channel_mult", du.channelMult()), i(u, "num_res_blocks", du.numResBlocks()),
				ints(u, "attention_resolutions", du.attentionResolutions()), i(u, "num_head_channels", du.numHeadChannels()),
				i(u, "context_dim", du.contextDim()), i(u, "temporal_length", du.temporalLength()));
			JsonObject a = obj(root, "adapter");
			AdapterConfig da = AdapterConfig.FULL_SIZE;
			AdapterConfig adapter = new AdapterConfig(i(a, "style_in_dim", da.styleInDim()), i(a, "out_dim", da.outDim()), i(a, "style_heads", da.styleHeads()),
				i(a, "style_tokens", da.styleTokens()), i(a, "style_layers", da.styleLayers()), i(a, "scale_in_dim", da.scaleInDim()),
				i(a, "scale_heads", da.scaleHeads()), i(a, "scale_tokens", da.scaleTokens()), i(a, "scale_layers", da.scaleLayers()));
			JsonObject e = obj(root, "vae");
			VaeConfig dv2 = VaeConfig.FULL_SIZE;
			VaeConfig vae = new VaeConfig(i(e, "ch", dv2.ch()), ints(e, "ch_mult", dv2.chMult()), i(e, "num_res_blocks", dv2.numResBlocks()),
				i(e, "z_channels", dv2.zChannels()), dv2.outCh(), dv2.scaleFactor());
			return new ModelConfig(text, vision, unet, adapter, vae);
		}
		catch (IllegalArgumentException | ClassCastException | IllegalStateException e) {
			throw new IOException(configJson + ": " + e.getMessage(), e);
		}
	}

	static JsonObject obj(JsonObject o, String key) {
		JsonElement e = o == null ? null : o.get(key);
		return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
	}

	static java.util.List<Integer> ints(JsonObject o, String key, java.util.List<Integer> dflt) {
		JsonElement e = o == null ? null : o.get(key);
		if (e == null || e.isJsonNull()) return dflt;
		if (!e.isJsonArray() || e.getAsJsonArray().isEmpty()) throw new IllegalArgumentException(key + " must be a non-empty list of whole numbers, got " + e);
		java.util.List<Integer> out = new java.util.ArrayList<>();
		for (JsonElement x : e.getAsJsonArray()) out.add(positive(key, x));
		return out;
	}

	static int i(JsonObject o, String key, int dflt) {
		JsonElement e = o == null ? null : o.get(key);
		return e == null || e.isJsonNull() ? dflt : positive(key, e);
	}

	/** Every size in the file is a whole number from 1 to 2^20; anything else (0, -4, 4.7, "4", a list) is refused. */
	static int positive(String key, JsonElement e) {
		if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
			double v = e.getAsDouble();
			if (v == Math.rint(v) && v >= 1 && v <= MAX_SIZE) return (int) v;
		}
		throw new IllegalArgumentException(key + " must be a whole number from 1 to " + MAX_SIZE + ", got " + e);
	}
}
