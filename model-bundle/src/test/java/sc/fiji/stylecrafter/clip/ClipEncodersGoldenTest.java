package sc.fiji.stylecrafter.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.image.StylePreprocessor;
import sc.fiji.stylecrafter.model.CheckpointKeyMap;
import sc.fiji.stylecrafter.nn.Weights;
import sc.fiji.stylecrafter.testing.Compare;
import sc.fiji.stylecrafter.testing.Golden;

/** Text embeddings and style tokens against the official code's tensors. */
class ClipEncodersGoldenTest {

	@Test
	void textEmbeddingsOfThePenultimateLayer() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			ClipTextEncoder enc = new ClipTextEncoder(Weights.of(CheckpointKeyMap.textEncoder(g.openClip, g.modelCkpt), model, DataType.FLOAT32, "text"),
				g.config.text());
			List<String> prompts = new ArrayList<>();
			for (JsonElement e : JsonParser.parseString(Files.readString(g.dir.resolve("text_prompts.json"), StandardCharsets.UTF_8)).getAsJsonArray()) {
				prompts.add(e.getAsString());
			}
			try (NDManager scope = model.newSubManager()) {
				NDArray out = enc.encode(ClipTokenizer.load(g.dir), prompts, scope);
				var want = g.npy("text_embeddings.npy");
				assertArrayEquals(want.shape(), out.getShape().getShape());
				double err = Compare.relativeError(out.toFloatArray(), want.floats());
				System.out.printf("text_embeddings: relative error %.3g%n", err);
				assertTrue(err < 1e-4, "text embeddings relative error " + err);
			}
		}
	}

	@Test
	void styleTokensAfterFloat16Rounding() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			ClipVisionEncoder enc = new ClipVisionEncoder(Weights.of(CheckpointKeyMap.visionEncoder(g.openClip), model, DataType.FLOAT32, "visual"),
				g.config.vision());
			var want = g.npy("style_tokens.npy");
			int n = (int) want.shape()[0], size = g.config.vision().imageSize();
			float[] input = new float[n * 3 * size * size];
			for (int i = 0; i < n; i++) {
				RgbImage crop = StylePreprocessor.resizeAndCrop(RgbImage.read(g.dir.resolve("style_" + i + ".png")), StylePreprocessor.CROP);
				float[] x = StylePreprocessor.clipInput(StylePreprocessor.toModelRange(crop), StylePreprocessor.CROP, StylePreprocessor.CROP, size);
				System.arraycopy(x, 0, input, i * x.length, x.length);
			}
			try (NDManager scope = model.newSubManager()) {
				NDArray out = enc.encode(scope.create(input, new Shape(n, 3, size, size)));
				assertArrayEquals(want.shape(), out.getShape().getShape());
				double err = Compare.relativeError(out.toFloatArray(), want.floats());
				System.out.printf("style_tokens: relative error %.3g%n", err);
				assertTrue(err < 1e-4, "style tokens relative error " + err);
				// several references: the same tokens, concatenated along the token axis in order
				List<RgbImage> refs = new ArrayList<>();
				for (int i = 0; i < n; i++) refs.add(RgbImage.read(g.dir.resolve("style_" + i + ".png")));
				NDArray multi = new StyleImageEncoder(enc).encode(refs, scope, ai.djl.Device.cpu(), DataType.FLOAT32);
				assertArrayEquals(new long[] { 1, n * want.shape()[1], want.shape()[2] }, multi.getShape().getShape());
				assertArrayEquals(out.toFloatArray(), multi.toFloatArray(), 0f);
			}
		}
	}
}
