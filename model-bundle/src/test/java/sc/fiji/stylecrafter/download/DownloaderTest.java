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
		assertTrue(messages.stream().anyMatch(m -> m.contains("ignored the request to resume at byte") && m.contains("restarted from the beginning")),
			messages.toString());
	}

	@Test
	void aServerWithoutRangeSupportIsNotSaidToResume() throws Exception {
		server.rangeSupported = false;
		server.dropAfter = 1 << 20;
		server.drops.set(10);
		Downloader d = new Downloader(Downloader.Options.defaults().withRetries(2, Duration.ofMillis(10)).withDisk(Downloader.DiskSpace.REAL, 0));
		ModelSetupException e = assertThrows(ModelSetupException.class, () -> ModelSetup.download(catalogue, folder, d, listener, CancellationToken.NEVER));
		assertTrue(e.getMessage().contains("failed 3 times") && e.getMessage().contains("ignores requests to resume, so the next attempt starts again "
			+ "from the beginning") && !e.getMessage().contains("resumes there"), e.getMessage());
		assertTrue(messages.get(messages.size() - 1).contains("starting again from the beginning (the server ignores requests to resume)"), messages.toString());
		// once the server is known to ignore ranges, it is not asked for one again
		assertEquals("model.ckpt", server.requests.get(server.requests.size() - 1), server.requests.toString());
	}

	@Test
	void aStalledConnectionTimesOutAndResumes() throws Exception {
		server.stallAfter.addAll(List.of(0L, 1L << 20)); // headers then nothing; then 1 MB then nothing
		Downloader d = new Downloader(Downloader.Options.defaults().withRetries(3, Duration.ofMillis(10)).withIdleTimeout(Duration.ofSeconds(1))
			.withDisk(Downloader.DiskSpace.REAL, 0));
		long t0 = System.nanoTime();
		ModelSetup.download(catalogue, folder, d, listener, CancellationToken.NEVER);
		assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "took " + (System.nanoTime() - t0) / 1e9 + " s");
		assertAllVerified();
		List<String> ckpt = server.requests.stream().filter(r -> r.startsWith("model.ckpt")).toList();
		assertEquals(3, ckpt.size(), ckpt.toString());
		assertEquals("model.ckpt", ckpt.get(1), "nothing arrived the first time: no range");
		long at = Long.parseLong(ckpt.get(2).substring("model.ckpt bytes=".length(), ckpt.get(2).length() - 1));
		assertTrue(at > 0 && at <= 1 << 20, ckpt.toString());
		assertTrue(messages.get(0).contains("no data arrived for 1 s at byte 0") && messages.get(0).contains("from the beginning (nothing was received yet)"),
			messages.toString());
		assertTrue(messages.get(1).contains("no data arrived for 1 s at byte " + at) && messages.get(1).contains("resuming at " + at + " bytes"),
			messages.toString());
	}

	@Test
	void retryAfterIsWaitedForAndTooLongAWaitFailsAtOnce() throws Exception {
		server.statuses.put("model.ckpt", new ArrayList<>(List.of(429)));
		server.retryAfter = "1";
		downloadAll();
		assertAllVerified();
		assertTrue(waitBetweenFirstTwo("model.ckpt") >= 1.0, "waited " + waitBetweenFirstTwo("model.ckpt") + " s");
		assertTrue(messages.stream().anyMatch(m -> m.contains("HTTP 429 (too many requests) and asked to wait 1 s (Retry-After); trying again in 1 s")),
			messages.toString());
		// an HTTP date two seconds ahead (whole seconds: at least one second of wait)
		Files.delete(folder.resolve("adapter_v1.pth"));
		server.statuses.put("adapter_v1.pth", new ArrayList<>(List.of(503)));
		server.retryAfter = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(2));
		server.requests.clear();
		server.times.clear();
		downloadAll();
		assertTrue(waitBetweenFirstTwo("adapter_v1.pth") >= 0.95, "waited " + waitBetweenFirstTwo("adapter_v1.pth") + " s");
		// an hour is longer than anyone waits: at once, with when to try again
		Files.delete(folder.resolve("adapter_v1.pth"));
		server.statuses.put("adapter_v1.pth", new ArrayList<>(List.of(429)));
		server.retryAfter = "3600";
		server.requests.clear();
		ModelSetupException e = assertThrows(ModelSetupException.class, this::downloadAll);
		assertTrue(e.getMessage().contains("asks to wait 3600 s") && e.getMessage().contains("run the download again in about 60 min")
			&& e.getMessage().contains("no partial file is kept"), e.getMessage());
		assertEquals(List.of("adapter_v1.pth"), server.requests);
	}

	private double waitBetweenFirstTwo(String name) {
		List<Integer> at = new ArrayList<>();
		for (int i = 0; i < server.requests.size(); i++) if (server.requests.get(i).startsWith(name)) at.add(i);
		return (server.times.get(at.get(1)) - server.times.get(at.get(0))) / 1e9;
	}

	@Test
	void anUnknownHostFailsAtOnceWithoutClaimingAPartialFile() throws Exception {
		Catalogue nowhere = Catalogue.at(java.net.URI.create("http://no-such-host.invalid/models/"), catalogue.files());
		Downloader d = new Downloader(Downloader.Options.defaults().withRetries(5, Duration.ofSeconds(5)).withDisk(Downloader.DiskSpace.REAL, 0));
		long t0 = System.nanoTime();
		ModelSetupException e = assertThrows(ModelSetupException.class, () -> ModelSetup.download(nowhere, folder, d, listener, CancellationToken.NEVER));
		System.out.printf(Locale.ROOT, "an unknown host failed in %.2f s%n", (System.nanoTime() - t0) / 1e9);
		assertTrue(e.getMessage().startsWith("model.ckpt: cannot find the server no-such-host.invalid") && e.getMessage().contains("does not resolve")
			&& e.getMessage().contains("no partial file is kept") && !e.getMessage().contains("bytes are kept"), e.getMessage());
		assertEquals(List.of(), messages.stream().filter(m -> m.contains("trying again")).toList());
		assertFalse(Files.exists(folder.resolve("model.ckpt.part")));
	}

	@Test
	void theTokenGoesToTheMirrorButNotAcrossARedirectToAnotherHost() throws Exception {
		try (ModelServer.Golden other = ModelServer.golden(Fixtures.goldenFolder())) {
			server.redirectTo = other.server().base(); // 127.0.0.1, while the first is asked as localhost
			Catalogue viaLocalhost = Catalogue.at(server.base("localhost"), catalogue.files());
			Downloader.Options o = Downloader.Options.defaults().withRetries(0, Duration.ZERO).withDisk(Downloader.DiskSpace.REAL, 0).withToken("hf_secret");
			// localhost is not Hugging Face: without being named the endpoint it gets no token
			ModelSetup.download(viaLocalhost, folder, new Downloader(o.withEndpoint(null)), listener, CancellationToken.NEVER);
			assertAllVerified();
			assertTrue(server.authorizations.stream().allMatch(a -> a.endsWith("-> none")), server.authorizations.toString());
			// named as the endpoint (a mirror) it gets the token, and the host it redirects to does not
			Path second = tmp.resolve("second");
			ModelSetup.acceptLicences(second, catalogue);
			server.authorizations.clear();
			other.server().authorizations.clear();
			ModelSetup.download(viaLocalhost, second, new Downloader(o.withEndpoint(server.root("localhost"))), listener, CancellationToken.NEVER);
			assertEquals(5, server.authorizations.size(), server.authorizations.toString());
			assertTrue(server.authorizations.stream().allMatch(a -> a.endsWith("-> Bearer hf_secret")), server.authorizations.toString());
			assertEquals(5, other.server().authorizations.size(), other.server().authorizations.toString());
			assertTrue(other.server().authorizations.stream().allMatch(a -> a.endsWith("-> none")), other.server().authorizations.toString());
			for (ModelSetup.FileStatus s : ModelSetup.status(catalogue, second)) assertEquals(ModelSetup.State.VERIFIED, s.state(), s.toString());
		}
	}

	@Test
	void theTokenScopeIsHuggingFaceAndTheChosenEndpointOnly() {
		TokenScope hf = new TokenScope(null);
		assertTrue(hf.allows(java.net.URI.create("https://huggingface.co/org/repo/resolve/main/x")));
		assertTrue(hf.allows(java.net.URI.create("https://cdn-lfs.huggingface.co/x")));
		for (String no : List.of("http://huggingface.co/x", "https://evilhuggingface.co/x", "https://huggingface.co.evil.example/x",
			"https://raw.githubusercontent.com/mlfoundations/open_clip/v2.24.0/x", "https://download.pytorch.org/libtorch/cu128/x.zip")) {
			assertFalse(hf.allows(java.net.URI.create(no)), no);
		}
		TokenScope mirror = new TokenScope(java.net.URI.create("http://mirror.lab:8080"));
		assertTrue(mirror.allows(java.net.URI.create("http://mirror.lab:8080/org/repo/resolve/main/x")));
		assertFalse(mirror.allows(java.net.URI.create("http://mirror.lab:8081/x")));
		assertFalse(mirror.allows(java.net.URI.create("https://mirror.lab:8080/x")));
		assertTrue(mirror.allows(java.net.URI.create("https://huggingface.co/x")));
	}

	@Test
	void retryAfterIsReadInSecondsOrAsADate() {
		java.time.ZonedDateTime now = java.time.ZonedDateTime.of(2025, 1, 2, 3, 4, 5, 0, java.time.ZoneOffset.UTC);
		assertEquals(Duration.ofSeconds(120), RetryAfter.parse("120", now));
		assertEquals(Duration.ofSeconds(30), RetryAfter.parse("Thu, 02 Jan 2025 03:04:35 GMT", now));
		assertEquals(Duration.ZERO, RetryAfter.parse("Thu, 02 Jan 2025 03:00:00 GMT", now));
		assertEquals(null, RetryAfter.parse("soon", now));
		assertEquals(null, RetryAfter.parse(null, now));
	}

	@Test
	void filesAreCopiedFromAFolderOfDownloadedFilesAndChecked() throws Exception {
		ModelSetup.download(catalogue, folder, downloader(), Fixtures.goldenFolder(), listener, CancellationToken.NEVER);
		assertAllVerified();
		assertEquals(List.of(), server.requests, "nothing downloaded");
		assertEquals(5, messages.stream().filter(m -> m.contains("copied from") && m.contains("verified")).count(), messages.toString());
		// a damaged copy is refused, and a folder lacking files says which
		Path src = tmp.resolve("elsewhere");
		Files.createDirectories(src);
		byte[] b = Files.readAllBytes(Fixtures.goldenFolder().resolve("adapter_v1.pth"));
		b[1000] ^= 1;
		Files.write(src.resolve("adapter_v1.pth"), b);
		Path other = tmp.resolve("other");
		ModelSetup.acceptLicences(other, catalogue);
		ModelSetupException e = assertThrows(ModelSetupException.class, () -> ModelSetup.download(catalogue, other, downloader(), src, listener,
			CancellationToken.NEVER));
		assertTrue(e.getMessage().contains(src.resolve("adapter_v1.pth") + " has SHA-256") && e.getMessage().contains("it was not copied"), e.getMessage());
		assertFalse(Files.exists(other.resolve("adapter_v1.pth")));
		Files.delete(src.resolve("adapter_v1.pth"));
		e = assertThrows(ModelSetupException.class, () -> ModelSetup.download(catalogue, other, downloader(), src, listener, CancellationToken.NEVER));
		assertTrue(e.getMessage().contains(src + " lacks model.ckpt, adapter_v1.pth, temporal_v1_1.pth, open_clip_pytorch_model.bin, "
			+ "bpe_simple_vocab_16e6.txt.gz"), e.getMessage());
		assertEquals(List.of(), server.requests, "nothing downloaded");
	}

	@Test
	void oneBadCopyIsKeptPerFileAndTheSpaceCheckNamesThem() throws Exception {
		Files.createDirectories(folder);
		Path old = folder.resolve("adapter_v1.pth.corrupt-20000101-000000");
		Files.write(old, new byte[3 << 20]);
		server.corruptFile = "adapter_v1.pth";
		server.corruptAt = 1000;
		ModelSetupException e = assertThrows(ModelSetupException.class, this::downloadAll);
		assertTrue(e.getMessage().contains("the older adapter_v1.pth.corrupt-20000101-000000 was deleted, as one bad copy is kept per file"), e.getMessage());
		assertFalse(Files.exists(old));
		List<Path> kept;
		try (Stream<Path> files = Files.list(folder)) {
			kept = files.filter(p -> p.getFileName().toString().contains(".corrupt-")).toList();
		}
		assertEquals(1, kept.size(), kept.toString());
		Downloader small = new Downloader(Downloader.Options.defaults().withRetries(0, Duration.ZERO).withDisk(f -> 0, 0));
		server.requests.clear();
		e = assertThrows(ModelSetupException.class, () -> ModelSetup.download(catalogue, folder, small, listener, CancellationToken.NEVER));
		assertTrue(e.getMessage().contains("GB free") && e.getMessage().contains("taken by copies that failed their check and were kept aside ("
			+ kept.get(0).getFileName() + ")"), e.getMessage());
		assertEquals(List.of(), server.requests);
	}

	@Test
	void aLockFileThatCannotBeMadeSaysWhy() throws Exception {
		Files.createDirectories(folder.resolve(Downloader.LOCK_FILE)); // a folder in its place
		ModelSetupException e = assertThrows(ModelSetupException.class, this::downloadAll);
		assertTrue(e.getMessage().startsWith("cannot create the lock file " + folder.resolve(Downloader.LOCK_FILE) + " that keeps two downloads")
			&& e.getMessage().contains("Is a directory"), e.getMessage());
		Path file = tmp.resolve("afile");
		Files.writeString(file, "not a folder");
		e = assertThrows(ModelSetupException.class, () -> ModelSetup.download(catalogue, file, downloader(), listener, CancellationToken.NEVER));
		assertTrue(e.getMessage().equals(file + " is a file, not a folder; give a folder for the model files (it is created if missing)"), e.getMessage());
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
		assertTrue(e.getMessage().contains("failed 3 times") && e.getMessage().contains("cannot reach") && e.getMessage().contains("proxy")
			&& e.getMessage().contains("no partial file is kept"), e.getMessage());
		assertEquals(2, messages.stream().filter(m -> m.contains("trying again")).count(), messages.toString());
	}
}
