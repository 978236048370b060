package sc.fiji.stylecrafter.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import sc.fiji.stylecrafter.download.VerifiedFiles;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.video.VideoFormat;

/**
 * Everything that decides a batch entry's output, as named values: the prompt, every setting (mode, size, steps,
 * guidance, style weight, seed and the seeding, temporal window and overlap), the output format and frame rate, the model folder, each style
 * file by path and SHA-256 of its content, and a source to restyle by path and SHA-256 (of every frame file of a
 * folder), with the strength and whether the size was given. Written into the entry's sidecar ({@value #KEY}); a resumed batch skips an
 * entry only where they are all equal, and names what differs otherwise.
 */
final class BatchInputs {

	/** The sidecar's key for these values. */
	static final String KEY = "batch_inputs";

	/** Digests of style files, by path, size and modification time: a list reusing a style reads it once. */
	private final Map<String, String> digests = new HashMap<>();

	/**
	 * The values for one entry.
	 *
	 * @throws IOException naming a style file that cannot be read
	 */
	SortedMap<String, String> of(BatchList.Entry e, BatchRunner.Options o, Path modelFolder) throws IOException {
		GenerationSettings s = o.settings();
		SortedMap<String, String> m = new TreeMap<>();
		m.put("prompt", e.prompt());
		m.put("mode", s.mode().name().toLowerCase(Locale.ROOT));
		m.put("frames", Integer.toString(s.frames()));
		m.put("width", Integer.toString(s.width()));
		m.put("height", Integer.toString(s.height()));
		m.put("steps", Integer.toString(s.steps()));
		m.put("eta", Double.toString(s.eta()));
		m.put("text_guidance", Float.toString(s.textGuidance()));
		m.put("style_guidance", String.valueOf(s.styleGuidance()));
		m.put("style_weight", String.valueOf(s.styleWeight()));
		m.put("seed", Long.toString(s.seed()));
		m.put("window", String.valueOf(s.window())); // null: the model's default
		m.put("overlap", String.valueOf(s.overlap()));
		m.put("seeding", o.officialSeeding() ? "official" : "per entry");
		m.put("format", o.extension());
		if (VideoFormat.of(Path.of("x." + o.extension())).isPresent()) m.put("fps", Integer.toString(o.fps()));
		m.put("model_folder", modelFolder == null ? "" : modelFolder.toAbsolutePath().normalize().toString());
		List<String> styles = new ArrayList<>();
		boolean video = false;
		for (Path p : e.styles()) {
			styles.add(p.toAbsolutePath().normalize() + " sha256:" + digest(p));
			video |= VideoFormat.isReadable(p);
		}
		m.put("styles", String.join("; ", styles));
		if (e.source() != null) { // only then: the inputs of entries from noise stay those of earlier versions
			m.put("source", e.source().toAbsolutePath().normalize() + " sha256:" + sourceDigest(e.source()));
			m.put("strength", Double.toString(o.strength()));
			m.put("source_size", o.sizeGiven() ? "as given" : "from the source");
		}
		if (video) m.put("style_frames", Integer.toString(o.styleFrames()));
		return m;
	}

	/** The values as a JSON object (for the sidecar). */
	static JsonObject toJson(Map<String, String> inputs) {
		JsonObject o = new JsonObject();
		inputs.forEach(o::addProperty);
		return o;
	}

	/** The values a sidecar holds, or {@code null} where it has none (made by an earlier version). */
	static SortedMap<String, String> fromSidecar(JsonObject sidecar) {
		JsonElement e = sidecar.get(KEY);
		if (e == null || !e.isJsonObject()) return null;
		SortedMap<String, String> m = new TreeMap<>();
		for (Map.Entry<String, JsonElement> x : e.getAsJsonObject().entrySet()) {
			m.put(x.getKey(), x.getValue().isJsonPrimitive() ? x.getValue().getAsString() : x.getValue().toString());
		}
		return m;
	}

	/** What differs, in words: {@code style_weight 1.0 -> 0.5; styles (another file or content)}; empty when equal. */
	static String difference(Map<String, String> before, Map<String, String> now) {
		List<String> out = new ArrayList<>();
		TreeSet<String> keys = new TreeSet<>(before.keySet());
		keys.addAll(now.keySet());
		for (String k : keys) {
			String a = before.get(k), b = now.get(k);
			if (a != null && a.equals(b)) continue;
			if (k.equals("styles") || k.equals("source") || k.equals("prompt") || k.equals("model_folder")) {
				out.add(k + " (" + (a == null ? "not recorded" : "another " + (k.equals("styles") || k.equals("source") ? "file or content" : "value")) + ")");
			}
			else out.add(k + " " + (a == null ? "not recorded" : a) + " -> " + (b == null ? "none" : b));
		}
		return String.join("; ", out);
	}

	/** A source file's digest, or a folder's: the SHA-256 of its frame files' names and digests, in name order. */
	private String sourceDigest(Path p) throws IOException {
		if (!Files.isDirectory(p)) return digest(p, "source");
		StringBuilder all = new StringBuilder();
		try (java.util.stream.Stream<Path> list = Files.list(p)) {
			for (Path f : list.filter(Files::isRegularFile).sorted().toList()) all.append(f.getFileName()).append(' ').append(digest(f, "source")).append('\n');
		}
		try {
			java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
			return java.util.HexFormat.of().formatHex(md.digest(all.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException x) {
			throw new IllegalStateException("this Java has no SHA-256", x);
		}
	}

	private String digest(Path p) throws IOException {
		return digest(p, "style");
	}

	/** @param what the file's role in messages ("style", "source") */
	private String digest(Path p, String what) throws IOException {
		BasicFileAttributes a;
		try {
			a = Files.readAttributes(p, BasicFileAttributes.class);
		}
		catch (java.nio.file.NoSuchFileException x) {
			throw new IOException("the " + what + " file " + p + " does not exist", x);
		}
		String key = p.toAbsolutePath().normalize() + "|" + a.size() + "|" + a.lastModifiedTime().toMillis();
		String d = digests.get(key);
		if (d != null) return d;
		try {
			d = VerifiedFiles.sha256(p, p.getFileName().toString(), null, null);
		}
		catch (IOException x) {
			throw new IOException("the " + what + " file " + p + " cannot be read (" + x.getMessage() + ")", x);
		}
		digests.put(key, d);
		return d;
	}
}
