package sc.fiji.stylecrafter.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.testing.Compare;
import sc.fiji.stylecrafter.testing.RandomWeights;

/**
 * The checks that stand between a layer and a faster route ({@link RouteChecks}): a route made wrong on purpose is
 * rejected at its first shape, reported once, and the layer's output stays the reference's; a route's verdict belongs
 * to one thread count; checks draw nothing from libtorch's generator; a traced pass lists its routes without
 * computing. Whatever this host's kernels do, every layer's output must equal its reference.
 */
class RouteChecksTest {

	@AfterEach
	void forget() {
		RouteChecks.forget();
	}

	/** Breaks {@code route}, runs the layer twice and checks it stayed right, was rejected there and was reported once. */
	private static void brokenRouteIsRejected(Route route, Supplier<NDArray> layer, NDArray reference, double tolerance) throws Exception {
		try (AutoCloseable broken = RouteChecks.breakOnPurpose(route)) {
			for (int call = 0; call < 2; call++) {
				double err = rel(reference, layer.get());
				assertTrue(err < tolerance, route.id() + " broken on purpose, call " + call + ": the layer's output is " + err + " from the reference");
			}
			List<RouteChecks.Verdict> verdicts = RouteChecks.verdicts().stream().filter(v -> v.route() == route).toList();
			assertEquals(1, verdicts.size(), "one check per shape: " + verdicts);
			RouteChecks.Verdict v = verdicts.get(0);
			assertFalse(v.accepted(), "a route 10% off was accepted: " + v);
			assertTrue(v.error() > 0.05, "error of a route made 10% off: " + v.error()); // more where this host's kernel is wrong too
			// another candidate of the same layer may be wrong on this host too (packed oneDNN at 336 outputs on a Zen 5): its own report
			List<String> reports = RouteChecks.takeReports().stream().filter(r -> r.startsWith(route.label() + " ")).toList();
			assertEquals(1, reports.size(), "reported once: " + reports);
			assertTrue(reports.get(0).startsWith(route.label() + " computed " + v.shape() + " wrong on this machine"), reports.get(0));
			assertTrue(reports.get(0).contains(route.instead()), reports.get(0));
			layer.get();
			assertTrue(RouteChecks.takeReports().stream().noneMatch(r -> r.startsWith(route.label() + " ")), "reported again");
		}
	}

	@Test
	void aLinearLayerWhoseConvolutionRouteIsWrongComputesTheMatrixProduct() throws Exception {
		assumeTrue(Route.LINEAR_CONVOLUTION.on(), Route.LINEAR_CONVOLUTION.whyOff());
		try (NDManager m = NDManager.newBaseManager()) {
			NDArray w = RouteChecks.random(m, 1, 336, 320).div(18f), b = RouteChecks.random(m, 2, 336);
			NDArray x = RouteChecks.random(m, 3, 2, 150, 320);
			Linear layer = new Linear(w.duplicate(), b);
			NDArray reference = Linear.plain(x, w, b);
			brokenRouteIsRejected(Route.LINEAR_CONVOLUTION, () -> layer.forward(x), reference, 1e-6);
			// not broken: taken or not, by this host's verdict, the output is the reference's to float rounding
			assertTrue(rel(reference, layer.forward(x)) < 1e-5);
			assertTrue(RouteChecks.verdict(Route.LINEAR_CONVOLUTION, Linear.shape(300, 320, 336, true, "float32"), x.getDevice()).isPresent());
		}
	}

