package sc.fiji.stylecrafter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.stylecrafter.engine.install.LibtorchArchive;

/**
 * What the driver says, through the real binding ({@link NvidiaDriver}, JNA): against a stand-in driver library
 * compiled here from {@code src/test/c/fake_libcuda.c} (names, memory, compute capability, an old driver, a driver that
 * does not start), and against a library that does not exist (a machine without a driver).
 */
class NvidiaDriverTest {

	@TempDir
	Path tmp;

	@AfterEach
	void reset() {
		System.clearProperty(NvidiaDriver.LIBRARY_PROPERTY);
	}

	private Path fake(String name, String... defines) throws IOException, InterruptedException {
		Path src = Path.of("src/test/c/fake_libcuda.c").toAbsolutePath();
		Path out = tmp.resolve(name + ".so");
		List<String> cmd = new ArrayList<>(List.of("cc", "-shared", "-fPIC", "-O1", "-o", out.toString(), src.toString()));
		for (String d : defines) cmd.add("-D" + d);
		Process p;
		try {
			p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
		}
		catch (IOException e) {
			assumeTrue(false, "no C compiler (cc) to build the stand-in driver");
			throw e;
		}
		String log = new String(p.getInputStream().readAllBytes());
		assertTrue(p.waitFor(60, TimeUnit.SECONDS));
		assertEquals(0, p.exitValue(), log);
		return out;
	}

	private static NvidiaDriver.Report probe(Path library) {
		System.setProperty(NvidiaDriver.LIBRARY_PROPERTY, library.toString());
		return NvidiaDriver.probe();
	}

	@Test
	void aDriverWithTwoGpus() throws Exception {
		assumeTrue(LibtorchArchive.currentClassifier().startsWith("linux"));
		NvidiaDriver.Report r = probe(fake("two", "FAKE_VERSION=12080", "FAKE_GPUS=2", "FAKE_MAJOR=8", "FAKE_MINOR=6"));
		assertTrue(r.found(), r.problem());
		assertEquals("12.8", r.cudaVersionText());
		assertEquals(2, r.gpus().size());
		assertEquals(new NvidiaDriver.Gpu(1, "Fake RTX 4001", 48_000_000_000L, 8, 6), r.gpus().get(1));
		assertEquals("GPU 0: Fake RTX 4000, 24.0 GB, compute capability 8.6", r.gpus().get(0).describe());
		assertNull(GpuCheck.driverProblem(r));
	}

	@Test
	void whyADriverCannotRunTheRuntime() throws Exception {
		assumeTrue(LibtorchArchive.currentClassifier().startsWith("linux"));
		String old = GpuCheck.driverProblem(probe(fake("old", "FAKE_VERSION=12040")));
		assertTrue(old.contains("supports CUDA 12.4") && old.contains("570 or newer"), old);
		String pascal = GpuCheck.driverProblem(probe(fake("pascal", "FAKE_MAJOR=6", "FAKE_MINOR=1")));
		assertTrue(pascal.contains("compute capability 7.5 or higher") && pascal.contains("Fake RTX 4000, 24.0 GB, compute capability 6.1"), pascal);
		String none = GpuCheck.driverProblem(probe(fake("hidden", "FAKE_INIT=100", "FAKE_GPUS=0")));
		assertTrue(none.contains("sees no GPU"), none);
		NvidiaDriver.Report broken = probe(fake("broken", "FAKE_INIT=999"));
		assertFalse(broken.found());
		assertTrue(broken.problem().contains("cuInit error 999"), broken.problem());
	}

	@Test
	void noDriver() {
		NvidiaDriver.Report r = probe(tmp.resolve("libcuda-that-is-not-there.so.1"));
		assertFalse(r.found());
		assertTrue(r.problem().startsWith("no NVIDIA driver is installed"), r.problem());
		assertEquals(r.problem(), GpuCheck.driverProblem(r));
		assertTrue(Files.notExists(tmp.resolve("libcuda-that-is-not-there.so.1")));
	}
}
