package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.GroupNorm} with affine weights over {@code [N, C, ...]}. Half-precision inputs are normalised in
 * float32 and cast back, for every group norm: LVDM's {@code GroupNorm32} (the UNet's) does so explicitly, and
 * torch's own {@code group_norm} kernel (the VAE's plain {@code nn.GroupNorm}) keeps its statistics in float32 for
 * float16 inputs. Operators in float16 would overflow instead: a squared deviation above 65504 (|x - mean| > 256,
 * which the VAE's activations reach at real latents) is infinite and the frame comes out flat.
 *
 * <p>libtorch's own {@code group_norm} (one kernel, reached through a {@link ScriptedOp}: DJL 0.36 does not expose it)
 * where it was checked right and faster at the shape ({@link Route#NATIVE_GROUP_NORM}), else seven DJL operators, the
 * reference; {@code -Dstylecrafter.groupnorm=plain} keeps the operators. Both agree to float rounding. On an AMD Zen 5
 * the kernel took a 512x512 VAE decode's group norms from 3.4 s to 0.4 s (and the operators' temporaries, the page
 * faults behind much of the decode's system time, went with them).
 */
public final class GroupNorm {

	private static final ScriptedOp NATIVE = new ScriptedOp("GroupNorm", "x: Tensor, groups: int, w: Tensor, b: Tensor, eps: float",
		"torch.group_norm(x.contiguous(), groups, w, b, eps)");
	private static final ScriptedOp NATIVE_FLOAT32 = new ScriptedOp("GroupNormFloat32",
		"x: Tensor, groups: int, w: Tensor, b: Tensor, eps: float", "torch.group_norm(" + ScriptedOp.dense("x", ScriptedOp.FLOAT32) + ", groups, w, b, eps).to(x.dtype)");
	private static final boolean NATIVE_ON = Route.NATIVE_GROUP_NORM.on() && ScriptedOp.problem(NATIVE, NATIVE_FLOAT32) == null;

	/** The TorchScript of the native route, for {@link RouteVerdictCache}. */
	static String code() {
		return NATIVE.source() + "\n" + NATIVE_FLOAT32.source();
	}

	/** Weight and bias {@code [C]}, and shaped {@code [1, C, 1, 1]} and {@code [1, C, 1, 1, 1]}, in float32. */
	private final NDArray weight;
	private final NDArray bias;
	private final NDArray weight4;
	private final NDArray bias4;
	private final NDArray weight5;
	private final NDArray bias5;
	private final int groups;
	private final float eps;

	public GroupNorm(Weights w, int groups, long channels, float eps) {
		this(w.get("weight", channels), w.get("bias", channels), groups, eps);
	}

	/** Over given weight and bias {@code [C]}. */
	GroupNorm(NDArray weight, NDArray bias, int groups, float eps) {
		long channels = weight.getShape().get(0);
		if (channels % groups != 0) throw new WeightException("GroupNorm: " + channels + " channels are not divisible into " + groups + " groups");
		weight = weight.toType(DataType.FLOAT32, false);
		bias = bias.toType(DataType.FLOAT32, false);
		this.weight = weight;
		this.bias = bias;
		// shaped once on the model's manager: per-call reshapes of a weight would land there too
		this.weight4 = weight.reshape(1, channels, 1, 1);
		this.bias4 = bias.reshape(1, channels, 1, 1);
		this.weight5 = weight.reshape(1, channels, 1, 1, 1);
		this.bias5 = bias.reshape(1, channels, 1, 1, 1);
		this.groups = groups;
		this.eps = eps;
	}

	public NDArray forward(NDArray x) {
		try (OpProfile.Section section = OpProfile.enter(OpProfile.Kind.NORMALISATION)) {
			Shape s = x.getShape();
			boolean route = NATIVE_ON && RouteChecks.accept(Route.NATIVE_GROUP_NORM, s + ", " + groups + " groups, " + x.getDataType().toString().toLowerCase(java.util.Locale.ROOT), x,
				m -> checkNative(m, s, groups, eps, x.getDataType()));
			if (RouteChecks.tracing()) return RouteChecks.zeros(x, s);
			return route ? nativeKernel(x) : operators(x);
		}
	}

	/** libtorch's {@code group_norm}. */
	NDArray nativeKernel(NDArray x) {
		return RouteChecks.output(Route.NATIVE_GROUP_NORM, (x.getDataType() != DataType.FLOAT32 ? NATIVE_FLOAT32 : NATIVE).call(x, groups, weight, bias, eps));
	}

	/** The native kernel against the operators at one shape, on random inputs, weights and biases. */
	private static RouteChecks.Comparison checkNative(NDManager m, Shape s, int groups, float eps, DataType type) {
		long seed = RouteChecks.seed("group norm " + s + groups + type);
		NDArray x = RouteChecks.random(m, seed, s.getShape()).mul(3f).add(1f).toType(type, false);
		GroupNorm norm = new GroupNorm(RouteChecks.random(m, seed + 1, s.get(1)), RouteChecks.random(m, seed + 2, s.get(1)), groups, eps);
		return RouteChecks.compare(() -> norm.nativeKernel(x), () -> norm.operators(x));
	}

	/** The same in DJL operators. */
	NDArray operators(NDArray x) {
		Shape s = x.getShape();
		DataType in = x.getDataType();
		NDArray xf = in != DataType.FLOAT32 ? x.toType(DataType.FLOAT32, false) : x;
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
