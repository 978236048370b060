package sc.fiji.stylecrafter.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.model.Catalogue;
import sc.fiji.stylecrafter.setup.ModelSetup;

/**
 * Downloads from a real HTTP server on the loopback that serves the tiny golden files under their real names, with
 * their sizes and SHA-256 as the catalogue: every case ends in a usable folder or a clear error, and no partial file is
 * ever presented as complete.
 */
class DownloaderTest {

	@TempDir
	Path tmp;

	ModelServer server;
	Catalogue catalogue;
	Path folder;
	final List<String> messages = new CopyOnWriteArrayList<>();
	final Downloader.Listener listener = new Downloader.Listener() {

		@Override
		public void progress(ModelFile file, long done, long total, double bytesPerSecond, double secondsLeft) {}

		@Override
		public void message(String text) {
			messages.add(text);
		}
	};

	@BeforeEach
	void serve() throws IOException {
		ModelServer.Golden g = ModelServer.golden(Fixtures.goldenFolder());
		server = g.server();
		catalogue = g.catalogue();
		folder = tmp.resolve("models");
		ModelSetup.acceptLicences(folder, catalogue);
	}

	@AfterEach
	void stop() {
		if (server != null) server.close(); // null when the golden folder is not given and the test was skipped
	}

	private Downloader downloader() {
		return new Downloader(Downloader.Options.defaults().withRetries(3, Duration.ofMillis(10)).withDisk(Downloader.DiskSpace.REAL, 0));
	}

	private void downloadAll() throws Exception {
		ModelSetup.download(catalogue, folder, downloader(), listener, CancellationToken.NEVER);
	}

	private void assertAllVerified() throws IOException {
		for (ModelSetup.FileStatus s : ModelSetup.status(catalogue, folder)) assertEquals(ModelSetup.State.VERIFIED, s.state(), s.toString());
		try (Stream<Path> files = Files.list(folder)) {
			assertTrue(files.noneMatch(p -> p.toString().endsWith(".part")), "a .part file is left");
		}
	}

	@Test
	void aFullDownloadGivesAVerifiedFolder() throws Exception {
		long t0 = System.nanoTime();
		downloadAll();
		double s = (System.nanoTime() - t0) / 1e9;
		assertAllVerified();
		long total = catalogue.totalBytes();
		assertEquals(total, catalogue.files().stream().mapToLong(f -> server.sent(f.name())).sum(), "every byte fetched once");
		System.out.printf(Locale.ROOT, "download from the loopback server: %.1f MB in %.2f s = %.0f MB/s%n", total / 1e6, s, total / 1e6 / s);
		// a second run fetches nothing: every file is remembered as verified
		server.requests.clear();
		downloadAll();
		assertEquals(List.of(), server.requests);
		assertEquals(5, messages.stream().filter(m -> m.contains("already here and verified")).count());
	}

	@Test
	void aDroppedConnectionResumesWhereItStopped() throws Exception {
		server.dropAfter = 5 << 20;
		server.drops.set(1);
		downloadAll();
		assertAllVerified();
		long size = catalogue.file("model.ckpt").orElseThrow().bytes();
		// the client resumes at what it received: the 5 MB the server wrote, less what the dropped connection lost in flight
		String resume = server.requests.stream().filter(r -> r.startsWith("model.ckpt bytes=")).findFirst().orElseThrow(() -> new AssertionError(
			"no resume request: " + server.requests));
		long at = Long.parseLong(resume.substring("model.ckpt bytes=".length(), resume.length() - 1));
		assertTrue(at > 0 && at <= (5 << 20), resume);
		assertEquals((5 << 20) + size - at, server.sent("model.ckpt"), "the second request fetched only the rest");
		assertTrue(messages.stream().anyMatch(m -> m.contains("trying again") && m.contains("resuming at " + at)), messages.toString());
	}

	@Test
	void aServerWithoutRangeSupportStartsOver() throws Exception {
		server.rangeSupported = false;
		server.dropAfter = 5 << 20;
		server.drops.set(1);
		downloadAll();
		assertAllVerified();
		long size = catalogue.file("model.ckpt").orElseThrow().bytes();
		assertEquals(size + (5 << 20), server.sent("model.ckpt"), "the whole file again after the first 5 MB");
		assertTrue(messages.stream().anyMatch(m -> m.contains("does not resume downloads")), messages.toString());
	}

