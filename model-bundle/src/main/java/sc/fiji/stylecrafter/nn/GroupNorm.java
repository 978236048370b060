package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.GroupNorm} with affine weights over {@code [N, C, ...]}. With {@code float32Compute} it normalises
 * in float32 and casts back, as LVDM's {@code GroupNorm32} does for half-precision inputs.
 */
public final class GroupNorm {

	/** Weight and bias shaped {@code [1, C, 1, 1]} and {@code [1, C, 1, 1, 1]}, in the dtype the norm computes in. */
	private final NDArray weight4;
	private final NDArray bias4;
	private final NDArray weight5;
	private final NDArray bias5;
	private final int groups;
	private final float eps;
	private final boolean float32Compute;

	public GroupNorm(Weights w, int groups, long channels, float eps, boolean float32Compute) {
		if (channels % groups != 0) throw new WeightException("GroupNorm: " + channels + " channels are not divisible into " + groups + " groups");
		NDArray weight = w.get("weight", channels), bias = w.get("bias", channels);
		if (float32Compute) {
			weight = weight.toType(DataType.FLOAT32, false);
			bias = bias.toType(DataType.FLOAT32, false);
		}
		// shaped once on the model's manager: per-call reshapes of a weight would land there too
		this.weight4 = weight.reshape(1, channels, 1, 1);
		this.bias4 = bias.reshape(1, channels, 1, 1);
		this.weight5 = weight.reshape(1, channels, 1, 1, 1);
		this.bias5 = bias.reshape(1, channels, 1, 1, 1);
		this.groups = groups;
		this.eps = eps;
		this.float32Compute = float32Compute;
	}

	public NDArray forward(NDArray x) {
		try (OpProfile.Section section = OpProfile.enter(OpProfile.Kind.NORMALISATION)) {
			return normalise(x);
		}
	}

	private NDArray normalise(NDArray x) {
		Shape s = x.getShape();
		DataType in = x.getDataType();
		NDArray xf = float32Compute && in != DataType.FLOAT32 ? x.toType(DataType.FLOAT32, false) : x;
		NDArray g = xf.reshape(s.get(0), groups, -1); // [N, G, C/G * spatial]
		NDArray mean = g.mean(new int[] { 2 }, true);
		NDArray centered = g.sub(mean);
		NDArray var = centered.square().mean(new int[] { 2 }, true); // biased, as torch
		NDArray y = centered.div(var.add(eps).sqrt()).reshape(s);
		if (s.dimension() == 4) y = y.mul(weight4).add(bias4);
		else if (s.dimension() == 5) y = y.mul(weight5).add(bias5);
		else throw new IllegalArgumentException("GroupNorm takes 4-d or 5-d input, got " + s);
		return y.getDataType() == in ? y : y.toType(in, false);
	}
}
