package sc.fiji.stylecrafter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.engine.install.LibtorchArchive;
import sc.fiji.stylecrafter.engine.install.InstalledRuntime;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;
import sc.fiji.stylecrafter.download.DownloadCancelledException;
import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.download.ModelServer;
import sc.fiji.stylecrafter.download.ModelSetupException;
import sc.fiji.stylecrafter.download.VerifiedFiles;
import sc.fiji.stylecrafter.task.CancellationToken;

/**
 * The GPU runtime install against a real HTTP server on the loopback: a zip laid out as PyTorch's libtorch zips are
 * (libraries, static libraries, CMake files, build-version), downloaded, checked, unpacked and found by the selection;
 * and what goes wrong (corrupted byte, dropped connection, 404, 416, full disk, cancel, a zip entry outside the folder,
 * an unknown zip, a damaged install, a runtime that does not load, a build-version of gigabytes). The load check is a
 * stand-in here (the fake libraries cannot load); {@link RuntimeOverrideTest} runs the real one on a real libtorch.
 */
class RuntimeInstallerTest {

	private static final String CLASSIFIER = LibtorchArchive.currentClassifier();
	private static final String ZIP = "libtorch-test-2.7.1+cu128.zip";

	@TempDir
	Path tmp;
	private ModelServer server;
	private byte[] zip;
	private Path root;
	/** The runtimes the stand-in load check was asked about, and what it answers. */
	private final List<InstalledRuntime> checked = new java.util.ArrayList<>();
	/** Whether each had its libtorch and JNI when it was checked. */
	private final List<Boolean> complete = new java.util.ArrayList<>();
	private String loadProblem;

	private static final RuntimeInstaller.Listener QUIET = new RuntimeInstaller.Listener() {
		@Override
		public void progress(sc.fiji.stylecrafter.download.ModelFile file, long done, long total, double bytesPerSecond, double secondsLeft) {}
	};

	@BeforeEach
	void serve() throws IOException {
		zip = libtorchZip("2.7.1+cu128", Map.of());
		server = new ModelServer(Map.of(ZIP, zip));
		root = tmp.resolve("runtime");
	}

	@AfterEach
	void stop() {
		server.close();
	}

