package sc.fiji.stylecrafter.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.sched.NoiseSource;
import sc.fiji.stylecrafter.sched.SeededNoise;
import sc.fiji.stylecrafter.model.ModelLoader;

/**
 * A check of the test suite, not of the pipeline: writes a copy of a golden folder whose three sampling runs use other
 * settings (steps, seed, frames, latent sizes), with their noise, latents and frames computed by this pipeline, so
 * that the whole suite can be run on it ({@code -Dstylecrafter.golden=OUT}). A test that types a run parameter itself
 * instead of reading it from the folder fails there. The model files and every other file are links to the source
 * folder; the block-level golden files are unchanged, so only the run-level expectations are this pipeline's own (its
 * agreement with the official code is what the source folder shows).
 *
 * <p>{@code java ... sc.fiji.stylecrafter.testing.GoldenVariant SOURCE OUT STEPS SEED FRAMES VIDEO_H VIDEO_W IMAGE_H IMAGE_W}
 * (latent sizes; the seed below 65536 so that the tests recover it from the first noise file).
 */
public final class GoldenVariant {

	private GoldenVariant() {}

	public static void main(String[] a) throws IOException {
		Path source = Path.of(a[0]).toAbsolutePath(), out = Path.of(a[1]).toAbsolutePath();
		int steps = Integer.parseInt(a[2]), frames = Integer.parseInt(a[4]);
		long seed = Long.parseLong(a[3]);
		Files.createDirectories(out);
		Pattern runFile = Pattern.compile("(video_single|video_multi|image_single)_(noise_\\d+|xt_per_step|frames|frames_uint8)\\.npy");
		try (var files = Files.list(source)) {
			for (Path f : (Iterable<Path>) files::iterator) {
				String n = f.getFileName().toString();
				if (n.equals("config.json") || runFile.matcher(n).matches()) continue;
				Path link = out.resolve(n);
				Files.deleteIfExists(link);
				Files.createSymbolicLink(link, f);
			}
		}
		JsonObject cfg = JsonParser.parseString(Files.readString(source.resolve("config.json"), StandardCharsets.UTF_8)).getAsJsonObject();
		cfg.addProperty("ddim_steps", steps);
		cfg.addProperty("frames", frames);
		cfg.add("video_latent_hw", pair(Integer.parseInt(a[5]), Integer.parseInt(a[6])));
		cfg.add("image_latent_hw", pair(Integer.parseInt(a[7]), Integer.parseInt(a[8])));
		Files.writeString(out.resolve("config.json"), new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(cfg), StandardCharsets.UTF_8);
		try (StyleCrafterModel model = ModelLoader.load(source, Device.cpu(), Precision.FLOAT32)) {
			for (String name : GoldenRuns.NAMES) {
				GoldenRuns.Run run = GoldenRuns.named(name, out, seed);
				List<RgbImage> styles = new ArrayList<>();
				for (Path p : run.styles()) styles.add(RgbImage.read(p));
				Recording noise = new Recording(new SeededNoise(seed), out, name);
				List<float[]> latents = new ArrayList<>();
				GenerationResult r = new StyleCrafterPipeline(model).generate(new StyleCrafterPipeline.Request(run.prompt(), styles, run.settings()).withNoise(noise),
					null, step -> latents.add(step.latentValues()), null);
				long[] latent = noise.first;
				long per = 1;
				for (long d : latent) per *= d;
				float[] xt = new float[(int) (per * latents.size())];
				for (int i = 0; i < latents.size(); i++) System.arraycopy(latents.get(i), 0, xt, (int) (i * per), (int) per);
				long[] xtShape = new long[latent.length + 1];
				xtShape[0] = latents.size();
				System.arraycopy(latent, 0, xtShape, 1, latent.length);
				Npy.writeFloat32(out.resolve(name + "_xt_per_step.npy"), xt, xtShape);
				Npy.writeFloat32(out.resolve(name + "_frames.npy"), r.frames(), 3, r.frameCount(), r.height(), r.width());
				Npy.writeUint8(out.resolve(name + "_frames_uint8.npy"), r.rgb8(), 3, r.frameCount(), r.height(), r.width());
				System.out.printf("%s: %d steps, %d frame(s) %dx%d, seed %d, %d noise draws%n", name, run.settings().steps(), r.frameCount(), r.width(), r.height(),
					seed, noise.count);
			}
		}
	}

	private static JsonArray pair(int h, int w) {
		JsonArray p = new JsonArray();
		p.add(h);
		p.add(w);
		return p;
	}

	/** Draws from a source and saves each as {@code <run>_noise_NN.npy}, as the golden folder records them. */
	private static final class Recording implements NoiseSource {

		private final NoiseSource source;
		private final Path dir;
		private final String run;
		int count;
		long[] first;

		Recording(NoiseSource source, Path dir, String run) {
			this.source = source;
			this.dir = dir;
			this.run = run;
		}

		@Override
		public NDArray next(Shape shape, NDManager manager) {
			NDArray n = source.next(shape, manager);
			if (first == null) first = shape.getShape();
			try {
				Npy.writeFloat32(dir.resolve(String.format("%s_noise_%02d.npy", run, count++)), n.toFloatArray(), shape.getShape());
			}
			catch (IOException e) {
				throw new java.io.UncheckedIOException(e);
			}
			return n;
		}
	}
}
