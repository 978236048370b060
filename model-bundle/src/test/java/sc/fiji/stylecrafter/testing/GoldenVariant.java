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
import sc.fiji.stylecrafter.image.StylePreprocessor;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
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
 * settings (steps, seed, frames, latent sizes), and whose restyle and long-clip runs ({@code restyle.json}) use other
 * steps and seed (their sources, sizes, frames, strengths and windows kept), with their noise, latents, encoded
 * sources and frames computed by this pipeline, so that the whole suite can be run on it ({@code -Dstylecrafter.golden=OUT}). A test that types a run parameter itself
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
		List<String> restyles = RestyleRuns.names(source);
		String runs = String.join("|", GoldenRuns.NAMES) + (restyles.isEmpty() ? "" : "|" + String.join("|", restyles));
		Pattern runFile = Pattern.compile("(" + runs + ")_(noise_\\d+|xt_per_step|frames|frames_uint8|x0)\\.npy");
		try (var files = Files.list(source)) {
			for (Path f : (Iterable<Path>) files::iterator) {
				String n = f.getFileName().toString();
				if (n.equals("config.json") || n.equals(RestyleRuns.FILE) && !restyles.isEmpty() || runFile.matcher(n).matches()) continue;
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
				writeLatents(out.resolve(name + "_xt_per_step.npy"), latents, noise.first);
				Npy.writeFloat32(out.resolve(name + "_frames.npy"), r.frames(), 3, r.frameCount(), r.height(), r.width());
				Npy.writeUint8(out.resolve(name + "_frames_uint8.npy"), r.rgb8(), 3, r.frameCount(), r.height(), r.width());
				System.out.printf("%s: %d steps, %d frame(s) %dx%d, seed %d, %d noise draws%n", name, run.settings().steps(), r.frameCount(), r.width(), r.height(),
					seed, noise.count);
			}
			if (!restyles.isEmpty()) restyleRuns(model, source, out, restyles, steps, seed);
		}
	}

	/**
	 * The restyle and long-clip runs again with {@code steps} and {@code seed}: their draws, latents after every step,
	 * encoded sources ({@code x0}, from the recorded draws) and frames, and {@code restyle.json} with the new steps,
	 * draws and timesteps.
	 */
	private static void restyleRuns(StyleCrafterModel model, Path source, Path out, List<String> names, int steps, long seed) throws IOException {
		JsonObject all = JsonParser.parseString(Files.readString(source.resolve(RestyleRuns.FILE), StandardCharsets.UTF_8)).getAsJsonObject();
		for (String name : names) {
			RestyleRuns.Run run = RestyleRuns.named(source, name);
			GenerationSettings s = run.settings().toBuilder().steps(steps).seed(seed).build();
			List<RgbImage> styles = new ArrayList<>();
			for (Path p : run.styles()) styles.add(RgbImage.read(p));
			StyleCrafterPipeline.Request rq = new StyleCrafterPipeline.Request(run.prompt(), styles, s);
			if (run.source() != null) rq = rq.restyling(new StyleCrafterPipeline.Source(run.sourceFrames(), run.strength(), run.source().getFileName().toString()));
			Recording noise = new Recording(new SeededNoise(seed), out, name);
			List<float[]> latents = new ArrayList<>();
			JsonArray timesteps = new JsonArray();
			GenerationResult r = new StyleCrafterPipeline(model).generate(rq.withNoise(noise), null, step -> {
				latents.add(step.latentValues());
				timesteps.add(step.timestep());
			}, null);
			long[] latent = { 1, model.config().unet().inChannels(), r.frameCount(), r.height() / model.config().vae().downsampling(),
				r.width() / model.config().vae().downsampling() };
			writeLatents(out.resolve(name + "_xt_per_step.npy"), latents, latent);
			Npy.writeFloat32(out.resolve(name + "_frames.npy"), r.frames(), 3, r.frameCount(), r.height(), r.width());
			Npy.writeUint8(out.resolve(name + "_frames_uint8.npy"), r.rgb8(), 3, r.frameCount(), r.height(), r.width());
			if (run.source() != null) { // the encoded source from this run's first draws, as the official encoder made it from its own
				List<RgbImage> frames = run.sourceFrames();
				int[] draw = { 0 };
				try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
					NDArray x0 = model.vaeEncoder().encode(frames.size(), i -> m.create(StylePreprocessor.toModelRange(frames.get(i)),
						new Shape(1, 3, frames.get(i).height(), frames.get(i).width())), shape -> {
							try {
								return m.create(Npy.read(out.resolve(String.format("%s_noise_%02d.npy", name, draw[0]++))).floats(), shape);
							}
							catch (IOException e) {
								throw new java.io.UncheckedIOException(e);
							}
						}, done -> {});
					Npy.writeFloat32(out.resolve(name + "_x0.npy"), x0.toFloatArray(), x0.getShape().getShape());
				}
			}
			JsonObject o = all.getAsJsonObject(name);
			o.addProperty("steps", steps);
			o.addProperty("draws", noise.count);
			o.addProperty("denoising_steps", latents.size());
			o.add("timesteps", timesteps);
			System.out.printf("%s: %d of %d steps, %d frame(s) %dx%d, seed %d, %d noise draws%n", name, latents.size(), steps, r.frameCount(), r.width(),
				r.height(), seed, noise.count);
		}
		Files.writeString(out.resolve(RestyleRuns.FILE), new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(all), StandardCharsets.UTF_8);
	}

	/** Latents after every step, {@code [steps, ...latent]}. */
	private static void writeLatents(Path file, List<float[]> latents, long[] latent) throws IOException {
		long per = 1;
		for (long d : latent) per *= d;
		float[] xt = new float[(int) (per * latents.size())];
		for (int i = 0; i < latents.size(); i++) System.arraycopy(latents.get(i), 0, xt, (int) (i * per), (int) per);
		long[] shape = new long[latent.length + 1];
		shape[0] = latents.size();
		System.arraycopy(latent, 0, shape, 1, latent.length);
		Npy.writeFloat32(file, xt, shape);
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
