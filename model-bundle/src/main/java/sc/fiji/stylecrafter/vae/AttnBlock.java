package sc.fiji.stylecrafter.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.Attention;
import sc.fiji.stylecrafter.nn.Conv2d;
import sc.fiji.stylecrafter.nn.GroupNorm;
import sc.fiji.stylecrafter.nn.Scope;
import sc.fiji.stylecrafter.nn.Weights;

/** Ports {@code AttnBlock} (single-head attention over the pixels, 1x1 convolutions for q, k, v and the output). */
final class AttnBlock {

	private final GroupNorm norm;
	private final Conv2d q;
	private final Conv2d k;
	private final Conv2d v;
	private final Conv2d projOut;

	AttnBlock(Weights w, long c) {
		norm = new GroupNorm(w.sub("norm"), 32, c, 1e-6f);
		q = new Conv2d(w.sub("q"), c, c, 1, 1, 0);
		k = new Conv2d(w.sub("k"), c, c, 1, 1, 0);
		v = new Conv2d(w.sub("v"), c, c, 1, 1, 0);
		projOut = new Conv2d(w.sub("proj_out"), c, c, 1, 1, 0);
	}

	NDArray forward(NDArray x) {
		try (Scope scope = new Scope()) {
			Shape s = x.getShape();
			long b = s.get(0), c = s.get(1);
			NDArray h = norm.forward(x);
			NDArray qq = q.forward(h).reshape(b, 1, c, -1).transpose(0, 1, 3, 2); // [b, 1, hw, c]
			NDArray kk = k.forward(h).reshape(b, 1, c, -1).transpose(0, 1, 3, 2);
			NDArray vv = v.forward(h).reshape(b, 1, c, -1).transpose(0, 1, 3, 2);
			NDArray out = Attention.scaledDotProduct(qq, kk, vv, (float) Math.pow(c, -0.5), null); // [b, 1, hw, c]
			return scope.keep(x.add(projOut.forward(out.transpose(0, 1, 3, 2).reshape(s))));
		}
	}

}