	@Test
	void aCorruptedByteIsCaughtAndTheFileKeptAside() throws Exception {
		server.corruptFile = "adapter_v1.pth";
		server.corruptAt = 1000;
		ModelSetupException e = assertThrows(ModelSetupException.class, this::downloadAll);
		assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains("kept as"), e.getMessage());
		assertFalse(Files.exists(folder.resolve("adapter_v1.pth")), "a corrupt file is never presented under its name");
		try (Stream<Path> files = Files.list(folder)) {
			assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("adapter_v1.pth.corrupt-")).count());
		}
		server.corruptFile = null; // the next run gets a good copy
		downloadAll();
		assertAllVerified();
	}

	@Test
	void missingAndForbiddenFilesSayWhatToDo() throws Exception {
		server.statuses.put("model.ckpt", new ArrayList<>(List.of(404)));
		ModelSetupException e = assertThrows(ModelSetupException.class, this::downloadAll);
		assertTrue(e.getMessage().contains("HTTP 404") && e.getMessage().contains("place the file by hand"), e.getMessage());
		assertEquals(1, server.requests.stream().filter(r -> r.startsWith("model.ckpt")).count(), "a 404 is not retried");
		server.statuses.put("model.ckpt", new ArrayList<>(List.of(403)));
		e = assertThrows(ModelSetupException.class, this::downloadAll);
		assertTrue(e.getMessage().contains("HTTP 403") && e.getMessage().contains("HF_TOKEN"), e.getMessage());
		assertFalse(Files.exists(folder.resolve("model.ckpt")));
	}

	@Test
	void serverErrorsAreRetried() throws Exception {
		server.statuses.put("temporal_v1_1.pth", new ArrayList<>(List.of(503, 502)));
		downloadAll();
		assertAllVerified();
		assertEquals(2, messages.stream().filter(m -> m.contains("HTTP 50")).count(), messages.toString());
	}

	@Test
	void cancelKeepsWhatWasFetchedForTheNextRun() throws Exception {
		server.bytesPerSecond = 20 << 20;
		AtomicBoolean cancel = new AtomicBoolean();
		Downloader.Listener stopper = new Downloader.Listener() {

			@Override
			public void progress(ModelFile file, long done, long total, double bytesPerSecond, double secondsLeft) {
				if (file.name().equals("model.ckpt") && done > (3 << 20)) cancel.set(true);
			}
		};
		long t0 = System.nanoTime();
		assertThrows(DownloadCancelledException.class, () -> ModelSetup.download(catalogue, folder, downloader(), stopper, cancel::get));
		assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
		long kept = Files.size(folder.resolve("model.ckpt.part"));
		assertTrue(kept > (3 << 20), "kept " + kept);
		assertFalse(Files.exists(folder.resolve("model.ckpt")));
		assertEquals(ModelSetup.State.PARTIAL, ModelSetup.status(catalogue, folder).get(0).state());
		server.bytesPerSecond = 0;
		downloadAll();
		assertAllVerified();
		assertTrue(server.requests.contains("model.ckpt bytes=" + kept + "-"), server.requests.toString());
	}

	@Test
	void twoDownloadsIntoOneFolderDoNotMix() throws Exception {
		server.bytesPerSecond = 40 << 20;
		CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
			try {
				downloadAll();
			}
			catch (Exception e) {
				throw new RuntimeException(e);
			}
		});
		while (!Files.exists(folder.resolve("model.ckpt.part")) && !first.isDone()) Thread.sleep(10);
		ModelSetupException e = assertThrows(ModelSetupException.class, this::downloadAll);
		assertTrue(e.getMessage().contains("another download"), e.getMessage());
		first.get();
		assertAllVerified();
	}

	@Test
	void aFullDiskIsReportedBeforeAnythingIsFetched() throws Exception {
		Downloader small = new Downloader(Downloader.Options.defaults().withRetries(0, Duration.ZERO).withDisk(f -> 1_000_000, 0));
		ModelSetupException e = assertThrows(ModelSetupException.class, () -> ModelSetup.download(catalogue, folder, small, listener, CancellationToken.NEVER));
		assertTrue(e.getMessage().contains("needs") && e.getMessage().contains("GB free"), e.getMessage());
		assertEquals(List.of(), server.requests);
	}

	@Test
	void theLicenceTermsMustBeAcceptedFirst() throws Exception {
		Files.delete(folder.resolve(ModelSetup.LICENCES_FILE));
		ModelSetupException e = assertThrows(ModelSetupException.class, this::downloadAll);
		assertTrue(e.getMessage().contains("non-commercial") && e.getMessage().contains("MIT"), e.getMessage());
		assertEquals(List.of(), server.requests);
	}

	@Test
	void verifiedFilesAreRememberedUntilTheyChange() throws Exception {
		downloadAll();
		Path ckpt = folder.resolve("model.ckpt");
		Files.setLastModifiedTime(ckpt, FileTime.fromMillis(Files.getLastModifiedTime(ckpt).toMillis() + 5000));
		assertEquals(ModelSetup.State.PRESENT, ModelSetup.status(catalogue, folder).get(0).state(), "a touched file is checked again");
		assertEquals(ModelSetup.State.VERIFIED, ModelSetup.verify(catalogue, folder, null, CancellationToken.NEVER).get(0).state());
		byte[] b = Files.readAllBytes(ckpt);
		b[b.length / 2] ^= 1;
		Files.write(ckpt, b);
		ModelSetup.FileStatus s = ModelSetup.verify(catalogue, folder, null, CancellationToken.NEVER).get(0);
		assertEquals(ModelSetup.State.CORRUPT, s.state(), s.toString());
		downloadAll(); // replaces it, keeping the bad one aside
		assertAllVerified();
	}

	@Test
	void noNetworkIsRetriedThenExplained() throws Exception {
		int closed;
		try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			closed = s.getLocalPort();
		}
		Catalogue nowhere = Catalogue.at(java.net.URI.create("http://127.0.0.1:" + closed + "/models/"), catalogue.files());
		Downloader d = new Downloader(Downloader.Options.defaults().withRetries(2, Duration.ofMillis(10)).withDisk(Downloader.DiskSpace.REAL, 0));
		ModelSetupException e = assertThrows(ModelSetupException.class, () -> ModelSetup.download(nowhere, folder, d, listener, CancellationToken.NEVER));
		assertTrue(e.getMessage().contains("failed 3 times") && e.getMessage().contains("cannot reach") && e.getMessage().contains("proxy"), e.getMessage());
		assertEquals(2, messages.stream().filter(m -> m.contains("trying again")).count(), messages.toString());
	}
}
