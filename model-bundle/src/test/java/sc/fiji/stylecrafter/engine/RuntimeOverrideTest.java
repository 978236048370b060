package sc.fiji.stylecrafter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.download.ModelSetupException;
import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.testing.ChildJvm;
import sc.fiji.stylecrafter.testing.CpuLibtorch;
import sc.fiji.stylecrafter.engine.install.InstalledRuntime;
import sc.fiji.stylecrafter.engine.install.LibtorchArchive;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;

/**
 * The runtime override end to end, with a real libtorch: the CPU libtorch of the {@code pytorch-native-cpu} jar,
 * unpacked into a folder as PyTorch's zips lay it out, installed with {@code --from}, and selected in a new JVM through
 * the same code that selects the CUDA runtime. DJL must load that copy (and the JNI placed beside it), never the jar's,
 * compute with it, and {@code runtime status} must say so without loading it. Broken copies of it: refused at install
 * by the load check in a separate process, and passed over at start-up (before the engine, or after a failed start).
 */
class RuntimeOverrideTest {

	@TempDir
	Path tmp;

	@Test
	void anInstalledLibtorchIsWhatDjlLoads() throws Exception {
		assumeTrue(LibtorchArchive.currentClassifier().equals("linux-x86_64"), "reads /proc/self/maps; the CPU jar on the class path is for linux-x86_64");
		Path home = unpackCpuLibtorch(tmp.resolve("unpacked"));
		Path root = tmp.resolve("runtime");
		InstalledRuntime r = install(home, root);
		assertEquals("cpu", r.flavor());
		assertEquals(InstalledRuntime.LOADED, r.loadCheck(), "it loaded in the install's child process");
		Path lib = r.libDir().toRealPath();
		Path djlCache = tmp.resolve("djl-cache");

		List<String> child = run(root, djlCache, RuntimeChild.class);
		assertTrue(child.contains("sum=12.0"), "computed on the installed libtorch: " + child);
		assertTrue(child.contains("libtorch=" + r.libDir().toAbsolutePath()), "DJL's own word on where libtorch came from: " + child);
		String runtimeDir = r.dir().toRealPath().toString(), engineCache = r.engineCacheDir().toRealPath().toString();
		List<String> maps = child.stream().filter(l -> l.startsWith("map=")).map(l -> l.substring(4)).distinct().toList();
		assertTrue(maps.stream().anyMatch(m -> m.equals(lib.resolve("libtorch_cpu.so").toString())), "libtorch_cpu mapped from the runtime: " + maps);
		assertTrue(maps.stream().anyMatch(m -> m.startsWith(engineCache) && m.contains("djl_torch")), "the JNI placed by the install: " + maps);
		assertTrue(maps.stream().allMatch(m -> m.startsWith(runtimeDir)), "nothing of libtorch from elsewhere (the jar's copy): " + maps);
		assertFalse(Files.exists(djlCache.resolve("pytorch")), "DJL unpacked nothing from the jar");

		List<String> status = run(root, djlCache, sc.fiji.stylecrafter.cli.Main.class, "runtime", "status");
		String text = String.join("\n", status);
		assertTrue(text.contains("libtorch: would load libtorch 2.7.1 cpu from " + r.libDir()), "status loads nothing: " + text);
		assertTrue(text.contains("GPU runtime: libtorch 2.7.1 cpu in " + r.dir()), text);
		assertTrue(text.contains("GPU used: no"), text);
		if (!NvidiaDriver.probe().found()) { // the status on a machine without a driver (as CI)
			assertTrue(text.contains("NVIDIA driver: none; no NVIDIA driver is installed") && text.contains("GPU used: no, no NVIDIA driver is installed"), text);
		}
	}

	/** The jar's CPU libtorch as {@code libtorch/lib/*} plus {@code libtorch/build-version}, as PyTorch's zips have it. */
	static Path unpackCpuLibtorch(Path dir) throws IOException {
		return CpuLibtorch.unpack(dir);
	}

	@Test
	void aLibtorchThatCannotLoadIsRefusedAtInstallAndNothingIsMovedIntoPlace() throws Exception {
		assumeTrue(LibtorchArchive.currentClassifier().equals("linux-x86_64"), "the CPU jar on the class path is for linux-x86_64");
		Path home = unpackCpuLibtorch(tmp.resolve("junk"));
		CpuLibtorch.junkAfterHeader(home.resolve("lib").resolve("libtorch.so")); // a valid ELF header, then junk: only loading finds it
		Path root = tmp.resolve("runtime");
		ModelSetupException e = assertThrows(ModelSetupException.class, () -> install(home, root));
		assertTrue(e.getMessage().contains("the libtorch from " + home.getParent().toAbsolutePath() + " does not load on this machine: ")
			&& e.getMessage().contains("libtorch.so") && e.getMessage().contains("Nothing was installed"), e.getMessage());
		assertEquals(List.of(), runtimeEntries(root), "no runtime, no partial folder");

		Path arm = unpackCpuLibtorch(tmp.resolve("arm"));
		CpuLibtorch.setElfMachine(arm.resolve("lib").resolve("libtorch_cpu.so"), CpuLibtorch.ELF_AARCH64);
		ModelSetupException wrong = assertThrows(ModelSetupException.class, () -> install(arm, root));
		assertTrue(wrong.getMessage().contains("libtorch_cpu.so is a library for aarch64 (ELF machine 183), not for this x86_64 processor"), wrong.getMessage());
		assertEquals(List.of(), runtimeEntries(root));
	}

