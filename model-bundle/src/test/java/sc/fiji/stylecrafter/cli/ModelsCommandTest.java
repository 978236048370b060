package sc.fiji.stylecrafter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.testing.GoldenLinks;

/** {@code models status} runs the folder check that loading runs, and says what is wrong in one line each. */
class ModelsCommandTest {

	@TempDir
	Path tmp;

	@Test
	void aUsableFolderAndASwappedOne() throws IOException {
		Cli.Result ok = Cli.run("models", "status", GoldenLinks.of(tmp.resolve("a")).toString());
		assertEquals(0, ok.code(), ok.err());
		assertTrue(ok.out().contains("usable"), ok.out());
		Cli.Result bad = Cli.run("models", "status", GoldenLinks.withSwap(tmp.resolve("b"), "model.ckpt", "open_clip_pytorch_model.bin").toString());
		assertEquals(1, bad.code());
		assertTrue(bad.err().contains("model.ckpt holds the OpenCLIP ViT-H/14 encoders"), bad.err());
		assertEquals(2, Cli.run("models", "list").code());
	}
}
