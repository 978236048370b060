package sc.fiji.stylecrafter.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.engine.EngineOptions;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.pipeline.GenerationRecord;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.unet.Mode;

/** Outputs are written beside their target and moved into place whole: a failure changes nothing, a folder never mixes two runs. */
class FrameWriterAtomicTest {

	@TempDir
	Path tmp;

	/** A result of {@code frames} frames of {@code w x h} pixels, each frame a flat grey of its own. */
	static GenerationResult result(int frames, int w, int h) {
		GenerationSettings s = GenerationSettings.builder(Mode.VIDEO).frames(frames).build();
		GenerationRecord record = new GenerationRecord("a test", s, List.of("style.png"), 1, new EngineOptions("cpu", Precision.FLOAT32), List.of(),
			new float[16], 0.1, Map.of());
		int n = w * h, plane = frames * n;
		byte[] rgb = new byte[3 * plane];
		for (int f = 0; f < frames; f++) for (int c = 0; c < 3; c++) java.util.Arrays.fill(rgb, c * plane + f * n, c * plane + (f + 1) * n, (byte) (10 * f + c));
		return new GenerationResult(record, frames, w, h, null, rgb);
	}

	private List<String> names(Path dir) throws IOException {
		try (Stream<Path> s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString()).sorted().toList();
		}
	}

	@Test
	void aFolderOfFramesIsReplacedWholeNeverMixed() throws IOException {
		Path out = tmp.resolve("frames");
		FrameWriter.write(result(8, 16, 16), out);
		assertEquals(9, names(out).size(), names(out).toString());
		FrameWriter.write(result(4, 16, 16), out);
		assertEquals(List.of("frame_000.png", "frame_001.png", "frame_002.png", "frame_003.png", "settings.json"), names(out));
		assertTrue(Files.readString(out.resolve("settings.json")).contains("\"frames\": 4"));
		assertEquals(List.of("frames"), names(tmp), "no staged or old copies are left");
	}

	@Test
	void aFolderHoldingOtherFilesIsNotReplaced() throws IOException {
		Path out = Files.createDirectories(tmp.resolve("mine"));
		Files.writeString(out.resolve("notes.txt"), "my notes");
		String refused = assertThrows(IllegalArgumentException.class, () -> FrameWriter.checkTarget(out)).getMessage();
		assertTrue(refused.contains("notes.txt") && refused.contains("new or empty folder"), refused);
		IOException e = assertThrows(IOException.class, () -> FrameWriter.write(result(2, 16, 16), out));
		assertTrue(e.getMessage().contains("notes.txt") && e.getMessage().contains("nothing there was changed"), e.getMessage());
		assertEquals(List.of("notes.txt"), names(out));
		assertEquals(List.of("mine"), names(tmp));
	}

	@Test
	void aFailedWriteLeavesTheEarlierResultAndNoPartialFile() throws IOException {
		Path out = tmp.resolve("x.tif");
		FrameWriter.write(result(2, 16, 16), out);
		byte[] before = Files.readAllBytes(out);
		String sidecarBefore = Files.readString(tmp.resolve("x.json"));
		// the sidecar's place taken by a folder: the whole write is refused after the frames were staged
		Files.delete(tmp.resolve("x.json"));
		Files.createDirectories(tmp.resolve("x.json")).resolve("keep.txt").toFile().createNewFile();
		IOException e = assertThrows(IOException.class, () -> FrameWriter.write(result(3, 16, 16), out));
		assertTrue(e.getMessage().contains("would replace a folder") && e.getMessage().contains("the earlier result is kept"), e.getMessage());
		assertArrayEquals(before, Files.readAllBytes(out));
		assertEquals(List.of("x.json", "x.tif"), names(tmp), "no .part or staged file is left");
		assertTrue(Files.exists(tmp.resolve("x.json/keep.txt")));
		assertTrue(sidecarBefore.contains("\"frames\": 2"));
	}

	@Test
	void aFullDiskIsSaidAsSuch() {
		String why = FrameWriter.reason(new IOException("No space left on device"), tmp);
		assertTrue(why.startsWith("the disk is full") && why.contains("MB free in " + tmp), why);
	}

	@Test
	void mp4FramesUnder16PixelsAreRefusedBeforeEncodingNamingWebmAndGif() throws IOException {
		Path out = tmp.resolve("small.mp4");
		IOException e = assertThrows(IOException.class, () -> FrameWriter.write(result(2, 8, 24), out));
		assertTrue(e.getMessage().contains("8x24") && e.getMessage().contains(".webm or .gif"), e.getMessage());
		assertEquals(List.of(), names(tmp));
		FrameWriter.write(result(2, 8, 24), tmp.resolve("small.gif")); // what the message proposes works
		assertEquals(List.of("small.gif", "small.json"), names(tmp));
	}
}
