package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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
	 * {@code softmax(q k^T * scale + mask) v} with q {@code [B, H, Lq, D]}, k and v {@code [B, H, Lk, D]}.
	 *
	 * @param mask additive mask broadcastable to {@code [B, H, Lq, Lk]}, or {@code null}
	 */
	public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, float scale, NDArray mask) {
		return scaledDotProduct(q, k, v, scale, mask, MAX_SCORE_BYTES);
	}

	/** As above, computing at most {@code maxScoreBytes} of scores at once (chunks over the batch). */
	public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, float scale, NDArray mask, long maxScoreBytes) {
		Shape qs = q.getShape();
		long b = qs.get(0), lk = k.getShape().get(2);
		FlopCounter.add(4 * b * qs.get(1) * qs.get(2) * lk * qs.get(3));
		long perSample = qs.get(1) * qs.get(2) * lk * 4; // bytes of one sample's scores
		long chunk = Math.max(1, Math.min(b, maxScoreBytes / Math.max(perSample, 1)));
		if (chunk >= b) return attend(q, k, v, scale, mask);
		// chunks over the batch keep the score matrix small; each chunk's intermediates are freed at once
		NDList parts = new NDList();
		for (long start = 0; start < b; start += chunk) {
			String range = start + ":" + Math.min(b, start + chunk);
			NDArray qc = q.get(range), kc = k.get(range), vc = v.get(range);
			parts.add(Scopes.run(qc, x -> attend(x, kc, vc, scale, mask)));
		}
		return NDArrays.concat(parts, 0);
	}

	/** Largest score matrix computed at once (bytes at float32). */
	private static final long MAX_SCORE_BYTES = 256L << 20;

	private static NDArray attend(NDArray q, NDArray k, NDArray v, float scale, NDArray mask) {
		NDArray scores = q.mul(scale).matMul(k.transpose(0, 1, 3, 2)); // [B, H, Lq, Lk]
		if (mask != null) scores = scores.add(mask);
		return scores.softmax(-1).matMul(v);
	}
}
