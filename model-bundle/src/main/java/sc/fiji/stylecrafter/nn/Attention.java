package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
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
		Shape qs = q.getShape();
		FlopCounter.add(4 * qs.get(0) * qs.get(1) * qs.get(2) * k.getShape().get(2) * qs.get(3));
		NDArray scores = q.mul(scale).matMul(k.transpose(0, 1, 3, 2)); // [B, H, Lq, Lk]
		if (mask != null) scores = scores.add(mask);
		return scores.softmax(-1).matMul(v);
	}
}
