package sc.fiji.stylecrafter.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.testing.Compare;

/**
 * The fast routes of the CPU forward pass give what the plain operators give: {@link Linear} as a 1x1 convolution
 * (tried on x86-64 for many rows of a wide layer), fused attention (libtorch's scaled_dot_product_attention) and
 * libtorch's group_norm (opt-in). A route is taken at a shape only where this machine's check found it right
 * ({@link RouteChecks}); libtorch's profile of a second call names the operator that ran, which must be the route's
 * exactly where its verdict accepted it, and the result must be right either way.
 */
class FastRoutesTest {

	private static final boolean X86 = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).matches("amd64|x86_64");

	@Test
	void wideLinearOverManyRowsRunsAsConvolutionAndEqualsTheMatrixProduct() {
		try (NDManager m = NDManager.newBaseManager()) {
			m.getEngine().setRandomSeed(11);
			long in = 320, out = 336; // in * out above the threshold
			NDArray w = m.randomNormal(new Shape(out, in)).div(18f), b = m.randomNormal(new Shape(out));
			Linear layer = new Linear(w.duplicate(), b); // a layer takes its weight over (closed once packed)
			for (Shape s : new Shape[] { new Shape(2, 150, in), new Shape(300, in), new Shape(2, 3, 50, in) }) {
				NDArray x = m.randomNormal(s);
				checkRoute(layer, x, w, b, X86 ? 1 : 0);
			}
			// a transposed (non-contiguous) input
			NDArray t = m.randomNormal(new Shape(2, in, 160)).transpose(0, 2, 1);
			checkRoute(layer, t, w, b, X86 ? 1 : 0);
			// no bias (the attention projections)
			checkRoute(new Linear(w.duplicate(), null), m.randomNormal(new Shape(2, 150, in)), w, null, X86 ? 1 : 0);
			// few rows keep the matrix product
			checkRoute(layer, m.randomNormal(new Shape(1, StandardKernels.CONVOLUTION_MIN_ROWS - 1, in)), w, b, 0);
			// a narrow layer keeps it too
			NDArray narrowW = m.randomNormal(new Shape(16, in));
			checkRoute(new Linear(narrowW.duplicate(), null), m.randomNormal(new Shape(512, in)), narrowW, null, 0);
		}
	}

	/** @param tried whether the convolution route is tried at this shape (and then taken where its verdict accepts it) */
	private static void checkRoute(Linear layer, NDArray x, NDArray w, NDArray b, long tried) {
		layer.forward(x); // the first call of a shape checks the route there
		OpProfile.Profiled<NDArray> p = OpProfile.run(() -> layer.forward(x));
		NDArray reference = ai.djl.nn.core.Linear.linear(x, w, b).singletonOrThrow();
		assertArrayEquals(reference.getShape().getShape(), p.result().getShape().getShape());
		assertTrue(rel(reference, p.result()) < 1e-6, "relative error " + rel(reference, p.result()) + " for " + x.getShape());
		long in = w.getShape().get(1), out = w.getShape().get(0), rows = x.getShape().size() / in;
		var verdict = RouteChecks.verdict(Route.LINEAR_CONVOLUTION, Linear.shape(rows, in, out, b != null, "float32"), x.getDevice());
		assertEquals(tried == 1, verdict.isPresent(), "checked at " + x.getShape());
		// taken where accepted and faster than the packed product (where that was checked too)
		var packed = RouteChecks.verdict(Route.PACKED_LINEAR, Linear.shape(rows, in, out, b != null, "float32"), x.getDevice());
		long convolutions = RouteChecks.fastest(packed.orElse(null), verdict.orElse(null)) == Route.LINEAR_CONVOLUTION ? 1 : 0;
		System.out.println("linear-convolution " + x.getShape() + ": " + verdict.map(v -> (v.accepted() ? "taken" : "rejected") + ", error " + v.error()).orElse("not tried"));
		// a convolution where the route was taken: oneDNN's (aten::mkldnn_convolution) with several threads; with one thread
		// (OMP_NUM_THREADS=1) libtorch takes its slow 2-d convolution instead, so the kind of convolution is not asserted
		assertEquals(convolutions, p.report().operatorCalls("aten::convolution"), "route for " + x.getShape());
		assertEquals(2 * x.getShape().size() * w.getShape().get(0), p.report().flops(OpProfile.Kind.MATRIX_PRODUCT));
	}

	@Test
	void fusedAttentionEqualsTheThreeOperatorsWithAndWithoutMask() {
		try (NDManager m = NDManager.newBaseManager()) {
			m.getEngine().setRandomSeed(5);
			NDArray q = m.randomNormal(new Shape(2, 3, 40, 16)), k = m.randomNormal(new Shape(2, 3, 24, 16)), v = m.randomNormal(new Shape(2, 3, 24, 16));
			Attention.scaledDotProduct(q, k, v, 0.3f, null); // checks the fused route at this shape
			OpProfile.Profiled<NDArray> fused = OpProfile.run(() -> Attention.scaledDotProduct(q, k, v, 0.3f, null));
			assertTrue(Attention.path().startsWith("fused"), Attention.path());
			boolean taken = RouteChecks.verdicts().stream().anyMatch(x -> x.route() == Route.FUSED_ATTENTION && x.shape().startsWith("q (2, 3, 40, 16)") && x.accepted());
			assertEquals(taken ? 0 : 1, fused.report().operatorCalls("aten::_softmax"), "a separate softmax exactly where the fused route was rejected");
			assertEquals(1, fused.report().sections(OpProfile.Kind.ATTENTION));
			assertTrue(rel(Attention.manual(q, k, v, 0.3f, null, Long.MAX_VALUE), fused.result()) < 1e-6);
			// causal additive mask, as the text encoder uses
			NDArray q2 = m.randomNormal(new Shape(1, 3, 24, 16));
			float[] mask = new float[24 * 24];
			for (int i = 0; i < 24; i++) for (int j = i + 1; j < 24; j++) mask[i * 24 + j] = Float.NEGATIVE_INFINITY;
			NDArray additive = m.create(mask, new Shape(24, 24));
			NDArray expected = Attention.manual(q2, k.get("0:1"), v.get("0:1"), 0.25f, additive, Long.MAX_VALUE);
			assertTrue(rel(expected, Attention.scaledDotProduct(q2, k.get("0:1"), v.get("0:1"), 0.25f, additive)) < 1e-6);
		}
	}

	private static double rel(NDArray want, NDArray got) {
		return Compare.relativeError(got.toFloatArray(), want.toFloatArray());
	}

	@Test
	void nativeGroupNormEqualsTheOperatorsIn4dAnd5dAndForHalfInputs() {
		try (NDManager m = NDManager.newBaseManager()) {
			m.getEngine().setRandomSeed(9);
			NDArray w = m.randomNormal(new Shape(12)), b = m.randomNormal(new Shape(12));
			GroupNorm norm = new GroupNorm(w, b, 4, 1e-6f);
			for (Shape s : new Shape[] { new Shape(2, 12, 5, 7), new Shape(1, 12, 3, 4, 5) }) {
				NDArray x = m.randomNormal(s).mul(3f).add(1f);
				OpProfile.Profiled<NDArray> p = OpProfile.run(() -> norm.nativeKernel(x));
				assertEquals(1, p.report().operatorCalls("aten::native_group_norm"), "one native kernel for " + s);
				assertTrue(rel(norm.operators(x), p.result()) < 1e-6, "relative error " + rel(norm.operators(x), p.result()));
			}
			// float16 activations normalised in float32 and cast back, by both routes; at the VAE's magnitudes (here up to
			// about 2,000) float16 squares would overflow: the float32 result of the same (float16-rounded) values is the reference
			NDArray large = m.randomNormal(new Shape(2, 12, 6, 6)).mul(500f);
			NDArray half = large.toType(DataType.FLOAT16, false);
			NDArray want = norm.operators(half.toType(DataType.FLOAT32, false));
			for (NDArray y : new NDArray[] { norm.operators(half), norm.nativeKernel(half) }) {
				assertEquals(DataType.FLOAT16, y.getDataType());
				double err = rel(want, y.toType(DataType.FLOAT32, false));
				assertTrue(err < 1e-3, "float16 group norm at large activations: relative error " + err);
			}
		}
	}

	@Test
	void aFunctionLibtorchCannotCompileIsReportedNotRun() {
		ScriptedOp bad = new ScriptedOp("NoSuchOperator", "x: Tensor", "torch.no_such_operator_here(x)");
		String problem = bad.problem();
		assertTrue(problem != null && problem.contains("NoSuchOperator"), String.valueOf(problem));
		try (NDManager m = NDManager.newBaseManager()) {
			IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> bad.call(m.ones(new Shape(2))));
			assertEquals(problem, e.getMessage());
		}
	}
}
