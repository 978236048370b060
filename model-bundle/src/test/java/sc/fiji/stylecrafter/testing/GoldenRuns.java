package sc.fiji.stylecrafter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.sched.SeededNoise;

/**
 * The golden folder's three sampling runs with every setting read from the folder, so that tests follow whatever
 * folder they are given: frames, latent sizes, steps, eta and guidance from {@code config.json}, prompts from
 * {@code text_prompts.json}, and the sampling seed recovered from the run's recorded first noise draw (the folder
 * records the draws, not the seed). Which prompt and which references each run uses is the generator's fixed design
 * (golden README): {@code video_single} prompt 0 with reference 0, {@code video_multi} prompt 2 with references 0, 1
 * and 2, {@code image_single} prompt 0 with reference 1.
 */
public final class GoldenRuns {

	/** One run: its name (the prefix of its files), prompt, style images and settings (seed included). */
	public record Run(String name, String prompt, List<Path> styles, GenerationSettings settings) {

		public long seed() {
			return settings.seed();
		}

		public int frames() {
			return settings.mode() == Mode.VIDEO ? settings.frames() : 1;
		}
	}

	private GoldenRuns() {}

	/** The three runs' names, the prefixes of their files. */
	public static final List<String> NAMES = List.of("video_single", "video_multi", "image_single");

	public static Run videoSingle() {
		return named("video_single");
	}

	public static Run videoMulti() {
		return named("video_multi");
	}

	public static Run imageSingle() {
		return named("image_single");
	}

	/** A run by name, of the golden folder the tests are given. */
	public static Run named(String name) {
		return run(Fixtures.goldenFolder(), name, null);
	}

	/** A run by name, of the golden folder {@code dir}, with {@code seed} instead of the one its noise files record. */
	public static Run named(String name, Path dir, long seed) {
		return run(dir, name, seed);
	}

	private static Run run(Path dir, String name, Long givenSeed) {
		switch (name) {
			case "video_single": return run(dir, name, givenSeed, 0, 0);
			case "video_multi": return run(dir, name, givenSeed, 2, 0, 1, 2);
			case "image_single": return run(dir, name, givenSeed, 0, 1);
			default: throw new IllegalArgumentException("no golden run " + name);
		}
	}

	private static Run run(Path dir, String name, Long givenSeed, int prompt, int... refs) {
		try {
			JsonObject cfg = json(dir.resolve("config.json")).getAsJsonObject();
			JsonArray prompts = json(dir.resolve("text_prompts.json")).getAsJsonArray();
			boolean video = name.startsWith("video");
			JsonArray hw = cfg.getAsJsonArray(video ? "video_latent_hw" : "image_latent_hw");
			JsonObject g = cfg.getAsJsonObject(video ? "video_guidance" : "image_guidance");
			int down = ModelConfig.read(dir.resolve("config.json")).vae().downsampling();
			GenerationSettings.Builder b = GenerationSettings.builder(video ? Mode.VIDEO : Mode.IMAGE).width(hw.get(1).getAsInt() * down)
				.height(hw.get(0).getAsInt() * down).steps(cfg.get("ddim_steps").getAsInt()).eta(cfg.get("ddim_eta").getAsDouble()).textGuidance(g.get("text").getAsFloat())
				.styleGuidance(g.get("style").isJsonNull() ? null : g.get("style").getAsFloat()).styleWeight(1f)
				.seed(givenSeed != null ? givenSeed : seed(dir, name, cfg));
			if (video) b.frames(cfg.get("frames").getAsInt());
			GenerationSettings s = b.build();
			List<Path> styles = new ArrayList<>();
			for (int r : refs) styles.add(dir.resolve("style_" + r + ".png"));
			return new Run(name, prompts.get(prompt).getAsString(), styles, s);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static com.google.gson.JsonElement json(Path f) throws IOException {
		return JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8));
	}

	/**
	 * The seed whose first 16 draws are the first 16 values of {@code <run>_noise_00.npy}: tried first from
	 * config.json's {@code sampling_seed} or {@code seed} if present, then the official default 123, then 0 to 65535.
	 */
	static long seed(Path dir, String run, JsonObject cfg) throws IOException {
		String key = dir.toAbsolutePath() + "|" + run;
		Long known = SEEDS.get(key);
		if (known != null) return known;
		long found = search(dir, run, cfg);
		SEEDS.put(key, found);
		return found;
	}

	private static final java.util.Map<String, Long> SEEDS = new java.util.concurrent.ConcurrentHashMap<>();

	private static long search(Path dir, String run, JsonObject cfg) throws IOException {
		float[] recorded = Npy.read(dir.resolve(run + "_noise_00.npy")).floats();
		Set<Long> tried = new LinkedHashSet<>();
		for (String key : List.of("sampling_seed", "seed")) if (cfg.has(key)) tried.add(cfg.get(key).getAsLong());
		tried.add(123L);
		for (long k = 0; k < 65536; k++) tried.add(k);
		try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
			for (long k : tried) {
				try (NDManager step = m.newSubManager()) {
					NDArray n = new SeededNoise(k).next(new Shape(16), step);
					float[] v = n.toFloatArray();
					boolean same = true;
					for (int i = 0; i < 16 && same; i++) same = v[i] == recorded[i];
					if (same) return k;
				}
			}
		}
		throw new IllegalStateException(dir + ": no seed from 0 to 65535 (nor config.json's) draws the first noise of " + run);
	}
}