	/** A runtime whose library is for another processor after the install: the CPU libtorch is used, with a notice, before DJL starts. */
	@Test
	void aRuntimeThatCannotLoadIsPassedOverBeforeTheEngineStarts() throws Exception {
		assumeTrue(LibtorchArchive.currentClassifier().equals("linux-x86_64"), "the CPU jar on the class path is for linux-x86_64");
		Path root = tmp.resolve("runtime");
		InstalledRuntime r = install(unpackCpuLibtorch(tmp.resolve("unpacked")), root);
		CpuLibtorch.setElfMachine(r.libDir().resolve("libtorch_cpu.so"), CpuLibtorch.ELF_AARCH64); // same size: the manifest still matches
		List<String> child = run(root, tmp.resolve("djl-cache"), RuntimeChild.class);
		String text = String.join("\n", child);
		assertTrue(child.contains("sum=12.0"), text);
		assertFalse(text.contains("libtorch=" + r.libDir()), "not the runtime's libtorch: " + text);
		String notice = "StyleCrafter uses the CPU libtorch: the GPU runtime " + r.dir() + " cannot be loaded: lib/libtorch_cpu.so is a library for aarch64";
		assertTrue(child.stream().anyMatch(l -> l.startsWith(notice) && l.endsWith("Install it again, or remove it: stylecrafter runtime remove")),
			"the notice, on standard error: " + text);

		List<String> status = run(root, tmp.resolve("djl-cache"), sc.fiji.stylecrafter.cli.Main.class, "runtime", "status");
		String s = String.join("\n", status);
		assertTrue(s.contains("GPU runtime: none usable (runtime folder " + root + ")") && s.contains("  not usable: " + r.dir() + " cannot be loaded: ")
			&& s.contains("libtorch: would load the CPU libtorch"), s);
	}

	/** A runtime that loaded at install but fails when the engine starts: a clear failure, remembered, and the next start uses the CPU libtorch. */
	@Test
	void aRuntimeThatFailsWhenTheEngineStartsIsRememberedAsFailed() throws Exception {
		assumeTrue(LibtorchArchive.currentClassifier().equals("linux-x86_64"), "the CPU jar on the class path is for linux-x86_64");
		Path root = tmp.resolve("runtime");
		InstalledRuntime r = install(unpackCpuLibtorch(tmp.resolve("unpacked")), root);
		CpuLibtorch.junkAfterHeader(r.libDir().resolve("libtorch.so")); // broken after the install, same size
		String first = String.join("\n", run(root, tmp.resolve("djl-cache"), StartChild.class));
		assertTrue(first.contains("failed=libtorch could not be loaded from the GPU runtime in " + r.dir() + ": ") && first.contains("libtorch.so")
			&& first.contains("StyleCrafter uses the CPU libtorch from its next start") && first.contains("stylecrafter runtime remove"), first);
		InstalledRuntime.Check c = InstalledRuntime.read(r.dir());
		assertTrue(c.unloadable() && c.runtime().loadCheck().startsWith(InstalledRuntime.FAILED), "remembered in the manifest: " + c);

		String second = String.join("\n", run(root, tmp.resolve("djl-cache"), StartChild.class));
		assertTrue(second.contains("sum=12.0") && !second.contains("libtorch=" + r.libDir()), second);
		assertTrue(second.contains("StyleCrafter uses the CPU libtorch: the GPU runtime " + r.dir() + " cannot be loaded (") && second.contains("libtorch.so: ")
			&& second.contains("remove it: stylecrafter runtime remove"), "the loader's message of the failed start, as the notice: " + second);
		System.out.println(first); // the messages a user sees, for the record
		System.out.println(second);
	}

	private static InstalledRuntime install(Path home, Path root) throws IOException, InterruptedException {
		return new RuntimeInstaller(root, LibtorchArchive.OFFICIAL, Downloader.DiskSpace.REAL).from(home.getParent(), LibtorchArchive.currentClassifier(),
			new RuntimeInstaller.Listener() {
				@Override
				public void progress(sc.fiji.stylecrafter.download.ModelFile f, long d, long t, double s, double l) {}
			}, CancellationToken.NEVER);
	}

	/** The runtime folder's entries other than the installer's record and the download lock. */
	private static List<String> runtimeEntries(Path root) throws IOException {
		try (Stream<Path> s = Files.list(root)) {
			return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("stylecrafter-runtime.properties") && !n.startsWith(".stylecrafter-download")).toList();
		}
	}

	private static List<String> run(Path root, Path djlCache, Class<?> main, String... args) throws IOException, InterruptedException {
		return ChildJvm.run(List.of("-Xmx512m"), env -> {
			env.put(RuntimeInstaller.FOLDER_ENV, root.toString());
			env.put("DJL_CACHE_DIR", djlCache.toString());
			env.remove("PYTORCH_LIBRARY_PATH");
			env.remove("PYTORCH_VERSION");
			env.remove("PYTORCH_FLAVOR");
			env.remove("ENGINE_CACHE_DIR");
		}, main, args);
	}

}
