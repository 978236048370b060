package sc.fiji.stylecrafter.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ai.djl.Device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.io.CheckpointFormatException;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.testing.GoldenLinks;
import sc.fiji.stylecrafter.engine.Precision;

/**
 * Weight files are recognised by their keys, and config.json is checked against the weights, by the folder check
 * (Set Model Folder, {@code models status}) and by loading alike, before any weight is loaded.
 */
class ModelFolderCheckTest {

	@TempDir
	Path tmp;

	private Path folder(String a, String b) throws IOException {
		return GoldenLinks.withSwap(tmp.resolve("models"), a, b);
	}

	@Test
	void theGoldenFolderPasses() throws IOException {
		assertEquals(List.of(), ModelFolderCheck.check(folder("", "")));
	}

	@Test
	void swappedFilesAreNamedBothWays() throws IOException {
		Path dir = folder("adapter_v1.pth", "temporal_v1_1.pth");
		List<String> problems = ModelFolderCheck.check(dir);
		assertEquals(2, problems.size(), problems.toString());
		assertTrue(problems.get(0).contains("adapter_v1.pth holds the StyleCrafter temporal layers (the content of temporal_v1_1.pth)"), problems.get(0));
		assertTrue(problems.get(1).contains("temporal_v1_1.pth holds the StyleCrafter style adapter (the content of adapter_v1.pth)"), problems.get(1));
		long t0 = System.nanoTime();
		CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelLoader.load(dir, Device.cpu(), Precision.FLOAT32).close());
		assertTrue(e.getMessage().contains("swapped"), e.getMessage());
		assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "refused only after loading");
	}

	@Test
	void theClipFileUnderTheTemporalName() throws IOException {
		Path dir = folder("", "");
		Files.delete(dir.resolve("temporal_v1_1.pth"));
		Files.createSymbolicLink(dir.resolve("temporal_v1_1.pth"), Fixtures.goldenFolder().resolve("open_clip_pytorch_model.bin").toAbsolutePath());
		List<String> problems = ModelFolderCheck.check(dir);
		assertTrue(problems.toString().contains("temporal_v1_1.pth holds the OpenCLIP ViT-H/14 encoders"), problems.toString());
	}

	@Test
	void aFileOfOtherWeightsIsNotTakenForOne() throws IOException {
		Path dir = folder("", "");
		Files.delete(dir.resolve("adapter_v1.pth"));
		Files.copy(Fixtures.fixture("basic.pt"), dir.resolve("adapter_v1.pth"));
		String problems = ModelFolderCheck.check(dir).toString();
		assertTrue(problems.contains("does not hold the StyleCrafter style adapter"), problems);
	}

	@Test
	void aConfigThatDoesNotFitTheWeightsIsRefusedBeforeLoading() throws IOException {
		Path dir = folder("", "");
		Files.delete(dir.resolve("config.json"));
		Files.writeString(dir.resolve("config.json"), "{}"); // full size, over tiny weights
		List<String> problems = ModelFolderCheck.check(dir);
		assertTrue(problems.toString().contains("gives [320, 4, 3, 3]: the configuration does not match these weights"), problems.toString());
		CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelLoader.load(dir, Device.cpu(), Precision.FLOAT32).close());
		assertTrue(e.getMessage().contains("does not match these weights"), e.getMessage());
		Files.delete(dir.resolve("config.json")); // no file: the full-size default, said so
		assertTrue(ModelFolderCheck.check(dir).toString().contains("the full-size configuration (there is no config.json)"));
	}

	@Test
	void weightsNoPartTakesAreRefusedAtLoad() throws IOException {
		Path dir = folder("", "");
		Files.delete(dir.resolve("adapter_v1.pth"));
		try (sc.fiji.stylecrafter.io.Checkpoint adapter = sc.fiji.stylecrafter.io.Checkpoints.open(Fixtures.goldenFolder().resolve("adapter_v1.pth"));
			sc.fiji.stylecrafter.io.Checkpoint basic = sc.fiji.stylecrafter.io.Checkpoints.open(Fixtures.fixture("basic.pt")))
		{
			java.util.SortedMap<String, sc.fiji.stylecrafter.io.StoredTensor> more = new java.util.TreeMap<>(adapter.tensors());
			more.put("extra.weight", basic.tensors().values().iterator().next());
			sc.fiji.stylecrafter.io.SafetensorsWriter.write(dir.resolve("adapter_v1.pth"), more, java.util.Map.of());
		}
		assertEquals(List.of(), ModelFolderCheck.check(dir), "the folder check reads metadata only");
		CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelLoader.load(dir, Device.cpu(), Precision.FLOAT32).close());
		assertTrue(e.getMessage().contains("adapter_v1.pth: 1 unexpected weights (extra.weight)"), e.getMessage());
	}
}
