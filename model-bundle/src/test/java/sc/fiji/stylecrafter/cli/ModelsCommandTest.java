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
import sc.fiji.stylecrafter.download.Downloader;
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
		return run(g, Downloader.Options.defaults().withToken(null).withEndpoint(null), args);
	}

	private static Cli.Result run(ModelServer.Golden g, Downloader.Options options, String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		int code = ModelsCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), g.catalogue(),
			options);
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

	@Test
	void aMirrorGetsTheTokenAndTheVocabularyHostDoesNot() throws IOException {
		Path dir = tmp.resolve("mirrored");
		try (ModelServer.Golden g = ModelServer.golden(Fixtures.goldenFolder())) {
			Downloader.Options withToken = Downloader.Options.defaults().withToken("hf_secret").withEndpoint(null);
			String mirror = g.server().root("localhost") + "/";
			Cli.Result done = run(g, withToken, "download", "--dir", dir.toString(), "--accept-licences", "--endpoint", mirror);
			assertEquals(0, done.code(), done.err());
			assertTrue(done.out().contains("from the mirror " + g.server().root("localhost")), done.out());
			assertEquals(java.util.List.of("/VideoCrafter/Text2Video-512/resolve/main/model.ckpt -> Bearer hf_secret",
				"/liuhuohuo/StyleCrafter/resolve/main/adapter_v1.pth -> Bearer hf_secret",
				"/liuhuohuo/StyleCrafter/resolve/main/temporal_v1_1.pth -> Bearer hf_secret",
				"/laion/CLIP-ViT-H-14-laion2B-s32B-b79K/resolve/main/open_clip_pytorch_model.bin -> Bearer hf_secret",
				"/models/bpe_simple_vocab_16e6.txt.gz -> none"), g.server().authorizations);
			Cli.Result bad = run(g, withToken, "download", "--dir", tmp.resolve("x").toString(), "--accept-licences", "--endpoint", "ftp://mirror");
			assertEquals(1, bad.code());
			assertTrue(bad.err().contains("--endpoint 'ftp://mirror' is not a web address of a Hugging Face mirror"), bad.err());
		}
	}

	@Test
	void downloadFromAFolderCopiesInsteadOfFetching() throws IOException {
		Path dir = tmp.resolve("copied");
		try (ModelServer.Golden g = ModelServer.golden(Fixtures.goldenFolder())) {
			Cli.Result done = run(g, "download", "--dir", dir.toString(), "--accept-licences", "--from", Fixtures.goldenFolder().toString());
			assertEquals(0, done.code(), done.err());
			assertEquals(0, g.server().requests.size(), g.server().requests.toString());
			assertTrue(done.err().contains("model.ckpt: copied from " + Fixtures.goldenFolder().resolve("model.ckpt")), done.err());
			Cli.Result none = run(g, "download", "--dir", tmp.resolve("y").toString(), "--accept-licences", "--from", tmp.resolve("nowhere").toString());
			assertEquals(1, none.code());
			assertTrue(none.err().contains("the folder to copy the model files from, " + tmp.resolve("nowhere") + ", does not exist"), none.err());
		}
	}

	@Test
	void aFileGivenAsTheFolderIsSaidToBeOne() throws IOException {
		Path file = tmp.resolve("afile");
		java.nio.file.Files.writeString(file, "text");
		try (ModelServer.Golden g = ModelServer.golden(Fixtures.goldenFolder())) {
			for (String action : java.util.List.of("status", "verify", "download")) {
				Cli.Result r = action.equals("download") ? run(g, action, "--dir", file.toString(), "--accept-licences") : run(g, action, "--dir", file.toString());
				assertEquals(1, r.code(), action + ": " + r.err());
				assertTrue(r.err().startsWith("models " + action + ": the model folder " + file + " is a file, not a folder"), r.err());
			}
			Cli.Result missing = run(g, "status", "--dir", tmp.resolve("none").toString());
			assertEquals(1, missing.code());
			assertTrue(missing.err().contains("the model folder " + tmp.resolve("none") + " does not exist; set it up with: stylecrafter models download"),
				missing.err());
		}
	}
}
