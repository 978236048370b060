package sc.fiji.stylecrafter.nn;

import java.util.Locale;

import ai.djl.ndarray.types.DataType;

/**
 * A faster way than the plain libtorch operator to compute a layer. The plain operator is the reference of every layer;
 * a route is taken at a shape only once {@link RouteChecks} has checked it there, in this process, at the running
 * thread count, against its reference: whether libtorch computes a route right depends on the host, the shape and the
 * thread count (oneDNN's channels-last 1x1 convolution is wrong with 2 threads at {@code [4096, 320] -> 2560} on an AMD
 * Zen 5 and right on a Zen 4; its bfloat16 3x3 convolution with fewer than 16 output channels is wrong on the Zen 5
 * at any thread count).
 *
 * <p>The user's switches are read here, once: {@code -Dstylecrafter.packed=plain} (no packed-weight products),
 * {@code -Dstylecrafter.linear=gemm} (no convolution route for linear layers), {@code -Dstylecrafter.attention=manual} (no fused attention), {@code -Dstylecrafter.groupnorm=plain}
 * (no libtorch group norm kernel). The bfloat16 routes are taken where the precision asks for them.
 */
public enum Route {

	PACKED_LINEAR("packed-linear", "oneDNN linear layer with its weight reordered once", "the matrix product", "the matrix product", packedOff()),
	PACKED_CONVOLUTION("packed-convolution", "oneDNN convolution with its weight reordered once", "libtorch's convolution",
		"libtorch's convolution", packedOff()),
	LINEAR_CONVOLUTION("linear-convolution", "linear layer as a channels-last 1x1 convolution (oneDNN)", "the matrix product", "the matrix product",
		switchedOff()),
	FUSED_ATTENTION("fused-attention", "fused attention (scaled_dot_product_attention)", "softmax(q k^T) v in three operators",
		"the three operators", "manual".equals(System.getProperty("stylecrafter.attention")) ? "-Dstylecrafter.attention=manual" : null),
	NATIVE_GROUP_NORM("native-group-norm", "libtorch's group_norm kernel", "group norm in seven operators", "the seven operators",
		"plain".equals(System.getProperty("stylecrafter.groupnorm")) ? "-Dstylecrafter.groupnorm=plain" : null),
	BFLOAT16_LINEAR("bfloat16-linear", "bfloat16 linear layer", "float32 linear layer on the same bfloat16-rounded values",
		"float32 (weights as rounded to bfloat16)", null),
	BFLOAT16_CONVOLUTION("bfloat16-convolution", "bfloat16 convolution", "float32 convolution on the same bfloat16-rounded values",
		"float32 (weights as rounded to bfloat16)", null),
	BFLOAT16_PACKED_LINEAR("bfloat16-packed-linear", "bfloat16 oneDNN linear layer with its weight reordered once",
		"float32 linear layer on the same bfloat16-rounded values", "float32 (weights as rounded to bfloat16)", packedOff()),
	BFLOAT16_PACKED_CONVOLUTION("bfloat16-packed-convolution", "bfloat16 oneDNN convolution with its weight reordered once",
		"float32 convolution on the same bfloat16-rounded values", "float32 (weights as rounded to bfloat16)", packedOff());

	/** Relative error allowed to a float32 route: float rounding (right routes measured 2e-7 to 4e-7, wrong ones 3e-2 and more). */
	public static final double FLOAT32_TOLERANCE = 1e-5;
	/**
	 * Relative error allowed to a half-precision route: against the reference on the same rounded values only the output's
	 * rounding and the order of the sums differ (about 1e-3); the wrong kernels were 0.17 to 0.33 off.
	 */
	public static final double HALF_TOLERANCE = 1e-2;

	private final String id;
	private final String label;
	private final String reference;
	private final String instead;
	private final String off;

	Route(String id, String label, String reference, String instead, String off) {
		this.id = id;
		this.label = label;
		this.reference = reference;
		this.instead = instead;
		this.off = off;
	}

	private static String packedOff() {
		return "plain".equals(System.getProperty("stylecrafter.packed")) ? "-Dstylecrafter.packed=plain" : null;
	}

	private static String switchedOff() {
		if ("gemm".equals(System.getProperty("stylecrafter.linear"))) return "-Dstylecrafter.linear=gemm";
		boolean x86 = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).matches("amd64|x86_64");
		return x86 ? null : "x86-64 only (oneDNN's convolution is the faster product there)";
	}

	/** A short name ({@code linear-convolution}). */
	public String id() {
		return id;
	}

	/** What the route is, in words. */
	public String label() {
		return label;
	}

	/** What it is checked against, in words. */
	public String reference() {
		return reference;
	}

	/** What computes a layer where the route is rejected, in words. */
	public String instead() {
		return instead;
	}

	/** Whether the user (or the platform) lets the route be tried at all; a route that is on is still checked per shape. */
	public boolean on() {
		return off == null;
	}

	/** Why the route is not tried, or {@code null} when it is on. */
	public String whyOff() {
		return off;
	}

	/** The relative error a route may have against its reference, for activations of {@code type}. */
	public double tolerance(DataType type) {
		boolean half = this == BFLOAT16_LINEAR || this == BFLOAT16_CONVOLUTION || this == BFLOAT16_PACKED_LINEAR || this == BFLOAT16_PACKED_CONVOLUTION || type == DataType.FLOAT16 || type == DataType.BFLOAT16;
		return half ? HALF_TOLERANCE : FLOAT32_TOLERANCE;
	}
}
