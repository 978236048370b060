package sc.fiji.stylecrafter.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;


import com.google.gson.JsonParser;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.testing.Compare;
import sc.fiji.stylecrafter.model.ModelLoader;

/**
 * The CLIP score features against the official OpenCLIP code (v2.20.0, torch 1.13) on the tiny golden weights: text
 * features of the golden token rows and image features of the golden CLIP inputs, within 1e-4. The reference was made
 * by {@code src/test/python/make_clip_score_reference.py}; it belongs to one set of weights, so on other weights the
 * comparison is skipped (determinism is still checked).
 */
class ClipScorerTest {

	@Test
	void featuresMatchOpenClipAndAreDeterministic() throws Exception {
		Path golden = Fixtures.goldenFolder();
		Npy.Array tokens = Npy.read(golden.resolve("tokens.npy"));
		Npy.Array input = Npy.read(golden.resolve("style_clip_input.npy"));
		int l = (int) tokens.shape()[1], rows = 4;
		long[][] ids = new long[rows][l];
		for (int i = 0; i < rows; i++) System.arraycopy(tokens.longs(), i * l, ids[i], 0, l);
		int images = (int) input.shape()[0];
		try (ClipScorer s = ModelLoader.scorer(golden, sc.fiji.stylecrafter.engine.DeviceChoice.CPU)) {
			float[][] text = s.textFeatures(ids), text2 = s.textFeatures(ids);
			float[][] image = s.imageFeatures(input.floats(), images), image2 = s.imageFeatures(input.floats(), images);
			for (int i = 0; i < rows; i++) assertArrayEquals(text[i], text2[i], "deterministic");
			for (int i = 0; i < images; i++) assertArrayEquals(image[i], image2[i], "deterministic");
			Path ref = Fixtures.fixture("clip_score/source.json");
			String sha = JsonParser.parseString(Files.readString(ref, StandardCharsets.UTF_8)).getAsJsonObject().get("weights_sha256").getAsString();
			Assumptions.assumeTrue(sha.equals(sha256(golden.resolve("open_clip_pytorch_model.bin"))),
				"the reference features belong to other weights than this golden folder's");
			check(text, Npy.read(Fixtures.fixture("clip_score/text_features.npy")), "text");
			check(image, Npy.read(Fixtures.fixture("clip_score/image_features.npy")), "image");
			// the scores compare directions: the same prompt or image scores 1
			assertTrue(Math.abs(ClipScorer.cosine(text[0], text2[0]) - 1) < 1e-6);
		}
	}

	private static void check(float[][] got, Npy.Array want, String what) {
		int d = (int) want.shape()[1];
		float[] flat = new float[got.length * d];
		for (int i = 0; i < got.length; i++) System.arraycopy(got[i], 0, flat, i * d, d);
		double err = Compare.relativeError(flat, want.floats());
		System.out.printf("CLIP %s features: relative error %.3g%n", what, err);
		assertTrue(err < 1e-4, what + " features relative error " + err);
	}

	private static String sha256(Path f) throws IOException {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
		}
		catch (java.security.NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
