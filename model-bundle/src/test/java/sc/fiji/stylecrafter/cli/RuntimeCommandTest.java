package sc.fiji.stylecrafter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.engine.install.InstalledRuntime;
import sc.fiji.stylecrafter.engine.install.LibtorchArchive;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;
import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.testing.CpuLibtorch;

/**
 * {@code runtime remove} and {@code runtime status} through the command line: remove deletes only what the installer
 * made and names what it leaves, and refuses a folder the installer never wrote to; status names the folder asked
 * about in every line, and reports a runtime that cannot load without loading anything. The runtimes are installed from
 * fake libraries of this platform with a stand-in load check (the real check runs in RuntimeOverrideTest).
 */
class RuntimeCommandTest {

	private static final String CLASSIFIER = LibtorchArchive.currentClassifier();
	private static final String OFFICIAL_ZIP = "libtorch-cxx11-abi-shared-with-deps-2.7.1+cu128.zip";

	@TempDir
	Path tmp;

	@AfterEach
	void clearFolder() {
		System.clearProperty(RuntimeInstaller.FOLDER_PROPERTY);
	}

	/** Installs a fake libtorch 2.7.1 cpu (libraries with this platform's header) into {@code root}. */
	private InstalledRuntime install(Path root) throws IOException, InterruptedException {
		assumeTrue(CLASSIFIER.startsWith("linux"), "the fake libraries are ELF");
		Path home = tmp.resolve("unpacked-" + root.getFileName()).resolve("libtorch");
		Files.createDirectories(home.resolve("lib"));
		for (String lib : List.of("libtorch.so", "libtorch_cpu.so", "libc10.so")) {
			byte[] b = new byte[8192];
			new Random(lib.hashCode()).nextBytes(b);
			ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).put(0, (byte) 0x7f).put(1, (byte) 'E').put(2, (byte) 'L').put(3, (byte) 'F').put(4, (byte) 2)
				.put(5, (byte) 1).putShort(18, (short) (CLASSIFIER.endsWith("aarch64") ? 183 : 62));
			Files.write(home.resolve("lib").resolve(lib), b);
		}
		Files.writeString(home.resolve("build-version"), "2.7.1+cpu\n");
		return new RuntimeInstaller(root, LibtorchArchive.OFFICIAL, Downloader.DiskSpace.REAL, candidate -> null).from(home.getParent(), CLASSIFIER,
			new RuntimeInstaller.Listener() {
				@Override
				public void progress(sc.fiji.stylecrafter.download.ModelFile f, long d, long t, double s, double l) {}
			}, CancellationToken.NEVER);
	}

	@Test
	void removeDeletesOnlyWhatTheInstallerMadeAndNamesTheRest() throws Exception {
		Path root = tmp.resolve("runtime");
		InstalledRuntime r = install(root);
		Files.createDirectories(root.resolve("downloads"));
		Files.writeString(root.resolve("downloads/thesis.pdf"), "my thesis");
		Files.writeString(root.resolve("downloads/" + OFFICIAL_ZIP + ".part"), "half a zip");
		Files.createDirectories(root.resolve("libtorch-my-build/lib"));
		Files.writeString(root.resolve("libtorch-my-build/lib/libtorch.so"), "mine");
		Files.createDirectories(root.resolve(".partial-" + r.dir().getFileName()));
		Files.writeString(root.resolve("notes.txt"), "mine too");

		Cli.Result res = Cli.run("runtime", "remove", "--dir", root.toString());
		assertEquals(0, res.code(), res.err());
		assertEquals("removed from " + root + ": .partial-" + r.dir().getFileName() + "/, downloads/" + OFFICIAL_ZIP + ".part, " + r.dir().getFileName() + "/\n"
			+ "left in " + root + " (not made by the installer): downloads/thesis.pdf, libtorch-my-build/, notes.txt\n", res.out());
		assertFalse(Files.exists(r.dir()));
		assertEquals("my thesis", Files.readString(root.resolve("downloads/thesis.pdf")));
		assertEquals("mine", Files.readString(root.resolve("libtorch-my-build/lib/libtorch.so")));
		assertEquals("mine too", Files.readString(root.resolve("notes.txt")));

		Cli.Result again = Cli.run("runtime", "remove", "--dir", root.toString());
		assertEquals(0, again.code(), again.err());
		assertTrue(again.out().startsWith("nothing of the installer's to remove in " + root + "\nleft in " + root), again.out());
	}

	/** A folder the installer never wrote to (also named by -Dstylecrafter.runtime.folder): refused, exit 1, nothing deleted. */
	@Test
	void removeRefusesAFolderThatIsNotARuntimeFolder() throws Exception {
		Path dir = tmp.resolve("papers");
		Files.createDirectories(dir.resolve("downloads"));
		Files.writeString(dir.resolve("downloads/thesis.pdf"), "my thesis");
		Files.createDirectories(dir.resolve("libtorch-my-build"));
		Files.createDirectories(dir.resolve(".partial-libtorch-2.7.1-cu128-" + CLASSIFIER));
		String refusal = "stylecrafter runtime remove: " + dir + " is not a StyleCrafter runtime folder: it has no stylecrafter-runtime.properties (written by "
			+ "'stylecrafter runtime install') and no runtime installed by it, so nothing was removed. Give the folder the runtime was installed into "
			+ "(--dir, $STYLECRAFTER_RUNTIME or -Dstylecrafter.runtime.folder)\n";

		Cli.Result res = Cli.run("runtime", "remove", "--dir", dir.toString());
		assertEquals(1, res.code(), res.out());
		assertEquals(refusal, res.err());
		System.setProperty(RuntimeInstaller.FOLDER_PROPERTY, dir.toString());
		Cli.Result viaProperty = Cli.run("runtime", "remove");
		assertEquals(1, viaProperty.code(), viaProperty.out());
		assertEquals(refusal, viaProperty.err());
		try (var s = Files.list(dir)) {
			assertEquals(List.of(".partial-libtorch-2.7.1-cu128-" + CLASSIFIER, "downloads", "libtorch-my-build"), s.map(p -> p.getFileName().toString()).sorted().toList(),
				"nothing deleted, nothing added");
		}
		assertTrue(Files.isRegularFile(dir.resolve("downloads/thesis.pdf")));
	}

	/** {@code --dir T}: every line that names a runtime folder names T, none the default folder. */
	@Test
	void statusNamesTheFolderItWasGiven() throws Exception {
		Path defaultFolder = tmp.resolve("the-default"), t = tmp.resolve("asked");
		System.setProperty(RuntimeInstaller.FOLDER_PROPERTY, defaultFolder.toString());
		Cli.Result empty = Cli.run("runtime", "status", "--dir", t.toString());
		assertEquals(0, empty.code(), empty.err());
		assertFalse(empty.out().contains(defaultFolder.toString()), empty.out());
		assertTrue(empty.out().contains("GPU runtime: not installed (runtime folder " + t + ")") && empty.out().contains("  because: no GPU runtime is installed in " + t)
			&& empty.out().contains("GPU used: no, "), empty.out());

		InstalledRuntime r = install(t);
		Cli.Result installed = Cli.run("runtime", "status", "--dir", t.toString());
		assertEquals(0, installed.code(), installed.err());
		assertFalse(installed.out().contains(defaultFolder.toString()), installed.out());
		assertTrue(installed.out().contains("GPU runtime: libtorch 2.7.1 cpu in " + r.dir()), installed.out());
	}

	/** A runtime whose library is for another processor, and one recorded as failed: status exits 0, loads nothing, says what is wrong. */
	@Test
	void statusListsTheStoredRoutesOnlyWhenAsked() {
		Cli.Result plain = Cli.run("runtime", "status", "--dir", tmp.resolve("none").toString());
		assertFalse(plain.out().contains("kernel routes"), plain.out());
		Cli.Result routes = Cli.run("runtime", "status", "--routes", "--dir", tmp.resolve("none").toString());
		assertEquals(0, routes.code(), routes.err());
		// the tests run with -Dstylecrafter.routes=off (each test checks afresh)
		assertTrue(routes.out().contains("kernel routes: verdicts are not kept (-Dstylecrafter.routes=off)"), routes.out());
	}

	@Test
	void statusReportsARuntimeThatCannotLoad() throws Exception {
		Path t = tmp.resolve("broken");
		InstalledRuntime r = install(t);
		CpuLibtorch.setElfMachine(r.libDir().resolve("libtorch.so"), CLASSIFIER.endsWith("aarch64") ? 62 : CpuLibtorch.ELF_AARCH64);
		Cli.Result res = Cli.run("runtime", "status", "--dir", t.toString());
		assertEquals(0, res.code(), res.err());
		String other = CLASSIFIER.endsWith("aarch64") ? "x86_64 (ELF machine 62)" : "aarch64 (ELF machine 183)";
		assertTrue(res.out().contains("GPU runtime: none usable (runtime folder " + t + ")\n  not usable: " + r.dir() + " cannot be loaded: lib/libtorch.so is a "
			+ "library for " + other + ", not for this "), res.out());
		assertTrue(res.out().contains("  because: StyleCrafter uses the CPU libtorch: the GPU runtime " + r.dir() + " cannot be loaded: lib/libtorch.so")
			&& res.out().contains("Install it again, or remove it: stylecrafter runtime remove --dir " + t), res.out());
		assertTrue(res.out().contains("libtorch: would load the CPU libtorch") || res.out().contains("libtorch: loaded in this process from"), res.out());
		assertFalse(res.out().contains("from " + r.libDir()), "not loaded, and not to be loaded: " + res.out());

		CpuLibtorch.setElfMachine(r.libDir().resolve("libtorch.so"), CLASSIFIER.endsWith("aarch64") ? CpuLibtorch.ELF_AARCH64 : 62);
		assertTrue(InstalledRuntime.read(r.dir()).ok(), "repaired");
		r.recordLoadFailure("libtorch.so: undefined symbol: test");
		Cli.Result failed = Cli.run("runtime", "status", "--dir", t.toString());
		assertEquals(0, failed.code(), failed.err());
		assertTrue(failed.out().contains("  not usable: " + r.dir() + " cannot be loaded (libtorch.so: undefined symbol: test)"), failed.out());
	}
}
