package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.GroupNorm} with affine weights over {@code [N, C, ...]}. With {@code float32Compute} it normalises
 * in float32 and casts back, as LVDM's {@code GroupNorm32} does for half-precision inputs.
 */
public final class GroupNorm {

	private final NDArray weight;
	private final NDArray bias;
	private final int groups;
	private final float eps;
	private final boolean float32Compute;

	public GroupNorm(Weights w, int groups, long channels, float eps, boolean float32Compute) {
		if (channels % groups != 0) throw new WeightException("GroupNorm: " + channels + " channels are not divisible into " + groups + " groups");
		this.weight = w.get("weight", channels);
		this.bias = w.get("bias", channels);
		this.groups = groups;
		this.eps = eps;
		this.float32Compute = float32Compute;
	}

	public NDArray forward(NDArray x) {
		Shape s = x.getShape();
		DataType in = x.getDataType();
		NDArray xf = float32Compute && in != DataType.FLOAT32 ? x.toType(DataType.FLOAT32, false) : x;
		NDArray g = xf.reshape(s.get(0), groups, -1); // [N, G, C/G * spatial]
		NDArray mean = g.mean(new int[] { 2 }, true);
		NDArray centered = g.sub(mean);
		NDArray var = centered.square().mean(new int[] { 2 }, true); // biased, as torch
		NDArray y = centered.div(var.add(eps).sqrt()).reshape(s);
		long[] affine = new long[s.dimension()];
		java.util.Arrays.fill(affine, 1);
		affine[1] = s.get(1);
		Shape as = new Shape(affine); // [1, C, 1, ...]
		y = y.mul(weight.reshape(as).toType(y.getDataType(), false)).add(bias.reshape(as).toType(y.getDataType(), false));
		return y.getDataType() == in ? y : y.toType(in, false);
	}
}
