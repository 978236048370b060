package sc.fiji.stylecrafter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.unet.Mode;

/**
 * The golden folder's restyle and long-clip runs as {@code restyle.json} lists them (golden README, "Restyling a given
 * clip or image, and long clips in windows"): every setting is read from there, the size from the source (or, for a
 * run from noise, from its first draw, the initial latent), the seed recovered from the run's first recorded draw as for
 * the sampling runs ({@link GoldenRuns}). A run of one frame without style guidance is an image-mode run, as the
 * sampling run {@code image_single} is; the others run in video mode.
 */
public final class RestyleRuns {

	public static final String FILE = "restyle.json";

	/**
	 * One run.
	 *
	 * @param strength the restyle strength, or {@code null} for a run from noise
	 * @param source the source frames file ({@code [t, H, W, 3]} uint8), or {@code null}
	 * @param windows the windows {@code [start, end)} the run used; empty for a plain run
	 * @param draws the number of random draws, in call order {@code <name>_noise_NN.npy}
	 * @param timesteps the DDIM timesteps the run denoised, in order
	 */
	public record Run(String name, String prompt, List<Path> styles, GenerationSettings settings, Double strength, Path source, int window, int overlap,
		List<int[]> windows, int draws, int denoisingSteps, List<Integer> timesteps)
	{
		/** The recorded draws, in call order. */
		public List<Path> noiseFiles() {
			List<Path> out = new ArrayList<>();
			Path dir = source != null ? source.getParent() : styles.get(0).getParent();
			for (int i = 0; i < draws; i++) out.add(dir.resolve(String.format("%s_noise_%02d.npy", name, i)));
			return out;
		}

		/** The source frames as images. */
		public List<RgbImage> sourceFrames() {
			return frames(source);
		}
	}

	private RestyleRuns() {}

	/** The names of the runs in {@code restyle.json} of the golden folder the tests are given, in file order. */
	public static List<String> names() {
		return names(Fixtures.goldenFolder());
	}

	/** The names of the runs in {@code restyle.json} of the golden folder {@code dir} (none where it has no such file), in file order. */
	public static List<String> names(Path dir) {
		return Files.isRegularFile(dir.resolve(FILE)) ? new ArrayList<>(runs(dir).keySet()) : new ArrayList<>();
	}

	/** A run by name, of the golden folder the tests are given. */
	public static Run named(String name) {
		return named(Fixtures.goldenFolder(), name);
	}

	/** A run by name, of the golden folder {@code dir}. */
	public static Run named(Path dir, String name) {
		JsonObject r = runs(dir).get(name);
		if (r == null) throw new IllegalArgumentException(dir.resolve(FILE) + " has no run " + name);
		try {
			JsonObject cfg = json(dir.resolve("config.json")).getAsJsonObject();
			int frames = r.get("frames").getAsInt();
			Float style = r.get("style_guidance").isJsonNull() ? null : r.get("style_guidance").getAsFloat();
			Mode mode = frames == 1 && style == null ? Mode.IMAGE : Mode.VIDEO;
			Path source = r.get("source").isJsonNull() ? null : dir.resolve(r.get("source").getAsString());
			int width, height;
			if (source != null) {
				long[] shape = Npy.read(source).shape(); // [t, H, W, 3]
				height = (int) shape[1];
				width = (int) shape[2];
			}
			else { // a run from noise: its first draw is the initial latent [1, z, t, h, w]
				int down = ModelConfig.read(dir.resolve("config.json")).vae().downsampling();
				long[] shape = Npy.read(dir.resolve(String.format("%s_noise_%02d.npy", name, 0))).shape();
				height = (int) shape[shape.length - 2] * down;
				width = (int) shape[shape.length - 1] * down;
			}
			int window = r.get("window").getAsInt(), overlap = r.get("overlap").getAsInt();
			GenerationSettings.Builder b = GenerationSettings.builder(mode).width(width).height(height).steps(r.get("steps").getAsInt())
				.eta(r.get("eta").getAsDouble()).textGuidance(r.get("text_guidance").getAsFloat()).styleGuidance(style).styleWeight(1f)
				.seed(GoldenRuns.seed(dir, name, cfg)).window(window).overlap(overlap);
			if (mode == Mode.VIDEO) b.frames(frames);
			List<Path> styles = new ArrayList<>();
			for (JsonElement i : r.getAsJsonArray("styles")) styles.add(dir.resolve("style_" + i.getAsInt() + ".png"));
			List<int[]> windows = new ArrayList<>();
			if (r.has("windows")) {
				for (JsonElement w : r.getAsJsonArray("windows")) windows.add(new int[] { w.getAsJsonArray().get(0).getAsInt(), w.getAsJsonArray().get(1).getAsInt() });
			}
			List<Integer> timesteps = new ArrayList<>();
			for (JsonElement t : r.getAsJsonArray("timesteps")) timesteps.add(t.getAsInt());
			return new Run(name, r.get("prompt").getAsString(), styles, b.build(), r.get("strength").isJsonNull() ? null : r.get("strength").getAsDouble(),
				source, window, overlap, windows, r.get("draws").getAsInt(), r.get("denoising_steps").getAsInt(), timesteps);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Frames {@code [t, H, W, 3]} uint8 as images. */
	public static List<RgbImage> frames(Path npy) {
		try {
			Npy.Array a = Npy.read(npy);
			int t = (int) a.shape()[0], h = (int) a.shape()[1], w = (int) a.shape()[2];
			List<RgbImage> out = new ArrayList<>();
			for (int f = 0; f < t; f++) {
				byte[] rgb = new byte[h * w * 3];
				for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) a.longs()[f * rgb.length + i];
				out.add(new RgbImage(w, h, rgb));
			}
			return out;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static Map<String, JsonObject> runs(Path dir) {
		try {
			Map<String, JsonObject> out = new java.util.LinkedHashMap<>();
			for (Map.Entry<String, JsonElement> e : json(dir.resolve(FILE)).getAsJsonObject().entrySet()) out.put(e.getKey(), e.getValue().getAsJsonObject());
			return out;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static JsonElement json(Path f) throws IOException {
		return JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8));
	}
}
