package sc.fiji.stylecrafter.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import sc.fiji.stylecrafter.nn.Attention;
import sc.fiji.stylecrafter.nn.FlopCounter;
import sc.fiji.stylecrafter.nn.Linear;
import sc.fiji.stylecrafter.nn.OpProfile;
import sc.fiji.stylecrafter.nn.RouteChecks;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports {@code CrossAttention} with {@code relative_position=True} (the temporal self-attention; never the xformers
 * path): {@code sim = (q k^T + q k_rel^T) / sqrt(d)}, {@code out = softmax(sim) v + softmax(sim) v_rel}, where the
 * relative tables are indexed by {@code clamp(j - i, -L, L) + L}.
 */
final class TemporalAttention {

	private final Linear toQ;
	private final Linear toK;
	private final Linear toV;
	private final Linear toOut;
	private final NDArray relK;
	private final NDArray relV;
	private final int heads;
	private final int headDim;
	private final int maxRelative;
	private final float scale;

	TemporalAttention(Weights w, long dim, int heads, int headDim, int temporalLength) {
		long inner = (long) heads * headDim;
		this.heads = heads;
		this.headDim = headDim;
		this.maxRelative = temporalLength;
		this.scale = (float) (1.0 / Math.sqrt(headDim));
		toQ = new Linear(w.sub("to_q"), dim, inner, false);
		toK = new Linear(w.sub("to_k"), dim, inner, false);
		toV = new Linear(w.sub("to_v"), dim, inner, false);
		toOut = new Linear(w.sub("to_out.0"), inner, dim, true);
		relK = w.get("relative_position_k.embeddings_table", 2L * temporalLength + 1, headDim);
		relV = w.get("relative_position_v.embeddings_table", 2L * temporalLength + 1, headDim);
	}

	/** {@code [t, t, d]} rows of a relative table, on {@code scope}. */
	private NDArray relative(NDArray table, int t, NDManager scope) {
		long[] idx = new long[t * t];
		for (int i = 0; i < t; i++) {
			for (int j = 0; j < t; j++) idx[i * t + j] = Math.max(-maxRelative, Math.min(maxRelative, j - i)) + maxRelative;
		}
		NDArray index = scope.create(idx).toDevice(table.getDevice(), false);
		NDArray rows = table.get(new NDIndex("{}", index));
		rows.attach(scope);
		return rows.reshape(t, t, headDim);
	}

	/** Self-attention over frames: {@code [N, t, dim] -> [N, t, dim]}. */
	NDArray forward(NDArray x) {
		NDManager scope = x.getManager();
		int t = (int) x.getShape().get(1);
		long n = x.getShape().get(0);
		NDArray q = Attention.splitHeads(toQ.forward(x), heads).reshape(n * heads, t, headDim); // (b h) t d
		NDArray k = Attention.splitHeads(toK.forward(x), heads).reshape(n * heads, t, headDim);
		NDArray v = Attention.splitHeads(toV.forward(x), heads).reshape(n * heads, t, headDim);
		NDArray out;
		try (OpProfile.Section s = OpProfile.enter(OpProfile.Kind.ATTENTION)) {
			FlopCounter.add(8L * n * heads * t * t * headDim); // qk, q k_rel, attn v, attn v_rel
			// traced (the self-test): zeros, like the routed layers; its products have no route to list
			out = (RouteChecks.tracing() ? RouteChecks.zeros(q, q.getShape()) : attend(q, k, v, t, scope)).reshape(n, heads, t, headDim);
		}
		return toOut.forward(Attention.mergeHeads(out));
	}

	/** {@code softmax((q k^T + q k_rel^T) / sqrt(d)) (v + v_rel)} over {@code [(b h), t, d]}. */
	private NDArray attend(NDArray q, NDArray k, NDArray v, int t, NDManager scope) {
		NDArray sim = q.matMul(k.transpose(0, 2, 1)).mul(scale); // [BH, t, t]
		NDArray k2 = relative(relK, t, scope); // [t, s, d]
		NDArray sim2 = q.transpose(1, 0, 2).matMul(k2.transpose(0, 2, 1)).transpose(1, 0, 2).mul(scale); // b t d, t s d -> b t s
		NDArray attn = sim.add(sim2).softmax(2);
		NDArray out = attn.matMul(v); // [BH, t, d]
		NDArray v2 = relative(relV, t, scope);
		NDArray out2 = attn.transpose(1, 0, 2).matMul(v2).transpose(1, 0, 2); // b t s, t s d -> b t d
		return out.add(out2);
	}

}