	@Test
	void packedLayersWhoseRouteIsWrongComputeWithThePlainOperators(@TempDir Path dir) throws Exception {
		assumeTrue(Route.PACKED_LINEAR.on() && PackedWeights.FLOAT32.problem == null, PackedWeights.FLOAT32.problem);
		Path file = new RandomWeights().add("conv.weight", 64, 32, 3, 3).add("conv.bias", 64).write(dir.resolve("w.safetensors"), 7, 0.2f);
		try (Checkpoint ckpt = Checkpoints.open(file); NDManager m = NDManager.newBaseManager()) {
			NDArray w = RouteChecks.random(m, 1, 320, 320).div(18f), b = RouteChecks.random(m, 2, 320);
			NDArray x = RouteChecks.random(m, 3, 2, 150, 320);
			Linear layer = new Linear(w.duplicate(), b); // the layer closes its copy of the weight once packed
			brokenRouteIsRejected(Route.PACKED_LINEAR, () -> layer.forward(x), Linear.plain(x, w, b), 1e-5);
			Weights f = Weights.of(ckpt.tensors(), m, ai.djl.ndarray.types.DataType.FLOAT32, "test");
			Conv2d conv = new Conv2d(f.sub("conv"), 32, 64, 3, 1, 1);
			NDArray image = RouteChecks.random(m, 6, 2, 32, 20, 12);
			NDArray reference = Conv2d.plain(image, f.get("conv.weight"), f.get("conv.bias"), 1, 1);
			brokenRouteIsRejected(Route.PACKED_CONVOLUTION, () -> conv.forward(image), reference, 1e-5);
			// not broken: packed where this host computes it right, the plain operator elsewhere
			assertTrue(rel(reference, conv.forward(image)) < 1e-5);
			assertTrue(rel(reference, conv.forward(image)) < 1e-5, "a second call, with the weight packed");
			assertTrue(rel(Linear.plain(x, w, b), layer.forward(x)) < 1e-5);
			assertTrue(rel(Linear.plain(x, w, b), layer.forward(x)) < 1e-5, "a second call, with the weight packed");
		}
	}

	@Test
	void attentionWhoseFusedRouteIsWrongComputesTheThreeOperators() throws Exception {
		assumeTrue(Attention.path().startsWith("fused"), Attention.path());
		try (NDManager m = NDManager.newBaseManager()) {
			NDArray q = RouteChecks.random(m, 1, 2, 3, 40, 16), k = RouteChecks.random(m, 2, 2, 3, 24, 16), v = RouteChecks.random(m, 3, 2, 3, 24, 16);
			NDArray reference = Attention.manual(q, k, v, 0.25f, null, Long.MAX_VALUE);
			brokenRouteIsRejected(Route.FUSED_ATTENTION, () -> Attention.scaledDotProduct(q, k, v, 0.25f, null), reference, 1e-6);
		}
	}

	@Test
	void bfloat16LayersWhoseRouteIsWrongComputeInFloat32(@TempDir Path dir) throws Exception {
		assumeTrue(Bfloat16.problem() == null, Bfloat16.problem());
		Path file = new RandomWeights().add("lin.weight", 64, 48).add("lin.bias", 64).add("conv.weight", 8, 16, 3, 3).add("conv.bias", 8)
			.write(dir.resolve("w.safetensors"), 7, 0.2f);
		try (Checkpoint c = Checkpoints.open(file); NDManager m = NDManager.newBaseManager()) {
			Weights w = Weights.of(c.tensors(), m, ai.djl.ndarray.types.DataType.FLOAT32, Kernels.BFLOAT16, "test");
			Linear linear = new Linear(w.sub("lin"), 48, 64, true);
			Conv2d conv = new Conv2d(w.sub("conv"), 16, 8, 3, 1, 1);
			// the reference of a layer without its bfloat16 route: float32 with the weights rounded to bfloat16
			Weights f = Weights.of(c.tensors(), m, ai.djl.ndarray.types.DataType.FLOAT32, "test");
			NDArray x = RouteChecks.random(m, 4, 300, 48), image = RouteChecks.random(m, 5, 2, 16, 12, 10);
			NDArray linearReference = Linear.plain(x, rounded(f.get("lin.weight")), rounded(f.get("lin.bias")));
			NDArray convReference = Conv2d.plain(image, rounded(f.get("conv.weight")), rounded(f.get("conv.bias")), 1, 1);
			// each bfloat16 layer has two candidates: with the other one broken too, only the float32 reference is left
			try (AutoCloseable packed = RouteChecks.breakOnPurpose(Route.BFLOAT16_PACKED_LINEAR)) {
				brokenRouteIsRejected(Route.BFLOAT16_LINEAR, () -> linear.forward(x), linearReference, 1e-6);
			}
			try (AutoCloseable unpacked = RouteChecks.breakOnPurpose(Route.BFLOAT16_LINEAR)) {
				brokenRouteIsRejected(Route.BFLOAT16_PACKED_LINEAR, () -> linear.forward(x), linearReference, 1e-6);
			}
			try (AutoCloseable packed = RouteChecks.breakOnPurpose(Route.BFLOAT16_PACKED_CONVOLUTION)) {
				brokenRouteIsRejected(Route.BFLOAT16_CONVOLUTION, () -> conv.forward(image), convReference, 1e-6);
			}
			try (AutoCloseable unpacked = RouteChecks.breakOnPurpose(Route.BFLOAT16_CONVOLUTION)) {
				brokenRouteIsRejected(Route.BFLOAT16_PACKED_CONVOLUTION, () -> conv.forward(image), convReference, 1e-6);
			}
			// not broken: bfloat16 where this host computes it right (its rounding only), float32 elsewhere
			assertTrue(rel(linearReference, linear.forward(x)) < 1e-2);
			assertTrue(rel(convReference, conv.forward(image)) < 1e-2);
			RouteChecks.verdicts().forEach(v -> System.out.println("unbroken: " + v));
		}
	}

