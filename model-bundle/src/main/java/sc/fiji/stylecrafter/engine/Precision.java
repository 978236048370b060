package sc.fiji.stylecrafter.engine;

import java.util.Locale;

import ai.djl.ndarray.types.DataType;

/**
 * Compute precision of the networks. float32 is the reference. bfloat16 (CPU only) keeps float32 tensors everywhere and
 * computes the UNet's convolutions and linear layers in bfloat16 inside libtorch (the VAE stays float32: in bfloat16 it
 * decoded a 512x512 image no faster, 9.8 s against 9.5 s)
 * ({@code nn.Bfloat16}): DJL 0.36 cannot hold bfloat16 tensors itself.
 */
public enum Precision {
	FLOAT32(DataType.FLOAT32), FLOAT16(DataType.FLOAT16), BFLOAT16(DataType.FLOAT32);

	/** The labels (compile-time constants, for Fiji's parameter annotations); {@link #label()} gives the same. */
	public static final String FLOAT32_LABEL = "float32";
	public static final String FLOAT16_LABEL = "float16";
	public static final String BFLOAT16_LABEL = "bfloat16";
	/** The reference precision, the default everywhere. */
	public static final String DEFAULT_LABEL = FLOAT32_LABEL;

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
		return name().toLowerCase(Locale.ROOT); // equal to the *_LABEL constants (PrecisionTest)
	}

	public static Precision parse(String s) {
		for (Precision p : values()) if (p.label().equals(s.toLowerCase(Locale.ROOT))) return p;
		throw new IllegalArgumentException("precision '" + s + "' is not known; allowed: float32, float16, bfloat16");
	}
}
