package sc.fiji.stylecrafter.pipeline;

import java.util.Locale;

import ai.djl.ndarray.types.DataType;

/** Compute precision of the networks. float32 is the reference. */
public enum Precision {
	FLOAT32(DataType.FLOAT32), FLOAT16(DataType.FLOAT16), BFLOAT16(DataType.BFLOAT16);

	private final DataType type;

	Precision(DataType type) {
		this.type = type;
	}

	public DataType dataType() {
		return type;
	}

	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static Precision parse(String s) {
		for (Precision p : values()) if (p.label().equals(s.toLowerCase(Locale.ROOT))) return p;
		throw new IllegalArgumentException("precision '" + s + "' is not known; allowed: float32, float16, bfloat16");
	}
}
