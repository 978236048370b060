package sc.fiji.stylecrafter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.download.ModelServer;
import sc.fiji.stylecrafter.testing.GoldenLinks;

/** {@code models status|verify|download}: the folder check loading runs, and the setup from a (loopback) server. */
class ModelsCommandTest {

	@TempDir
	Path tmp;

	@Test
	void aUsableFolderAndASwappedOne() throws IOException {
		Cli.Result ok = Cli.run("models", "status", "--dir", GoldenLinks.of(tmp.resolve("a")).toString());
		assertEquals(0, ok.code(), ok.err());
		assertTrue(ok.out().contains("usable"), ok.out());
		Cli.Result bad = Cli.run("models", "status", "--dir", GoldenLinks.withSwap(tmp.resolve("b"), "model.ckpt", "open_clip_pytorch_model.bin").toString());
		assertEquals(1, bad.code());
		assertTrue(bad.err().contains("model.ckpt holds the OpenCLIP ViT-H/14 encoders"), bad.err());
		assertTrue(bad.err().contains("stylecrafter models download"), bad.err());
		assertEquals(2, Cli.run("models", "list").code());
	}

	private static Cli.Result run(ModelServer.Golden g, String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		int code = ModelsCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), g.catalogue());
		return new Cli.Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	@Test
	void downloadAsksForTheLicenceTermsThenSetsTheFolderUp() throws IOException {
		Path dir = tmp.resolve("new");
		try (ModelServer.Golden g = ModelServer.golden(Fixtures.goldenFolder())) {
			Cli.Result refused = run(g, "download", "--dir", dir.toString());
			assertEquals(2, refused.code());
			assertTrue(refused.err().contains("non-commercial") && refused.err().contains("--accept-licences"), refused.err());
			assertEquals(0, g.server().requests.size());
			Cli.Result done = run(g, "download", "--dir", dir.toString(), "--accept-licences");
			assertEquals(0, done.code(), done.err());
			assertTrue(done.out().contains("model folder ready"), done.out());
			// the tiny weights need their architecture file (the official ones use the built-in full size)
			java.nio.file.Files.copy(Fixtures.goldenFolder().resolve("config.json"), dir.resolve("config.json"));
			Cli.Result status = run(g, "status", "--dir", dir.toString());
			assertEquals(0, status.code(), status.err());
			assertEquals(5, status.out().lines().filter(l -> l.contains(" verified ")).count(), status.out());
			assertTrue(status.out().contains("loading check: usable"), status.out());
			Cli.Result verify = run(g, "verify", "--dir", dir.toString());
			assertEquals(0, verify.code(), verify.err());
		}
	}
}
