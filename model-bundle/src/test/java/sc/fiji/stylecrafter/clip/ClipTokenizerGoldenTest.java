package sc.fiji.stylecrafter.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.io.Npy;

/** Token ids of every prompt in the golden folder's prompts.json equal OpenCLIP's (tokens.npy), exactly. */
class ClipTokenizerGoldenTest {

	@Test
	void sameIdsAsOpenClip() throws IOException {
		Path golden = Fixtures.goldenFolder();
		ClipTokenizer tok = ClipTokenizer.load(golden);
		JsonArray prompts = JsonParser.parseString(Files.readString(golden.resolve("prompts.json"), StandardCharsets.UTF_8)).getAsJsonArray();
		Npy.Array want = Npy.read(golden.resolve("tokens.npy"));
		int ctx = (int) want.shape()[1];
		assertEquals(prompts.size(), want.shape()[0]);
		int mismatches = 0;
		StringBuilder report = new StringBuilder();
		for (int i = 0; i < prompts.size(); i++) {
			long[] expected = Arrays.copyOfRange(want.longs(), i * ctx, (i + 1) * ctx);
			long[] got = tok.tokenize(prompts.get(i).getAsString(), ctx);
			if (!Arrays.equals(expected, got)) {
				mismatches++;
				report.append("\nprompt ").append(i).append(" '").append(prompts.get(i).getAsString()).append("'\n want ")
					.append(Arrays.toString(expected)).append("\n got  ").append(Arrays.toString(got));
			}
		}
		assertEquals(0, mismatches, report.toString());
	}

	@Test
	void vocabularyHasOpenClipSize() throws IOException {
		ClipTokenizer tok = ClipTokenizer.load(Fixtures.goldenFolder());
		assertEquals(49408, tok.vocabularySize());
		assertEquals(49406, tok.startId());
		assertEquals(49407, tok.endId());
		assertArrayEquals(new long[] { 49406, 49407, 0 }, Arrays.copyOf(tok.tokenize(""), 3));
	}
}
