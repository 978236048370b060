package sc.fiji.stylecrafter.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json sizes are whole numbers from 1 up; anything else is a clear error, never a division by zero later. */
class ModelConfigTest {

	@TempDir
	Path tmp;

	String refused(String json) throws IOException {
		Path f = Files.writeString(tmp.resolve(ModelConfig.FILE_NAME), json);
		return assertThrows(IOException.class, () -> ModelConfig.read(f)).getMessage();
	}

	@Test
	void badSizesAreRefusedByName() throws IOException {
		assertTrue(refused("{\"adapter\": {\"style_heads\": 0}}").contains("style_heads must be a whole number from 1"));
		assertTrue(refused("{\"unet\": {\"model_channels\": -32}}").contains("model_channels"));
		assertTrue(refused("{\"unet\": {\"num_res_blocks\": 2.5}}").contains("num_res_blocks"));
		assertTrue(refused("{\"unet\": {\"num_res_blocks\": \"2\"}}").contains("num_res_blocks"));
		assertTrue(refused("{\"unet\": {\"channel_mult\": []}}").contains("channel_mult must be a non-empty list"));
		assertTrue(refused("{\"vae\": {\"ch_mult\": [1, 0]}}").contains("ch_mult"));
		assertTrue(refused("[1, 2]").contains("not valid JSON") || refused("[1, 2]").contains("config.json"));
	}

	@Test
	void wholeNumbersWrittenAsFloatsAndMissingKeysAreFine() throws IOException {
		Path f = Files.writeString(tmp.resolve(ModelConfig.FILE_NAME), "{\"unet\": {\"num_res_blocks\": 2.0}}");
		assertEquals(2, ModelConfig.read(f).unet().numResBlocks());
		assertEquals(ModelConfig.FULL_SIZE, ModelConfig.read(tmp.resolve("absent.json")));
	}
}
