package sc.fiji.stylecrafter.output;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output paths are checked before any work: known kind, existing writable folder, no folder in the way. */
class FrameWriterTargetTest {

	@TempDir
	Path tmp;

	static String refused(Path out) {
		return assertThrows(IllegalArgumentException.class, () -> FrameWriter.checkTarget(out)).getMessage();
	}

	@Test
	void goodTargetsPass() throws Exception {
		FrameWriter.checkTarget(tmp.resolve("x.tif"));
		FrameWriter.checkTarget(tmp.resolve("X.TIFF"));
		FrameWriter.checkTarget(tmp.resolve("frames")); // a new folder
		FrameWriter.checkTarget(Files.createDirectories(tmp.resolve("old")));
	}

	@Test
	void badTargetsAreRefusedWithTheReason() throws Exception {
		assertTrue(refused(tmp.resolve("x.jpg")).contains("must end in .tif, .tiff, .mp4, .webm or .gif"));
		assertTrue(refused(tmp.resolve("missing/x.tif")).contains("does not exist"));
		assertTrue(refused(Path.of("/")).contains("root"));
		Files.createDirectories(tmp.resolve("y.json"));
		assertTrue(refused(tmp.resolve("y.tif")).contains("would replace a folder"));
		Files.createDirectories(tmp.resolve("z.tif"));
		assertTrue(refused(tmp.resolve("z.tif")).contains("is a folder"));
		Files.writeString(tmp.resolve("plain"), "x");
		assertTrue(refused(tmp.resolve("plain")).contains("is a file, not a folder"));
		Path ro = Files.createDirectories(tmp.resolve("ro"));
		if (ro.toFile().setWritable(false) && !Files.isWritable(ro)) { // root may write anywhere
			assertTrue(refused(ro.resolve("x.tif")).contains("cannot be written to"));
		}
	}
}