	private static NDArray rounded(NDArray weight) {
		return Bfloat16.unpack(Bfloat16.pack(weight));
	}

	@Test
	void aVerdictBelongsToOneThreadCount() {
		assumeTrue(Attention.path().startsWith("fused"), Attention.path());
		int threads = JniUtils.getNumThreads();
		try (NDManager m = NDManager.newBaseManager()) {
			NDArray q = RouteChecks.random(m, 1, 1, 2, 30, 8);
			Attention.scaledDotProduct(q, q, q, 0.3f, null);
			JniUtils.setNumThreads(1);
			try {
				assertEquals(threads == 1 ? 1 : 0, count(Route.FUSED_ATTENTION, 1));
				Attention.scaledDotProduct(q, q, q, 0.3f, null);
				assertEquals(1, count(Route.FUSED_ATTENTION, 1), "checked again at 1 thread");
			}
			finally {
				JniUtils.setNumThreads(threads);
			}
		}
	}

	private static long count(Route route, int threads) {
		return RouteChecks.verdicts().stream().filter(v -> v.route() == route && v.threads() == threads).count();
	}

	@Test
	void checksDrawNothingFromLibtorchsGenerator() {
		try (NDManager m = NDManager.newBaseManager()) {
			NDArray x = RouteChecks.random(m, 9, 2, 3, 50, 16);
			m.getEngine().setRandomSeed(42);
			float[] expected = m.randomNormal(new Shape(64)).toFloatArray();
			m.getEngine().setRandomSeed(42);
			Attention.scaledDotProduct(x, x, x, 0.3f, null); // a first call at a shape: a check
			assertTrue(!RouteChecks.verdicts().isEmpty() || !Attention.path().startsWith("fused"), "no check ran");
			assertArrayEquals(expected, m.randomNormal(new Shape(64)).toFloatArray(), "a check moved the seeded stream");
		}
	}

	@Test
	void aTracedPassListsItsRoutesWithoutComputingThem() {
		assumeTrue(Route.LINEAR_CONVOLUTION.on() && Attention.path().startsWith("fused"));
		try (NDManager m = NDManager.newBaseManager()) {
			NDArray w = RouteChecks.random(m, 1, 336, 320), x = RouteChecks.random(m, 3, 300, 320);
			Linear layer = new Linear(w.duplicate(), null);
			NDArray[] out = new NDArray[1];
			List<RouteChecks.Demand> demands = RouteChecks.trace(() -> {
				NDArray h = layer.forward(x);
				NDArray q = h.reshape(1, 1, 300, 336);
				out[0] = Attention.scaledDotProduct(q, q, q, 0.1f, null);
			});
			List<Route> expected = Route.PACKED_LINEAR.on() && PackedWeights.FLOAT32.problem == null ? List.of(Route.PACKED_LINEAR, Route.LINEAR_CONVOLUTION, Route.FUSED_ATTENTION)
				: List.of(Route.LINEAR_CONVOLUTION, Route.FUSED_ATTENTION);
			assertEquals(expected, demands.stream().map(RouteChecks.Demand::route).toList());
			assertEquals(new Shape(1, 1, 300, 336), out[0].getShape());
			assertEquals(0f, out[0].abs().max().getFloat(), "a traced layer computed");
			assertTrue(RouteChecks.verdicts().isEmpty(), "tracing checked a route");
			RouteChecks.Verdict v = RouteChecks.check(demands.get(expected.size() - 2));
			assertTrue(v.error() < 1e-5 || !v.accepted(), v.toString());
			assertEquals(1, RouteChecks.verdicts().size());
		}
	}

	private static double rel(NDArray want, NDArray got) {
		return Compare.relativeError(got.toFloatArray(), want.toFloatArray());
	}
}
