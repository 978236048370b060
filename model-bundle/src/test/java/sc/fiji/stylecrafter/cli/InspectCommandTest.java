package sc.fiji.stylecrafter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.io.Fixtures;

class InspectCommandTest {


	@Test
	void printsKeyDtypeShapeAndTotal() {
		Cli.Result r = Cli.run("inspect", Fixtures.fixture("nested.pt").toString());
		assertEquals(0, r.code());
		assertEquals("a.b.0\tfloat32\t2\na.b.1\tfloat32\t1x2\na.c.0\tfloat32\t2x2\ntotal\t3\t8\n", r.out());
	}

	@Test
	void scalarHasEmptyShapeAndPrefixFilters() {
		Cli.Result r = Cli.run("inspect", "--prefix", "scalar", Fixtures.fixture("basic.pt").toString());
		assertEquals("scalar\tfloat32\t\ntotal\t1\t1\n", r.out());
		Cli.Result l = Cli.run("inspect", "--prefix", "state_dict", Fixtures.fixture("lightning.ckpt").toString());
		assertEquals("state_dict.model.b\tfloat16\t4\nstate_dict.model.w\tfloat32\t4x3\ntotal\t2\t16\n", l.out());
	}

	@Test
	void unreadableFilesExitNonZeroWithOneLine() {
		Cli.Result missing = Cli.run("inspect", "/no/such/file.ckpt");
		assertEquals(1, missing.code());
		assertEquals(1, missing.err().lines().count());
		assertTrue(missing.err().contains("no such file"));
		Cli.Result evil = Cli.run("inspect", Fixtures.fixture("evil_os_system.pt").toString());
		assertEquals(1, evil.code());
		assertEquals(1, evil.err().lines().count(), evil.err());
		assertEquals("", evil.out());
		assertEquals(2, Cli.run("inspect").code());
		assertEquals(2, Cli.run("inspect", "--bogus", "x").code());
		assertEquals(2, Cli.run("frobnicate").code());
	}

	/**
	 * Every weight file of the golden folder lists exactly as PyTorch lists it. The PyTorch listings are committed in
	 * src/test/resources/listings under the SHA-256 of the file they describe (made by src/test/python/torch_listing.py).
	 */
	@Test
	void goldenFilesListExactlyAsPyTorch() throws IOException, NoSuchAlgorithmException {
		Path golden = Fixtures.goldenFolder();
		int compared = 0;
		try (DirectoryStream<Path> files = Files.newDirectoryStream(golden, "*.{ckpt,pth,bin,pt,safetensors}")) {
			for (Path f : files) {
				String sha = sha256(f);
				var listing = InspectCommandTest.class.getResource("/listings/" + sha + ".tsv");
				if (listing == null) continue;
				String want;
				try (var in = listing.openStream()) {
					want = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceFirst("^#[^\n]*\n", "");
				}
				Cli.Result r = Cli.run("inspect", f.toString());
				assertEquals(0, r.code(), r.err());
				assertEquals(want, r.out(), f.toString());
				compared++;
			}
		}
		Assumptions.assumeTrue(compared > 0, "no PyTorch listing recorded for the files of " + golden);
	}

	private static String sha256(Path f) throws IOException, NoSuchAlgorithmException {
		MessageDigest md = MessageDigest.getInstance("SHA-256");
		try (var in = Files.newInputStream(f)) {
			byte[] buf = new byte[1 << 16];
			for (int n; (n = in.read(buf)) > 0;) md.update(buf, 0, n);
		}
		return HexFormat.of().formatHex(md.digest());
	}
}
