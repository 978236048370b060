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

/**
 * Architecture sizes of the whole model: the official full sizes by default, or those of a {@code config.json} in the
 * format of the golden folders (keys {@code open_clip_arch.text_cfg}, {@code open_clip_arch.vision_cfg}, ...). A
 * missing key keeps its full-size value.
 */
public record ModelConfig(ClipTextConfig text, ClipVisionConfig vision) {

	public static final ModelConfig FULL_SIZE = new ModelConfig(ClipTextConfig.VIT_H_14, ClipVisionConfig.VIT_H_14);

	/** Reads {@code config.json}; the full-size config when the file does not exist. */
	public static ModelConfig read(Path configJson) throws IOException {
		if (!Files.exists(configJson)) return FULL_SIZE;
		JsonObject root;
		try {
			root = JsonParser.parseString(Files.readString(configJson, StandardCharsets.UTF_8)).getAsJsonObject();
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
			return new ModelConfig(text, vision);
		}
		catch (IllegalArgumentException | ClassCastException | IllegalStateException e) {
			throw new IOException(configJson + ": " + e.getMessage(), e);
		}
	}

	static JsonObject obj(JsonObject o, String key) {
		JsonElement e = o == null ? null : o.get(key);
		return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
	}

	static int i(JsonObject o, String key, int dflt) {
		JsonElement e = o == null ? null : o.get(key);
		return e == null || e.isJsonNull() ? dflt : e.getAsInt();
	}
}
