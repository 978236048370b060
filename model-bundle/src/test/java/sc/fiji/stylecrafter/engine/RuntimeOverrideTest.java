package sc.fiji.stylecrafter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.testing.ChildJvm;
import sc.fiji.stylecrafter.engine.install.InstalledRuntime;
import sc.fiji.stylecrafter.engine.install.LibtorchArchive;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;

/**
 * The runtime override end to end, with a real libtorch: the CPU libtorch of the {@code pytorch-native-cpu} jar,
 * unpacked into a folder as PyTorch's zips lay it out, installed with {@code --from}, and selected in a new JVM through
 * the same code that selects the CUDA runtime. DJL must load that copy (and the JNI placed beside it), never the jar's,
 * compute with it, and {@code runtime status} must say so.
 */
class RuntimeOverrideTest {

	@TempDir
	Path tmp;

	@Test
	void anInstalledLibtorchIsWhatDjlLoads() throws Exception {
		assumeTrue(LibtorchArchive.currentClassifier().equals("linux-x86_64"), "reads /proc/self/maps; the CPU jar on the class path is for linux-x86_64");
		Path home = unpackCpuLibtorch(tmp.resolve("unpacked"));
		Path root = tmp.resolve("runtime");
		InstalledRuntime r = new RuntimeInstaller(root, LibtorchArchive.OFFICIAL, Downloader.DiskSpace.REAL)
			.from(home.getParent(), LibtorchArchive.currentClassifier(), new RuntimeInstaller.Listener() {
				@Override
				public void progress(sc.fiji.stylecrafter.download.ModelFile f, long d, long t, double s, double l) {}
			}, CancellationToken.NEVER);
		assertEquals("cpu", r.flavor());
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
		assertTrue(text.contains("libtorch: loaded in this process from " + r.libDir().toAbsolutePath()), text);
		assertTrue(text.contains("GPU runtime: libtorch 2.7.1 cpu in " + r.dir()), text);
		assertTrue(text.contains("GPU used: no"), text);
		if (!NvidiaDriver.probe().found()) { // the status on a machine without a driver (as CI)
			assertTrue(text.contains("NVIDIA driver: none; no NVIDIA driver is installed") && text.contains("GPU used: no, no NVIDIA driver is installed"), text);
		}
	}

	/** The jar's CPU libtorch as {@code libtorch/lib/*} plus {@code libtorch/build-version}, as PyTorch's zips have it. */
	static Path unpackCpuLibtorch(Path dir) throws IOException {
		Properties p = new Properties();
		try (InputStream in = RuntimeOverrideTest.class.getResourceAsStream("/native/lib/pytorch.properties")) {
			p.load(in);
		}
		Path home = dir.resolve("libtorch");
		Files.createDirectories(home.resolve("lib"));
		for (String f : p.getProperty("libraries").split(",")) {
			String resource = "/pytorch/" + p.getProperty("flavor") + "/" + p.getProperty("classifier") + "/" + f; // as pytorch-native-cpu 2.7.1 lays them out
			try (InputStream in = RuntimeOverrideTest.class.getResourceAsStream(resource)) {
				if (in == null) throw new IOException(resource + " is not on the class path");
				Files.copy(in, home.resolve("lib").resolve(f));
			}
		}
		String version = p.getProperty("version").split("-")[0];
		Files.writeString(home.resolve("build-version"), version + "+" + p.getProperty("flavor") + "\n", StandardCharsets.US_ASCII);
		return home;
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
