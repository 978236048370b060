package sc.fiji.stylecrafter.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * A list of generations in the format of the official {@code eval_data} files: a JSON array of
 * {@code {"prompt": "...", "style_path": "path" | ["path", ...]}}, paths relative to the list file, each entry with an
 * optional {@code "source_path": "path"} (a clip, multi-page TIFF, image or folder of frames to restyle instead of
 * generating from noise). An entry that is malformed keeps its place with the reason, so the rest of the list still
 * runs.
 */
public final class BatchList {

	/**
	 * One entry; {@code problem} says why it cannot run, or is {@code null}.
	 *
	 * @param source a clip or image to restyle, or {@code null} to generate from noise
	 */
	public record Entry(int index, String prompt, List<Path> styles, Path source, String problem) {

		public Entry {
			styles = List.copyOf(styles);
		}

		/** An entry generated from noise. */
		public Entry(int index, String prompt, List<Path> styles, String problem) {
			this(index, prompt, styles, null, problem);
		}
	}

	private BatchList() {}

	public static List<Entry> read(Path file) throws IOException {
		JsonElement root;
		try {
			root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
		}
		catch (JsonParseException e) {
			throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
		}
		if (!root.isJsonArray()) throw new IOException(file + " must hold a JSON list of {\"prompt\": ..., \"style_path\": ...} entries");
		Path base = file.toAbsolutePath().getParent();
		List<Entry> out = new ArrayList<>();
		JsonArray a = root.getAsJsonArray();
		for (int i = 0; i < a.size(); i++) out.add(entry(i, a.get(i), base));
		if (out.isEmpty()) throw new IOException(file + " holds no entries");
		return out;
	}

	private static Entry entry(int i, JsonElement e, Path base) {
		if (!e.isJsonObject()) return new Entry(i, "", List.of(), "entry " + i + " is not an object with prompt and style_path");
		JsonObject o = e.getAsJsonObject();
		JsonElement p = o.get("prompt"), s = o.get("style_path");
		String prompt = p != null && p.isJsonPrimitive() && p.getAsJsonPrimitive().isString() ? p.getAsString() : null;
		if (prompt == null) return new Entry(i, "", List.of(), "entry " + i + " has no prompt string");
		List<Path> styles = new ArrayList<>();
		if (s != null && s.isJsonPrimitive() && s.getAsJsonPrimitive().isString()) styles.add(base.resolve(s.getAsString()));
		else if (s != null && s.isJsonArray()) {
			for (JsonElement x : s.getAsJsonArray()) {
				if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) return new Entry(i, prompt, List.of(), "entry " + i + ": style_path holds a non-string");
				styles.add(base.resolve(x.getAsString()));
			}
		}
		if (styles.isEmpty()) return new Entry(i, prompt, List.of(), "entry " + i + " has no style_path");
		JsonElement src = o.get("source_path");
		if (src == null || src.isJsonNull()) return new Entry(i, prompt, styles, null);
		if (!src.isJsonPrimitive() || !src.getAsJsonPrimitive().isString() || src.getAsString().isBlank()) {
			return new Entry(i, prompt, styles, "entry " + i + ": source_path is not a path (a clip, image or folder of frames to restyle)");
		}
		return new Entry(i, prompt, styles, base.resolve(src.getAsString()), null);
	}
}
