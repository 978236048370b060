package sc.fiji.stylecrafter.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verdicts kept between processes: read back for the same machine only, the file treated as data. */
class RouteVerdictCacheTest {

	@TempDir
	Path dir;

	private static RouteChecks.Verdict verdict(Route r, String shape, double error, double routeSeconds, double referenceSeconds) {
		return new RouteChecks.Verdict(r, shape, 2, "cpu()", error, r.tolerance(ai.djl.ndarray.types.DataType.FLOAT32), routeSeconds, referenceSeconds, 0.5, null);
	}

	@Test
	void aStoredVerdictComesBackForTheSameMachineOnly() throws IOException {
		Path file = dir.resolve("sub/route-verdicts.tsv");
		RouteVerdictCache here = new RouteVerdictCache(file, "machine-a"), other = new RouteVerdictCache(file, "machine-b");
		here.store(verdict(Route.LINEAR_CONVOLUTION, "[4096, 320] -> 2560, float32", 3e-7, 0.01, 0.02));
		here.store(verdict(Route.NATIVE_GROUP_NORM, "(1, 512, 64, 64), 32 groups, float32", 2e-7, 0.03, 0.01)); // right, slower
		other.store(verdict(Route.FUSED_ATTENTION, "q (1, 5, 4096, 64)", 0.3, 0.01, 0.02)); // wrong there
		List<RouteChecks.Verdict> back = here.load();
		assertEquals(2, back.size(), back.toString());
		assertEquals("[4096, 320] -> 2560, float32", back.get(0).shape());
		assertTrue(back.get(0).accepted());
		assertTrue(back.get(1).right() && !back.get(1).faster() && !back.get(1).accepted());
		assertEquals(0, back.get(0).checkSeconds(), "a verdict read back cost no check");
		List<RouteChecks.Verdict> theirs = other.load();
		assertEquals(1, theirs.size());
		assertFalse(theirs.get(0).right());
	}

	@Test
	void theStoredSummarySaysWhichCandidateWasTaken() {
		RouteVerdictCache cache = new RouteVerdictCache(dir.resolve("route-verdicts.tsv"), "m");
		String wide = "[4096, 320] -> 2560, float32", narrow = "[300, 320] -> 336, float32";
		cache.store(verdict(Route.PACKED_LINEAR, wide, 2e-7, 0.01, 0.04)); // right, the faster candidate
		cache.store(verdict(Route.LINEAR_CONVOLUTION, wide, 3e-7, 0.02, 0.04)); // right, faster than the reference, not taken
		cache.store(verdict(Route.PACKED_LINEAR, narrow, 0.13, 0.001, 0.002)); // wrong
		cache.store(verdict(Route.LINEAR_CONVOLUTION, narrow, 2e-7, 0.003, 0.002)); // right, slower
		List<String> lines = RouteChecks.storedSummary(cache, 2);
		assertEquals(List.of("packed-linear: used at 1 shape(s) (0.25x the time of the matrix product there), wrong at 1 (largest error 0.130: the matrix product ran there)",
			"linear-convolution: used at 0 shape(s), right but another route was faster at 1, slower than the matrix product at 1"), lines);
		assertTrue(RouteChecks.storedSummary(cache, 1).isEmpty(), "verdicts of another thread count");
	}

	@Test
	void malformedLinesAreSkippedAndAnOversizedFileIsNotRead() throws IOException {
		Path file = dir.resolve("route-verdicts.tsv");
		RouteVerdictCache cache = new RouteVerdictCache(file, "m");
		Files.writeString(file, "m\tno-such-route\t2\tcpu()\ts\t0\t1e-05\t0\t0\t-\nm\tlinear-convolution\ttwo\tcpu()\ts\t0\t1e-05\t0\t0\t-\ngarbage\n");
		cache.store(verdict(Route.LINEAR_CONVOLUTION, "s", 1e-7, 1, 2));
		assertEquals(1, cache.load().size());
		try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
			f.setLength(RouteVerdictCache.MAX_BYTES + 1); // sparse
		}
		assertTrue(cache.load().isEmpty(), "an oversized cache file was read");
	}

	@Test
	void theMachineIdentityIsStableWithinAProcess() {
		String a = RouteVerdictCache.machineIdentity();
		assertEquals(a, RouteVerdictCache.machineIdentity());
		// the routes' code is part of it: a verdict on other code is never read back (issue 29's 0.286 came back so once)
		String code = RouteVerdictCache.routeCode();
		for (String op : new String[] { "_reorder_linear_weight", "_linear_pointwise", "_reorder_convolution_weight", "_convolution_pointwise",
			"scaled_dot_product_attention", "group_norm", "torch.conv2d", "torch.linear" }) {
			assertTrue(code.contains(op), op + " is not in the routes' code: " + code);
		}
		assertEquals(24, a.length());
	}
}
