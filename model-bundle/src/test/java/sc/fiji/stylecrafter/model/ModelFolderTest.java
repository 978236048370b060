package sc.fiji.stylecrafter.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ai.djl.Device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.download.ModelFile;
import sc.fiji.stylecrafter.setup.ModelSetup;

/** Folders filled by hand: files under the names their downloads came with, or a Hugging Face cache, are recognised. */
class ModelFolderTest {

	@TempDir
	Path tmp;

	@Test
	void filesUnderTheirOwnNamesAreRecognisedByTheirKeys() throws IOException {
		Path golden = Fixtures.goldenFolder();
		Path dir = Files.createDirectories(tmp.resolve("by-hand"));
		Map<String, String> names = Map.of("model.ckpt", "Text2Video-512_model.ckpt", "adapter_v1.pth", "stylecrafter adapter.pth",
			"temporal_v1_1.pth", "temporal.pt", "open_clip_pytorch_model.bin", "ViT-H-14.bin");
		names.forEach((official, mine) -> link(golden.resolve(official), dir.resolve(mine)));
		link(golden.resolve("bpe_simple_vocab_16e6.txt.gz"), dir.resolve("bpe_simple_vocab_16e6.txt.gz"));
		link(golden.resolve("config.json"), dir.resolve("config.json"));
		Files.writeString(dir.resolve("notes.bin"), "not a weight file"); // ignored, not an error
		ModelFolder located = ModelFolder.locate(dir);
		assertEquals(List.of(), located.missing());
		assertEquals(dir.resolve("temporal.pt"), located.weights().get(WeightFile.TEMPORAL));
		assertEquals(4, located.found().size(), located.found().toString());
		assertTrue(located.found().contains("model.ckpt: found as Text2Video-512_model.ckpt (recognised by its keys)"), located.found().toString());
		assertEquals(List.of(), ModelFolderCheck.check(dir));
		ModelLoader.load(dir, Device.cpu(), Precision.FLOAT32).close();
	}

	@Test
	void aHuggingFaceCacheIsRecognised() throws IOException {
		Path golden = Fixtures.goldenFolder();
		Path dir = Files.createDirectories(tmp.resolve("hf"));
		for (ModelFile f : Catalogue.OFFICIAL.files()) {
			if (f.name().endsWith(".gz")) continue;
			Path snap = dir.resolve("hub/models--" + f.repository().replace("/", "--") + "/snapshots/0123abcd");
			Files.createDirectories(snap);
			link(golden.resolve(f.name()), snap.resolve(f.pathInRepository()));
		}
		link(golden.resolve("bpe_simple_vocab_16e6.txt.gz"), dir.resolve("bpe_simple_vocab_16e6.txt.gz"));
		link(golden.resolve("config.json"), dir.resolve("config.json"));
		ModelFolder located = ModelFolder.locate(dir);
		assertEquals(List.of(), located.missing());
		assertTrue(located.found().stream().allMatch(l -> l.contains("found in the Hugging Face cache as hub/models--")), located.found().toString());
		assertEquals(List.of(), ModelFolderCheck.check(dir));
		List<ModelSetup.FileStatus> status = ModelSetup.status(Catalogue.OFFICIAL, dir);
		assertTrue(status.get(0).detail().contains("found as hub/models--VideoCrafter--Text2Video-512/snapshots/0123abcd/model.ckpt"), status.get(0).toString());
	}

	@Test
	void whatIsNotFoundAnywhereIsNamed() throws IOException {
		Path dir = Files.createDirectories(tmp.resolve("empty"));
		assertEquals(List.of(WeightFile.values()), ModelFolder.locate(dir).missing());
		assertTrue(ModelFolderCheck.check(dir).get(0).contains("missing model.ckpt"), ModelFolderCheck.check(dir).toString());
	}

	private static void link(Path target, Path link) {
		try {
			Files.createSymbolicLink(link, target.toAbsolutePath());
		}
		catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}
}
