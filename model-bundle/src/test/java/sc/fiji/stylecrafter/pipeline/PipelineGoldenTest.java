package sc.fiji.stylecrafter.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ai.djl.Device;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.sched.NoiseSource;
import sc.fiji.stylecrafter.sched.ReplayNoise;
import sc.fiji.stylecrafter.sched.SeededNoise;
import sc.fiji.stylecrafter.testing.Compare;

/**
 * The three full sampling runs of the golden folder, replayed from their recorded noise and seeded with 123. Sizes,
 * steps, eta and guidance come from config.json and the prompts from text_prompts.json; which prompt and references
 * each run used is stated in the golden README (there is no machine-readable file for it), and written here.
 */
class PipelineGoldenTest {

	static Path golden;
	static StyleCrafterModel model;

	@BeforeAll
	static void load() throws IOException {
		golden = Fixtures.goldenFolder();
		model = StyleCrafterModel.load(golden, Device.cpu(), Precision.FLOAT32);
	}

	@AfterAll
	static void close() {
		if (model != null) model.close();
	}

	private static GenerationResult run(String name, int promptIndex, String refs, boolean seeded) throws IOException {
		JsonObject cfg = JsonParser.parseString(Files.readString(golden.resolve("config.json"), StandardCharsets.UTF_8)).getAsJsonObject();
		JsonArray prompts = JsonParser.parseString(Files.readString(golden.resolve("text_prompts.json"), StandardCharsets.UTF_8)).getAsJsonArray();
		boolean video = name.startsWith("video");
		JsonArray hw = cfg.getAsJsonArray(video ? "video_latent_hw" : "image_latent_hw");
		JsonObject guidance = cfg.getAsJsonObject(video ? "video_guidance" : "image_guidance");
		int down = model.config().vae().downsampling();
		GenerationSettings s = new GenerationSettings(video ? Mode.VIDEO : Mode.IMAGE, video ? cfg.get("frames").getAsInt() : 1,
			hw.get(1).getAsInt() * down, hw.get(0).getAsInt() * down, cfg.get("ddim_steps").getAsInt(), cfg.get("ddim_eta").getAsDouble(),
			guidance.get("text").getAsFloat(), guidance.get("style").isJsonNull() ? null : guidance.get("style").getAsFloat(), 1f, 123);
		List<RgbImage> styles = new ArrayList<>();
		for (String r : refs.split(" ")) styles.add(RgbImage.read(golden.resolve("style_" + r + ".png")));
		NoiseSource noise;
		if (seeded) noise = new SeededNoise(123);
		else {
			List<Path> files = new ArrayList<>();
			for (int i = 0; i <= s.steps(); i++) files.add(golden.resolve(String.format("%s_noise_%02d.npy", name, i)));
			noise = new ReplayNoise(files);
		}
		return new StyleCrafterPipeline(model).generate(new StyleCrafterPipeline.Request(prompts.get(promptIndex).getAsString(), styles, s), noise, null,
			null, true);
	}

	@ParameterizedTest(name = "{0} seeded={3}")
	@CsvSource({ "video_single, 0, 0, false", "video_multi, 2, 0 1 2, false", "image_single, 0, 1, false", "video_single, 0, 0, true",
		"video_multi, 2, 0 1 2, true", "image_single, 0, 1, true" })
	void samplingRunMatches(String name, int prompt, String refs, boolean seeded) throws IOException {
		GenerationResult r = run(name, prompt, refs, seeded);
		Npy.Array xt = Npy.read(golden.resolve(name + "_xt_per_step.npy"));
		int per = (int) (xt.numel() / xt.shape()[0]);
		for (int i = 0; i < r.latents().size(); i++) {
			double err = Compare.relativeError(r.latents().get(i), Arrays.copyOfRange(xt.floats(), i * per, (i + 1) * per));
			System.out.printf("%s seeded=%s step %d latent: relative error %.3g%n", name, seeded, i + 1, err);
			assertTrue(err < 1e-4, name + " step " + (i + 1) + " latent relative error " + err);
		}
		Npy.Array frames = Npy.read(golden.resolve(name + "_frames.npy"));
		double err = Compare.relativeError(r.frames(), frames.floats());
		System.out.printf("%s seeded=%s frames: relative error %.3g%n", name, seeded, err);
		assertTrue(err < 1e-4, name + " frames relative error " + err);
		Npy.Array u8 = Npy.read(golden.resolve(name + "_frames_uint8.npy"));
		assertArrayEquals(u8.shape(), new long[] { 3, r.frameCount(), r.height(), r.width() });
		int off = 0, maxDiff = 0;
		for (int i = 0; i < r.rgb8().length; i++) {
			int d = Math.abs((r.rgb8()[i] & 0xFF) - (int) u8.longs()[i]);
			if (d > 0) off++;
			maxDiff = Math.max(maxDiff, d);
		}
		System.out.printf("%s seeded=%s uint8: %d of %d values differ, by at most %d%n", name, seeded, off, r.rgb8().length, maxDiff);
		assertTrue(maxDiff <= 1 && off <= r.rgb8().length / 1000, // a few values off by one (0.1% at most)
			 name + ": " + off + " uint8 values differ, max " + maxDiff);
	}
}
