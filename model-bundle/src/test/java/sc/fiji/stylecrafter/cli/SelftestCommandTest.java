package sc.fiji.stylecrafter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.nn.RouteChecks;

/** {@code stylecrafter selftest}: the table on standard output, exit 0; bad arguments exit 2 naming the value. */
class SelftestCommandTest {

	@Test
	void printsTheHostAndATableOfTheRoutesAndExitsZero() {
		RouteChecks.forget();
		Cli.Result r = Cli.run("selftest", "--models", Fixtures.goldenFolder().toString(), "--threads", "1", "--dtype", "float32");
		System.out.println(r.out());
		assertEquals(0, r.code(), r.err());
		assertTrue(r.out().startsWith("host: "), r.out());
		assertTrue(r.out().contains(" 1 libtorch threads"), r.out());
		assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fused-attention ") && l.contains("float32")), r.out());
		assertTrue(r.out().contains("shapes checked in"), r.out());
	}

	@Test
	void badArgumentsExitTwoNamingTheValue() {
		Cli.Result r = Cli.run("selftest", "--threads", "0");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--threads 0 is out of range"), r.err());
		r = Cli.run("selftest", "--dtype", "int8");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--dtype 'int8' is not known; allowed: all, float32, bfloat16, float16"), r.err());
	}
}
