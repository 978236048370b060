package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Multi-head scaled dot-product attention on tensors laid out {@code [B, L, H*D]}. */
public final class Attention {

	private Attention() {}

	/** {@code [B, L, H*D] -> [B, H, L, D]}. */
	public static NDArray splitHeads(NDArray x, long heads) {
		Shape s = x.getShape();
		return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
	}

	/** {@code [B, H, L, D] -> [B, L, H*D]}. */
	public static NDArray mergeHeads(NDArray x) {
		Shape s = x.getShape();
		return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
	}

	/**
	 * {@code softmax(q k^T * scale + mask) v} with q {@code [B, H, Lq, D]}, k {@code [B, H, Lk, D]}, v {@code [B, H, Lk, Dv]}:
	 * libtorch's fused {@code scaled_dot_product_attention} (on the CPU a flash-attention kernel that never holds the
	 * whole score matrix; 3 to 8 times faster than the three operators at the UNet's sizes) where it was checked right at
	 * this shape ({@link Route#FUSED_ATTENTION}), else {@link #manual}, the reference (also where libtorch cannot compile
	 * the fused operator, or {@code -Dstylecrafter.attention=manual} asks for it).
	 *
	 * @param mask additive mask broadcastable to {@code [B, H, Lq, Lk]}, or {@code null}
	 */
	public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, float scale, NDArray mask) {
		Shape qs = q.getShape(), ks = k.getShape(), vs = v.getShape(), ms = mask == null ? null : mask.getShape();
		boolean fused = Fused.ON && RouteChecks.accept(Route.FUSED_ATTENTION, "q " + qs + ", k " + ks + ", v " + vs + (ms == null ? "" : ", mask " + ms) + ", "
			+ q.getDataType().toString().toLowerCase(java.util.Locale.ROOT), q, m -> checkFused(m, qs, ks, vs, ms, q.getDataType()));
		if (RouteChecks.tracing()) return RouteChecks.zeros(q, new Shape(qs.get(0), qs.get(1), qs.get(2), vs.get(3)));
		if (!fused) return manual(q, k, v, scale, mask, MAX_SCORE_BYTES);
		try (OpProfile.Section s = OpProfile.enter(OpProfile.Kind.ATTENTION)) {
			countFlops(q, k);
			return fused(q, k, v, scale, mask);
		}
	}

	private static NDArray fused(NDArray q, NDArray k, NDArray v, float scale, NDArray mask) {
		NDArray y = mask == null ? Fused.PLAIN.call(q, k, v, scale)
			: Fused.MASKED.call(q, k, v, mask.getDataType() == q.getDataType() ? mask : mask.toType(q.getDataType(), false), scale);
		return RouteChecks.output(Route.FUSED_ATTENTION, y);
	}

	/** The fused operator against the three operators at one shape, on random inputs (and a random finite mask). */
	private static RouteChecks.Comparison checkFused(NDManager m, Shape qs, Shape ks, Shape vs, Shape ms, DataType type) {
		long seed = RouteChecks.seed("attention " + qs + ks + vs + ms + type);
		NDArray q = RouteChecks.random(m, seed, qs.getShape()).toType(type, false);
		NDArray k = RouteChecks.random(m, seed + 1, ks.getShape()).toType(type, false);
		NDArray v = RouteChecks.random(m, seed + 2, vs.getShape()).toType(type, false);
		NDArray mask = ms == null ? null : RouteChecks.random(m, seed + 3, ms.getShape()).toType(type, false);
		float scale = (float) (1 / Math.sqrt(qs.get(3)));
		return RouteChecks.compare(() -> fused(q, k, v, scale, mask), () -> manual(q, k, v, scale, mask, MAX_SCORE_BYTES));
	}

	/** The TorchScript of the fused route, for {@link RouteVerdictCache}. */
	static String code() {
		return Fused.PLAIN.source() + "\n" + Fused.MASKED.source();
	}

	/** Which path {@link #scaledDotProduct} takes, in words, and why. */
	public static String path() {
		return Fused.ON ? "fused (libtorch scaled_dot_product_attention) where checked right" : "manual (" + Fused.WHY + ")";
	}

	/** The fused operator as TorchScript functions, compiled on first use. */
	private static final class Fused {

		static final ScriptedOp PLAIN = new ScriptedOp("Attention", "q: Tensor, k: Tensor, v: Tensor, scale: float",
			"torch.scaled_dot_product_attention(q.contiguous(), k.contiguous(), v.contiguous(), None, 0., False, scale=scale)");
		static final ScriptedOp MASKED = new ScriptedOp("MaskedAttention", "q: Tensor, k: Tensor, v: Tensor, mask: Tensor, scale: float",
			"torch.scaled_dot_product_attention(q.contiguous(), k.contiguous(), v.contiguous(), mask.contiguous(), 0., False, scale=scale)");
		static final String WHY;
		static final boolean ON;

		static {
			String problem = Route.FUSED_ATTENTION.on() ? ScriptedOp.problem(PLAIN, MASKED) : Route.FUSED_ATTENTION.whyOff();
			WHY = problem;
			ON = problem == null;
		}
	}

	/** As {@link #scaledDotProduct}, with three operators, computing at most {@code maxScoreBytes} of scores at once (chunks over the batch). */
	public static NDArray manual(NDArray q, NDArray k, NDArray v, float scale, NDArray mask, long maxScoreBytes) {
		Shape qs = q.getShape();
		long b = qs.get(0);
		long perSample = qs.get(1) * qs.get(2) * k.getShape().get(2) * 4; // bytes of one sample's scores
		long chunk = Math.max(1, Math.min(b, maxScoreBytes / Math.max(perSample, 1)));
		if (chunk >= b) return attend(q, k, v, scale, mask);
		// chunks over the batch keep the score matrix small; each chunk's intermediates are freed at once
		NDList parts = new NDList();
		for (long start = 0; start < b; start += chunk) {
			try (Scope scope = new Scope()) {
				String range = start + ":" + Math.min(b, start + chunk);
				parts.add(scope.keep(attend(q.get(range), k.get(range), v.get(range), scale, mask)));
			}
		}
		return NDArrays.concat(parts, 0);
	}

	/** Largest score matrix computed at once (bytes at float32). */
	private static final long MAX_SCORE_BYTES = 256L << 20;

	private static void countFlops(NDArray q, NDArray k) {
		Shape qs = q.getShape();
		FlopCounter.add(4 * qs.get(0) * qs.get(1) * qs.get(2) * k.getShape().get(2) * qs.get(3));
	}

	private static NDArray attend(NDArray q, NDArray k, NDArray v, float scale, NDArray mask) {
		try (OpProfile.Section s = OpProfile.enter(OpProfile.Kind.ATTENTION)) {
			countFlops(q, k);
			NDArray scores = q.mul(scale).matMul(k.transpose(0, 1, 3, 2)); // [B, H, Lq, Lk]
			if (mask != null) scores = scores.add(mask);
			return scores.softmax(-1).matMul(v);
		}
	}
}
