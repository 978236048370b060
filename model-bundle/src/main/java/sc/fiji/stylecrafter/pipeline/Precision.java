package sc.fiji.stylecrafter.pipeline;

import java.util.Locale;

import ai.djl.ndarray.types.DataType;

/**
 * Compute precision of the networks. float32 is the reference. bfloat16 (CPU only) keeps float32 tensors everywhere and
 * computes the UNet's and the VAE's convolutions and linear layers in bfloat16 inside libtorch
 * ({@code nn.Bfloat16}): DJL 0.36 cannot hold bfloat16 tensors itself.
 */
public enum Precision {
	FLOAT32(DataType.FLOAT32), FLOAT16(DataType.FLOAT16), BFLOAT16(DataType.FLOAT32);

	private final DataType type;

	Precision(DataType type) {
		this.type = type;
	}

	/** The dtype of the tensors DJL sees (weights and activations). */
	public DataType dataType() {
		return type;
	}

	/** Whether the heavy products run in bfloat16 ({@code nn.Bfloat16}). */
	public boolean bfloat16Products() {
		return this == BFLOAT16;
	}

	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static Precision parse(String s) {
		for (Precision p : values()) if (p.label().equals(s.toLowerCase(Locale.ROOT))) return p;
		throw new IllegalArgumentException("precision '" + s + "' is not known; allowed: float32, float16, bfloat16");
	}
}