	/** A zip laid out like the official ones, with fake libraries (this platform's library header, random bytes) of a few MB. */
	static byte[] libtorchZip(String buildVersion, Map<String, byte[]> extra) throws IOException {
		Random r = new Random(7);
		Map<String, byte[]> entries = new LinkedHashMap<>();
		for (String lib : List.of("libtorch.so", "libtorch_cpu.so", "libtorch_cuda.so", "libc10.so", "libc10_cuda.so", "libcudart-218eec4c.so.12")) {
			entries.put("libtorch/lib/" + lib, fakeLibrary(r, 1 << 20));
		}
		entries.put("libtorch/lib/libprotobuf.a", "!<arch>\n".getBytes(StandardCharsets.US_ASCII));
		entries.put("libtorch/lib/pkgconfig/x.pc", "x".getBytes(StandardCharsets.US_ASCII));
		entries.put("libtorch/share/cmake/Torch/TorchConfig.cmake", "set()".getBytes(StandardCharsets.US_ASCII));
		entries.put("libtorch/build-version", (buildVersion + "\n").getBytes(StandardCharsets.US_ASCII));
		entries.putAll(extra);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream z = new ZipOutputStream(bytes)) {
			for (Map.Entry<String, byte[]> e : entries.entrySet()) {
				z.putNextEntry(new ZipEntry(e.getKey()));
				z.write(e.getValue());
				z.closeEntry();
			}
		}
		return bytes.toByteArray();
	}

	/** Random bytes under a 64-bit library header of this platform (ELF, PE or Mach-O for this processor). */
	static byte[] fakeLibrary(Random r, int size) {
		byte[] b = new byte[size];
		r.nextBytes(b);
		java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
		boolean arm = CLASSIFIER.endsWith("aarch64");
		if (CLASSIFIER.startsWith("win")) {
			h.put(0, (byte) 'M').put(1, (byte) 'Z').putInt(0x3c, 0x80).put(0x80, (byte) 'P').put(0x81, (byte) 'E').put(0x82, (byte) 0).put(0x83, (byte) 0)
				.putShort(0x84, (short) (arm ? 0xaa64 : 0x8664));
		}
		else if (CLASSIFIER.startsWith("osx")) h.putInt(0, 0xfeedfacf).putInt(4, arm ? 0x0100000c : 0x01000007);
		else h.put(0, (byte) 0x7f).put(1, (byte) 'E').put(2, (byte) 'L').put(3, (byte) 'F').put(4, (byte) 2).put(5, (byte) 1).putShort(18, (short) (arm ? 183 : 62));
		return b;
	}

	private static String sha(byte[] b) {
		return HexFormat.of().formatHex(VerifiedFiles.newDigest().digest(b));
	}

	private List<LibtorchArchive> known(long bytes) {
		return List.of(new LibtorchArchive(CLASSIFIER, "2.7.1", "cu128", ZIP, server.base().resolve(ZIP), bytes, sha(zip)));
	}

	private RuntimeInstaller installer(long bytes) {
		return new RuntimeInstaller(root, known(bytes), Downloader.DiskSpace.REAL, candidate -> {
			checked.add(candidate);
			try (var s = Files.walk(candidate.engineCacheDir())) {
				complete.add(Files.isRegularFile(candidate.libDir().resolve("libtorch.so")) && s.anyMatch(f -> f.getFileName().toString().contains("djl_torch")));
			}
			catch (IOException e) {
				complete.add(false);
			}
			return loadProblem;
		});
	}

	private static Downloader downloader() {
		return new Downloader(Downloader.Options.defaults().withRetries(3, Duration.ofMillis(10)));
	}

	private static NvidiaDriver.Report driver(int cuda, int major, int minor) {
		return new NvidiaDriver.Report("test", true, cuda, List.of(new NvidiaDriver.Gpu(0, "Test GPU", 24_000_000_000L, major, minor)), null);
	}

	@Test
	void aDownloadIsCheckedUnpackedAndSelected() throws Exception {
		InstalledRuntime r = installer(0).download(CLASSIFIER, downloader(), false, QUIET, CancellationToken.NEVER);
		assertTrue(server.requests.get(0).startsWith(ZIP), "the size was asked first: " + server.requests);
		assertEquals(root.resolve(InstalledRuntime.folderName("2.7.1", "cu128", CLASSIFIER)), r.dir());
		try (var s = Files.list(r.libDir())) {
			assertEquals(List.of("libc10.so", "libc10_cuda.so", "libcudart-218eec4c.so.12", "libtorch.so", "libtorch_cpu.so", "libtorch_cuda.so"),
				s.map(p -> p.getFileName().toString()).sorted().toList(), "only the shared libraries, at the top of lib/");
		}
		Path jni = r.engineCacheDir().resolve("pytorch").resolve("2.7.1-cu128-" + CLASSIFIER).resolve(ai.djl.engine.Engine.getDjlVersion() + "-" + System.mapLibraryName("djl_torch"));
		if (CLASSIFIER.equals("linux-x86_64")) assertTrue(Files.size(jni) > 1_000_000, "DJL's cu128 JNI from pytorch-jni is where DJL looks: " + jni);
		assertFalse(Files.exists(root.resolve("downloads").resolve(ZIP)), "the zip is deleted after the install");
		assertTrue(InstalledRuntime.read(r.dir()).ok());
		assertEquals(1, checked.size(), "loaded once before it was moved into place");
		assertTrue(checked.get(0).dir().getFileName().toString().startsWith(".partial-") && complete.get(0),
			"the check saw the unfinished folder with its libraries and the JNI: " + checked);
		assertEquals(InstalledRuntime.LOADED, r.loadCheck());
		assertTrue(Files.isRegularFile(root.resolve("stylecrafter-runtime.properties")), "the installer's record of what it made");

		RuntimeSelection.Choice c = RuntimeSelection.decide(root, () -> driver(13000, 9, 0), Optional.empty());
		assertEquals(r.dir(), c.runtime().dir(), c.reason());
		RuntimeSelection.Choice old = RuntimeSelection.decide(root, () -> driver(12040, 9, 0), Optional.empty());
		assertNull(old.runtime());
		assertTrue(old.reason().contains("supports CUDA 12.4") && old.reason().contains("update the NVIDIA driver"), old.reason());
		RuntimeSelection.Choice pascal = RuntimeSelection.decide(root, () -> driver(12080, 6, 1), Optional.empty());
		assertNull(pascal.runtime());
		assertTrue(pascal.reason().contains("compute capability 7.5") && pascal.reason().contains("Test GPU"), pascal.reason());
		RuntimeSelection.Choice none = RuntimeSelection.decide(root, () -> new NvidiaDriver.Report("libcuda.so.1", false, 0, List.of(), "no NVIDIA driver is installed"),
			Optional.empty());
		assertTrue(none.reason().contains("no NVIDIA driver"), none.reason());
		RuntimeSelection.Choice late = RuntimeSelection.decide(root, () -> driver(13000, 9, 0), Optional.of(Path.of("/elsewhere")));
		assertNull(late.runtime());
		assertTrue(late.reason().contains("restart"), late.reason());
	}

	/** A user's own CUDA libtorch (PYTORCH_FLAVOR cu...) gets cuDNN's benchmark mode as an installed runtime does; a CPU one does not. */
	@Test
	void theUsersOwnCudaLibtorchGetsCudnnBenchmarkMode() {
		assumeTrue(System.getenv("PYTORCH_FLAVOR") == null, "PYTORCH_FLAVOR is set in this environment");
		String before = System.getProperty(RuntimeSelection.CUDNN_BENCHMARK);
		try {
			for (String flavor : new String[] { "cpu", "cu130" }) {
				System.clearProperty(RuntimeSelection.CUDNN_BENCHMARK);
				System.setProperty("PYTORCH_FLAVOR", flavor);
				RuntimeSelection.apply(new RuntimeSelection.Choice(null, "PYTORCH_LIBRARY_PATH is set"));
				assertEquals(flavor.equals("cpu") ? null : "true", System.getProperty(RuntimeSelection.CUDNN_BENCHMARK), flavor);
			}
		}
		finally {
			System.clearProperty("PYTORCH_FLAVOR");
			if (before == null) System.clearProperty(RuntimeSelection.CUDNN_BENCHMARK);
			else System.setProperty(RuntimeSelection.CUDNN_BENCHMARK, before);
		}
	}

	@Test
	void aCorruptedByteIsRefusedAndNothingIsInstalled() throws Exception {
		server.corruptFile = ZIP;
		server.corruptAt = zip.length / 2;
		ModelSetupException e = assertThrows(ModelSetupException.class,
			() -> installer(zip.length).download(CLASSIFIER, downloader(), false, QUIET, CancellationToken.NEVER));
		assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
		assertTrue(RuntimeSelection.installed(root, CLASSIFIER).isEmpty());
		assertFalse(Files.exists(root.resolve(InstalledRuntime.folderName("2.7.1", "cu128", CLASSIFIER))));
	}

	@Test
	void aDroppedConnectionResumes() throws Exception {
		server.dropAfter = zip.length / 3;
		server.drops.set(1);
		installer(zip.length).download(CLASSIFIER, downloader(), true, QUIET, CancellationToken.NEVER);
		assertTrue(server.requests.stream().anyMatch(r -> r.startsWith(ZIP + " bytes=")), "resumed with a Range request: " + server.requests);
		assertTrue(Files.isRegularFile(root.resolve("downloads").resolve(ZIP)), "--keep-zip keeps it");
		assertEquals(1, RuntimeSelection.installed(root, CLASSIFIER).size());
	}

	@Test
	void missingFileAndRangeAnswers() throws Exception {
		List<LibtorchArchive> gone = List.of(new LibtorchArchive(CLASSIFIER, "2.7.1", "cu128", "gone.zip", server.base().resolve("gone.zip"), 10, sha(zip)));
		ModelSetupException e = assertThrows(ModelSetupException.class, () -> new RuntimeInstaller(root, gone, Downloader.DiskSpace.REAL)
			.download(CLASSIFIER, downloader(), false, QUIET, CancellationToken.NEVER));
		assertTrue(e.getMessage().contains("404"), e.getMessage());
		ModelSetupException head = assertThrows(ModelSetupException.class, () -> new RuntimeInstaller(root,
			List.of(new LibtorchArchive(CLASSIFIER, "2.7.1", "cu128", "gone.zip", server.base().resolve("gone.zip"), 0, sha(zip))), Downloader.DiskSpace.REAL)
			.download(CLASSIFIER, downloader(), false, QUIET, CancellationToken.NEVER));
		assertTrue(head.getMessage().contains("404"), head.getMessage());

		// the whole file is already in the .part: the server answers the resume with 416, and the install goes on
		Path part = root.resolve("downloads").resolve(ZIP + ".part");
		Files.createDirectories(part.getParent());
		Files.write(part, zip);
		server.statuses.put(ZIP, new java.util.ArrayList<>(List.of(416)));
		installer(zip.length).download(CLASSIFIER, downloader(), false, QUIET, CancellationToken.NEVER);
		assertEquals(1, RuntimeSelection.installed(root, CLASSIFIER).size());
	}

	@Test
	void aFullDiskIsReportedBeforeAnythingIsFetched() {
		ModelSetupException e = assertThrows(ModelSetupException.class, () -> new RuntimeInstaller(root, known(zip.length), folder -> 1_000_000)
			.download(CLASSIFIER, downloader(), false, QUIET, CancellationToken.NEVER));
		assertTrue(e.getMessage().contains("GB free") && e.getMessage().contains(RuntimeInstaller.FOLDER_ENV), e.getMessage());
		assertTrue(server.requests.isEmpty(), "nothing fetched: " + server.requests);
	}

	@Test
	void cancellingWhileUnpackingLeavesNothingInstalled() throws Exception {
		Path z = tmp.resolve(ZIP);
		Files.write(z, zip);
		AtomicBoolean cancel = new AtomicBoolean();
		RuntimeInstaller.Listener l = new RuntimeInstaller.Listener() {
			@Override
			public void progress(sc.fiji.stylecrafter.download.ModelFile file, long done, long total, double bytesPerSecond, double secondsLeft) {}

			@Override
			public void step(String what, long done, long total) {
				if (what.equals("unpacking")) cancel.set(true);
			}
		};
		assertThrows(DownloadCancelledException.class, () -> installer(zip.length).from(z, CLASSIFIER, l, cancel::get));
		try (var s = Files.list(root)) {
			assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".stylecrafter-download") && !n.equals("stylecrafter-runtime.properties"))
				.toList());
		}
		// the same zip, offline and not cancelled: installed (its SHA-256 is a known one)
		installer(zip.length).from(z, CLASSIFIER, QUIET, CancellationToken.NEVER);
		assertEquals(1, RuntimeSelection.installed(root, CLASSIFIER).size());
	}

	@Test
	void unknownZipsAndEntriesOutsideTheFolderAreRefused() throws Exception {
		Path other = tmp.resolve("other.zip");
		Files.write(other, libtorchZip("2.7.1+cu128", Map.of("libtorch/lib/extra.so", new byte[] { 0x7f, 'E', 'L', 'F' })));
		ModelSetupException e = assertThrows(ModelSetupException.class, () -> installer(0).from(other, CLASSIFIER, QUIET, CancellationToken.NEVER));
		assertTrue(e.getMessage().contains("not an official libtorch zip") && e.getMessage().contains(ZIP), e.getMessage());

		byte[] evil = libtorchZip("2.7.1+cu128", Map.of("libtorch/lib/../../../evil.so", new byte[] { 0x7f, 'E', 'L', 'F' }));
		Path evilZip = tmp.resolve("evil.zip");
		Files.write(evilZip, evil);
		RuntimeInstaller trusting = new RuntimeInstaller(root, List.of(new LibtorchArchive(CLASSIFIER, "2.7.1", "cu128", "evil.zip", evilZip.toUri(), 0, sha(evil))),
			Downloader.DiskSpace.REAL);
		ModelSetupException slip = assertThrows(ModelSetupException.class, () -> trusting.from(evilZip, CLASSIFIER, QUIET, CancellationToken.NEVER));
		assertTrue(slip.getMessage().contains("outside the runtime folder"), slip.getMessage());
		assertFalse(Files.exists(tmp.resolve("evil.so")));

		byte[] v26 = libtorchZip("2.6.0+cu126", Map.of());
		Path v26Zip = tmp.resolve("v26.zip");
		Files.write(v26Zip, v26);
		RuntimeInstaller wrongVersion = new RuntimeInstaller(root, List.of(new LibtorchArchive(CLASSIFIER, "2.7.1", "cu128", "v26.zip", v26Zip.toUri(), 0, sha(v26))),
			Downloader.DiskSpace.REAL);
		ModelSetupException ver = assertThrows(ModelSetupException.class, () -> wrongVersion.from(v26Zip, CLASSIFIER, QUIET, CancellationToken.NEVER));
		assertTrue(ver.getMessage().contains("libtorch 2.6.0+cu126") && ver.getMessage().contains("needs libtorch 2.7.1"), ver.getMessage());
		assertTrue(RuntimeSelection.installed(root, CLASSIFIER).isEmpty());
	}

	@Test
	void aDamagedOrUnfinishedInstallIsNeverSelected() throws Exception {
		InstalledRuntime r = installer(zip.length).download(CLASSIFIER, downloader(), false, QUIET, CancellationToken.NEVER);
		Files.write(r.libDir().resolve("libc10.so"), new byte[] { 0x7f, 'E', 'L', 'F' });
		assertTrue(RuntimeSelection.installed(root, CLASSIFIER).isEmpty());
		List<String> problems = RuntimeSelection.problems(root, CLASSIFIER);
		assertTrue(problems.size() == 1 && problems.get(0).contains("lib/libc10.so has 4 bytes"), problems.toString());
		assertNull(RuntimeSelection.decide(root, () -> driver(13000, 9, 0), Optional.empty()).runtime());

		Files.delete(r.dir().resolve(InstalledRuntime.MANIFEST)); // as if the install had stopped before its last step
		assertTrue(RuntimeSelection.problems(root, CLASSIFIER).get(0).contains("an install did not finish"));
		assertEquals(List.of(r.dir().getFileName() + "/"), installer(0).remove().removed().stream().filter(n -> n.startsWith("libtorch-")).toList(),
			"the record names it as the installer's");
		assertFalse(Files.exists(r.dir()));
		assertFalse(Files.exists(root), "nothing else was in the folder");
	}

	@Test
	void aRuntimeThatDoesNotLoadIsNotMovedIntoPlace() throws Exception {
		loadProblem = "/x/libtorch.so: cannot open shared object file: test";
		Path z = tmp.resolve(ZIP);
		Files.write(z, zip);
		ModelSetupException e = assertThrows(ModelSetupException.class, () -> installer(zip.length).from(z, CLASSIFIER, QUIET, CancellationToken.NEVER));
		assertTrue(e.getMessage().contains("the libtorch from " + z.toAbsolutePath() + " does not load on this machine: " + loadProblem)
			&& e.getMessage().contains("that folder was removed") && e.getMessage().contains("Nothing was installed"), e.getMessage());
		assertFalse(Files.exists(checked.get(0).dir()), "the unfinished folder is gone");
		assertFalse(Files.exists(root.resolve(InstalledRuntime.folderName("2.7.1", "cu128", CLASSIFIER))));
		assertTrue(RuntimeSelection.installed(root, CLASSIFIER).isEmpty() && RuntimeSelection.problems(root, CLASSIFIER).isEmpty());
	}

	/** A build-version of 3 GB (sparse) in a folder, and one of 1 MB in a zip: refused with a sentence, not read whole. */
	@Test
	void aHugeBuildVersionIsRefusedWithoutReadingIt() throws Exception {
		Path home = tmp.resolve("big/libtorch");
		Files.createDirectories(home.resolve("lib"));
		Files.write(home.resolve("lib").resolve(System.mapLibraryName("torch")), fakeLibrary(new Random(1), 4096));
		try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(home.resolve("build-version").toFile(), "rw")) {
			f.setLength(3L << 30);
		}
		ModelSetupException e = assertThrows(ModelSetupException.class, () -> installer(0).from(home.getParent(), CLASSIFIER, QUIET, CancellationToken.NEVER));
		assertEquals(home.resolve("build-version") + " is 3.22 GB; a libtorch build-version is at most 4 KiB, so this is not one (a damaged file, or another "
			+ "file under that name). Replace or remove it", e.getMessage());
		assertTrue(checked.isEmpty());

		byte[] big = libtorchZip("2.7.1+cu128", Map.of("libtorch/build-version", new byte[1 << 20]));
		Path bigZip = tmp.resolve("big.zip");
		Files.write(bigZip, big);
		RuntimeInstaller trusting = new RuntimeInstaller(root, List.of(new LibtorchArchive(CLASSIFIER, "2.7.1", "cu128", "big.zip", bigZip.toUri(), 0, sha(big))),
			Downloader.DiskSpace.REAL, c -> null);
		ModelSetupException z = assertThrows(ModelSetupException.class, () -> trusting.from(bigZip, CLASSIFIER, QUIET, CancellationToken.NEVER));
		assertTrue(z.getMessage().startsWith(bigZip + " (libtorch/build-version) is larger than 4 KiB; a libtorch build-version is at most 4 KiB"), z.getMessage());
		assertTrue(RuntimeSelection.installed(root, CLASSIFIER).isEmpty());
	}
}
